// The running totals (invoice_totals) are kept by triggers in every write's own statement. For any book and any
// sequence of writes — one row or many at once, rolled back or not, with the workspace's zone and stale days
// changing under them — they must equal a full recount of the invoices, and the overview and aging read off them
// must equal the same views counted from the invoices.

import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { queryRows } from '../../src/db/client.js';
import {
  getAging,
  getOverview,
  RECENTLY_PAID_DAYS,
  recountTotalsSql,
  staleBefore,
} from '../../src/db/queries/views.js';
import { checkTotals, rebuildTotals } from '../../src/db/totals.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import { describeEachDatabase } from '../helpers/db.js';

const ZONES = ['Pacific/Honolulu', 'Pacific/Auckland', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'UTC'];
const DAY = 86_400_000;
const TEAM = 'T0TOTALS';
const NOW = new Date('2026-11-23T12:00:00Z');

const invoiceArb = fc.record({
  totalMinor: fc.bigInt({ min: 1n, max: 10_000_000n }),
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
  sent: fc.boolean(),
  dueOffset: fc.integer({ min: -120, max: 40 }),
  promiseOffset: fc.option(fc.integer({ min: -10, max: 10 })),
  lastActionAgoMs: fc.option(fc.integer({ min: 0, max: 40 * DAY })),
});

/** One write: `pick` chooses the invoice(s) (modulo the book), `x` the amount or offset. */
const writeArb = fc.record({
  kind: fc.constantFrom(
    'pay',
    'pay',
    'credit',
    'void',
    'unvoid',
    'send',
    'due',
    'promise',
    'unpromise',
    'chase',
    'hold',
    'release',
    'reverse',
    'delete',
    'insert',
    'many',
    'zone',
    'stale_days',
    'describe',
  ),
  pick: fc.nat(),
  x: fc.integer({ min: -60, max: 1000 }),
  rolledBack: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  /** In the same transaction as the next write (the totals move at commit, whatever the transaction wrote). */
  withNext: fc.boolean(),
});

type InvoiceSpec = typeof invoiceArb extends fc.Arbitrary<infer T> ? T : never;
type WriteSpec = typeof writeArb extends fc.Arbitrary<infer T> ? T : never;

describeEachDatabase('the running totals', NOW.toISOString(), (get) => {
  async function insertInvoices(book: InvoiceSpec[], today: string, offset: number) {
    const { handle } = get();
    const values = book.map((inv, n) => {
      const due = addDays(today, inv.dueOffset);
      return sql`(${TEAM}, ${`INV-${offset + n}`}, (select id from clients where team_id = ${TEAM} limit 1),
        ${inv.currency}, ${inv.totalMinor.toString()}::int8, ${addDays(due, -30)}::date, 'fixed',
        ${addDays(due, -30)}::date, ${due}::date,
        ${inv.sent ? new Date(NOW.getTime() - 40 * DAY).toISOString() : null}::timestamptz,
        ${inv.sent && inv.promiseOffset !== null ? addDays(today, inv.promiseOffset) : null}::date,
        ${inv.lastActionAgoMs === null ? null : 'chased'},
        ${inv.lastActionAgoMs === null ? null : new Date(NOW.getTime() - inv.lastActionAgoMs).toISOString()}::timestamptz)`;
    });
    // One statement for the whole book, as a set-based import writes it.
    await queryRows(
      handle.db,
      sql`insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind,
            terms_basis_date, due_date, sent_at, promised_date, last_action_kind, last_action_at)
          values ${sql.join(values, sql`, `)}`,
    );
  }

  /** The SQL of one write against the invoice at position `pick` (by number order). */
  function writeSql(w: WriteSpec, today: string) {
    const one = sql`(team_id, id) = (select team_id, id from invoices where team_id = ${TEAM}
      order by number offset ${w.pick} % greatest((select count(*) from invoices where team_id = ${TEAM}), 1) limit 1)`;
    const share = Math.max(1, Math.abs(w.x));
    switch (w.kind) {
      case 'pay':
        return sql`update invoices set paid_minor = least(total_minor - credited_minor,
            paid_minor + greatest(1, (total_minor - paid_minor - credited_minor) * ${share} / 1000)),
            paid_on = case when paid_minor + greatest(1, (total_minor - paid_minor - credited_minor) * ${share} / 1000)
              + credited_minor >= total_minor then ${addDays(today, -(w.pick % 45))}::date end,
            version = version + 1
          where ${one} and voided_at is null and paid_minor + credited_minor < total_minor`;
      case 'credit':
        return sql`update invoices set credited_minor = total_minor - paid_minor,
            paid_on = ${addDays(today, -(w.pick % 45))}::date
          where ${one} and voided_at is null and paid_minor + credited_minor < total_minor`;
      case 'reverse':
        return sql`update invoices set paid_minor = 0, paid_on = null where ${one} and credited_minor < total_minor`;
      case 'void':
        return sql`update invoices set voided_at = ${NOW.toISOString()}::timestamptz, void_reason = 'x' where ${one}`;
      case 'unvoid':
        return sql`update invoices set voided_at = null, void_reason = null where ${one}`;
      case 'send':
        return sql`update invoices set sent_at = ${NOW.toISOString()}::timestamptz where ${one} and sent_at is null`;
      case 'due':
        return sql`update invoices set due_date = greatest(issue_date, ${addDays(today, w.x % 90)}::date) where ${one}`;
      case 'promise':
        return sql`update invoices set promised_date = ${addDays(today, w.x % 15)}::date where ${one}`;
      case 'unpromise':
        return sql`update invoices set promised_date = null where ${one}`;
      case 'chase':
        return sql`update invoices set last_action_kind = 'chased',
            last_action_at = ${new Date(NOW.getTime() - (Math.abs(w.x) % 40) * (DAY / 3)).toISOString()}::timestamptz
          where ${one}`;
      case 'hold':
        return sql`update invoices set hold_kind = 'hold', hold_reason = 'r', hold_since = ${NOW.toISOString()}::timestamptz
          where ${one}`;
      case 'release':
        return sql`update invoices set hold_kind = null, hold_reason = null, hold_since = null where ${one}`;
      case 'delete':
        return sql`delete from invoices where ${one}`;
      case 'insert':
        return sql`insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind,
            terms_basis_date, due_date, sent_at)
          select team_id, number || '-copy-' || ${String(w.x)}, client_id, currency, total_minor + 1, issue_date,
            terms_kind, terms_basis_date, due_date, sent_at
          from invoices where ${one} on conflict do nothing`;
      case 'many':
        // Many rows in one statement: every third invoice chased, or every other one's due date moved.
        return w.x % 2 === 0
          ? sql`update invoices set last_action_at = ${NOW.toISOString()}::timestamptz, last_action_kind = 'chased'
              where team_id = ${TEAM} and length(number) % 3 = ${w.pick % 3}`
          : sql`update invoices set due_date = due_date + 1 where team_id = ${TEAM} and length(number) % 2 = ${w.pick % 2}`;
      case 'zone':
        return sql`update workspaces set time_zone = ${ZONES[w.pick % ZONES.length] as string} where team_id = ${TEAM}`;
      case 'stale_days':
        return sql`update workspaces set stale_days = ${1 + (Math.abs(w.x) % 30)} where team_id = ${TEAM}`;
      default:
        return sql`update invoices set description = ${`note ${w.x}`} where ${one}`;
    }
  }

  /** The overview's totals and aging counted from the invoices, as they were before the running totals. */
  async function recounted(today: string) {
    const { handle } = get();
    const [workspace] = await handle.raw('select team_id, time_zone, stale_days from workspaces where team_id = $1', [
      TEAM,
    ]);
    const w = { teamId: TEAM, timeZone: String(workspace?.time_zone), staleDays: Number(workspace?.stale_days) };
    const rows = await queryRows<Record<string, string | number>>(
      handle.db,
      recountTotalsSql(TEAM, today, addDays(today, -RECENTLY_PAID_DAYS), staleBefore(w, today), sql``),
    );
    const aging = await handle.raw(
      `select currency, bucket, count(*)::int as count, sum(due)::text as due from (
          select currency, total_minor - paid_minor - credited_minor as due,
            case when due_date >= $2::date then 'current' when $2::date - due_date <= 30 then '1-30'
              when $2::date - due_date <= 60 then '31-60' when $2::date - due_date <= 90 then '61-90' else '90+' end
              as bucket
          from invoices where team_id = $1 and voided_at is null and paid_minor + credited_minor < total_minor
            and sent_at is not null) t
        group by currency, bucket
        order by currency, array_position(array['current', '1-30', '31-60', '61-90', '90+'], bucket)`,
      [TEAM, today],
    );
    return { workspace: w, rows, aging };
  }

  it('equal a full recount after any writes, on any day, and so do the overview and aging read off them', async () => {
    const { handle } = get();
    await fc.assert(
      fc.asyncProperty(
        fc.array(invoiceArb, { minLength: 0, maxLength: 25 }),
        fc.array(writeArb, { maxLength: 15 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: -40, max: 40 }),
        async (book, writes, timeZone, staleDays, dayOffset) => {
          await handle.raw('truncate workspaces, clients, invoices, workspace_plan_requests cascade', []);
          await handle.raw(`insert into workspaces (team_id, name, time_zone, stale_days) values ($1, 'T', $2, $3)`, [
            TEAM,
            timeZone,
            staleDays,
          ]);
          await handle.raw(`insert into clients (team_id, name) values ($1, 'Acme')`, [TEAM]);
          const written = todayIn(timeZone, NOW);
          if (book.length > 0) await insertInvoices(book, written, 0);
          // The writes in transactions of one or more (each up to a write not `withNext`).
          const transactions: WriteSpec[][] = [[]];
          for (const w of writes) {
            transactions.at(-1)?.push(w);
            if (!w.withNext) transactions.push([]);
          }
          for (const group of transactions.filter((g) => g.length > 0)) {
            await handle.db
              .transaction(async (tx) => {
                for (const w of group) await queryRows(tx, writeSql(w, written));
                // A transaction that fails takes its totals with it.
                if (group.some((w) => w.rolledBack)) throw new Error('rolled back');
              })
              .catch((error: Error) => {
                if (error.message !== 'rolled back') throw error;
              });
          }
          const check = await checkTotals(handle.db, TEAM);
          expect(check.differences).toEqual([]);

          // The views off the totals equal the views counted from the invoices, on a day around the writes.
          const today = addDays(written, dayOffset);
          const { workspace, rows, aging } = await recounted(today);
          const now = new Date(NOW.getTime() + dayOffset * DAY);
          const overview = await getOverview(handle.db, { workspace, today, now, limit: 1 });
          expect(
            overview.totals.map((t) => [t.state, t.currency, t.count, String(t.totalMinor), String(t.dueMinor)]),
          ).toEqual(
            rows.map((r) => [r.state, r.currency, Number(r.count), String(r.total_minor), String(r.due_minor)]),
          );
          expect(overview.needsAction.promisesBroken).toBe(rows.reduce((n, r) => n + Number(r.broken), 0));
          expect(overview.needsAction.stale).toBe(rows.reduce((n, r) => n + Number(r.stale), 0));
          const fromTotals = await getAging(handle.db, { workspace, today, now });
          expect(fromTotals.map((a) => [a.currency, a.bucket, a.count, String(a.dueMinor)])).toEqual(
            aging.map((a) => [a.currency, a.bucket, Number(a.count), String(a.due)]),
          );
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('let two transactions change several invoices in opposite due-date orders, and both commit', async () => {
    const { handle } = get();
    // PGlite has one connection: its transactions never interleave.
    if (handle.kind !== 'postgres') return;
    await handle.raw(`insert into workspaces (team_id, name) values ($1, 'Totals Co')`, [TEAM]);
    await handle.raw(`insert into clients (team_id, name) values ($1, 'Acme')`, [TEAM]);
    const today = todayIn('UTC', NOW);
    // Two due dates, two invoices on each: the first transaction pays its invoice due on the earlier date, then the
    // one due on the later; the second the other way round. Each statement's old upsert took the totals row of its
    // due date at once and held it to commit, so each waited on the other and PostgreSQL aborted one.
    const due = { early: -10, late: 5 };
    await insertInvoices(
      [due.early, due.late, due.late, due.early].map((dueOffset) => ({
        totalMinor: 1_000n,
        currency: 'USD',
        sent: true,
        dueOffset,
        promiseOffset: null,
        lastActionAgoMs: null,
      })),
      today,
      0,
    );
    const pay = (number: string) =>
      sql`update invoices set paid_minor = paid_minor + 100 where team_id = ${TEAM} and number = ${number}`;
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { open, opened };
    };
    const firstPaid = gate();
    const secondPaid = gate();
    const first = handle.db.transaction(async (tx) => {
      await queryRows(tx, pay('INV-0')); // due early
      firstPaid.open();
      await secondPaid.opened;
      await queryRows(tx, pay('INV-1')); // due late
    });
    const second = handle.db.transaction(async (tx) => {
      await firstPaid.opened;
      await queryRows(tx, pay('INV-2')); // due late
      secondPaid.open();
      await queryRows(tx, pay('INV-3')); // due early
    });
    const outcomes = await Promise.allSettled([first, second]);
    // A refused one would say why: drizzle wraps PostgreSQL's error ("deadlock detected") as its cause.
    const why = (reason: unknown) => String((reason as { cause?: unknown }).cause ?? reason);
    expect(outcomes.map((o) => (o.status === 'rejected' ? why(o.reason) : o.status))).toEqual([
      'fulfilled',
      'fulfilled',
    ]);
    expect((await checkTotals(handle.db, TEAM)).differences).toEqual([]);
    const [sent] = await handle.raw(
      `select sum(count)::int as n, sum(due_minor)::text as due from invoice_totals where team_id = $1 and kind = 'sent'`,
      [TEAM],
    );
    expect(sent).toEqual({ n: 4, due: '3600' });
    // Nothing is left pending once they committed.
    expect(await handle.raw('select count(*)::int as n from invoice_totals_pending', [])).toEqual([{ n: 0 }]);
  });

  it('are checked and rebuilt from the command line', async () => {
    const { handle, ctx } = get();
    await handle.raw(`insert into workspaces (team_id, name) values ($1, 'Totals Co')`, [TEAM]);
    await handle.raw(`insert into clients (team_id, name) values ($1, 'Acme')`, [TEAM]);
    await insertInvoices(
      [
        { totalMinor: 500n, currency: 'USD', sent: true, dueOffset: -3, promiseOffset: -1, lastActionAgoMs: null },
        { totalMinor: 700n, currency: 'EUR', sent: false, dueOffset: 5, promiseOffset: null, lastActionAgoMs: DAY },
      ],
      '2026-11-23',
      0,
    );
    const lines: string[] = [];
    const cli = (...argv: string[]) =>
      runCli(argv, { out: (line) => lines.push(line), open: async () => ({ ctx, close: async () => {} }) });

    expect(await cli('totals', 'check')).toBe(0);
    expect(lines.pop()).toMatch(/^The running totals of T0TOTALS equal a full recount \(\d+ rows\)\.$/);

    // Someone edits a total by hand: the check says where, and the rebuild puts it right.
    await handle.raw(`update invoice_totals set count = count + 1, due_minor = due_minor + 5 where kind = 'sent'`, []);
    expect(await cli('totals', 'check', '--all')).toBe(1);
    expect(lines).toContain('1 of 4 running totals of every workspace differ from a recount of the invoices:');
    expect(lines).toContain('  T0TOTALS sent USD 2026-11-20: stored 2 / 500 / 505, counted 1 / 500 / 500');
    lines.length = 0;
    expect(await cli('totals', 'rebuild')).toBe(0);
    expect(lines[0]).toMatch(/^Rebuilt the running totals of T0TOTALS: 4 rows removed, 4 written from the invoices/);
    expect((await checkTotals(handle.db)).differences).toEqual([]);
    expect(await rebuildTotals(handle.db)).toEqual({ rows: 4, removed: 4 });
  });
});
