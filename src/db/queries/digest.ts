// What the weekly digest reads: the open invoices worth naming (candidates, however big the book) and every one
// counted, the totals, and what changed since
// the previous digest. Every part is one set-based query; none loops over invoices.
import { sql } from 'drizzle-orm';
import { type LocalDate, localDateOf } from '../../domain/dates.js';
import {
  type ChangedInvoice,
  DIGEST_LIST_CAP,
  type DigestChanges,
  type DigestData,
  type OpenState,
} from '../../domain/digest.js';
import { type DatabaseOrTransaction, queryRows } from '../client.js';
import type { WorkspaceRow } from '../schema.js';
import { getAging, ms, OPEN, promiseBrokenSql, staleBefore, staleSql, stateRank, stateSql } from './views.js';

export interface GetDigestDataParams {
  workspace: Pick<WorkspaceRow, 'teamId' | 'timeZone' | 'staleDays'>;
  /** Today in the workspace's time zone. */
  today: LocalDate;
  /** The clock's instant. */
  now: Date;
  /** The previous digest, or 7 days ago: changes are the events at or after it. */
  since: Date;
  /** The most a list will name (summariseDigest's listCap); DIGEST_LIST_CAP unless given. */
  listCap?: number;
}

/** What is still due on an open invoice: payments not reversed and credit notes both count. */
const DUE_MINOR = sql.raw('(i.total_minor - i.paid_minor - i.credited_minor)');

type Raw = Record<string, string | number | boolean | null>;

const str = (v: Raw[string] | undefined): string => String(v);
const strOrNull = (v: Raw[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));
const big = (v: Raw[string] | undefined): bigint => BigInt(String(v ?? 0));
const num = (v: Raw[string] | undefined): number => Number(v ?? 0);
const instant = (v: Raw[string] | undefined): Date => new Date(Number(v));

/** One digest's reading: its workspace, its day, and where "since" begins (as a local date and an instant). */
interface Scope {
  team: string;
  workspace: GetDigestDataParams['workspace'];
  today: LocalDate;
  sinceDate: LocalDate;
  sinceAt: string;
}

/**
 * Everything the weekly digest shows, as of `today`. Seven set-based queries, run one after another; pass
 * a repeatable-read transaction as `db` when all of them must see one snapshot.
 */
export async function getDigestData(db: DatabaseOrTransaction, params: GetDigestDataParams): Promise<DigestData> {
  const { workspace, today, since } = params;
  const scope: Scope = {
    team: workspace.teamId,
    workspace,
    today,
    sinceDate: localDateOf(since, workspace.timeZone),
    sinceAt: since.toISOString(),
  };
  const cap = Math.max(1, Math.floor(params.listCap ?? DIGEST_LIST_CAP));
  const invoices = await digestCandidates(db, scope, cap);
  const open = await openCounts(db, scope);
  const totals = await currencyTotals(db, scope);
  const aging = await getAging(db, params);
  const changes = await changesSince(db, scope);
  const payments = await paymentsSince(db, scope);
  const owners = await ownerWork(db, scope);
  return {
    today,
    since,
    sinceDate: scope.sinceDate,
    invoices,
    open,
    candidatesFor: cap,
    totals,
    aging,
    changes,
    payments,
    owners,
  };
}

/**
 * The open book's candidates for naming, in display order: per state, the first `cap` that need naming
 * (broken promise, stale, disputed) in the naming order, and per state and currency the first 2 × `cap` by
 * amount — a superset of what the digest names (pickWorthNaming), however big the book. The rest is counted.
 */
async function digestCandidates(
  db: DatabaseOrTransaction,
  { team, workspace, today }: Scope,
  cap: number,
): Promise<DigestData['invoices']> {
  const rows = await queryRows<Raw>(
    db,
    sql`with open_book as (
        select i.id, i.number, i.client_id, i.currency, ${DUE_MINOR} as due_minor, i.due_date,
          ${stateSql(today)} as state,
          case when i.sent_at is not null and i.due_date < ${today}::date then ${today}::date - i.due_date else 0 end
            as days_overdue,
          i.owner_user_id, i.last_action_kind, i.last_action_at,
          i.hold_kind, i.hold_reason, i.promised_date,
          ${promiseBrokenSql(today)} as promise_broken,
          ${staleSql(today, staleBefore(workspace, today))} as stale
        from invoices i
        where i.team_id = ${team} and ${OPEN}
      ), ranked as (
        select o.*,
          (o.promise_broken or o.stale or o.hold_kind is not distinct from 'dispute') as urgent,
          row_number() over (partition by o.state, o.currency
            order by o.due_minor desc, o.due_date, o.id::text collate "C") as by_amount,
          row_number() over (
            partition by o.state, (o.promise_broken or o.stale or o.hold_kind is not distinct from 'dispute')
            order by o.due_date, o.due_minor desc, o.id::text collate "C") as by_urgency
        from open_book o
      )
      select t.id::text as id, t.number, c.name as client_name, t.currency, t.due_minor::text as due_minor,
        t.due_date::text as due_date, t.state, t.days_overdue, t.owner_user_id, t.last_action_kind,
        ${sql.raw(ms('t.last_action_at'))} as last_action_at, t.hold_kind, t.hold_reason,
        t.promised_date::text as promised_date, t.promise_broken::int as promise_broken, t.stale::int as stale
      from ranked t
      join clients c on c.team_id = ${team} and c.id = t.client_id
      where t.by_amount <= ${2 * cap} or (t.urgent and t.by_urgency <= ${cap})
      order by ${stateRank('t.state')}, t.due_date, t.number, t.id`,
  );
  return rows.map((r) => ({
    id: str(r.id),
    number: str(r.number),
    clientName: str(r.client_name),
    currency: str(r.currency),
    amountDueMinor: big(r.due_minor),
    dueDate: str(r.due_date),
    state: r.state as OpenState,
    daysOverdue: num(r.days_overdue),
    ownerUserId: strOrNull(r.owner_user_id),
    lastAction:
      r.last_action_kind !== null && r.last_action_at !== null
        ? { kind: str(r.last_action_kind), at: instant(r.last_action_at) }
        : null,
    hold:
      r.hold_kind === 'hold' || r.hold_kind === 'dispute'
        ? { kind: r.hold_kind, reason: str(r.hold_reason ?? '') }
        : null,
    promisedDate: strOrNull(r.promised_date),
    promiseBroken: num(r.promise_broken) === 1,
    stale: num(r.stale) === 1,
  }));
}

/** Every open invoice, counted per state and currency. */
async function openCounts(db: DatabaseOrTransaction, { team, today }: Scope): Promise<DigestData['open']> {
  const rows = await queryRows<Raw>(
    db,
    sql`select t.state, t.currency, count(*)::int as count, coalesce(sum(t.due_minor), 0)::text as due_minor
      from (
        select ${stateSql(today)} as state, i.currency, ${DUE_MINOR} as due_minor
        from invoices i
        where i.team_id = ${team} and ${OPEN}
      ) t
      group by t.state, t.currency
      order by t.state, t.currency`,
  );
  return rows.map((r) => ({
    state: r.state as OpenState,
    currency: str(r.currency),
    count: num(r.count),
    dueMinor: big(r.due_minor),
  }));
}

/** Money per currency: sent and unpaid (outstanding), overdue, due today, and drafts. */
async function currencyTotals(db: DatabaseOrTransaction, { team, today }: Scope): Promise<DigestData['totals']> {
  const rows = await queryRows<Raw>(
    db,
    sql`select i.currency,
        count(*) filter (where i.sent_at is not null)::int as outstanding_count,
        coalesce(sum(${DUE_MINOR}) filter (where i.sent_at is not null), 0)::text as outstanding_minor,
        count(*) filter (where i.sent_at is not null and i.due_date < ${today}::date)::int as overdue_count,
        coalesce(sum(${DUE_MINOR})
          filter (where i.sent_at is not null and i.due_date < ${today}::date), 0)::text as overdue_minor,
        count(*) filter (where i.sent_at is not null and i.due_date = ${today}::date)::int as due_count,
        coalesce(sum(${DUE_MINOR})
          filter (where i.sent_at is not null and i.due_date = ${today}::date), 0)::text as due_minor,
        count(*) filter (where i.sent_at is null)::int as draft_count,
        coalesce(sum(${DUE_MINOR}) filter (where i.sent_at is null), 0)::text as draft_minor
      from invoices i
      where i.team_id = ${team} and ${OPEN}
      group by i.currency
      order by i.currency`,
  );
  return rows.map((r) => ({
    currency: str(r.currency),
    outstandingCount: num(r.outstanding_count),
    outstandingMinor: big(r.outstanding_minor),
    overdueCount: num(r.overdue_count),
    overdueMinor: big(r.overdue_minor),
    dueTodayCount: num(r.due_count),
    dueTodayMinor: big(r.due_minor),
    draftCount: num(r.draft_count),
    draftMinor: big(r.draft_minor),
  }));
}

/** What changed: events since the last digest, dates that passed since its local date, and money received. */
async function changesSince(
  db: DatabaseOrTransaction,
  { team, today, sinceDate, sinceAt }: Scope,
): Promise<DigestChanges> {
  const changeRows = await queryRows<Raw>(
    db,
    sql`select t.change, t.on_date, i.id::text as invoice_id, i.number, c.name as client_name, i.currency,
        (case when t.change = 'new' then i.total_minor else ${DUE_MINOR} end)::text as amount_minor,
        i.owner_user_id
      from (
        -- The client's own answers count too: a payment date it scheduled is a promise, its dispute a dispute.
        select case e.kind when 'created' then 'new' when 'chased' then 'promise_made'
            when 'client_scheduled' then 'promise_made'
            when 'disputed' then 'dispute_opened' when 'client_disputed' then 'dispute_opened'
            else 'dispute_closed' end as change,
          e.invoice_id,
          case e.kind when 'chased' then e.details->>'promisedDate' when 'client_scheduled' then e.details->>'date' end
            as on_date,
          e.id as ord
        from events e
        where e.team_id = ${team} and e.at >= ${sinceAt}::timestamptz and e.invoice_id is not null
          and (e.kind in ('created', 'disputed', 'client_disputed', 'client_scheduled')
            or (e.kind = 'chased' and e.details->>'promisedDate' is not null)
            or (e.kind = 'released' and e.details->>'was' = 'dispute'))
        union all
        select 'newly_overdue', i.id, i.due_date::text, null::int8 from invoices i
          where i.team_id = ${team} and ${OPEN} and i.sent_at is not null
            and i.due_date >= ${sinceDate}::date and i.due_date < ${today}::date
        union all
        select 'promise_broken', i.id, i.promised_date::text, null::int8 from invoices i
          where i.team_id = ${team} and ${OPEN} and i.sent_at is not null
            and i.promised_date >= ${sinceDate}::date and i.promised_date < ${today}::date
      ) t
      join invoices i on i.team_id = ${team} and i.id = t.invoice_id
      join clients c on c.team_id = i.team_id and c.id = i.client_id
      -- a new invoice voided since was a mistake, not new business
      where not (t.change = 'new' and i.voided_at is not null)
      order by t.change, t.ord nulls first, t.on_date, i.number`,
  );

  return changesOf(changeRows, await receivedSince(db, { team, sinceAt }));
}

/** The changes' rows sorted into the digest's lists, in their order. */
function changesOf(changeRows: Raw[], received: DigestChanges['received']): DigestChanges {
  const changes: DigestChanges = {
    newInvoices: [],
    received,
    newlyOverdue: [],
    promisesMade: [],
    promisesBroken: [],
    disputesOpened: [],
    disputesClosed: [],
  };
  const lists: Record<string, ChangedInvoice[]> = {
    new: changes.newInvoices,
    newly_overdue: changes.newlyOverdue,
    promise_made: changes.promisesMade,
    promise_broken: changes.promisesBroken,
    dispute_opened: changes.disputesOpened,
    dispute_closed: changes.disputesClosed,
  };
  for (const r of changeRows) {
    lists[str(r.change)]?.push({
      invoiceId: str(r.invoice_id),
      number: str(r.number),
      clientName: str(r.client_name),
      currency: str(r.currency),
      amountMinor: big(r.amount_minor),
      date: strOrNull(r.on_date),
      ownerUserId: strOrNull(r.owner_user_id),
    });
  }
  return changes;
}

/**
 * Money received since, per currency, from the payment events (amounts are {"$bigint": "…"} in jsonb); a
 * payment reversed since (recorded by mistake) was never received.
 */
async function receivedSince(
  db: DatabaseOrTransaction,
  { team, sinceAt }: Pick<Scope, 'team' | 'sinceAt'>,
): Promise<DigestChanges['received']> {
  const rows = await queryRows<Raw>(
    db,
    sql`select e.details->>'currency' as currency, count(*)::int as count,
        coalesce(sum((e.details->'amountMinor'->>'$bigint')::int8), 0)::text as amount_minor
      from events e
      where e.team_id = ${team} and e.at >= ${sinceAt}::timestamptz and e.kind in ('paid', 'part_paid')
        and e.details->>'currency' is not null
        and not exists (select 1 from payments p where p.team_id = e.team_id and p.reversed_at is not null
          and p.id = case when e.details->>'paymentId' ~ '^[0-9a-fA-F-]{36}$' then (e.details->>'paymentId')::uuid end)
      group by 1
      order by 1`,
  );
  return rows.map((r) => ({ currency: str(r.currency), count: num(r.count), amountMinor: big(r.amount_minor) }));
}

/**
 * The payments behind the payment events, as lines: recorded since the last digest, whatever day they arrived,
 * so each payment is listed in exactly one digest and the lines add up to the money received.
 */
async function paymentsSince(db: DatabaseOrTransaction, { team, sinceAt }: Scope): Promise<DigestData['payments']> {
  const rows = await queryRows<Raw>(
    db,
    sql`select p.id::text as payment_id, i.id::text as invoice_id, i.number, c.name as client_name, i.currency,
        p.amount_minor::text as amount_minor, p.received_on::text as received_on, p.recorded_by,
        ${sql.raw(ms('e.at'))} as recorded_at
      from events e
      join payments p on p.team_id = e.team_id
        and p.id = case when e.details->>'paymentId' ~ '^[0-9a-fA-F-]{36}$' then (e.details->>'paymentId')::uuid end
      join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
      join clients c on c.team_id = i.team_id and c.id = i.client_id
      where e.team_id = ${team} and e.at >= ${sinceAt}::timestamptz and e.kind in ('paid', 'part_paid')
        and p.reversed_at is null
      order by p.received_on, e.id`,
  );
  return rows.map((r) => ({
    paymentId: str(r.payment_id),
    invoiceId: str(r.invoice_id),
    number: str(r.number),
    clientName: str(r.client_name),
    currency: str(r.currency),
    amountMinor: big(r.amount_minor),
    receivedOn: str(r.received_on),
    recordedBy: str(r.recorded_by),
    recordedAt: instant(r.recorded_at),
  }));
}

/** Who needs to act: per owner, over the open book. */
async function ownerWork(db: DatabaseOrTransaction, { team, workspace, today }: Scope): Promise<DigestData['owners']> {
  const rows = await queryRows<Raw>(
    db,
    sql`select owner_user_id,
        count(*) filter (where state = 'overdue')::int as overdue,
        count(*) filter (where state = 'due')::int as due,
        count(*) filter (where broken)::int as broken,
        count(*) filter (where stale)::int as stale,
        count(*) filter (where state in ('overdue', 'due') or broken or stale)::int as needs_action
      from (
        select i.owner_user_id, ${stateSql(today)} as state, ${promiseBrokenSql(today)} as broken,
          ${staleSql(today, staleBefore(workspace, today))} as stale
        from invoices i
        where i.team_id = ${team} and ${OPEN}
      ) t
      group by owner_user_id
      having count(*) filter (where state in ('overdue', 'due') or broken or stale) > 0
      order by needs_action desc, owner_user_id nulls last`,
  );
  return rows.map((r) => ({
    ownerUserId: strOrNull(r.owner_user_id),
    overdue: num(r.overdue),
    due: num(r.due),
    promisesBroken: num(r.broken),
    stale: num(r.stale),
    needsAction: num(r.needs_action),
  }));
}

export type {
  ChangedInvoice,
  CurrencyTotals,
  DigestChanges,
  DigestData,
  DigestInvoice,
  DigestPayment,
  OpenState,
  OwnerWork,
} from '../../domain/digest.js';
