// A QuickBooks Payment edited in place after the bot took it in, against the contract fake (CDC), on each database:
// its amount lowered or raised, its date moved, its line moved to another invoice and back. The payment keeps its Id
// (its SyncToken and LastUpdatedTime move, so CDC lists it again): the sync reverses ours ("Changed in QuickBooks")
// and takes the ledger's amount and date in, each change an event by QuickBooks, and a later sync writes nothing.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getHistory } from '../../src/db/queries/views.js';
import { events, payments } from '../../src/db/schema.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';
import { ALICE, asAdmin, invoice as ledgerInvoice } from '../helpers/ledger.js';
import { connectQuickBooks, quickbooksBooks } from '../helpers/quickbooks-books.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';

let qbo: FakeQuickBooks;
beforeAll(async () => {
  qbo = await startFakeQuickBooks();
});
afterAll(async () => {
  await qbo.close();
});

const booksFor = (t: TestLedger): Books => quickbooksBooks(t, qbo);
const connect = (books: Books) => connectQuickBooks(books, qbo, TEAM);

describeEachDatabase('a QuickBooks payment edited in place', NOW, (get) => {
  let books: Books;
  let acme: string;
  let a: string;
  let b: string;
  let paid: string;
  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    acme = qbo.addCustomer({ name: 'Acme Corp' });
    a = qbo.addInvoice({ DocNumber: '7101', CustomerId: acme, TotalAmt: '500.00', DueDate: '2026-11-10' });
    b = qbo.addInvoice({ DocNumber: '7102', CustomerId: acme, TotalAmt: '400.00', DueDate: '2026-11-30' });
    paid = qbo.pay({ invoices: [{ id: a, amount: '300.00' }], date: '2026-11-14', reference: 'ACH 7' });
  });

  async function first() {
    await connect(books);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ created: 2, payments: 1, problems: [] });
  }

  /** An hour later, in step with QuickBooks' clock. */
  function later() {
    const t = get();
    t.ctx.clock.advance(60 * 60_000);
    qbo.setNow(t.ctx.clock.now());
  }

  async function lines(number: string) {
    const t = get();
    const inv = await getInvoice(t.ctx, TEAM, number);
    const rows = await t.ctx.db
      .select()
      .from(payments)
      .where(and(eq(payments.teamId, TEAM), eq(payments.invoiceId, inv.id)));
    return rows
      .sort((x, y) => (x.createdAt < y.createdAt ? -1 : x.createdAt > y.createdAt ? 1 : 0))
      .map((p) => [p.amountMinor, p.receivedOn, p.reference, p.reversalReason]);
  }

  async function eventCount() {
    const t = get();
    return (await t.ctx.db.select().from(events).where(eq(events.teamId, TEAM))).length;
  }

  /** A later sync finds nothing to do and writes nothing. */
  async function quiet() {
    later();
    const before = await eventCount();
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({
      payments: 0,
      reversed: 0,
      changedInvoices: [],
      problems: [],
    });
    expect(await eventCount()).toBe(before);
  }

  it('follows an amount lowered, then raised: ours reversed ("Changed in QuickBooks") and the new amount taken in, once each', async () => {
    const t = get();
    await first();
    later();
    qbo.editPayment(paid, { lines: [{ id: a, amount: '200.00' }] });

    const lowered = await books.syncNow(TEAM, 'quickbooks');

    const inv = await getInvoice(t.ctx, TEAM, '7101');
    expect(lowered).toMatchObject({ payments: 1, reversed: 1, problems: [], changedInvoices: [inv.id] });
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 30_000n });
    expect(await lines('7101')).toEqual([
      [30_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks'],
      [20_000n, '2026-11-14', 'from QuickBooks: ACH 7', null],
    ]);
    const history = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: inv.id,
      kinds: ['payment_reversed', 'part_paid'],
    });
    expect(history.slice(-2).map((e) => [e.kind, e.actorType, e.actorId])).toEqual([
      ['payment_reversed', 'system', 'quickbooks'],
      ['part_paid', 'system', 'quickbooks'],
    ]);
    expect(history.at(-2)).toMatchObject({
      details: { reason: 'Changed in QuickBooks', amountMinor: { $bigint: '30000' } },
    });
    await quiet();

    later();
    qbo.editPayment(paid, { lines: [{ id: a, amount: '450.00' }] });
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ payments: 1, reversed: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '7101')).status).toMatchObject({ amountDueMinor: 5_000n });
    expect((await lines('7101')).slice(1)).toEqual([
      [20_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks'],
      [45_000n, '2026-11-14', 'from QuickBooks: ACH 7', null],
    ]);
    await quiet();
  });

  it('follows a date moved alone (the invoice untouched: only the Payment is in CDC), once', async () => {
    const t = get();
    await first();
    later();
    qbo.editPayment(paid, { date: '2026-11-16' });

    const moved = await books.syncNow(TEAM, 'quickbooks');

    const inv = await getInvoice(t.ctx, TEAM, '7101');
    expect(moved).toMatchObject({ updated: 0, payments: 1, reversed: 1, problems: [], changedInvoices: [inv.id] });
    expect(inv.status).toMatchObject({ amountDueMinor: 20_000n });
    expect(await lines('7101')).toEqual([
      [30_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks'],
      [30_000n, '2026-11-16', 'from QuickBooks: ACH 7', null],
    ]);
    await quiet();
  });

  it('follows a payment moved to another invoice, and back: reversed where it left, taken in where it went', async () => {
    const t = get();
    await first();
    later();
    qbo.editPayment(paid, { lines: [{ id: b, amount: '300.00' }] });

    const moved = await books.syncNow(TEAM, 'quickbooks');

    const [invA, invB] = [await getInvoice(t.ctx, TEAM, '7101'), await getInvoice(t.ctx, TEAM, '7102')];
    expect(moved).toMatchObject({ payments: 1, reversed: 1, problems: [] });
    expect(new Set(moved?.changedInvoices)).toEqual(new Set([invA.id, invB.id]));
    expect(invA.status).toMatchObject({ state: 'overdue', amountDueMinor: 50_000n });
    expect(invB.status).toMatchObject({ amountDueMinor: 10_000n });
    expect(await lines('7101')).toEqual([[30_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks']]);
    expect(await lines('7102')).toEqual([[30_000n, '2026-11-14', 'from QuickBooks: ACH 7', null]]);
    await quiet();

    // Split back: 100 of it on 7101 again, 200 left on 7102.
    later();
    qbo.editPayment(paid, {
      lines: [
        { id: a, amount: '100.00' },
        { id: b, amount: '200.00' },
      ],
    });
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ payments: 2, reversed: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '7101')).status).toMatchObject({ amountDueMinor: 40_000n });
    expect((await getInvoice(t.ctx, TEAM, '7102')).status).toMatchObject({ amountDueMinor: 20_000n });
    expect((await lines('7101')).at(-1)).toEqual([10_000n, '2026-11-14', 'from QuickBooks: ACH 7', null]);
    expect(await lines('7102')).toEqual([
      [30_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks'],
      [20_000n, '2026-11-14', 'from QuickBooks: ACH 7', null],
    ]);
    await quiet();
  });

  it('reverses a payment whose every line is taken off (it pays no invoice now), once', async () => {
    const t = get();
    await first();
    later();
    qbo.editPayment(paid, { lines: [] });

    const off = await books.syncNow(TEAM, 'quickbooks');

    const inv = await getInvoice(t.ctx, TEAM, '7101');
    expect(off).toMatchObject({ payments: 0, reversed: 1, problems: [], changedInvoices: [inv.id] });
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 50_000n });
    expect(await lines('7101')).toEqual([[30_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks']]);
    await quiet();
  });

  it('takes a payment held back by one recorded here by hand no further at each sync; an edit is followed once', async () => {
    const t = get();
    const { createClient } = await import('../../src/services/clients.js');
    const { result: client } = await createClient(t.ctx, TEAM, asAdmin(ALICE, TEAM), { name: 'Acme Corp' });
    const typed = await ledgerInvoice(t.ctx, TEAM, client.id, { number: '7101', total: '500.00' });
    await recordPayment(t.ctx, TEAM, asAdmin(ALICE, TEAM), {
      invoice: typed.id,
      amount: 10_000n,
      receivedOn: '2026-11-13',
    });
    await connect(books);
    // QuickBooks' 300 is taken in as 200: 100 of it was recorded here already.
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ created: 1, payments: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '7101')).paidMinor).toBe(30_000n);
    await quiet();

    later();
    qbo.editPayment(paid, { date: '2026-11-15' });
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ payments: 1, reversed: 1, problems: [] });
    expect((await lines('7101')).slice(1)).toEqual([
      [20_000n, '2026-11-14', 'from QuickBooks: ACH 7', 'Changed in QuickBooks'],
      [20_000n, '2026-11-15', 'from QuickBooks: ACH 7', null],
    ]);
    expect((await getInvoice(t.ctx, TEAM, '7101')).paidMinor).toBe(30_000n);
    await quiet();
  });
});
