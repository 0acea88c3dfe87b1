// End to end through the real app (signed Slack requests, the OAuth callback on the app's own HTTP server, the fake
// Xero): a grant of two organisations is chosen on the callback page; the callback refuses someone who lost the
// finance admin's rights meanwhile; the App Homes say whether the cards follow Xero; a revoked connection is told
// once, shown on every home until it is reconnected, and the next break is told again.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerConnections } from '../../src/db/schema.js';
import { updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { Call } from '../helpers/fake-slack.js';
import { OPERATOR } from '../helpers/ledger.js';
import { nowSeconds } from '../helpers/signed.js';

const TEAM = BOOKS_TEAM;
const ADMIN = BOOKS_ADMIN;
const MEMBER = 'U0MEMBER';
const NOW = '2026-11-23T15:00:00Z';

let app: BooksBot;
beforeAll(async () => {
  app = await startBooksBot({ now: NOW });
});
afterAll(async () => {
  await app.close();
});

let replies = 0;
/** `/invoice <text>` typed by `userId`: the app's private answer. */
async function command(userId: string, text: string): Promise<string> {
  replies += 1;
  const id = `conn-${replies}`;
  await app.as(userId).slashCommand({ text, channel_id: 'C0FIN', response_url: app.fake.responseUrl(id) });
  const answer = await app.fake.waitFor('response_url', (c) => c.id === id, 10_000);
  await app.bot.idle();
  return String(answer.args.text);
}

/** The admin's link to Xero, approved there: the address the browser is sent back to (on our server). */
async function approvedCallback(): Promise<string> {
  const text = await command(ADMIN, 'connect xero');
  const href = /<([^|>]+)\|Connect Xero>/.exec(text)?.[1]?.replaceAll('&amp;', '&') ?? '';
  const back = new URL(await app.xero.approve(href));
  return `${app.baseUrl}${back.pathname}${back.search}`;
}

async function openHome(user: string): Promise<void> {
  const before = app.fake.calls('views.publish').length;
  await app.as(user).eventCallback({
    event: { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `${nowSeconds()}.000100` },
  });
  await app.fake.waitForCount('views.publish', before + 1);
  await app.bot.idle();
}

/** What the person's App Home last said, as they read it (dates as their fallback, entities as characters). */
function home(user: string): string {
  const last = app.fake
    .calls('views.publish')
    .filter((c: Call) => c.args.user_id === user)
    .at(-1);
  const blocks = (last?.args.view?.blocks ?? []) as {
    type: string;
    text?: { text: string };
    elements?: { text?: string }[];
  }[];
  return blocks
    .flatMap((b) => (b.text ? [b.text.text] : (b.elements ?? []).flatMap((e) => (e.text ? [e.text] : []))))
    .join('\n')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

const brokenTold = () =>
  app.fake.calls('chat.postMessage').filter((c) => /stopped syncing from Xero/.test(c.args.text));

async function choose(page: string, tenantId: string): Promise<Response> {
  const state = /name="state" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return fetch(`${app.baseUrl}/oauth/xero/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ state, tenant: tenantId }).toString(),
  });
}

describe('the books’ connection, seen and chosen right', () => {
  it('refuses the callback, writing nothing, to someone who lost the finance admin’s rights after asking for the link', async () => {
    const callback = await approvedCallback();
    await updateWorkspaceSettings(app.ledger, TEAM, OPERATOR, { financeAdmins: ['U0SOMEONE'] });

    const page = await fetch(callback);

    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('You are not a finance admin of this workspace now, so nothing was connected or changed.');
    expect(await app.books.connection(TEAM, 'xero')).toBeUndefined();
    expect(app.xero.calls('/connect/token')).toHaveLength(0);
    await updateWorkspaceSettings(app.ledger, TEAM, OPERATOR, { financeAdmins: [ADMIN] });
  });

  it('offers the organisations of a grant of two on the callback page and connects the one chosen', async () => {
    await openHome(ADMIN);
    await openHome(MEMBER);
    const globex = app.xero.addTenant('Globex <b>"Holdings"</b> & Co');
    const northwind = app.xero.addContact({ name: 'Northwind' });
    app.xero.addInvoice({ InvoiceNumber: 'INV-1', ContactID: northwind, Total: '120.00', DueDate: '2026-12-01' });
    const callback = await approvedCallback();

    const page = await fetch(callback);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('Choose the Xero organisation');
    expect(html).toContain(
      `<button type="submit" name="tenant" value="${app.xero.tenant.id}">Acme Agency Ltd</button>`,
    );
    expect(html).toContain('Globex &#60;b&#62;&#34;Holdings&#34;&#60;/b&#62; &#38; Co');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<form method="post" action="callback">');
    // The tokens stay on the server.
    expect(html).not.toMatch(/x[ar]-[0-9a-f]{8}/);
    expect(await app.books.connection(TEAM, 'xero')).toBeUndefined();
    expect(app.xero.calls('/connections')).toHaveLength(1);

    const chosen = await choose(html, app.xero.tenant.id);

    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain('Connected to Xero: Acme Agency Ltd');
    const told = await app.fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(told.args.text).toMatch(/Connected to Xero: \*Acme Agency Ltd\*/);
    await app.books.idle();
    await app.bot.idle();
    expect((await app.books.connection(TEAM, 'xero'))?.tenantId).toBe(app.xero.tenant.id);
    // Globex, not chosen, is given back in Xero; the sync reads the organisation chosen.
    expect(
      app.xero
        .calls()
        .filter((c) => c.method === 'DELETE')
        .map((c) => c.status),
    ).toEqual([204]);
    expect(
      app.xero.calls('/api.xro/2.0/Invoices').every((c) => c.headers['xero-tenant-id'] === app.xero.tenant.id),
    ).toBe(true);
    // The same choice again is refused: it was used.
    const again = await choose(html, globex);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already made or has expired');
    expect((await app.books.connection(TEAM, 'xero'))?.tenantId).toBe(app.xero.tenant.id);

    // Every home that was opened now says the cards follow Xero (10:00 in New York), without anyone reopening it.
    expect(home(MEMBER)).toContain('📒 In step with Xero · last sync 10:00');
    expect(home(ADMIN)).toContain('📒 In step with Xero · last sync 10:00');
    expect(home(ADMIN)).toContain('INV-1');
  });

  it('tells a revoked connection once, shows it on every home until it is reconnected, and tells the next break again', async () => {
    app.xero.revokeConsent();
    app.clock.advance(40 * 60_000);
    app.xero.setNow(app.clock.now());

    expect(await app.books.syncNow(TEAM, 'xero')).toBeUndefined();
    await app.books.syncDue();
    await app.books.idle();
    await app.bot.idle();

    expect(brokenTold()).toHaveLength(1);
    expect(brokenTold()[0]?.args.channel).toBe('C0FIN');
    expect(brokenTold()[0]?.args.text).toMatch(/Until a finance admin reconnects with `\/invoice connect xero`/);
    expect(home(MEMBER)).toMatch(/⚠️ \*The Xero connection to Acme Agency Ltd is broken\* since 2026-11-23 10:40/);
    expect(home(MEMBER)).toContain('A finance admin can reconnect it.');
    expect(home(MEMBER)).not.toContain('In step with Xero');
    expect(home(ADMIN)).toContain('Reconnect it with `/invoice connect xero`.');
    // A later tick and a restart of the telling say nothing more; a home opened now still shows it.
    app.clock.advance(60 * 60_000);
    await app.books.syncDue();
    await openHome(MEMBER);
    expect(home(MEMBER)).toContain('The Xero connection to Acme Agency Ltd is broken');
    expect(brokenTold()).toHaveLength(1);

    // Reconnecting (one organisation granted now) clears it everywhere.
    app.xero.reset();
    app.xero.setNow(app.clock.now());
    const reconnected = await fetch(await approvedCallback());
    expect(await reconnected.text()).toContain('Connected to Xero: Acme Agency Ltd');
    await app.books.idle();
    await app.bot.idle();
    const [row] = await app.ledger.db.select().from(ledgerConnections).where(eq(ledgerConnections.teamId, TEAM));
    expect(row).toMatchObject({ status: 'ok', brokenToldAt: null });
    expect(home(MEMBER)).not.toContain('broken');
    expect(home(MEMBER)).toContain('📒 In step with Xero · last sync 11:40');

    // The next break is a new one: told again.
    app.xero.revokeConsent();
    app.clock.advance(40 * 60_000);
    await app.books.syncNow(TEAM, 'xero');
    await app.books.idle();
    expect(brokenTold()).toHaveLength(2);
  });
});
