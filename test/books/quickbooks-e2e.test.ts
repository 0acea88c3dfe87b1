// End to end: a finance admin connects QuickBooks Online through the real Bolt app (signed requests) and the OAuth
// callback on the app's own HTTP server, the first sync takes the open invoices, a payment made in QuickBooks turns
// the live card Paid (by the command and by a signed webhook), a forged webhook fetches nothing, and Xero cannot be
// connected beside it.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { quickbooksSignature } from '../../src/books/quickbooks-webhook.js';
import { invoices } from '../../src/db/schema.js';
import type { AppServer } from '../../src/http.js';
import { getInvoice } from '../../src/services/invoices.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { FakeQuickBooks } from '../helpers/fake-quickbooks.js';
import type { Args, FakeSlack } from '../helpers/fake-slack.js';

const TEAM = BOOKS_TEAM;
const ADMIN = BOOKS_ADMIN;
const MEMBER = 'U0MEMBER';
const NOW = '2026-11-23T15:00:00Z';
const VERIFIER = 'fake-intuit-verifier-token';
let afterSync: (() => void) | undefined;

let app: BooksBot;
let fake: FakeSlack;
let qbo: FakeQuickBooks;
let bot: AppServer;
let books: Books;
let baseUrl: string;
let ledger: BooksBot['ledger'];
let clock: BooksBot['clock'];

beforeAll(async () => {
  app = await startBooksBot({ now: NOW, afterSync: () => afterSync?.(), quickbooks: { webhookVerifier: VERIFIER } });
  if (!app.qbo) throw new Error('the fake QuickBooks did not start');
  qbo = app.qbo;
  ({ fake, bot, books, baseUrl, ledger, clock } = app);
});

afterAll(async () => {
  await app.close();
});

let replies = 0;
async function command(userId: string, text: string): Promise<Args> {
  replies += 1;
  const id = `qbo-${replies}`;
  const response = await app.as(userId).slashCommand({ text, channel_id: 'C0FIN', response_url: fake.responseUrl(id) });
  expect(response.status).toBe(200);
  const answer = await fake.waitFor('response_url', (c) => c.id === id, 10_000);
  await bot.idle();
  return answer.args;
}

const seeded = new Map<string, string>();

/** Invoices from September to November: those due before November paid when due, the rest open. */
function seed() {
  const customers = ['Northwind Traders', 'Globex'].map((name) =>
    qbo.addCustomer({ name, email: `ap@${name.split(' ')[0]?.toLowerCase()}.test` }),
  );
  for (let week = 0; week < 12; week++) {
    const issued = new Date(Date.UTC(2026, 8, 1) + week * 7 * 86_400_000).toISOString().slice(0, 10);
    const due = new Date(Date.UTC(2026, 9, 1) + week * 7 * 86_400_000).toISOString().slice(0, 10);
    const number = `QB-${1001 + week}`;
    const total = `${900 + week * 10}.25`;
    const id = qbo.addInvoice({
      DocNumber: number,
      CustomerId: customers[week % 2] as string,
      TotalAmt: total,
      TxnDate: issued,
      DueDate: due,
    });
    if (due < '2026-11-01') qbo.pay({ invoices: [{ id, amount: total }], date: due, reference: `ACH ${week}` });
    seeded.set(number, id);
  }
}

const post = (body: string, signature: string | undefined) =>
  fetch(`${baseUrl}/webhooks/quickbooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'intuit-signature': signature } : {}) },
    body,
  });

describe('connecting QuickBooks Online from Slack', () => {
  it('shows both ledgers as not connected while neither is', async () => {
    const status = await command(MEMBER, 'connect');
    expect(status.text).toMatch(/Xero is not connected/);
    expect(status.text).toMatch(
      /QuickBooks is not connected\. A finance admin connects it with `\/invoice connect quickbooks`/,
    );
  });

  it('answers a refused callback, or one without the company, with a plain page, and connects nothing', async () => {
    const denied = await fetch(`${baseUrl}/oauth/quickbooks/callback?error=access_denied&state=x`);
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('QuickBooks said: access_denied');
    const noCompany = await fetch(`${baseUrl}/oauth/quickbooks/callback?code=abc&state=e30.x`);
    expect(noCompany.status).toBe(400);
    expect(await noCompany.text()).toContain('missing what QuickBooks sends back');
    const forged = await fetch(`${baseUrl}/oauth/quickbooks/callback?code=abc&state=e30.${'A'.repeat(43)}&realmId=1`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('not valid or has expired');
    expect(qbo.calls('/oauth2/v1/tokens/bearer')).toHaveLength(0);
  });

  it('connects through the callback, takes the invoices, and turns the card Paid when QuickBooks records the payment', async () => {
    seed();
    const answer = await command(ADMIN, 'connect quickbooks');
    expect(answer.response_type).toBe('ephemeral');
    const href = /<([^|>]+)\|Connect QuickBooks>/.exec(answer.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const authorize = new URL(href);
    expect(authorize.origin + authorize.pathname).toBe(`${qbo.url}/connect/oauth2`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${bot.publicUrl()}/oauth/quickbooks/callback`);
    expect(authorize.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');

    const back = new URL(await qbo.approve(href));
    expect(back.searchParams.get('realmId')).toBe(qbo.company.realmId);
    const page = await fetch(`${baseUrl}${back.pathname}${back.search}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('Connected to QuickBooks: Acme Agency LLC');
    const told = await fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(told.args.text).toMatch(/Connected to QuickBooks: \*Acme Agency LLC\*/);
    await books.idle();

    // Open ones (due from 2026-11-03: 5) and those paid since 2026-08-25 (7): all twelve.
    const rows = await ledger.db.select({ number: invoices.number }).from(invoices).where(eq(invoices.teamId, TEAM));
    expect(rows).toHaveLength(12);
    expect((await getInvoice(ledger, TEAM, 'QB-1012')).status.state).toBe('sent');
    expect((await getInvoice(ledger, TEAM, 'QB-1001')).status.state).toBe('paid');
    const status = await command(MEMBER, 'connect');
    expect(status.text).toMatch(/Connected to QuickBooks: \*Acme Agency LLC\*, by <@U0ADMIN>/);
    expect(status.text).not.toMatch(/Xero/);

    // One ledger at a time.
    const xero = await command(ADMIN, 'connect xero');
    expect(xero.text).toMatch(/Disconnect QuickBooks first: \/invoice connect quickbooks disconnect/);

    // A live card of an open invoice; the client pays in QuickBooks.
    await app.as(ADMIN).slashCommand({ text: 'show QB-1010', channel_id: 'C0FIN' });
    const card = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
    await bot.idle();
    clock.advance(2 * 60 * 60_000);
    qbo.setNow(clock.now());
    const id = seeded.get('QB-1010') as string;
    qbo.pay({ invoices: [{ id, amount: qbo.invoice(id).Balance }], date: '2026-11-23', reference: 'Wire 991' });

    const synced = await command(ADMIN, 'connect quickbooks sync');
    expect(synced.text).toMatch(/Synced from QuickBooks: 0 new, 0 updated, 1 payment/);
    const updated = await fake.waitFor('chat.update', (c) => c.args.ts === card.response?.ts);
    expect(updated.args.text).toMatch(/Paid/);
    expect((await getInvoice(ledger, TEAM, 'QB-1010')).status.state).toBe('paid');
  });

  it('refuses a forged or unsigned webhook without fetching anything, and syncs at once on a signed one', async () => {
    const id = seeded.get('QB-1011') as string;
    clock.advance(60_000);
    qbo.setNow(clock.now());
    qbo.pay({ invoices: [{ id, amount: '10.00' }], date: '2026-11-23', reference: 'Part' });
    const notification = JSON.stringify({
      eventNotifications: [
        {
          realmId: qbo.company.realmId,
          dataChangeEvent: {
            entities: [{ name: 'Payment', id: '99', operation: 'Create', lastUpdated: '2026-11-23T17:01:00.000Z' }],
          },
        },
      ],
    });
    const callsBefore = qbo.calls().length;
    const forged = await post(notification, quickbooksSignature('another-verifier', notification));
    expect([forged.status, await forged.text()]).toEqual([401, '']);
    const unsigned = await post(notification, undefined);
    expect(unsigned.status).toBe(401);
    await books.idle();
    expect(qbo.calls().length).toBe(callsBefore);
    expect((await getInvoice(ledger, TEAM, 'QB-1011')).paidMinor).toBe(0n);

    const synced = new Promise<void>((resolve) => {
      afterSync = resolve;
    });
    const signed = await post(notification, quickbooksSignature(VERIFIER, notification));
    expect(signed.status).toBe(200);
    await synced;
    await books.idle();
    expect((await getInvoice(ledger, TEAM, 'QB-1011')).paidMinor).toBe(1000n);
  });

  it('reads the CloudEvents form of a signed webhook too', async () => {
    const id = seeded.get('QB-1012') as string;
    clock.advance(60_000);
    qbo.setNow(clock.now());
    qbo.pay({ invoices: [{ id, amount: '20.00' }], date: '2026-11-23', reference: 'Part 2' });
    const events = JSON.stringify([
      {
        specversion: '1.0',
        id: 'evt-1',
        source: 'intuit.qbo',
        type: 'qbo.payment.created.v1',
        datacontenttype: 'application/json',
        time: '2026-11-23T17:03:00Z',
        intuitentityid: '100',
        intuitaccountid: qbo.company.realmId,
        data: {},
      },
    ]);
    const synced = new Promise<void>((resolve) => {
      afterSync = resolve;
    });
    const signed = await post(events, quickbooksSignature(VERIFIER, events));
    expect(signed.status).toBe(200);
    await synced;
    await books.idle();
    expect((await getInvoice(ledger, TEAM, 'QB-1012')).paidMinor).toBe(2000n);
  });

  it('tells the finance channel once, naming QuickBooks, when Intuit refuses to renew the connection', async () => {
    qbo.revokeConsent();
    clock.advance(70 * 60_000);
    expect(await books.syncNow(TEAM, 'quickbooks')).toBeUndefined();
    const told = await fake.waitFor('chat.postMessage', (c) => /stopped syncing from QuickBooks/.test(c.args.text));
    expect(told.args.channel).toBe('C0FIN');
    expect(told.args.text).toMatch(/reconnect with \/invoice connect quickbooks/);
    expect((await command(MEMBER, 'connect')).text).toMatch(
      /The QuickBooks connection to \*Acme Agency LLC\* is broken/,
    );
    // Broken still counts as connected: Xero waits until QuickBooks is disconnected.
    expect((await command(ADMIN, 'connect xero')).text).toMatch(/Disconnect QuickBooks first/);
  });

  it('disconnects, revoking the access in QuickBooks, after which Xero may be connected', async () => {
    const member = await command(MEMBER, 'connect quickbooks disconnect');
    expect(member.text).toMatch(/can disconnect the books/);
    const answer = await command(ADMIN, 'connect qbo disconnect');
    expect(answer.text).toMatch(/Disconnected from QuickBooks: its access is revoked/);
    expect(qbo.calls('/v2/oauth2/tokens/revoke')).toHaveLength(1);
    expect((await command(ADMIN, 'connect xero')).text).toMatch(/\|Connect Xero>/);
  });
});
