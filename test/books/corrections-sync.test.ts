// Corrections from Xero, against the contract fake, through the services, on each database: a payment deleted in
// Xero reverses ours ("Deleted in Xero"); a prepayment or overpayment allocation removed there reverses the payment
// it made here ("Allocation removed in Xero"); a sales credit note allocated to an invoice becomes a credit note here.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getCreditNotes, getPayments } from '../../src/db/queries/corrections.js';
import { getHistory } from '../../src/db/queries/views.js';
import { events } from '../../src/db/schema.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { isLedgerError } from '../../src/services/errors.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin } from '../helpers/ledger.js';
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

describeEachDatabase('corrections from Xero', NOW, (get) => {
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

  it('reverses our payment when it is deleted in Xero, once, and the invoice is Overdue again', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0050',
      ContactID: acme,
      Total: '300.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const paymentId = xero.pay(a, { amount: '300.00', date: '2026-11-20', reference: 'Wire 9' });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');
    expect((await getInvoice(t.ctx, TEAM, 'INV-0050')).status.state).toBe('paid');

    later();
    xero.deletePayment(paymentId);
    const outcome = await books.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ reversed: 1, payments: 0 });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0050');
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 30_000n });
    expect(outcome?.changedInvoices).toContain(inv.id);
    const [payment] = await getPayments(t.ctx.db, { teamId: TEAM, invoiceIds: [inv.id] });
    expect(payment).toMatchObject({ reversalReason: 'Deleted in Xero', amountMinor: 30_000n });
    const [reversal] = await getHistory(t.ctx.db, { teamId: TEAM, invoiceId: inv.id, kinds: ['payment_reversed'] });
    expect(reversal).toMatchObject({ actorType: 'system', actorId: 'xero', details: { reason: 'Deleted in Xero' } });

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ reversed: 0, payments: 0 });
    const reversals = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, 'payment_reversed')));
    expect(reversals).toHaveLength(1);
  });

  it('takes a prepayment and an overpayment allocated in Xero as payments from Xero, and the card turns Paid', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0070',
      ContactID: acme,
      Total: '400.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const pre = xero.receiveAdvance({ kind: 'prepayment', contactId: acme, total: '250.00', date: '2026-09-20' });
    xero.allocateAdvance(pre, { invoiceId: a, amount: '250.00', date: '2026-10-02' });
    await connectXero(books, xero, TEAM);

    const first = await books.syncNow(TEAM, 'xero');

    expect(first).toMatchObject({ created: 1, payments: 1, credits: 0, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0070');
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 15_000n });
    expect(inv.creditedMinor).toBe(0n);

    later();
    const over = xero.receiveAdvance({
      kind: 'overpayment',
      contactId: acme,
      total: '200.00',
      date: '2026-11-20',
      reference: 'INV-0069',
    });
    xero.allocateAdvance(over, { invoiceId: a, amount: '150.00', date: '2026-11-23' });
    const changes = await books.syncNow(TEAM, 'xero');

    expect(changes).toMatchObject({ payments: 1, credits: 0, problems: [] });
    const paid = await getInvoice(t.ctx, TEAM, 'INV-0070');
    expect(paid.status.state).toBe('paid');
    const lines = await getPayments(t.ctx.db, { teamId: TEAM, invoiceIds: [paid.id] });
    expect(lines.map((p) => [p.amountMinor, p.receivedOn, p.reference, p.recordedBy])).toEqual([
      // A prepayment taken before the invoice existed is dated the invoice's own date.
      [25_000n, '2026-10-01', 'from Xero: prepayment', 'xero'],
      [15_000n, '2026-11-20', 'from Xero: overpayment INV-0069', 'xero'],
    ]);

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ payments: 0, changedInvoices: [] });
  });

  it('reverses a prepayment or overpayment taken in when Xero no longer sets it against the invoice, once', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0075',
      ContactID: acme,
      Total: '500.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const pre = xero.receiveAdvance({ kind: 'prepayment', contactId: acme, total: '250.00', date: '2026-10-05' });
    const allocation = xero.allocateAdvance(pre, { invoiceId: a, amount: '250.00', date: '2026-10-05' });
    const over = xero.receiveAdvance({ kind: 'overpayment', contactId: acme, total: '150.00', date: '2026-11-20' });
    xero.allocateAdvance(over, { invoiceId: a, amount: '150.00', date: '2026-11-20' });
    xero.pay(a, { amount: '100.00', date: '2026-11-21', reference: 'BACS 9' });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');
    expect((await getInvoice(t.ctx, TEAM, 'INV-0075')).status.state).toBe('paid');

    // The prepayment's allocation deleted in Xero (DELETE /Prepayments/{id}/Allocations/{AllocationID}).
    later();
    xero.deleteAdvanceAllocation(pre, allocation);
    const removed = await books.syncNow(TEAM, 'xero');

    expect(removed).toMatchObject({ reversed: 1, payments: 0, problems: [] });
    const reopened = await getInvoice(t.ctx, TEAM, 'INV-0075');
    expect(reopened.status).toMatchObject({ state: 'overdue', amountDueMinor: 25_000n });
    expect(reopened.paidOn).toBeNull();
    expect(removed?.changedInvoices).toEqual([reopened.id]);
    const [reversal] = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: reopened.id,
      kinds: ['payment_reversed'],
    });
    expect(reversal).toMatchObject({
      actorType: 'system',
      actorId: 'xero',
      details: { reason: 'Allocation removed in Xero', amountMinor: { $bigint: '25000' } },
    });

    // The overpayment voided in Xero: its allocation stops counting there, and here.
    later();
    xero.voidAdvance(over);
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ reversed: 1, problems: [] });
    const open = await getInvoice(t.ctx, TEAM, 'INV-0075');
    expect(open.status).toMatchObject({ state: 'overdue', amountDueMinor: 40_000n });
    const lines = await getPayments(t.ctx.db, { teamId: TEAM, invoiceIds: [open.id] });
    expect(lines.map((p) => [p.amountMinor, p.reversalReason])).toEqual([
      [25_000n, 'Allocation removed in Xero'],
      [15_000n, 'Allocation removed in Xero'],
      [10_000n, null],
    ]);

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ reversed: 0, payments: 0, changedInvoices: [] });
    const reversals = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, 'payment_reversed')));
    expect(reversals).toHaveLength(2);
  });

  it('takes a credit note allocated in Xero as a credit note here: part of one invoice, all of another', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0060',
      ContactID: acme,
      Total: '1000.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const b = xero.addInvoice({
      InvoiceNumber: 'INV-0061',
      ContactID: acme,
      Total: '250.00',
      Date: '2026-11-01',
      DueDate: '2026-12-01',
    });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');

    later();
    xero.addCreditNote({
      number: 'CN-0007',
      contactId: acme,
      date: '2026-11-22',
      reference: 'Workshop day cancelled',
      allocations: [
        { invoiceId: a, amount: '200.00' },
        { invoiceId: b, amount: '250.00' },
      ],
    });
    const outcome = await books.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ credits: 2, problems: [] });
    const partly = await getInvoice(t.ctx, TEAM, 'INV-0060');
    const whole = await getInvoice(t.ctx, TEAM, 'INV-0061');
    expect(partly.status).toMatchObject({ state: 'overdue', amountDueMinor: 80_000n });
    expect(whole.status).toMatchObject({ state: 'credited', amountDueMinor: 0n });
    const notes = await getCreditNotes(t.ctx.db, { teamId: TEAM, invoiceIds: [partly.id, whole.id] });
    const lines = notes.map((n) => [n.number, n.amountMinor, n.issuedOn, n.issuedBy] as const);
    expect(lines.sort((x, y) => x[0].localeCompare(y[0]))).toEqual([
      ['CN-0007/1', 20_000n, '2026-11-22', 'xero'],
      ['CN-0007/2', 25_000n, '2026-11-22', 'xero'],
    ]);
    expect(notes.map((n) => n.reason)).toEqual([
      'Credit note CN-0007 in Xero: Workshop day cancelled',
      'Credit note CN-0007 in Xero: Workshop day cancelled',
    ]);

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ credits: 0, changedInvoices: [] });
  });

  it('takes a fully credited invoice on the first sync as Credited, not Paid', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0070',
      ContactID: acme,
      CurrencyCode: 'JPY',
      Total: '120000',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    xero.addCreditNote({
      number: 'CN-0070',
      contactId: acme,
      currency: 'JPY',
      date: '2026-11-10',
      allocations: [{ invoiceId: a, amount: '120000' }],
    });
    expect(xero.invoice(a).Status).toBe('PAID');
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0070');
    expect(inv.status.state).toBe('credited');
    expect(inv.creditedMinor).toBe(120_000n);
  });

  it('refuses people a credit note or a reversal on an invoice Xero owns, with where to do it', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({ InvoiceNumber: 'INV-0080', ContactID: acme, Total: '90.00', Date: '2026-11-01' });
    xero.pay(a, { amount: '40.00', date: '2026-11-20' });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0080');
    const [payment] = await getPayments(t.ctx.db, { teamId: TEAM, invoiceIds: [inv.id] });
    const admin = asAdmin(ALICE, TEAM);
    const refusals = await Promise.allSettled([
      issueCreditNote(t.ctx, TEAM, admin, { invoice: 'INV-0080', number: 'CN-1', amount: '10', reason: 'x' }),
      reversePayment(t.ctx, TEAM, admin, { invoice: 'INV-0080', payment: payment?.id ?? '', reason: 'x' }),
    ]);
    const reasons = refusals.map((r) => (r.status === 'rejected' && isLedgerError(r.reason) ? r.reason : undefined));
    expect(reasons.map((e) => e?.code)).toEqual(['LEDGER_OWNED', 'LEDGER_OWNED']);
    expect(reasons[0]?.message).toBe(
      'INV-0080 comes from Xero: issue its credit notes in Xero; the change reaches here at the next sync.',
    );
    expect(reasons[1]?.issues[0]?.field).toBe('payment');
  });
});
