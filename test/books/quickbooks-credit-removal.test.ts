// A QuickBooks credit memo taken off an invoice after the bot took it in, against the contract fake (CDC), on each
// database: the memo deleted, the memo voided, or the payment that applied it changed or deleted. The next sync
// withdraws our credit note ("No longer applied to 6101 in QuickBooks"): the note stays, marked, what it took off is
// due again, one event each (a webhook goes out for it); a later sync changes nothing.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getCreditNotes } from '../../src/db/queries/corrections.js';
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

describeEachDatabase('a QuickBooks credit memo no longer applied', NOW, (get) => {
  let books: Books;
  let acme: string;
  let a: string;
  let b: string;
  let memo: string;
  let applied: string;
  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    acme = qbo.addCustomer({ name: 'Acme Corp' });
    a = qbo.addInvoice({ DocNumber: '6101', CustomerId: acme, TotalAmt: '500.00', DueDate: '2026-11-10' });
    b = qbo.addInvoice({ DocNumber: '6102', CustomerId: acme, TotalAmt: '200.00', DueDate: '2026-12-10' });
    memo = qbo.addCreditMemo({ DocNumber: 'CM-61', CustomerId: acme, TotalAmt: '400.00', TxnDate: '2026-11-12' });
    // One $0 payment applies the memo to both invoices: 120 off 6101, all 200 of 6102.
    applied = qbo.applyCredit({
      memo,
      invoices: [
        { id: a, amount: '120.00' },
        { id: b, amount: '200.00' },
      ],
      date: '2026-11-12',
    });
    qbo.pay({ invoices: [{ id: a, amount: '100.00' }], date: '2026-11-14', reference: 'ACH 5' });
    await connect(books);
    const first = await books.syncNow(TEAM, 'quickbooks');
    expect(first).toMatchObject({ created: 2, payments: 1, credits: 2, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '6101')).status).toMatchObject({ state: 'overdue', amountDueMinor: 28_000n });
    expect((await getInvoice(t.ctx, TEAM, '6102')).status.state).toBe('credited');
  });

  /** An hour later, in step with QuickBooks' clock. */
  function later() {
    const t = get();
    t.ctx.clock.advance(60 * 60_000);
    qbo.setNow(t.ctx.clock.now());
  }

  async function withdrawals() {
    const t = get();
    return t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, 'credit_note_withdrawn')));
  }

  /** What each invoice shows once the credit is gone: 6101 owes 400 of 500 (100 paid), 6102 all 200 again. */
  async function expectCreditGone(outcome: Awaited<ReturnType<Books['syncNow']>>) {
    const t = get();
    expect(outcome).toMatchObject({ withdrawn: 2, credits: 0, reversed: 0, problems: [] });
    const partly = await getInvoice(t.ctx, TEAM, '6101');
    const whole = await getInvoice(t.ctx, TEAM, '6102');
    expect([partly.paidMinor, partly.creditedMinor]).toEqual([10_000n, 0n]);
    expect(partly.status).toMatchObject({ state: 'overdue', amountDueMinor: 40_000n });
    expect(whole.status).toMatchObject({ state: 'sent', amountDueMinor: 20_000n });
    expect(whole.paidOn).toBeNull();
    expect(outcome?.changedInvoices).toEqual(expect.arrayContaining([partly.id, whole.id]));
    // Kept, marked withdrawn: no longer among the notes that count.
    expect(await getCreditNotes(t.ctx.db, { teamId: TEAM, invoiceIds: [partly.id, whole.id] })).toEqual([]);
    const kept = await t.ctx.db.select().from(creditNotes).where(eq(creditNotes.teamId, TEAM));
    expect(kept.map((n) => [n.number, n.withdrawnBy, n.withdrawalReason]).sort()).toEqual([
      ['CM-61', 'quickbooks', 'No longer applied to 6101 in QuickBooks'],
      ['CM-61/2', 'quickbooks', 'No longer applied to 6102 in QuickBooks'],
    ]);
    const [withdrawal] = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: partly.id,
      kinds: ['credit_note_withdrawn'],
    });
    expect(withdrawal).toMatchObject({
      actorType: 'system',
      actorId: 'quickbooks',
      details: {
        number: 'CM-61',
        reason: 'No longer applied to 6101 in QuickBooks',
        amountDueAfterMinor: { $bigint: '40000' },
      },
    });

    later();
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ withdrawn: 0, credits: 0, changedInvoices: [] });
    expect(await withdrawals()).toHaveLength(2);
  }

  it('withdraws our credit notes when the memo is deleted in QuickBooks, once', async () => {
    later();
    qbo.deleteCreditMemo(memo);
    await expectCreditGone(await books.syncNow(TEAM, 'quickbooks'));
  });

  it('withdraws our credit notes when the memo is voided in QuickBooks, once', async () => {
    later();
    qbo.voidCreditMemo(memo);
    await expectCreditGone(await books.syncNow(TEAM, 'quickbooks'));
  });

  it('withdraws our credit notes when the payment that applied the memo no longer does, or is deleted, once', async () => {
    later();
    qbo.unapplyCredit(applied, memo);
    await expectCreditGone(await books.syncNow(TEAM, 'quickbooks'));

    // The $0 payment, now empty, deleted too: nothing more to undo.
    later();
    qbo.deletePayment(applied);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ withdrawn: 0, reversed: 0, problems: [] });
    expect(await withdrawals()).toHaveLength(2);
  });

  it('withdraws our credit notes when the payment that applied the memo is deleted, and keeps the other payment', async () => {
    later();
    qbo.deletePayment(applied);
    await expectCreditGone(await books.syncNow(TEAM, 'quickbooks'));
  });
});
