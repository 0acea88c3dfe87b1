// The running totals (invoice_totals) against a full recount: the check says where they differ, the rebuild
// rewrites them from the invoices. The triggers of migration 0018 keep them in every write's own transaction; these
// are for an operator after a restore, a hand edit with triggers off, or a doubt.
import { sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from './client.js';

export interface TotalsDifference {
  teamId: string;
  kind: string;
  currency: string;
  day: string;
  stored: { count: number; totalMinor: bigint; dueMinor: bigint };
  counted: { count: number; totalMinor: bigint; dueMinor: bigint };
}

export interface TotalsCheck {
  /** Rows compared (stored and recounted, without rows that net to nothing). */
  rows: number;
  differences: TotalsDifference[];
}

const scope = (teamId: string | undefined) => (teamId === undefined ? sql`null::text` : sql`${teamId}::text`);

/** Compares the stored totals of one workspace (all when none is given) with a recount of its invoices. */
export async function checkTotals(db: DatabaseOrTransaction, teamId?: string): Promise<TotalsCheck> {
  const team = scope(teamId);
  const rows = await queryRows<Record<string, string | null>>(
    db,
    sql`with stored as (
          select team_id, kind, currency, day, count, total_minor, due_minor from invoice_totals t
          where (${team} is null or t.team_id = ${team})
            and (t.count <> 0 or t.total_minor <> 0 or t.due_minor <> 0)
        ), counted as (select * from invoice_totals_recount(${team}))
        select coalesce(s.team_id, c.team_id) as team_id, coalesce(s.kind, c.kind) as kind,
          coalesce(s.currency, c.currency) as currency, coalesce(s.day, c.day)::text as day,
          s.count::text as s_count, s.total_minor::text as s_total, s.due_minor::text as s_due,
          c.count::text as c_count, c.total_minor::text as c_total, c.due_minor::text as c_due,
          (s.team_id is not null and c.team_id is not null and s.count = c.count and s.total_minor = c.total_minor
            and s.due_minor = c.due_minor)::text as same
        from stored s full join counted c
          on c.team_id = s.team_id and c.kind = s.kind and c.currency = s.currency and c.day = s.day
        order by 1, 2, 3, 4`,
  );
  const amounts = (
    count: string | null | undefined,
    total: string | null | undefined,
    due: string | null | undefined,
  ) => ({
    count: Number(count ?? 0),
    totalMinor: BigInt(total ?? '0'),
    dueMinor: BigInt(due ?? '0'),
  });
  const differences = rows
    .filter((r) => r.same !== 'true')
    .map((r) => ({
      teamId: String(r.team_id),
      kind: String(r.kind),
      currency: String(r.currency),
      day: String(r.day),
      stored: amounts(r.s_count, r.s_total, r.s_due),
      counted: amounts(r.c_count, r.c_total, r.c_due),
    }));
  return { rows: rows.length, differences };
}

/**
 * Rewrites the totals of one workspace (all when none is given) from its invoices, in one transaction that holds
 * writers to the invoices off meanwhile (SHARE lock), so no change falls between the recount and the write (a
 * writer's deltas reach the totals at its commit, which the lock waits for).
 * Returns the rows written.
 */
export async function rebuildTotals(
  db: DatabaseOrTransaction,
  teamId?: string,
): Promise<{ rows: number; removed: number }> {
  const team = scope(teamId);
  return db.transaction(async (tx) => {
    await queryRows(tx, sql`lock table invoices in share mode`);
    // What this transaction's own writes would add at commit is in the recount already.
    await queryRows(tx, sql`delete from invoice_totals_pending p where (${team} is null or p.team_id = ${team})`);
    const removed = await queryRows<{ n: number }>(
      tx,
      sql`with gone as (delete from invoice_totals t where (${team} is null or t.team_id = ${team}) returning 1)
          select count(*)::int as n from gone`,
    );
    const written = await queryRows<{ n: number }>(
      tx,
      sql`with written as (
            insert into invoice_totals (team_id, kind, currency, day, count, total_minor, due_minor)
            select * from invoice_totals_recount(${team}) order by 1, 2, 3, 4
            returning 1)
          select count(*)::int as n from written`,
    );
    return { rows: Number(written[0]?.n ?? 0), removed: Number(removed[0]?.n ?? 0) };
  });
}
