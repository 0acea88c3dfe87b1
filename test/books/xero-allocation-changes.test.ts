// Xero's allocations to an invoice changed after the bot took them in, against the contract fake, on each database:
// a prepayment allocated twice to the same invoice counts twice; one of its allocations deleted, the payment it made
// here is reversed ("Reduced in Xero") and the rest still counts; the prepayment voided, the rest is reversed; a
// credit note allocated twice counts twice; an invoice voided with its credit note in the same window is void here,
// our credit note withdrawn first. Each once: a later sync changes nothing.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getHistory } from '../../src/db/queries/views.js';
import { creditNotes, events, payments } from '../../src/db/schema.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { connectXero, xeroBooks } from '../helpers/xero-books.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';

let xero: FakeXero;
beforeAll(async () => {
  xero = await startFakeXero();
});
afterAll(async () => {
  await xero.close();
});

describeEachDatabase('Xero allocations changed on an invoice', NOW, (get) => {
  let books: Books;
  beforeEach(async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    books = xeroBooks(t, xero);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
  });

  /** An hour later, in step with Xero's clock. */
  function later() {
    const t = get();
    t.ctx.clock.advance(60 * 60_000);
    xero.setNow(t.ctx.clock.now());
  }

  async function lines(invoiceId: string) {
    const t = get();
    const rows = await t.ctx.db
      .select()
      .from(payments)
      .where(and(eq(payments.teamId, TEAM), eq(payments.invoiceId, invoiceId)));
    return rows
      .sort((x, y) => (x.createdAt < y.createdAt ? -1 : x.createdAt > y.createdAt ? 1 : 0))
      .map((p) => [p.amountMinor, p.reference, p.reversalReason]);
  }

  it('counts a second allocation, reverses the one deleted ("Reduced in Xero"), then the rest when voided; each once', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0090',
      ContactID: acme,
      Total: '500.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const pre = xero.receiveAdvance({ kind: 'prepayment', contactId: acme, total: '300.00', date: '2026-10-05' });
    const first = xero.allocateAdvance(pre, { invoiceId: a, amount: '100.00', date: '2026-10-05' });
    await connectXero(books, xero, TEAM);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ created: 1, payments: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0090');
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 40_000n });

    // Allocated again to the same invoice: Xero's AppliedAmount on it is now 250.
    later();
    xero.allocateAdvance(pre, { invoiceId: a, amount: '150.00', date: '2026-11-23' });
    const twice = await books.syncNow(TEAM, 'xero');
    expect(twice).toMatchObject({ payments: 1, reversed: 0, problems: [], changedInvoices: [inv.id] });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0090')).status).toMatchObject({ amountDueMinor: 25_000n });
    expect(await lines(inv.id)).toEqual([
      [10_000n, 'from Xero: prepayment', null],
      [15_000n, 'from Xero: prepayment', null],
    ]);
    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, reversed: 0, changedInvoices: [] });

    // The first allocation deleted: 150 still applied.
    later();
    xero.deleteAdvanceAllocation(pre, first);
    const reduced = await books.syncNow(TEAM, 'xero');
    expect(reduced).toMatchObject({ payments: 0, reversed: 1, problems: [], changedInvoices: [inv.id] });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0090')).status).toMatchObject({
      state: 'overdue',
      amountDueMinor: 35_000n,
    });
    expect(await lines(inv.id)).toEqual([
      [10_000n, 'from Xero: prepayment', 'Reduced in Xero'],
      [15_000n, 'from Xero: prepayment', null],
    ]);
    const [reversal] = await getHistory(t.ctx.db, { teamId: TEAM, invoiceId: inv.id, kinds: ['payment_reversed'] });
    expect(reversal).toMatchObject({
      actorType: 'system',
      actorId: 'xero',
      details: {
        reason: 'Reduced in Xero',
        amountMinor: { $bigint: '10000' },
        amountDueAfterMinor: { $bigint: '35000' },
      },
    });
    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, reversed: 0, changedInvoices: [] });

    // The prepayment voided: the part still counting is reversed too.
    later();
    xero.voidAdvance(pre);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, reversed: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0090')).status).toMatchObject({ amountDueMinor: 50_000n });
    expect((await lines(inv.id)).map((l) => l[2])).toEqual(['Reduced in Xero', 'Allocation removed in Xero']);

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, reversed: 0, changedInvoices: [] });
    const reversals = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, 'payment_reversed')));
    expect(reversals).toHaveLength(2);
  });

  it('follows an allocation reduced below what one payment here took: reversed, and the new amount taken in', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0091',
      ContactID: acme,
      Total: '500.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const over = xero.receiveAdvance({ kind: 'overpayment', contactId: acme, total: '400.00', date: '2026-10-05' });
    xero.allocateAdvance(over, { invoiceId: a, amount: '100.00', date: '2026-10-05' });
    const second = xero.allocateAdvance(over, { invoiceId: a, amount: '150.00', date: '2026-10-06' });
    await connectXero(books, xero, TEAM);
    // Both allocations before the first sync: one payment here of their sum.
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ created: 1, payments: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0091');
    expect(inv.status).toMatchObject({ amountDueMinor: 25_000n });

    later();
    xero.deleteAdvanceAllocation(over, second);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 1, reversed: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0091')).status).toMatchObject({ amountDueMinor: 40_000n });
    expect(await lines(inv.id)).toEqual([
      [25_000n, 'from Xero: overpayment', 'Reduced in Xero'],
      [10_000n, 'from Xero: overpayment', null],
    ]);
    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, reversed: 0, changedInvoices: [] });
  });

  it('counts a sales credit note allocated twice to the same invoice twice', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0092',
      ContactID: acme,
      Total: '1000.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');

    later();
    xero.addCreditNote({
      number: 'CN-0009',
      contactId: acme,
      date: '2026-11-22',
      allocations: [
        { invoiceId: a, amount: '200.00' },
        { invoiceId: a, amount: '100.00' },
      ],
    });
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ credits: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0092');
    expect(inv.creditedMinor).toBe(30_000n);
    expect(inv.status).toMatchObject({ amountDueMinor: 70_000n });

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ credits: 0, withdrawn: 0, changedInvoices: [] });
  });

  it('voids an invoice voided in Xero with its credit note in the same window, withdrawing our credit note first, once', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0093',
      ContactID: acme,
      Total: '400.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const cn = xero.addCreditNote({
      number: 'CN-0010',
      contactId: acme,
      date: '2026-11-02',
      allocations: [{ invoiceId: a, amount: '150.00' }],
    });
    await connectXero(books, xero, TEAM);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ created: 1, credits: 1, problems: [] });

    // The invoices phase sees the void before the credit notes phase sees the credit note voided.
    later();
    xero.voidCreditNote(cn);
    xero.setStatus(a, 'VOIDED');
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ voided: 1, withdrawn: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0093');
    expect(inv.voidReason).toBe('Voided in Xero');
    expect(inv.creditedMinor).toBe(0n);
    const [withdrawal] = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: inv.id,
      kinds: ['credit_note_withdrawn'],
    });
    expect(withdrawal).toMatchObject({
      actorId: 'xero',
      details: { number: 'CN-0010', reason: 'Voided in Xero with the invoice' },
    });

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({
      voided: 0,
      withdrawn: 0,
      credits: 0,
      changedInvoices: [],
      problems: [],
    });
  });

  it('withdraws our credit note when its allocation is deleted in Xero ("Allocation removed in Xero"), or reduced when one of two is, once', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0094',
      ContactID: acme,
      Total: '1000.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const b = xero.addInvoice({
      InvoiceNumber: 'INV-0095',
      ContactID: acme,
      Total: '250.00',
      Date: '2026-11-01',
      DueDate: '2026-12-01',
    });
    const cn = xero.addCreditNote({
      number: 'CN-0011',
      contactId: acme,
      date: '2026-11-10',
      allocations: [
        { invoiceId: a, amount: '200.00' },
        { invoiceId: a, amount: '100.00' },
        { invoiceId: b, amount: '250.00' },
      ],
    });
    await connectXero(books, xero, TEAM);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ credits: 2, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0094')).creditedMinor).toBe(30_000n);
    expect((await getInvoice(t.ctx, TEAM, 'INV-0095')).status.state).toBe('credited');

    later();
    const [, second, third] = xero.creditNoteAllocations(cn);
    xero.deleteCreditNoteAllocation(cn, third?.AllocationID ?? '');
    xero.deleteCreditNoteAllocation(cn, second?.AllocationID ?? '');
    const outcome = await books.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ withdrawn: 2, credits: 1, problems: [] });
    const partly = await getInvoice(t.ctx, TEAM, 'INV-0094');
    const whole = await getInvoice(t.ctx, TEAM, 'INV-0095');
    expect(partly.status).toMatchObject({ amountDueMinor: 80_000n });
    expect(whole.status).toMatchObject({ state: 'sent', amountDueMinor: 25_000n });
    const notes = await t.ctx.db.select().from(creditNotes).where(eq(creditNotes.teamId, TEAM));
    expect(notes.map((n) => [n.number, n.amountMinor, n.withdrawalReason]).sort()).toEqual([
      ['CN-0011/1', 30_000n, 'Reduced in Xero'],
      ['CN-0011/2', 25_000n, 'Allocation removed in Xero'],
      ['CN-0011/3', 20_000n, null],
    ]);

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ withdrawn: 0, credits: 0, changedInvoices: [] });
  });
});
