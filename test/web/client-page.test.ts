// The client's status page over HTTP, served by the real Bolt app beside /slack/events: what the client
// sees (the same state, due basis and amounts as the Slack card), what it never sees, the same 404 for every
// bad link, forms that only work from the page, a rate limit, and an answer reaching the cards and the channel.
import { describe, expect, it } from 'vitest';
import { deliverDue } from '../../src/jobs/post.js';
import { createClient } from '../../src/services/clients.js';
import { createInvoice, getInvoice, logChase, recordPayment } from '../../src/services/invoices.js';
import { shareClient } from '../../src/services/sharing.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { statusText } from '../../src/slack/ui/phrases.js';
import { startTestBot, useTestBot } from '../helpers/bot.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const FINANCE = 'C0FINANCE';
const alice = { type: 'user', id: ADMIN } as const;

const t = useTestBot({
  pageLimits: { views: { max: 40, windowMs: 60_000 }, answers: { max: 6, windowMs: 60_000 } },
  onStart: ({ ledger, fake, bot }) => {
    const env = posterEnv(ledger, fake);
    bot.deps.jobs = { tick: () => deliverDue(env), deliverNow: (teamId) => deliverDue(env, { teamId }) };
  },
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: FINANCE },
});

async function book() {
  const { result: acme } = await createClient(t.ledger, TEAM, asAdmin(alice, TEAM), {
    name: 'Acme & Sons',
    contactEmail: 'ap@acme.test',
  });
  const { result: globex } = await createClient(t.ledger, TEAM, asAdmin(alice, TEAM), { name: 'Globex' });
  const make = async (number: string, clientId: string, extra: Record<string, unknown> = {}) =>
    (
      await createInvoice(t.ledger, TEAM, asAdmin(alice, TEAM), {
        number,
        clientId,
        currency: 'USD',
        total: '1,200.00',
        issueDate: '2026-09-01',
        terms: 'net 60',
        status: 'sent',
        ...extra,
      })
    ).result;
  const overdue = await make('INV-1', acme.id, { basisLabel: 'delivery', basisDate: '2026-09-05' });
  const later = await make('INV-2', acme.id, {
    issueDate: '2026-11-20',
    terms: 'net 30',
    total: '¥5000',
    currency: 'JPY',
  });
  await make('INV-3', acme.id, { status: 'draft', description: 'SECRET DRAFT' });
  await make('G-1', globex.id, { description: 'GLOBEX ONLY' });
  await recordPayment(t.ledger, TEAM, asAdmin(alice, TEAM), {
    invoice: 'INV-1',
    amount: '200.00',
    reference: 'BACS 7',
  });
  await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), {
    invoice: 'INV-1',
    method: 'call',
    note: 'INTERNAL NOTE grumpy CFO',
  });
  await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), {
    invoice: 'INV-1',
    method: 'email',
    note: 'Sent a reminder',
    shared: true,
  });
  const { token } = await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
  return { acme, overdue, later, token };
}

const page = (token: string, init?: RequestInit) => fetch(`${t.baseUrl}/c/${token}`, { redirect: 'manual', ...init });

function formFields(html: string, invoiceId: string, kind: string): Record<string, string> {
  const article = html.slice(html.indexOf(`id="inv-${invoiceId}"`));
  const at = article.indexOf(`name="kind" value="${kind}"`);
  const start = article.lastIndexOf('<form', at);
  const form = article.slice(start, article.indexOf('</form>', at));
  const value = (name: string) => form.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '';
  return { invoice: value('invoice'), form: value('form'), nonce: value('nonce'), kind };
}

function post(token: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return page(token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.baseUrl, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('what the client sees', () => {
  it('shows its sent, open invoices as Slack shows them, and nothing it should not see', async () => {
    const { overdue, later, token } = await book();
    const res = await page(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await res.text();
    expect(html).toContain('<h1>Acme &amp; Sons</h1>');
    expect(html).toContain('Invoices from Studio North');
    expect(html).not.toContain('<script');

    // The same phrases as the card: state, due date with its basis, amounts.
    const inv1 = await getInvoice(t.ledger, TEAM, overdue.id);
    expect(inv1.status.state).toBe('overdue');
    expect(statusText(inv1)).toBe('🔴 Overdue · 19 days');
    expect(html).toContain('<span class="badge">Overdue · 19 days</span>');
    expect(html).toContain('2026-11-04 · net 60 from 2026-09-05 (delivery)');
    expect(html).toContain('$1,000.00'); // due
    expect(html).toContain('$1,200.00'); // total
    expect(html).toContain('$200.00 received 2026-11-23 · ref BACS 7');
    const inv2 = await getInvoice(t.ledger, TEAM, later.id);
    expect(statusText(inv2)).toBe('🔵 Sent · due in 27 days');
    expect(html).toContain('<span class="badge">Sent · due in 27 days</span>');
    expect(html).toContain('¥5,000');
    expect(html).toContain('2 open invoices · $1,000.00 + ¥5,000 to pay');

    // History marked shared only.
    expect(html).toContain('Invoice sent');
    expect(html).toContain('Note from Studio North: Sent a reminder');
    expect(html).not.toContain('INTERNAL NOTE');
    // Never a draft, never another client's invoice.
    expect(html).not.toContain('INV-3');
    expect(html).not.toContain('SECRET DRAFT');
    expect(html).not.toContain('G-1');
    expect(html).not.toContain('GLOBEX');
  });

  it('answers every bad link with the same plain 404, whatever is wrong with it', async () => {
    const { token } = await book();
    const { token: globexToken } = await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Globex' });
    const missing = await page('A'.repeat(43));
    const body = await missing.text();
    expect(missing.status).toBe(404);
    expect(body).not.toContain('Acme');
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [forged, 'nope', `${token}x`, encodeURIComponent("' or 1=1 --")]) {
      const res = await page(bad);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe(body);
    }
    // Revoked (replaced by a new link): the same.
    await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
    const revoked = await page(token);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toBe(body);
    // Another client's link shows that client, and nothing of Acme.
    const other = await (await page(globexToken)).text();
    expect(other).toContain('G-1');
    expect(other).not.toContain('INV-1');
    expect(other).not.toContain('Acme');
  });
});

describe('guessing at links', () => {
  it('limits misses per address, and a real link still opens', async () => {
    // Its own bot, with a low limit for misses; it shares the test database, so the book is made after it starts.
    const guessing = await startTestBot({ pageLimits: { misses: { max: 3, windowMs: 60_000 } } });
    try {
      await ensureWorkspace(t.ledger, { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' });
      const { token } = await book();
      const guess = (i: number) => fetch(`${guessing.baseUrl}/c/${String(i).padStart(43, 'A')}`);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await guess(i)).status);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const limited = await guess(9);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${guessing.baseUrl}/c/${token}`)).status).toBe(200);
    } finally {
      await guessing.close();
    }
  });
});

describe('answering', () => {
  it('records a scheduled payment, shows it on the page, updates the live card and tells the finance channel in its thread', async () => {
    const { overdue, token } = await book();
    const card = await t.bot.live.postCard(TEAM, FINANCE, overdue.id);
    const html = await (await page(token)).text();
    const fields = formFields(html, overdue.id, 'scheduled');
    const res = await post(token, { ...fields, date: '2026-12-04', reference: 'BACS <!channel>', name: 'Ada' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toBe(`/c/${token}?answered=scheduled&invoice=${overdue.id}#inv-${overdue.id}`);

    const after = await (await fetch(`${t.baseUrl}${location}`)).text();
    expect(after).toContain('Thank you: we have noted the payment date for INV-1.');
    expect(after).toContain('Payment scheduled for 2026-12-04, reference BACS &lt;!channel&gt; (Ada)');
    expect(after).toMatch(/<dt>Payment scheduled<\/dt><dd>2026-12-04<\/dd>/);

    await t.bot.idle();
    // The card in the channel now shows the promise.
    const update = await t.fake.waitFor('chat.update', (c) => c.args.ts === card.ts);
    expect(JSON.stringify(update.args.blocks)).toContain('2026-12-04');
    // The channel hears of it in the invoice's thread, with the client's words escaped.
    const told = await t.fake.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.ts);
    expect(told.args.channel).toBe(FINANCE);
    expect(told.args.text).toContain('Acme &amp; Sons (ap@acme.test) answered on *INV-1* from their status page');
    expect(told.args.text).toContain("payment scheduled for 2026-12-04 · ref 'BACS &lt;!channel&gt;' · by 'Ada'");
    expect(told.args.text).not.toContain('<!channel>');
    expect((await getInvoice(t.ledger, TEAM, overdue.id)).promisedDate).toBe('2026-12-04');
  });

  it('starts the invoice a thread of its own in the channel when it has none', async () => {
    const { later, token } = await book();
    const fields = formFields(await (await page(token)).text(), later.id, 'question');
    expect((await post(token, { ...fields, reason: 'Which PO does this go against?' })).status).toBe(303);
    await t.bot.idle();
    const posted = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE);
    expect(posted.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(posted.args.blocks)).toContain("asked: 'Which PO does this go against?'");
    expect(JSON.stringify(posted.args.blocks)).toContain('INV-2'); // the live card, under the answer
  });

  it('a double submit records once', async () => {
    const { overdue, token } = await book();
    const fields = formFields(await (await page(token)).text(), overdue.id, 'approved');
    const first = await post(token, { ...fields, name: 'Ada' });
    const second = await post(token, { ...fields, name: 'Ada' });
    expect([first.status, second.status]).toEqual([303, 303]);
    await t.bot.idle();
    const history = await (await page(token)).text();
    expect(history.split('Approved for payment (Ada)').length - 1).toBe(1);
  });

  it('shows what was wrong next to the field, keeps what was typed, and records nothing', async () => {
    const { overdue, token } = await book();
    const fields = formFields(await (await page(token)).text(), overdue.id, 'scheduled');
    const res = await post(token, { ...fields, date: '2026-11-01', reference: 'REF-9' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('is in the past (today is 2026-11-23)');
    expect(html).toContain('value="REF-9"');
    expect(html).toMatch(/<details open><summary>Payment is scheduled/);
    expect((await getInvoice(t.ledger, TEAM, overdue.id)).promisedDate).toBeNull();
  });

  it('refuses a post from another site, without its form token, or with an expired one', async () => {
    const { overdue, token } = await book();
    const fields = formFields(await (await page(token)).text(), overdue.id, 'approved');
    const crossSite = await post(token, { ...fields, name: 'Mallory' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const noOriginCrossSite = await page(token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ ...fields, name: 'Mallory' }).toString(),
    });
    expect(noOriginCrossSite.status).toBe(403);
    const noToken = await post(token, { ...fields, form: '', name: 'Mallory' });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('nothing was recorded');
    t.clock.set('2026-11-24T06:00:00Z'); // 15 hours later
    const expired = await post(token, { ...fields, name: 'Mallory' });
    expect(expired.status).toBe(403);
    const html = await (await page(token)).text();
    expect(html).not.toContain('Mallory');
    expect((await getInvoice(t.ledger, TEAM, overdue.id)).status.lastAction?.kind).toBe('chased');
  });

  it('limits requests per link', async () => {
    const { overdue, token } = await book();
    const fields = formFields(await (await page(token)).text(), overdue.id, 'question');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await post(token, { ...fields, nonce: crypto.randomUUID(), reason: `q${i}` })).status);
    }
    expect(statuses.slice(0, 6)).toEqual([303, 303, 303, 303, 303, 303]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const limited = await post(token, { ...fields, reason: 'again' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another link is not held back by this one.
    const { token: globexToken } = await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Globex' });
    expect((await page(globexToken)).status).toBe(200);
    t.clock.advance(61_000);
    expect((await post(token, { ...fields, nonce: crypto.randomUUID(), reason: 'later' })).status).toBe(303);
  });
});
