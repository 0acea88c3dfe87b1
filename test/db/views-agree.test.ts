// The views compute state in SQL; the status engine computes it in TypeScript. For any book, on any day,
// in any time zone, they must say the same thing.

import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import {
  accountCreditBalance,
  accountCreditBalances,
  getAccountCredits,
  getRefunds,
} from '../../src/db/queries/account-credit.js';
import { getClientPage } from '../../src/db/queries/client-page.js';
import { getCreditNotes, getPayments } from '../../src/db/queries/corrections.js';
import { getDigestData } from '../../src/db/queries/digest.js';
import {
  getAging,
  getOverview,
  promiseBrokenSql,
  RECENTLY_PAID_DAYS,
  staleBefore,
  staleSql,
  stateSql,
} from '../../src/db/queries/views.js';
import { agingBucket } from '../../src/domain/aging.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import { toDecimalString } from '../../src/domain/money.js';
import { deriveStatus, type InvoiceFacts, isClosed, isOpen } from '../../src/domain/status.js';
import { exportInvoicesCsv } from '../../src/io/export.js';
import { applyAccountCredit, refundAccountCredit, refundOverpayment } from '../../src/services/account-credit.js';
import { createClient } from '../../src/services/clients.js';
import { issueCreditNote, reversePayment, withdrawCreditNote } from '../../src/services/corrections.js';
import { isLedgerError } from '../../src/services/errors.js';
import { createInvoice, getInvoice, recordPayment } from '../../src/services/invoices.js';
import { describeEachDatabase, emptyDatabase } from '../helpers/db.js';
import { OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

/** fast-check runs per property: the full count with LONG_SIMULATION=1 (CI), a third of it by default. */
const LONG = process.env.LONG_SIMULATION === '1';
const RUNS = { books: LONG ? 25 : 8, services: LONG ? 12 : 4 };

const ZONES = ['Pacific/Honolulu', 'Pacific/Auckland', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'UTC'];
const DAY = 86_400_000;

const invoiceArb = fc.record({
  totalMinor: fc.bigInt({ min: 1n, max: 10_000_000n }),
  paid: fc.constantFrom('none', 'part', 'full', 'over'),
  /** A credit note: a part of the total, what payments left, or the whole (taken only where nothing was paid). */
  credited: fc.constantFrom('none', 'none', 'part', 'rest', 'full'),
  sent: fc.boolean(),
  voided: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  dueOffset: fc.integer({ min: -120, max: 40 }),
  paidOffset: fc.integer({ min: 0, max: 60 }),
  hold: fc.constantFrom(null, 'hold', 'dispute'),
  promiseOffset: fc.option(fc.integer({ min: -10, max: 10 })),
  lastActionAgoMs: fc.option(fc.integer({ min: 0, max: 40 * DAY })),
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
});

describeEachDatabase('views agree with the status engine', '2026-11-23T12:00:00Z', (get) => {
  it('for random books, days and time zones: per invoice, in the overview and in aging', async () => {
    const { handle } = get();
    await fc.assert(
      fc.asyncProperty(
        fc.array(invoiceArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 2 * 365 * DAY }),
        fc.integer({ min: 1, max: 30 }),
        async (book, timeZone, offsetMs, staleDays) => {
          await emptyDatabase(handle);
          const now = new Date(Date.parse('2026-01-01T00:00:00Z') + offsetMs);
          const today = todayIn(timeZone, now);
          await handle.raw(
            `insert into workspaces (team_id, name, time_zone, stale_days) values ('T0PROP', 'P', $1, $2)`,
            [timeZone, staleDays],
          );
          const [client] = await handle.raw(
            `insert into clients (team_id, name) values ('T0PROP', 'Acme') returning id::text as id`,
            [],
          );
          const facts = new Map<string, InvoiceFacts & { currency: string; paidOn: string | null }>();
          for (const [n, inv] of book.entries()) {
            const paidMinor =
              inv.paid === 'none'
                ? 0n
                : inv.paid === 'part'
                  ? inv.totalMinor / 2n
                  : inv.paid === 'full'
                    ? inv.totalMinor
                    : inv.totalMinor + 1n;
            // As the services allow it: never more credit than payments left due.
            const left = inv.totalMinor - paidMinor;
            const creditedMinor =
              left <= 0n || inv.credited === 'none'
                ? 0n
                : inv.credited === 'part'
                  ? left / 3n
                  : inv.credited === 'rest' || paidMinor === 0n
                    ? left
                    : 0n;
            const dueDate = addDays(today, inv.dueOffset);
            const issueDate = addDays(dueDate, -30);
            const paidOn = paidMinor + creditedMinor >= inv.totalMinor ? addDays(today, -inv.paidOffset) : null;
            const promisedDate = inv.promiseOffset === null ? null : addDays(today, inv.promiseOffset);
            const lastActionAt = inv.lastActionAgoMs === null ? null : new Date(now.getTime() - inv.lastActionAgoMs);
            const sentAt = inv.sent ? new Date(now.getTime() - 40 * DAY) : null;
            const voidedAt = inv.voided ? new Date(now.getTime() - DAY) : null;
            const holdSince = inv.hold ? new Date(now.getTime() - 2 * DAY) : null;
            const [row] = await handle.raw(
              `insert into invoices (team_id, number, client_id, currency, total_minor, paid_minor, issue_date,
                 terms_kind, terms_basis_date, due_date, sent_at, voided_at, hold_kind, hold_reason, hold_since,
                 promised_date, paid_on, last_action_kind, last_action_at, credited_minor)
               values ('T0PROP', $1, $2::uuid, $3, $4::int8, $5::int8, $6::date, 'fixed', $6::date, $7::date,
                 $8::timestamptz, $9::timestamptz, $10, $11, $12::timestamptz, $13::date, $14::date, $15, $16::timestamptz,
                 $17::int8)
               returning id::text as id`,
              [
                `INV-${n}`,
                client?.id,
                inv.currency,
                inv.totalMinor.toString(),
                paidMinor.toString(),
                issueDate,
                dueDate,
                sentAt?.toISOString() ?? null,
                voidedAt?.toISOString() ?? null,
                inv.hold,
                inv.hold ? 'reason' : null,
                holdSince?.toISOString() ?? null,
                promisedDate,
                paidOn,
                lastActionAt ? 'chased' : null,
                lastActionAt?.toISOString() ?? null,
                creditedMinor.toString(),
              ],
            );
            facts.set(String(row?.id), {
              totalMinor: inv.totalMinor,
              paidMinor,
              creditedMinor,
              dueDate,
              sentAt,
              voidedAt,
              hold: inv.hold ? { kind: inv.hold, reason: 'reason', since: holdSince as Date, by: null } : null,
              promisedDate,
              lastAction: lastActionAt ? { kind: 'chased', at: lastActionAt, by: null } : null,
              currency: inv.currency,
              paidOn,
            });
          }
          const workspace = { teamId: 'T0PROP', timeZone, staleDays };
          const ctx = { today, timeZone, staleDays };

          // 1. Each invoice: state, broken promise and staleness.
          const rows = await queryRows<{ id: string; state: string; broken: boolean; stale: boolean }>(
            handle.db,
            sql`select i.id::text as id, ${stateSql(today)} as state, ${promiseBrokenSql(today)} as broken,
                  ${staleSql(today, staleBefore(workspace, today))} as stale
                from invoices i where i.team_id = 'T0PROP'`,
          );
          for (const row of rows) {
            const f = facts.get(row.id) as InvoiceFacts;
            const status = deriveStatus(f, ctx);
            const open = isOpen(status.state);
            expect({ state: row.state, broken: row.broken, stale: row.stale }).toEqual({
              state: status.lifecycle,
              // The SQL counts promises only on sent invoices; a draft cannot carry one (services refuse it).
              broken: status.promiseBroken && open && f.sentAt !== null,
              stale: status.stale,
            });
          }

          // 2. The overview's counts and money per state and currency.
          const overview = await getOverview(handle.db, { workspace, today, now, limit: 100 });
          const expected = new Map<string, { count: number; dueMinor: bigint }>();
          let broken = 0;
          let stale = 0;
          for (const f of facts.values()) {
            const status = deriveStatus(f, ctx);
            if (!status.state) continue;
            if (isClosed(status.state) && (f.paidOn ?? '') < addDays(today, -RECENTLY_PAID_DAYS)) continue;
            const key = `${status.state}/${f.currency}`;
            const entry = expected.get(key) ?? { count: 0, dueMinor: 0n };
            entry.count += 1;
            entry.dueMinor += status.amountDueMinor;
            expected.set(key, entry);
            if (status.promiseBroken && isOpen(status.state) && f.sentAt) broken += 1;
            if (status.stale) stale += 1;
          }
          const actual = new Map(
            overview.totals.map((t) => [`${t.state}/${t.currency}`, { count: t.count, dueMinor: t.dueMinor }]),
          );
          expect(actual).toEqual(expected);
          expect(overview.needsAction.promisesBroken).toBe(broken);
          expect(overview.needsAction.stale).toBe(stale);
          for (const [state, list] of Object.entries(overview.invoices)) {
            for (const view of list) expect(view.status.state).toBe(state);
          }

          // 3. Aging: sent, open invoices by days overdue.
          const aging = await getAging(handle.db, { workspace, today, now });
          const buckets = new Map<string, bigint>();
          for (const f of facts.values()) {
            const status = deriveStatus(f, ctx);
            if (!f.sentAt || !isOpen(status.state) || status.state === 'draft') continue;
            const key = `${f.currency}/${agingBucket(status.daysOverdue)}`;
            buckets.set(key, (buckets.get(key) ?? 0n) + status.amountDueMinor);
          }
          expect(new Map(aging.map((a) => [`${a.currency}/${a.bucket}`, a.dueMinor]))).toEqual(buckets);
        },
      ),
      { numRuns: RUNS.books },
    );
  });

  // The same, for books written through the services: payments (overpayments too), payments reversed as mistakes,
  // credit notes (their excess kept on the client's account), credit on account applied, refunds of overpayments and
  // of credit on account, credit notes withdrawn, in any order. The facts the engine is given are summed here from
  // the rows themselves (reversed payments and withdrawn notes left out, refunds taken off), so the views are held to
  // what was recorded, not to the invoice's own sums.
  const operationArb = fc.record({
    invoice: fc.nat(),
    kind: fc.constantFrom(
      'pay',
      'pay',
      'overpay',
      'reverse',
      'credit',
      'credit_keep',
      'apply',
      'refund',
      'refund_account',
      'withdraw',
    ),
    /** Per mille of what is due (0 → the whole of it). */
    share: fc.integer({ min: 0, max: 1000 }),
    /** Which live payment to reverse. */
    pick: fc.nat(),
  });
  const serviceInvoiceArb = fc.record({
    totalMinor: fc.bigInt({ min: 1n, max: 5_000_000n }),
    currency: fc.constantFrom('USD', 'JPY', 'KWD'),
    dueOffset: fc.integer({ min: -90, max: 30 }),
    /** Two clients, so that credit on account stays with its own. */
    second: fc.boolean(),
  });

  it('for books with payments, reversals, credit notes, credit on account and refunds written through the services', async () => {
    const { handle, ctx } = get();
    await fc.assert(
      fc.asyncProperty(
        fc.array(serviceInvoiceArb, { minLength: 1, maxLength: 6 }),
        fc.array(operationArb, { maxLength: 20 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 60 }),
        async (book, operations, timeZone, laterDays) => {
          await emptyDatabase(handle);
          ctx.clock.set('2026-11-23T12:00:00Z');
          const { teamId, client, workspace } = await workspaceWithClient(ctx, { timeZone });
          const { result: other } = await createClient(ctx, teamId, OPERATOR, { name: 'Globex' });
          const written = todayIn(timeZone, ctx.clock.now());
          const ids: string[] = [];
          for (const [n, inv] of book.entries()) {
            const due = addDays(written, inv.dueOffset);
            const { result } = await createInvoice(ctx, teamId, OPERATOR, {
              number: `S-${n}`,
              clientId: inv.second ? other.id : client.id,
              currency: inv.currency,
              total: inv.totalMinor,
              issueDate: addDays(due, -30),
              terms: { kind: 'fixed', dueDate: due },
              status: 'sent',
            });
            ids.push(result.id);
          }
          let credits = 0;
          for (const op of operations) {
            const id = ids[op.invoice % ids.length] as string;
            const view = await getInvoice(ctx, teamId, id);
            const due = view.status.amountDueMinor;
            const amount = op.share === 0 ? due : (due * BigInt(op.share)) / 1000n;
            const extra = BigInt(op.share) + 1n;
            const balance = await accountCreditBalance(ctx.db, {
              teamId,
              clientId: view.clientId,
              currency: view.currency,
            });
            const refundable = view.status.overpaidMinor < view.paidMinor ? view.status.overpaidMinor : view.paidMinor;
            try {
              if (op.kind === 'reverse') {
                const live = (await getPayments(ctx.db, { teamId, invoiceIds: [id] })).filter((p) => !p.reversedAt);
                const payment = live[op.pick % Math.max(live.length, 1)];
                if (!payment) continue;
                await reversePayment(ctx, teamId, OPERATOR, { invoice: id, payment: payment.id, reason: 'mistake' });
              } else if (op.kind === 'withdraw') {
                const notes = await getCreditNotes(ctx.db, { teamId, invoiceIds: [id] });
                const note = notes[op.pick % Math.max(notes.length, 1)];
                if (!note) continue;
                await withdrawCreditNote(ctx, teamId, OPERATOR, { invoice: id, creditNote: note.id, reason: 'void' });
              } else if (op.kind === 'overpay' && due > 0n) {
                await recordPayment(ctx, teamId, OPERATOR, { invoice: id, amount: due + extra, overpayment: true });
              } else if (op.kind === 'credit_keep' && due > 0n) {
                credits += 1;
                await issueCreditNote(ctx, teamId, OPERATOR, {
                  invoice: id,
                  number: `CN-${credits}`,
                  amount: due + extra,
                  reason: 'r',
                  keepOnAccount: true,
                });
              } else if (op.kind === 'apply' && due > 0n && balance > 0n) {
                const most = balance < due ? balance : due;
                const part = op.share === 0 ? most : (most * BigInt(op.share)) / 1000n;
                if (part > 0n)
                  await applyAccountCredit(ctx, teamId, OPERATOR, { invoice: id, amount: part, reason: 'a' });
              } else if (op.kind === 'refund' && refundable > 0n) {
                const part = op.share === 0 ? refundable : (refundable * BigInt(op.share)) / 1000n;
                if (part > 0n)
                  await refundOverpayment(ctx, teamId, OPERATOR, { invoice: id, amount: part, reason: 'r' });
              } else if (op.kind === 'refund_account' && balance > 0n) {
                const part = op.share === 0 ? balance : (balance * BigInt(op.share)) / 1000n;
                if (part > 0n) {
                  await refundAccountCredit(ctx, teamId, OPERATOR, {
                    client: view.clientId,
                    currency: view.currency,
                    amount: part,
                    reason: 'r',
                  });
                }
              } else if (amount > 0n && op.kind === 'pay') {
                await recordPayment(ctx, teamId, OPERATOR, { invoice: id, amount });
              } else if (amount > 0n && op.kind === 'credit') {
                credits += 1;
                await issueCreditNote(ctx, teamId, OPERATOR, {
                  invoice: id,
                  number: `CN-${credits}`,
                  amount,
                  reason: 'r',
                });
              }
            } catch (error) {
              // Refusals the services make on purpose: a refunded payment is not reversed; a note whose credit on
              // account was applied or refunded is not withdrawn. They change nothing.
              if (!isLedgerError(error, 'PAYMENT_REFUNDED') && !isLedgerError(error, 'ACCOUNT_CREDIT_USED'))
                throw error;
            }
          }

          // Days later, the views against the engine over the facts summed from the rows.
          const now = new Date(ctx.clock.now().getTime() + laterDays * DAY);
          const today = todayIn(timeZone, now);
          const payments = await getPayments(ctx.db, { teamId, invoiceIds: ids });
          const notes = await getCreditNotes(ctx.db, { teamId, invoiceIds: ids });
          const accountRows = await getAccountCredits(ctx.db, { teamId });
          const refundRows = await getRefunds(ctx.db, { teamId });
          const sum = (items: readonly { amountMinor: bigint }[]) => items.reduce((t, i) => t + i.amountMinor, 0n);
          // Each client's balance per currency: kept − applied − withdrawn − refunded from the account, never below 0.
          for (const who of [client.id, other.id]) {
            const balances = await accountCreditBalances(ctx.db, { teamId, clientId: who });
            const expectedBalances = new Map<string, bigint>();
            for (const r of accountRows.filter((r) => r.clientId === who)) {
              const sign = r.kind === 'kept' ? 1n : -1n;
              expectedBalances.set(r.currency, (expectedBalances.get(r.currency) ?? 0n) + sign * r.amountMinor);
            }
            for (const r of refundRows.filter((r) => r.clientId === who && r.source === 'account')) {
              expectedBalances.set(r.currency, (expectedBalances.get(r.currency) ?? 0n) - r.amountMinor);
            }
            for (const [currency, minor] of expectedBalances) {
              expect(minor >= 0n).toBe(true);
              if (minor === 0n) expectedBalances.delete(currency);
            }
            expect(balances).toEqual(expectedBalances);
          }
          const facts = new Map<string, InvoiceFacts & { currency: string; paidOn: string | null }>();
          for (const id of ids) {
            const view = await getInvoice(ctx, teamId, id);
            const paidMinor =
              sum(payments.filter((p) => p.invoiceId === id && p.reversedAt === null)) -
              sum(refundRows.filter((r) => r.invoiceId === id));
            const creditedMinor =
              sum(notes.filter((c) => c.invoiceId === id)) +
              sum(accountRows.filter((r) => r.invoiceId === id && r.kind === 'applied'));
            expect({ paid: view.paidMinor, credited: view.creditedMinor }).toEqual({
              paid: paidMinor,
              credited: creditedMinor,
            });
            expect(view.paidOn !== null).toBe(paidMinor + creditedMinor >= view.totalMinor);
            facts.set(id, {
              totalMinor: view.totalMinor,
              paidMinor,
              creditedMinor,
              dueDate: view.dueDate,
              sentAt: view.sentAt,
              voidedAt: null,
              hold: null,
              promisedDate: null,
              lastAction: view.status.lastAction,
              currency: view.currency,
              paidOn: view.paidOn,
            });
          }
          const context = { today, timeZone, staleDays: workspace.staleDays };
          const rows = await queryRows<{ id: string; state: string; stale: boolean }>(
            handle.db,
            sql`select i.id::text as id, ${stateSql(today)} as state,
                  ${staleSql(today, staleBefore(workspace, today))} as stale
                from invoices i where i.team_id = ${teamId}`,
          );
          for (const row of rows) {
            const status = deriveStatus(facts.get(row.id) as InvoiceFacts, context);
            expect({ state: row.state, stale: row.stale }).toEqual({ state: status.lifecycle, stale: status.stale });
          }
          const overview = await getOverview(handle.db, { workspace, today, now, limit: 100 });
          const expected = new Map<string, { count: number; dueMinor: bigint }>();
          const buckets = new Map<string, bigint>();
          for (const f of facts.values()) {
            const status = deriveStatus(f, context);
            if (!status.state) continue;
            if (isClosed(status.state) && (f.paidOn ?? '') < addDays(today, -RECENTLY_PAID_DAYS)) continue;
            const key = `${status.state}/${f.currency}`;
            const entry = expected.get(key) ?? { count: 0, dueMinor: 0n };
            entry.count += 1;
            entry.dueMinor += status.amountDueMinor;
            expected.set(key, entry);
            if (isOpen(status.state)) {
              const bucket = `${f.currency}/${agingBucket(status.daysOverdue)}`;
              buckets.set(bucket, (buckets.get(bucket) ?? 0n) + status.amountDueMinor);
            }
          }
          const actual = new Map(
            overview.totals.map((t) => [`${t.state}/${t.currency}`, { count: t.count, dueMinor: t.dueMinor }]),
          );
          expect(actual).toEqual(expected);
          for (const [state, list] of Object.entries(overview.invoices)) {
            for (const view of list) expect(view.status.state).toBe(state);
          }
          const aging = await getAging(handle.db, { workspace, today, now });
          expect(new Map(aging.map((a) => [`${a.currency}/${a.bucket}`, a.dueMinor]))).toEqual(buckets);

          // The digest's outstanding money per currency: every sent invoice still open.
          const digest = await getDigestData(handle.db, { workspace, today, now, since: ctx.clock.now() });
          const outstanding = new Map<string, bigint>();
          for (const f of facts.values()) {
            const status = deriveStatus(f, context);
            if (isOpen(status.state))
              outstanding.set(f.currency, (outstanding.get(f.currency) ?? 0n) + status.amountDueMinor);
          }
          expect(new Map(digest.totals.map((t) => [t.currency, t.outstandingMinor]))).toEqual(outstanding);

          // The exports (state and amount due per invoice) and each client's status page (its open invoices and
          // what is due on them) against the engine too.
          const exported = parse(await exportInvoicesCsv(handle.db, { workspace, now }), { columns: true }) as Record<
            string,
            string
          >[];
          for (const [n, id] of ids.entries()) {
            const f = facts.get(id) as InvoiceFacts & { currency: string };
            const status = deriveStatus(f, context);
            const line = exported.find((l) => l.number === `S-${n}`);
            expect({ state: line?.state, due: line?.amount_due }).toEqual({
              state: status.lifecycle,
              due: toDecimalString(status.amountDueMinor, f.currency),
            });
          }
          for (const who of [client, other]) {
            const page = await getClientPage(handle.db, { workspace, client: who, now });
            const shown = new Map(page.open.map((v) => [v.id, v.status.amountDueMinor]));
            const engine = new Map<string, bigint>();
            for (const [id, f] of facts) {
              const view = await getInvoice(ctx, teamId, id);
              if (view.clientId !== who.id) continue;
              const status = deriveStatus(f, context);
              if (isOpen(status.state) && status.state !== 'draft') engine.set(id, status.amountDueMinor);
            }
            expect(shown).toEqual(engine);
          }
        },
      ),
      { numRuns: RUNS.services },
    );
  });
});
