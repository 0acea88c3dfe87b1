// End to end: a finance admin connects Xero through the real Bolt app (signed requests) and the OAuth callback on
// the app's own HTTP server, the first sync takes a year of invoices, then a payment made in Xero turns the live
// card Paid — and the next sync writes nothing.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { xeroSignature } from '../../src/books/webhook.js';
import { events, invoices } from '../../src/db/schema.js';
import type { AppServer } from '../../src/http.js';
import { getInvoice } from '../../src/services/invoices.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { Args, FakeSlack } from '../helpers/fake-slack.js';
import type { FakeXero } from '../helpers/fake-xero.js';
import type { SlackClient } from '../helpers/signed.js';

const TEAM = BOOKS_TEAM;
const ADMIN = BOOKS_ADMIN;
const MEMBER = 'U0MEMBER';
const NOW = '2026-11-23T15:00:00Z';
const WEBHOOK_KEY = 'fake-webhook-key-0123456789';
/** Called once after the next sync that changed invoices (a test sets it to wait on that). */
let afterSync: (() => void) | undefined;

let app: BooksBot;
let fake: FakeSlack;
let xero: FakeXero;
let bot: AppServer;
let books: Books;
let baseUrl: string;
let ledger: BooksBot['ledger'];
let clock: BooksBot['clock'];

const as = (userId: string): SlackClient => app.as(userId);

beforeAll(async () => {
  app = await startBooksBot({ now: NOW, webhookKey: WEBHOOK_KEY, afterSync: () => afterSync?.() });
  ({ fake, xero, bot, books, baseUrl, ledger, clock } = app);
});

afterAll(async () => {
  await app.close();
});

let replies = 0;
/** `/invoice <text>` typed by `userId`: the app's private answer through the command's response_url. */
async function command(userId: string, text: string, timeoutMs = 10_000): Promise<Args> {
  replies += 1;
  const id = `connect-${replies}`;
  const response = await as(userId).slashCommand({ text, channel_id: 'C0FIN', response_url: fake.responseUrl(id) });
  expect(response.status).toBe(200);
  const answer = await fake.waitFor('response_url', (c) => c.id === id, timeoutMs);
  await bot.idle();
  return answer.args;
}

async function eventCount(): Promise<number> {
  const [row] = await ledger.db.select({ n: count() }).from(events).where(eq(events.teamId, TEAM));
  return row?.n ?? 0;
}

/** A year of Xero invoices: one a week from December 2025, the older half paid when due, the rest open. */
function seedYear(): { open: string } {
  const clients = ['Northwind Traders', 'Globex', 'Initech', 'Umbrella'].map((name) =>
    xero.addContact({ name, email: `ap@${name.split(' ')[0]?.toLowerCase()}.test` }),
  );
  let open = '';
  for (let week = 0; week < 52; week++) {
    const issued = new Date(Date.UTC(2025, 11, 1) + week * 7 * 86_400_000).toISOString().slice(0, 10);
    const due = new Date(Date.UTC(2025, 11, 31) + week * 7 * 86_400_000).toISOString().slice(0, 10);
    const id = xero.addInvoice({
      InvoiceNumber: `INV-${String(week + 1).padStart(4, '0')}`,
      ContactID: clients[week % 4] as string,
      Total: `${1000 + week * 25}.50`,
      Date: issued,
      DueDate: due,
    });
    if (due < '2026-10-01') xero.pay(id, { amount: `${1000 + week * 25}.50`, date: due, reference: `BACS ${week}` });
    if (week === 45) open = id;
    seeded.set(`INV-${String(week + 1).padStart(4, '0')}`, id);
  }
  return { open };
}

/** The fake's id of one of its invoices, by number. */
const seeded = new Map<string, string>();
function openInvoice(number: string): string {
  const id = seeded.get(number);
  if (!id) throw new Error(`no seeded ${number}`);
  return id;
}

describe('connecting Xero from Slack', () => {
  it('gives a member no link, and a finance admin a private, signed one to Xero', async () => {
    const denied = await command(MEMBER, 'connect xero');
    expect(denied.text).toMatch(/Only the people named in `\/invoice settings` can connect the books/);
    const before = await command(MEMBER, 'connect');
    expect(before.text).toMatch(/Xero is not connected/);

    const answer = await command(ADMIN, 'connect xero');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/only for you, works once, and expires in 10 minutes/);
  });

  it('connects through the callback, syncs a year, and turns the card Paid when Xero records the payment', async () => {
    const { open } = seedYear();
    const answer = await command(ADMIN, 'connect xero');
    const href = /<([^|>]+)\|Connect Xero>/.exec(answer.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const authorize = new URL(href);
    expect(authorize.origin + authorize.pathname).toBe(`${xero.url}/identity/connect/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${bot.publicUrl()}/oauth/xero/callback`);
    // Read only, Xero's granular scopes, and PKCE.
    expect(authorize.searchParams.get('scope')).toBe(
      'offline_access accounting.invoices.read accounting.payments.read accounting.contacts.read',
    );
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    // The person approves in Xero, which sends the browser back to our callback.
    const back = new URL(await xero.approve(href));
    const callback = `${baseUrl}${back.pathname}${back.search}`;
    const page = await fetch(callback);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('Connected to Xero: Acme Agency Ltd');
    const told = await fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(told.args.text).toMatch(/Connected to Xero: \*Acme Agency Ltd\*/);
    await books.idle();

    // The same callback again is refused: the state was single use.
    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');

    // Open invoices (12, due from 2026-10-07) and those paid since 2026-08-25 (90 days; 6) are in; older paid ones are not.
    const rows = await ledger.db.select({ number: invoices.number }).from(invoices).where(eq(invoices.teamId, TEAM));
    const numbers = rows.map((r) => r.number).sort();
    expect(numbers[0]).toBe('INV-0035');
    expect(numbers).toHaveLength(18);
    const status = await command(MEMBER, 'connect');
    expect(status.text).toMatch(/Connected to Xero: \*Acme Agency Ltd\*, by <@U0ADMIN>/);
    expect(status.text).not.toMatch(/⚠️/);

    // A live card of the open invoice, then the client pays in Xero.
    await as(ADMIN).slashCommand({ text: 'show INV-0046', channel_id: 'C0FIN' });
    const card = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
    await bot.idle();
    clock.advance(2 * 60 * 60_000);
    xero.setNow(clock.now());
    xero.pay(open, { amount: xero.invoice(open).Total, date: '2026-11-23', reference: 'Wire 991' });

    const synced = await command(ADMIN, 'connect xero sync');
    expect(synced.text).toMatch(/Synced from Xero: 0 new, 0 updated, 1 payment/);
    const updated = await fake.waitFor('chat.update', (c) => c.args.ts === card.response?.ts);
    expect(updated.args.text).toMatch(/Paid/);
    const paid = await getInvoice(ledger, TEAM, 'INV-0046');
    expect(paid.status.state).toBe('paid');

    // Nothing changed in Xero: the next sync writes nothing.
    const before = await eventCount();
    clock.advance(60_000);
    const again = await command(ADMIN, 'connect xero sync');
    expect(again.text).toMatch(/0 new, 0 updated, 0 payments, 0 voided/);
    expect(await eventCount()).toBe(before);
  });

  it('answers a refused, incomplete or forged callback with a plain page and connects nothing', async () => {
    const denied = await fetch(`${baseUrl}/oauth/xero/callback?error=access_denied&state=x`);
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('Xero said: access_denied');
    expect((await fetch(`${baseUrl}/oauth/xero/callback`)).status).toBe(400);
    const forged = await fetch(`${baseUrl}/oauth/xero/callback?code=abc&state=${'e30'}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    const html = await forged.text();
    expect(html).toContain('not valid or has expired');
    expect(forged.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(xero.calls('/connect/token').filter((c) => c.query.code === 'abc')).toHaveLength(0);
  });

  it('syncs at once when a signed Xero webhook says an invoice changed, and refuses a forged one', async () => {
    const post = (body: string, signature: string) =>
      fetch(`${baseUrl}/webhooks/xero`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xero-signature': signature },
        body,
      });
    // Xero's intent-to-receive: an empty batch, signed right (200) and wrong (401), empty bodies both.
    const intent = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'S0M3ENTR0PY' });
    const good = await post(intent, xeroSignature(WEBHOOK_KEY, intent));
    expect([good.status, await good.text()]).toEqual([200, '']);
    const bad = await post(intent, xeroSignature('another-key', intent));
    expect([bad.status, await bad.text()]).toEqual([401, '']);

    const invoiceId = openInvoice('INV-0047');
    clock.advance(60_000);
    xero.setNow(clock.now());
    xero.pay(invoiceId, { amount: '10.00', date: '2026-11-23', reference: 'Part' });
    const event = JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${invoiceId}`,
          resourceId: invoiceId,
          eventDateUtc: '2026-11-23T17:01:00.000',
          eventType: 'UPDATE',
          eventCategory: 'INVOICE',
          tenantId: xero.tenant.id,
          tenantType: 'ORGANISATION',
        },
      ],
      lastEventSequence: 2,
      firstEventSequence: 2,
      entropy: 'ABCDEFGHIJ',
    });
    const forged = await post(event, xeroSignature('another-key', event));
    expect(forged.status).toBe(401);
    const synced = new Promise<void>((resolve) => {
      afterSync = resolve;
    });
    const signed = await post(event, xeroSignature(WEBHOOK_KEY, event));
    expect(signed.status).toBe(200);
    await synced;
    await books.idle();
    expect((await getInvoice(ledger, TEAM, 'INV-0047')).paidMinor).toBe(1000n);
  });

  it('tells the finance channel once when Xero refuses to renew the connection, and shows it broken', async () => {
    xero.revokeConsent();
    clock.advance(40 * 60_000);
    expect(await books.syncNow(TEAM, 'xero')).toBeUndefined();
    const told = await fake.waitFor('chat.postMessage', (c) => /stopped syncing from Xero/.test(c.args.text));
    expect(told.args.channel).toBe('C0FIN');
    expect(told.args.text).toMatch(/reconnect with \/invoice connect xero/);
    clock.advance(60 * 60_000);
    await books.syncDue();
    expect(await books.syncNow(TEAM, 'xero')).toBeUndefined();
    expect(fake.calls('chat.postMessage').filter((c) => /stopped syncing/.test(c.args.text))).toHaveLength(1);
    const status = await command(MEMBER, 'connect');
    expect(status.text).toMatch(/The Xero connection to \*Acme Agency Ltd\* is broken/);
  });

  it('disconnects, revoking the access in Xero', async () => {
    const member = await command(MEMBER, 'connect xero disconnect');
    expect(member.text).toMatch(/can disconnect the books/);
    const answer = await command(ADMIN, 'connect xero disconnect');
    expect(answer.text).toMatch(/Disconnected from Xero: its access is revoked/);
    expect(xero.calls('/connect/revocation')).toHaveLength(1);
    expect((await command(MEMBER, 'connect')).text).toMatch(/Xero is not connected/);
  });
});
