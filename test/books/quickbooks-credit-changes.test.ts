// A QuickBooks credit memo's application changed after the bot took it in, against the contract fake (CDC), on each
// database: the invoice voided or deleted once its credit (and payment) came off, the credit applied reduced, and the
// memo applied again by the same payment. The sync follows the ledger, each change an event with its reason, and a
// later sync changes nothing.
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getHistory } from '../../src/db/queries/views.js';
import { creditNotes, events } from '../../src/db/schema.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';
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

describeEachDatabase('a QuickBooks credit memo changed on an invoice', NOW, (get) => {
  let books: Books;
  let a: string;
  let memo: string;
  let applied: string;
  let cash: string;
  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    a = qbo.addInvoice({ DocNumber: '6201', CustomerId: acme, TotalAmt: '500.00', DueDate: '2026-11-10' });
    memo = qbo.addCreditMemo({ DocNumber: 'CM-62', CustomerId: acme, TotalAmt: '400.00', TxnDate: '2026-11-12' });
    // A $0 payment applies 120 of the memo to 6201; 100 is paid in money.
    applied = qbo.applyCredit({ memo, invoices: [{ id: a, amount: '120.00' }], date: '2026-11-12' });
    cash = qbo.pay({ invoices: [{ id: a, amount: '100.00' }], date: '2026-11-14', reference: 'ACH 5' });
    await connect(books);
    const first = await books.syncNow(TEAM, 'quickbooks');
    expect(first).toMatchObject({ created: 1, payments: 1, credits: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '6201')).status).toMatchObject({ state: 'overdue', amountDueMinor: 28_000n });
  });

  /** An hour later, in step with QuickBooks' clock. */
  function later() {
    const t = get();
    t.ctx.clock.advance(60 * 60_000);
    qbo.setNow(t.ctx.clock.now());
  }

  async function notes() {
    const t = get();
    const rows = await t.ctx.db
      .select()
      .from(creditNotes)
      .where(eq(creditNotes.teamId, TEAM))
      .orderBy(asc(creditNotes.createdAt), asc(creditNotes.number));
    return rows.map((n) => [n.number, n.amountMinor, n.withdrawalReason]);
  }

  async function eventsOf(kind: 'credit_note_withdrawn' | 'credit_note_issued' | 'voided') {
    const t = get();
    return t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, kind)));
  }

  for (const how of ['voided', 'deleted'] as const) {
    it(`voids the invoice ${how} in QuickBooks with its credit and payment taken off in the same window, withdrawing our credit note first, once`, async () => {
      const t = get();
      later();
      // QuickBooks voids or deletes an invoice only once nothing is applied to it: the memo and the money come off.
      qbo.unapplyCredit(applied, memo);
      qbo.deletePayment(cash);
      if (how === 'voided') qbo.voidInvoice(a);
      else qbo.deleteInvoice(a);
      const word = how === 'voided' ? 'Voided' : 'Deleted';

      const outcome = await books.syncNow(TEAM, 'quickbooks');

      expect(outcome).toMatchObject({ voided: 1, withdrawn: 1, reversed: 1, problems: [] });
      const inv = await getInvoice(t.ctx, TEAM, '6201');
      expect(inv.voidReason).toBe(`${word} in QuickBooks`);
      expect([inv.paidMinor, inv.creditedMinor]).toEqual([0n, 0n]);
      expect(await notes()).toEqual([['CM-62', 12_000n, `${word} in QuickBooks with the invoice`]]);
      const history = await getHistory(t.ctx.db, { teamId: TEAM, invoiceId: inv.id });
      const kinds = history.map((e) => e.kind);
      expect(kinds.indexOf('credit_note_withdrawn')).toBeLessThan(kinds.indexOf('voided'));
      expect(history.find((e) => e.kind === 'credit_note_withdrawn')).toMatchObject({
        actorType: 'system',
        actorId: 'quickbooks',
        details: { number: 'CM-62', reason: `${word} in QuickBooks with the invoice` },
      });

      later();
      expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({
        voided: 0,
        withdrawn: 0,
        reversed: 0,
        credits: 0,
        changedInvoices: [],
        problems: [],
      });
      expect(await eventsOf('credit_note_withdrawn')).toHaveLength(1);
      expect(await eventsOf('voided')).toHaveLength(1);
    });
  }

  it('follows a credit reduced in QuickBooks: our note withdrawn ("Reduced in QuickBooks") and the new amount taken in as a further note, once', async () => {
    const t = get();
    later();
    qbo.reduceCredit(applied, memo, '50.00');

    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ withdrawn: 1, credits: 1, reversed: 0, payments: 0, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, '6201');
    expect([inv.paidMinor, inv.creditedMinor]).toEqual([10_000n, 5_000n]);
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 35_000n });
    expect(outcome?.changedInvoices).toEqual([inv.id]);
    expect(await notes()).toEqual([
      ['CM-62', 12_000n, 'Reduced in QuickBooks'],
      ['CM-62/2', 5_000n, null],
    ]);
    const history = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: inv.id,
      kinds: ['credit_note_withdrawn', 'credit_note_issued'],
    });
    expect(history.slice(-2).map((e) => [e.kind, e.actorId, e.details])).toEqual([
      [
        'credit_note_withdrawn',
        'quickbooks',
        expect.objectContaining({ number: 'CM-62', reason: 'Reduced in QuickBooks' }),
      ],
      ['credit_note_issued', 'quickbooks', expect.objectContaining({ number: 'CM-62/2' })],
    ]);

    later();
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({
      withdrawn: 0,
      credits: 0,
      changedInvoices: [],
      problems: [],
    });
    expect(await notes()).toHaveLength(2);
  });

  it('takes in a memo applied again by the same payment as a further note, never counting the withdrawn one', async () => {
    const t = get();
    later();
    qbo.unapplyCredit(applied, memo);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ withdrawn: 1, credits: 0, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '6201')).status).toMatchObject({ amountDueMinor: 40_000n });

    later();
    qbo.reapplyCredit(applied, { memo, invoices: [{ id: a, amount: '80.00' }] });
    const again = await books.syncNow(TEAM, 'quickbooks');

    expect(again).toMatchObject({ withdrawn: 0, credits: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, '6201');
    expect([inv.paidMinor, inv.creditedMinor]).toEqual([10_000n, 8_000n]);
    expect(inv.status).toMatchObject({ state: 'overdue', amountDueMinor: 32_000n });
    expect(await notes()).toEqual([
      ['CM-62', 12_000n, 'No longer applied to 6201 in QuickBooks'],
      ['CM-62/2', 8_000n, null],
    ]);

    // Applied more by the same payment: the difference is a further note.
    later();
    qbo.reapplyCredit(applied, { memo, invoices: [{ id: a, amount: '30.00' }] });
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ withdrawn: 0, credits: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '6201')).creditedMinor).toBe(11_000n);
    expect((await notes()).at(-1)).toEqual(['CM-62/3', 3_000n, null]);

    later();
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({
      withdrawn: 0,
      credits: 0,
      changedInvoices: [],
      problems: [],
    });
    expect(await eventsOf('credit_note_issued')).toHaveLength(3);
  });
});
