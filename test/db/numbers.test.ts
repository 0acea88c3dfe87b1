import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { getNumbersData, getReporting } from '../../src/db/queries/numbers.js';
import { events } from '../../src/db/schema.js';
import { todayIn } from '../../src/domain/dates.js';
import { computeNumbers } from '../../src/domain/numbers.js';
import type { LedgerContext } from '../../src/services/context.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { dispute, logChase, recordPayment, voidInvoice } from '../../src/services/invoices.js';
import { setRate, setReportingCurrency } from '../../src/services/rates.js';
import { answerAsClient, openClientLink, shareClient } from '../../src/services/sharing.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, asMember, BOB, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const NOW = '2026-12-03T17:00:00Z'; // Thursday 3 December, noon in New York

const fixed = (dueDate: string) => ({ kind: 'fixed' as const, dueDate });

/** A book whose numbers are worked out by hand in the test below. */
async function buildBook(ctx: LedgerContext) {
  const { teamId, client } = await workspaceWithClient(ctx);
  const admin = asAdmin(ALICE, teamId);
  await invoice(ctx, teamId, client.id, {
    number: 'A',
    total: '1,000',
    issueDate: '2026-11-01',
    terms: fixed('2026-12-05'),
  });
  await invoice(ctx, teamId, client.id, {
    number: 'B',
    total: '2,000',
    issueDate: '2026-10-01',
    terms: fixed('2026-11-20'),
  });
  await recordPayment(ctx, teamId, admin, { invoice: 'B', amount: '500', receivedOn: '2026-11-26' });
  await logChase(ctx, teamId, admin, { invoice: 'B', method: 'call', promisedDate: '2026-12-12' });
  const c = await invoice(ctx, teamId, client.id, {
    number: 'C',
    currency: 'EUR',
    total: '400',
    issueDate: '2026-11-10',
    terms: fixed('2026-11-25'),
  });
  await invoice(ctx, teamId, client.id, {
    number: 'D',
    total: '600',
    issueDate: '2026-08-01',
    terms: fixed('2026-09-01'),
  });
  await invoice(ctx, teamId, client.id, {
    number: 'E',
    total: '300',
    issueDate: '2026-11-20',
    terms: fixed('2026-12-10'),
  });
  await dispute(ctx, teamId, admin, { invoice: 'E', reason: 'Wrong rate' });
  await invoice(ctx, teamId, client.id, {
    number: 'F',
    total: '800',
    issueDate: '2026-11-02',
    terms: fixed('2026-12-02'),
  });
  await recordPayment(ctx, teamId, admin, { invoice: 'F', receivedOn: '2026-12-01' });
  await invoice(ctx, teamId, client.id, {
    number: 'G',
    total: '100',
    issueDate: '2026-11-15',
    terms: fixed('2026-12-15'),
  });
  const { result: g } = await recordPayment(ctx, teamId, admin, { invoice: 'G', receivedOn: '2026-12-02' });
  await reversePayment(ctx, teamId, admin, { invoice: 'G', payment: g.paymentId, reason: 'Bounced' });
  await invoice(ctx, teamId, client.id, {
    number: 'H',
    total: '500',
    issueDate: '2026-11-05',
    terms: fixed('2026-12-31'),
  });
  await issueCreditNote(ctx, teamId, admin, { invoice: 'H', number: 'CN-1', amount: '200', reason: 'Discount' });
  await invoice(ctx, teamId, client.id, { number: 'I', total: '9,999', issueDate: '2026-11-30', status: 'draft' });
  await invoice(ctx, teamId, client.id, { number: 'J', total: '7,000', issueDate: '2026-11-30' });
  await voidInvoice(ctx, teamId, admin, { invoice: 'J', reason: 'Raised twice' });
  // The client schedules C's payment on their status page.
  const shared = await shareClient(ctx, teamId, admin, { client: 'Acme Corp' });
  const opened = await openClientLink(ctx, shared.token);
  if (!opened) throw new Error('the link did not open');
  await answerAsClient(ctx, opened, { kind: 'scheduled', invoiceId: c.id, date: '2026-12-20' });
  return { teamId };
}

async function numbersOf(ctx: LedgerContext, teamId: string) {
  const workspace = await getWorkspace(ctx, teamId);
  const today = todayIn(workspace.timeZone, ctx.clock.now());
  return computeNumbers(await getNumbersData(ctx.db, { workspace, today }));
}

describeEachDatabase('the owner’s numbers from the book', NOW, (get) => {
  it('DSO, collected and expected in agree with the book worked out by hand', async () => {
    const { ctx } = get();
    const { teamId } = await buildBook(ctx);
    const n = await numbersOf(ctx, teamId);
    // Receivables USD: A 1,000 + B 1,500 + D 600 + E 300 + G 100 (its payment reversed) + H 300 = 3,800.00.
    // Credit sales USD (dated 2026-09-05 … 2026-12-03, sent, not void): A, B, E, F 800, G 100, H 500 − 200 = 4,500.00
    // (D is older, I a draft, J void). 380,000 × 90 / 450,000 = 76 days. EUR: 40,000 × 90 / 40,000 = 90.
    expect(n.dso.perCurrency).toEqual([
      { currency: 'EUR', receivablesMinor: 40_000n, creditSalesMinor: 40_000n, days: 90 },
      { currency: 'USD', receivablesMinor: 380_000n, creditSalesMinor: 450_000n, days: 76 },
    ]);
    // This week (27 Nov – 3 Dec): F's 800 (G's payment reversed); last week: B's 500; the four weeks before: 500 / 4.
    expect(n.collected.thisWeek).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 80_000n }] });
    expect(n.collected.lastWeek).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 50_000n }] });
    expect(n.collected.fourWeekAverage).toEqual([{ currency: 'USD', minor: 12_500n }]);
    // Week 1: A by its due date; week 2: B's promise and G's due date; week 3: C on the client's scheduled date.
    expect(n.expected.weeks.map((w) => [w.week, w.count, w.amounts])).toEqual([
      [1, 1, [{ currency: 'USD', minor: 100_000n }]],
      [2, 2, [{ currency: 'USD', minor: 160_000n }]],
      [3, 1, [{ currency: 'EUR', minor: 40_000n }]],
      [4, 0, []],
    ]);
    expect(n.expected.weeks[1]?.byBasis.promised.amounts).toEqual([{ currency: 'USD', minor: 150_000n }]);
    expect(n.expected.weeks[2]?.byBasis.scheduled.count).toBe(1);
    expect(n.expected.later).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 30_000n }] });
    expect(n.expected.late).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 60_000n }] });
    expect(n.expected.inDispute).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 30_000n }] });
    expect(n.reportingCurrency).toBeNull();
  });

  it('a finance admin names the reporting currency and sets dated rates, each an event; totals convert', async () => {
    const { ctx } = get();
    const { teamId } = await buildBook(ctx);
    await setReportingCurrency(ctx, teamId, asAdmin(BOB, teamId), { currency: 'usd' });
    await setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'EUR', rate: '1.10', rateDate: '2026-12-01' });
    const workspace = await getWorkspace(ctx, teamId);
    expect(await getReporting(ctx.db, workspace)).toEqual({
      currency: 'USD',
      rates: [{ currency: 'EUR', rate: '1.1', rateDate: '2026-12-01', source: 'manual' }],
    });
    const n = await numbersOf(ctx, teamId);
    // Expected in over four weeks: 1,000 + 1,600 + €400 × 1.1 = 3,040.00, approximate, at the rate of 1 December.
    expect(n.expected.totalConverted).toEqual({
      currency: 'USD',
      minor: 304_000n,
      approximate: true,
      rateDate: '2026-12-01',
      missing: [],
      source: 'manual',
    });
    // Per-currency totals stay exact.
    expect(n.expected.total.amounts).toEqual([
      { currency: 'EUR', minor: 40_000n },
      { currency: 'USD', minor: 260_000n },
    ]);
    // A new rate replaces the old one; both changes are in the history.
    await setRate(ctx, teamId, OPERATOR, { currency: 'EUR', rate: '1.2', rateDate: '2026-12-03' });
    const changes = await ctx.db.select().from(events).where(eq(events.teamId, teamId)).orderBy(events.id);
    const rateEvents = changes.filter((e) => e.kind === 'rate_set' || e.kind === 'reporting_currency_set');
    expect(rateEvents.map((e) => [e.kind, e.actorId, e.details])).toEqual([
      ['reporting_currency_set', BOB.id, { from: null, to: 'USD' }],
      ['rate_set', BOB.id, { currency: 'EUR', into: 'USD', rate: '1.1', rateDate: '2026-12-01', previous: null }],
      [
        'rate_set',
        'test',
        {
          currency: 'EUR',
          into: 'USD',
          rate: '1.2',
          rateDate: '2026-12-03',
          previous: { into: 'USD', rate: '1.1', rateDate: '2026-12-01', source: 'manual' },
        },
      ],
    ]);
  });

  it('refuses a member, a bad rate, a rate before the reporting currency and the reporting currency itself', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    await expect(setReportingCurrency(ctx, teamId, asMember(BOB, teamId), { currency: 'USD' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'EUR', rate: '1.1' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ field: 'currency' }],
    });
    await setReportingCurrency(ctx, teamId, asAdmin(BOB, teamId), { currency: 'USD' });
    await expect(setRate(ctx, teamId, asMember(BOB, teamId), { currency: 'EUR', rate: '1.1' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    for (const rate of ['0', '-1', '1,1', 'abc']) {
      await expect(setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'EUR', rate })).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [{ field: 'rate' }],
      });
    }
    await expect(setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'USD', rate: '1' })).rejects.toMatchObject({
      issues: [{ field: 'currency' }],
    });
    await expect(
      setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'EUR', rate: '1.1', rateDate: '2026-12-04' }),
    ).rejects.toMatchObject({ issues: [{ field: 'rateDate' }] });
    const kinds = (await ctx.db.select().from(events).where(eq(events.teamId, teamId))).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'rate_set')).toEqual([]);
    // A rate set into an earlier reporting currency is not used after it changes.
    await setRate(ctx, teamId, asAdmin(BOB, teamId), { currency: 'EUR', rate: '1.1' });
    await setReportingCurrency(ctx, teamId, asAdmin(BOB, teamId), { currency: 'GBP' });
    expect(await getReporting(ctx.db, await getWorkspace(ctx, teamId))).toEqual({ currency: 'GBP', rates: [] });
  });
});
