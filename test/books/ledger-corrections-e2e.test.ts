// End to end, on each database: corrections made in the ledger reach the live card through the real Bolt app. In
// QuickBooks a credit memo applied to an invoice takes its amount off what is due (and voided there, is due again),
// and a payment deleted there is reversed here; in Xero an overpayment allocated to an invoice pays it, and the
// allocation removed there makes it due again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInvoice } from '../../src/services/invoices.js';
import { BOOKS_ADMIN, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import { databaseKinds } from '../helpers/db.js';
import type { Args } from '../helpers/fake-slack.js';

const TEAM = 'T0TEAM';
const ADMIN = BOOKS_ADMIN;
const NOW = '2026-11-23T15:00:00Z';

for (const database of databaseKinds()) {
  describe(`corrections from the ledger on the card [${database}]`, () => {
    let app: BooksBot;
    beforeAll(async () => {
      app = await startBooksBot({ now: NOW, quickbooks: {}, database });
    });
    afterAll(async () => {
      await app.close();
    });

    let replies = 0;
    async function command(text: string): Promise<Args> {
      replies += 1;
      const id = `fix-${database}-${replies}`;
      const response = await app
        .as(ADMIN)
        .slashCommand({ text, channel_id: 'C0FIN', response_url: app.fake.responseUrl(id) });
      expect(response.status).toBe(200);
      const answer = await app.fake.waitFor('response_url', (c) => c.id === id, 10_000);
      await app.bot.idle();
      return answer.args;
    }

    /** Posts the invoice's live card in the finance channel; its ts. */
    async function card(number: string): Promise<string> {
      await app.as(ADMIN).slashCommand({ text: `show ${number}`, channel_id: 'C0FIN' });
      const posted = await app.fake.waitFor(
        'chat.postMessage',
        (c) => c.args.channel === 'C0FIN' && String(c.args.text).startsWith(number),
        10_000,
      );
      await app.bot.idle();
      return posted.response?.ts as string;
    }

    /** Later by an hour, the ledger's clock with ours. */
    function later() {
      app.clock.advance(60 * 60_000);
      app.qbo?.setNow(app.clock.now());
      app.xero.setNow(app.clock.now());
    }

    /** The card's next update after the calls already seen. */
    async function updateOf(ts: string, seen: ReadonlySet<unknown>): Promise<string> {
      const update = await app.fake.waitFor('chat.update', (c) => c.args.ts === ts && !seen.has(c), 10_000);
      return String(update.args.text);
    }
    const updatesSoFar = () => new Set<unknown>(app.fake.calls('chat.update'));

    it('QuickBooks: a credit memo applied takes its amount off what is due, voided it is due again; so is a deleted payment', async () => {
      const qbo = app.qbo;
      if (!qbo) throw new Error('the fake QuickBooks did not start');
      const acme = qbo.addCustomer({ name: 'Acme Corp' });
      const id = qbo.addInvoice({
        DocNumber: 'QB-2001',
        CustomerId: acme,
        TotalAmt: '500.00',
        TxnDate: '2026-10-01',
        DueDate: '2026-10-31',
      });
      const paid = qbo.pay({ invoices: [{ id, amount: '100.00' }], date: '2026-11-02', reference: 'ACH 1' });
      const connect = await command('connect quickbooks');
      const href = /<([^|>]+)\|Connect QuickBooks>/.exec(connect.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
      const back = new URL(await qbo.approve(href));
      expect((await fetch(`${app.baseUrl}${back.pathname}${back.search}`)).status).toBe(200);
      await app.books.idle();
      const ts = await card('QB-2001');
      const shown = app.fake.calls('chat.postMessage').find((c) => c.response?.ts === ts);
      expect(shown?.args.text).toMatch(/QB-2001 · Acme Corp: \$400\.00 due of \$500\.00 · \S+ Overdue/);

      later();
      const memo = qbo.addCreditMemo({ DocNumber: 'CM-77', CustomerId: acme, TotalAmt: '150.00' });
      qbo.applyCredit({ memo, invoices: [{ id, amount: '150.00' }], date: '2026-11-23' });
      let seen = updatesSoFar();
      expect((await command('connect quickbooks sync')).text).toMatch(/Synced from QuickBooks/);
      expect(await updateOf(ts, seen)).toMatch(/QB-2001 · Acme Corp: \$250\.00 due of \$500\.00 · \S+ Overdue/);
      const credited = await getInvoice(app.ledger, TEAM, 'QB-2001');
      expect([credited.creditedMinor, credited.paidMinor]).toEqual([15_000n, 10_000n]);

      // The memo voided in QuickBooks: its credit is withdrawn here, and the card owes it again.
      later();
      qbo.voidCreditMemo(memo);
      seen = updatesSoFar();
      await command('connect quickbooks sync');
      expect(await updateOf(ts, seen)).toMatch(/QB-2001 · Acme Corp: \$400\.00 due of \$500\.00 · \S+ Overdue/);
      expect((await getInvoice(app.ledger, TEAM, 'QB-2001')).creditedMinor).toBe(0n);

      later();
      qbo.deletePayment(paid);
      seen = updatesSoFar();
      await command('connect quickbooks sync');
      expect(await updateOf(ts, seen)).toMatch(/QB-2001 · Acme Corp: \$500\.00 due of \$500\.00 · \S+ Overdue/);
      expect((await getInvoice(app.ledger, TEAM, 'QB-2001')).paidMinor).toBe(0n);
      expect((await command('connect quickbooks disconnect')).text).toMatch(/Disconnected from QuickBooks/);
    });

    it('Xero: an overpayment allocated to an invoice pays it, and the card turns Paid; the allocation removed, Overdue again', async () => {
      const xero = app.xero;
      const globex = xero.addContact({ name: 'Globex' });
      const id = xero.addInvoice({
        InvoiceNumber: 'INV-0900',
        ContactID: globex,
        Total: '300.00',
        Date: '2026-10-01',
        DueDate: '2026-10-31',
      });
      const connect = await command('connect xero');
      const href = /<([^|>]+)\|Connect Xero>/.exec(connect.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
      const back = new URL(await xero.approve(href));
      expect((await fetch(`${app.baseUrl}${back.pathname}${back.search}`)).status).toBe(200);
      await app.books.idle();
      const ts = await card('INV-0900');

      later();
      const over = xero.receiveAdvance({ kind: 'overpayment', contactId: globex, total: '350.00', date: '2026-11-22' });
      const allocation = xero.allocateAdvance(over, { invoiceId: id, amount: '300.00', date: '2026-11-23' });
      let seen = updatesSoFar();
      expect((await command('connect xero sync')).text).toMatch(/Synced from Xero: 0 new, 0 updated, 1 payment/);
      expect(await updateOf(ts, seen)).toMatch(/INV-0900 · Globex: \$300\.00 · \S+ Paid on 2026-11-22/);
      expect((await getInvoice(app.ledger, TEAM, 'INV-0900')).status.state).toBe('paid');

      // The allocation removed in Xero: the payment it made is reversed, and the card is Overdue again.
      later();
      xero.deleteAdvanceAllocation(over, allocation);
      seen = updatesSoFar();
      await command('connect xero sync');
      expect(await updateOf(ts, seen)).toMatch(/INV-0900 · Globex: \$300\.00 due of \$300\.00 · \S+ Overdue/);
      const reopened = await getInvoice(app.ledger, TEAM, 'INV-0900');
      expect([reopened.status.state, reopened.paidMinor]).toEqual(['overdue', 0n]);
    });
  });
}
