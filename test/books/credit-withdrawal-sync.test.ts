// A credit note voided in Xero after the bot took it in, against the contract fake, on each database: the next sync
// withdraws each part of it here ("Voided in Xero"), so what it had taken off is due again; a later sync changes
// nothing.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getCreditNotes } from '../../src/db/queries/corrections.js';
import { getHistory } from '../../src/db/queries/views.js';
import { events } from '../../src/db/schema.js';
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

describeEachDatabase('a credit note voided in Xero', NOW, (get) => {
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

  it('is withdrawn here on the next sync, once: what it took off is due again', async () => {
    const t = get();
    const acme = xero.addContact({ name: 'Acme Corp' });
    const a = xero.addInvoice({
      InvoiceNumber: 'INV-0080',
      ContactID: acme,
      Total: '1000.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const b = xero.addInvoice({
      InvoiceNumber: 'INV-0081',
      ContactID: acme,
      Total: '250.00',
      Date: '2026-11-01',
      DueDate: '2026-12-01',
    });
    const note = xero.addCreditNote({
      number: 'CN-0080',
      contactId: acme,
      date: '2026-11-10',
      allocations: [
        { invoiceId: a, amount: '200.00' },
        { invoiceId: b, amount: '250.00' },
      ],
    });
    await connectXero(books, xero, TEAM);
    await books.syncNow(TEAM, 'xero');
    expect((await getInvoice(t.ctx, TEAM, 'INV-0080')).status).toMatchObject({
      state: 'overdue',
      amountDueMinor: 80_000n,
    });
    expect((await getInvoice(t.ctx, TEAM, 'INV-0081')).status.state).toBe('credited');

    later();
    xero.voidCreditNote(note);
    const outcome = await books.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ withdrawn: 2, credits: 0, problems: [] });
    const partly = await getInvoice(t.ctx, TEAM, 'INV-0080');
    const whole = await getInvoice(t.ctx, TEAM, 'INV-0081');
    expect(partly.status).toMatchObject({ state: 'overdue', amountDueMinor: 100_000n });
    expect(whole.status).toMatchObject({ state: 'sent', amountDueMinor: 25_000n });
    expect(whole.paidOn).toBeNull();
    expect(outcome?.changedInvoices).toEqual(expect.arrayContaining([partly.id, whole.id]));
    expect(await getCreditNotes(t.ctx.db, { teamId: TEAM, invoiceIds: [partly.id, whole.id] })).toEqual([]);
    const [withdrawal] = await getHistory(t.ctx.db, {
      teamId: TEAM,
      invoiceId: partly.id,
      kinds: ['credit_note_withdrawn'],
    });
    expect(withdrawal).toMatchObject({
      actorType: 'system',
      actorId: 'xero',
      details: { number: 'CN-0080/1', reason: 'Voided in Xero', amountDueAfterMinor: { $bigint: '100000' } },
    });

    later();
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ withdrawn: 0, credits: 0, changedInvoices: [] });
    const withdrawals = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, TEAM), eq(events.kind, 'credit_note_withdrawn')));
    expect(withdrawals).toHaveLength(2);
  });
});
