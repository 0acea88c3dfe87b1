import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { getDigestData } from '../../src/db/queries/digest.js';
import { invoices } from '../../src/db/schema.js';
import { todayIn } from '../../src/domain/dates.js';
import { createClient } from '../../src/services/clients.js';
import type { LedgerContext } from '../../src/services/context.js';
import {
  dispute,
  editInvoice,
  logChase,
  recordPayment,
  releaseHold,
  voidInvoice,
} from '../../src/services/invoices.js';
import { answerAsClient, openClientLink, shareClient } from '../../src/services/sharing.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, BOB, invoice, workspaceWithClient } from '../helpers/ledger.js';

/** The previous digest: Monday 2026-11-16, 09:00 in New York. */
const SINCE = new Date('2026-11-16T14:00:00Z');

async function digestAt(ctx: LedgerContext, teamId: string, since = SINCE) {
  const workspace = await getWorkspace(ctx, teamId);
  const now = ctx.clock.now();
  return getDigestData(ctx.db, { workspace, now, today: todayIn(workspace.timeZone, now), since });
}

/**
 * A small book in New York, written through the services with the clock moved to each day, read on
 * Monday 2026-11-23 at noon; the previous digest went out a week earlier.
 */
async function buildBook({ ctx }: TestLedger) {
  const at = (iso: string) => ctx.clock.set(iso);
  at('2026-10-01T15:00:00Z');
  const { teamId, client: acme } = await workspaceWithClient(ctx);
  const fixed = (dueDate: string) => ({ kind: 'fixed' as const, dueDate });
  await invoice(ctx, teamId, acme.id, { number: 'STALE', issueDate: '2026-10-01', terms: fixed('2026-11-01') });
  // Nobody owns it: an edit is not an action, so its last action stays the send on 1 October.
  await editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
    invoice: 'STALE',
    expectedVersion: 1,
    changes: { ownerUserId: null },
  });

  at('2026-11-02T15:00:00Z');
  await invoice(ctx, teamId, acme.id, { number: 'OLD', issueDate: '2026-11-02', terms: fixed('2026-11-10') });
  await invoice(ctx, teamId, acme.id, { number: 'EARLY', issueDate: '2026-11-02', total: '100' });
  const { result: beta } = await createClient(ctx, teamId, asAdmin(ALICE, teamId), { name: 'Beta & <Sons>' });
  await invoice(ctx, teamId, beta.id, { number: 'PAIDFULL', issueDate: '2026-11-02', total: '1,200' });
  at('2026-11-03T15:00:00Z');
  await invoice(ctx, teamId, beta.id, { number: 'HELD', issueDate: '2026-11-03', total: '100' });
  at('2026-11-05T15:00:00Z');
  await dispute(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'HELD', reason: 'Wrong rate' });
  at('2026-11-10T15:00:00Z');
  await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'EARLY' }); // before the previous digest

  // The week since the previous digest.
  at('2026-11-17T15:00:00Z');
  await invoice(ctx, teamId, acme.id, {
    number: 'NEWDUE',
    issueDate: '2026-11-17',
    terms: fixed('2026-11-20'),
    total: '500',
    ownerUserId: BOB.id,
  });
  await invoice(ctx, teamId, beta.id, {
    number: 'TODAY',
    issueDate: '2026-11-17',
    terms: fixed('2026-11-23'),
    currency: 'EUR',
    total: '300',
  });
  await invoice(ctx, teamId, acme.id, {
    number: 'LATER',
    issueDate: '2026-11-17',
    terms: fixed('2026-12-17'),
    total: '2,000',
  });
  await invoice(ctx, teamId, acme.id, { number: 'DRAFT', issueDate: '2026-11-17', total: '750', status: 'draft' });
  await invoice(ctx, teamId, acme.id, { number: 'VOIDED', issueDate: '2026-11-17', total: '50' });
  await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'VOIDED', reason: 'Raised twice' });

  at('2026-11-18T15:00:00Z');
  await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'OLD', amount: '400' });
  await logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'OLD', method: 'call', promisedDate: '2026-11-20' });

  at('2026-11-19T15:00:00Z');
  await recordPayment(ctx, teamId, asAdmin(BOB, teamId), { invoice: 'PAIDFULL' });
  await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
    invoice: 'LATER',
    method: 'email',
    promisedDate: '2026-11-30',
  });
  await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
    invoice: 'HELD',
    method: 'email',
    note: 'No promise this time',
  });
  await dispute(ctx, teamId, asAdmin(BOB, teamId), { invoice: 'NEWDUE', reason: 'Wrong PO <!channel>' });

  at('2026-11-21T15:00:00Z');
  // Recorded this week, received before the previous digest: it is news now, so it is in this digest.
  await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'HELD', amount: '30', receivedOn: '2026-11-14' });
  await releaseHold(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'HELD', note: 'Rate agreed' });

  at('2026-11-23T17:00:00Z');
  return { teamId, acme, beta };
}

const day = (iso: string) => new Date(iso);

describeEachDatabase('digest data', '2026-11-23T17:00:00Z', (get) => {
  it('lists every open invoice once, most urgent state first, then most days overdue or soonest due', async () => {
    const { teamId } = await buildBook(get());
    const data = await digestAt(get().ctx, teamId);
    expect(data.today).toBe('2026-11-23');
    expect(data.sinceDate).toBe('2026-11-16');
    expect(data.since).toEqual(SINCE);
    expect(data.invoices.map((i) => ({ ...i, id: typeof i.id }))).toEqual([
      {
        id: 'string',
        number: 'STALE',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountDueMinor: 100_000n,
        dueDate: '2026-11-01',
        state: 'overdue',
        daysOverdue: 22,
        ownerUserId: null,
        lastAction: { kind: 'sent', at: day('2026-10-01T15:00:00Z') },
        hold: null,
        promisedDate: null,
        promiseBroken: false,
        stale: true,
      },
      {
        id: 'string',
        number: 'OLD',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountDueMinor: 60_000n,
        dueDate: '2026-11-10',
        state: 'overdue',
        daysOverdue: 13,
        ownerUserId: ALICE.id,
        lastAction: { kind: 'chased', at: day('2026-11-18T15:00:00Z') },
        hold: null,
        promisedDate: '2026-11-20',
        promiseBroken: true,
        stale: false,
      },
      {
        id: 'string',
        number: 'NEWDUE',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountDueMinor: 50_000n,
        dueDate: '2026-11-20',
        state: 'overdue',
        daysOverdue: 3,
        ownerUserId: BOB.id,
        lastAction: { kind: 'disputed', at: day('2026-11-19T15:00:00Z') },
        hold: { kind: 'dispute', reason: 'Wrong PO <!channel>' },
        promisedDate: null,
        promiseBroken: false,
        stale: false,
      },
      {
        id: 'string',
        number: 'TODAY',
        clientName: 'Beta & <Sons>',
        currency: 'EUR',
        amountDueMinor: 30_000n,
        dueDate: '2026-11-23',
        state: 'due',
        daysOverdue: 0,
        ownerUserId: ALICE.id,
        lastAction: { kind: 'sent', at: day('2026-11-17T15:00:00Z') },
        hold: null,
        promisedDate: null,
        promiseBroken: false,
        stale: false,
      },
      {
        id: 'string',
        number: 'HELD',
        clientName: 'Beta & <Sons>',
        currency: 'USD',
        amountDueMinor: 7_000n,
        dueDate: '2026-12-03',
        state: 'sent',
        daysOverdue: 0,
        ownerUserId: ALICE.id,
        lastAction: { kind: 'released', at: day('2026-11-21T15:00:00Z') },
        hold: null,
        promisedDate: null,
        promiseBroken: false,
        stale: false,
      },
      {
        id: 'string',
        number: 'LATER',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountDueMinor: 200_000n,
        dueDate: '2026-12-17',
        state: 'sent',
        daysOverdue: 0,
        ownerUserId: ALICE.id,
        lastAction: { kind: 'chased', at: day('2026-11-19T15:00:00Z') },
        hold: null,
        promisedDate: '2026-11-30',
        promiseBroken: false,
        stale: false,
      },
      {
        id: 'string',
        number: 'DRAFT',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountDueMinor: 75_000n,
        dueDate: '2026-12-17',
        state: 'draft',
        daysOverdue: 0,
        ownerUserId: ALICE.id,
        lastAction: { kind: 'created', at: day('2026-11-17T15:00:00Z') },
        hold: null,
        promisedDate: null,
        promiseBroken: false,
        stale: false,
      },
    ]);
  });

  it('totals what is outstanding, overdue, due today and in drafts per currency, and ages it', async () => {
    const { teamId } = await buildBook(get());
    const data = await digestAt(get().ctx, teamId);
    expect(data.totals).toEqual([
      {
        currency: 'EUR',
        outstandingCount: 1,
        outstandingMinor: 30_000n,
        overdueCount: 0,
        overdueMinor: 0n,
        dueTodayCount: 1,
        dueTodayMinor: 30_000n,
        draftCount: 0,
        draftMinor: 0n,
      },
      {
        currency: 'USD',
        outstandingCount: 5, // STALE, OLD, NEWDUE, HELD, LATER
        outstandingMinor: 100_000n + 60_000n + 50_000n + 7_000n + 200_000n,
        overdueCount: 3,
        overdueMinor: 100_000n + 60_000n + 50_000n,
        dueTodayCount: 0,
        dueTodayMinor: 0n,
        draftCount: 1,
        draftMinor: 75_000n,
      },
    ]);
    expect(data.aging).toEqual([
      { currency: 'EUR', bucket: 'current', count: 1, dueMinor: 30_000n },
      { currency: 'USD', bucket: 'current', count: 2, dueMinor: 207_000n },
      { currency: 'USD', bucket: '1-30', count: 3, dueMinor: 210_000n },
    ]);
  });

  it('finds what changed since the previous digest', async () => {
    const { teamId } = await buildBook(get());
    const { changes } = await digestAt(get().ctx, teamId);
    const named = (list: { number: string; amountMinor: bigint; date: string | null }[]) =>
      list.map((c) => [c.number, c.amountMinor, c.date]);
    // VOIDED was created this week too, but voided: not new business.
    expect(named(changes.newInvoices)).toEqual([
      ['NEWDUE', 50_000n, null],
      ['TODAY', 30_000n, null],
      ['LATER', 200_000n, null],
      ['DRAFT', 75_000n, null],
    ]);
    expect(changes.newInvoices[1]).toMatchObject({
      clientName: 'Beta & <Sons>',
      currency: 'EUR',
      ownerUserId: ALICE.id,
    });
    // OLD's 400 and HELD's 30 part payments and PAIDFULL's 1,200; EARLY was paid before the previous digest.
    expect(changes.received).toEqual([{ currency: 'USD', count: 3, amountMinor: 40_000n + 3_000n + 120_000n }]);
    expect(named(changes.newlyOverdue)).toEqual([['NEWDUE', 50_000n, '2026-11-20']]);
    expect(named(changes.promisesMade)).toEqual([
      ['OLD', 60_000n, '2026-11-20'],
      ['LATER', 200_000n, '2026-11-30'],
    ]);
    expect(named(changes.promisesBroken)).toEqual([['OLD', 60_000n, '2026-11-20']]);
    expect(named(changes.disputesOpened)).toEqual([['NEWDUE', 50_000n, null]]);
    // HELD was disputed before the previous digest and settled this week.
    expect(named(changes.disputesClosed)).toEqual([['HELD', 7_000n, null]]);
  });

  it("counts the client's own answers from its status page: a scheduled date as a promise, a dispute as a dispute", async () => {
    const { teamId } = await buildBook(get());
    const { ctx } = get();
    const { opened, later, today } = await (async () => {
      const shared = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
      const link = await openClientLink(ctx, shared.token);
      if (!link) throw new Error('link did not open');
      const rows = await ctx.db.select().from(invoices).where(eq(invoices.teamId, teamId));
      const find = (n: string) => rows.find((r) => r.number === n);
      return { opened: link, later: find('STALE'), today: find('TODAY') };
    })();
    if (!later || !today) throw new Error('book changed');
    await answerAsClient(ctx, opened, { kind: 'scheduled', invoiceId: later.id, date: '2026-12-01' });
    const before = await digestAt(ctx, teamId);
    expect(before.changes.promisesMade.map((c) => [c.number, c.date])).toContainEqual(['STALE', '2026-12-01']);
    await answerAsClient(ctx, opened, { kind: 'dispute', invoiceId: later.id, reason: 'never delivered' });
    const after = await digestAt(ctx, teamId);
    expect(after.changes.disputesOpened.map((c) => c.number)).toContain('STALE');
  });

  it("lists the week's payments with who recorded them, by the day they arrived", async () => {
    const { teamId } = await buildBook(get());
    const { payments } = await digestAt(get().ctx, teamId);
    expect(payments.map(({ paymentId, invoiceId, ...rest }) => [typeof paymentId, typeof invoiceId, rest])).toEqual([
      [
        'string',
        'string',
        {
          number: 'HELD',
          clientName: 'Beta & <Sons>',
          currency: 'USD',
          amountMinor: 3_000n,
          receivedOn: '2026-11-14',
          recordedBy: ALICE.id,
          recordedAt: day('2026-11-21T15:00:00Z'),
        },
      ],
      [
        'string',
        'string',
        {
          number: 'OLD',
          clientName: 'Acme Corp',
          currency: 'USD',
          amountMinor: 40_000n,
          receivedOn: '2026-11-18',
          recordedBy: ALICE.id,
          recordedAt: day('2026-11-18T15:00:00Z'),
        },
      ],
      [
        'string',
        'string',
        {
          number: 'PAIDFULL',
          clientName: 'Beta & <Sons>',
          currency: 'USD',
          amountMinor: 120_000n,
          receivedOn: '2026-11-19',
          recordedBy: BOB.id,
          recordedAt: day('2026-11-19T15:00:00Z'),
        },
      ],
    ]);
    const total = payments.reduce((sum, p) => sum + p.amountMinor, 0n);
    expect(total).toBe(163_000n); // the lines add up to the money received
  });

  it('counts per owner what needs action: overdue, due today, broken promises and stale chases', async () => {
    const { teamId } = await buildBook(get());
    const { owners } = await digestAt(get().ctx, teamId);
    expect(owners).toEqual([
      // OLD (overdue, promise broken) and TODAY (due today)
      { ownerUserId: ALICE.id, overdue: 1, due: 1, promisesBroken: 1, stale: 0, needsAction: 2 },
      // NEWDUE: overdue, but disputed so not stale
      { ownerUserId: BOB.id, overdue: 1, due: 0, promisesBroken: 0, stale: 0, needsAction: 1 },
      // STALE: overdue, no action since 1 October
      { ownerUserId: null, overdue: 1, due: 0, promisesBroken: 0, stale: 1, needsAction: 1 },
    ]);
  });

  it('keeps other workspaces out and reads a quiet week as no changes', async () => {
    const { teamId } = await buildBook(get());
    const { ctx } = get();
    const other = await workspaceWithClient(ctx, { teamId: 'T0OTHER', clientName: 'Other Co' });
    const empty = await digestAt(ctx, other.teamId);
    expect(empty).toMatchObject({ invoices: [], totals: [], aging: [], payments: [], owners: [] });
    expect(empty.changes).toEqual({
      newInvoices: [],
      received: [],
      newlyOverdue: [],
      promisesMade: [],
      promisesBroken: [],
      disputesOpened: [],
      disputesClosed: [],
    });
    // Since the last action of the week, nothing happened in the first workspace either, but the dates
    // that passed still count: nothing fell due or broke after Saturday.
    const quiet = await digestAt(ctx, teamId, new Date('2026-11-22T05:00:00Z'));
    expect(quiet.changes.newInvoices).toEqual([]);
    expect(quiet.changes.received).toEqual([]);
    expect(quiet.payments).toEqual([]);
    expect(quiet.changes.newlyOverdue).toEqual([]);
    expect(quiet.invoices).toHaveLength(7);
  });
});
