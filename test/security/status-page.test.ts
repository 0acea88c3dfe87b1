// The client's status page, tried as an attacker would: forged, mistyped, revoked and replaced links; other
// clients' (and other workspaces') invoice ids; every method on every shape of path; oversized bodies in several
// scripts; hostile, invisible and right-to-left text in every answer field; forged origins with a spoofed Host;
// replayed and expired form tokens; guessing and flooding. Each case drives the real HTTP server (the Bolt app in
// HTTP mode, as in production) with raw requests, and asserts what the client sees — the status, the body and
// the page's security headers — and, when the request is refused, that nothing was written.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue } from '../../src/jobs/post.js';
import { createClient, updateClient } from '../../src/services/clients.js';
import { createInvoice, dispute, logChase } from '../../src/services/invoices.js';
import { formToken, revokeClientLink, shareClient } from '../../src/services/sharing.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { MAX_BODY_BYTES, PAGE_HEADERS } from '../../src/web/client-page.js';
import { messagePage, notFoundPage } from '../../src/web/page.js';
import { startTestBot, type TestBot, useTestBot } from '../helpers/bot.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

const TEAM = 'T0TEAM';
const OTHER_TEAM = 'T0OTHER';
const ADMIN = 'U0ADMIN';
const FINANCE = 'C0FINANCE';
const alice = { type: 'user', id: ADMIN } as const;
/** High enough that a file of requests from one address never meets them; the rate-limit cases start their own bot. */
const LIFTED = { max: 1_000_000, windowMs: 60_000 };

const t = useTestBot({
  pageLimits: { views: LIFTED, answers: LIFTED, misses: LIFTED },
  onStart: ({ ledger, fake, bot }) => {
    const env = posterEnv(ledger, fake);
    bot.deps.jobs = { tick: () => deliverDue(env), deliverNow: (teamId) => deliverDue(env, { teamId }) };
  },
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: FINANCE },
});

// ---------------------------------------------------------------------------------------------------------------
// The book: Acme (the link holder) with two sent invoices and a draft; Globex, another client of the same
// workspace; and another workspace with an invoice of its own.

interface Book {
  token: string;
  acmeOpen: string;
  acmeOther: string;
  acmeDraft: string;
  globexInvoice: string;
  globexToken: string;
  otherTeamInvoice: string;
}

async function book(bot: TestBot = t): Promise<Book> {
  const ledger = bot.ledger;
  const { result: acme } = await createClient(ledger, TEAM, asAdmin(alice, TEAM), {
    name: 'Acme & Sons',
    contactEmail: 'ap@acme.test',
  });
  const { result: globex } = await createClient(ledger, TEAM, asAdmin(alice, TEAM), { name: 'Globex' });
  const make = async (teamId: string, number: string, clientId: string, status: 'sent' | 'draft' = 'sent') =>
    (
      await createInvoice(ledger, teamId, asAdmin(alice, teamId), {
        number,
        clientId,
        currency: 'USD',
        total: '1,200.00',
        issueDate: '2026-11-01',
        terms: 'net 30',
        status,
      })
    ).result.id;
  const acmeOpen = await make(TEAM, 'INV-1', acme.id);
  const acmeOther = await make(TEAM, 'INV-2', acme.id);
  const acmeDraft = await make(TEAM, 'INV-3', acme.id, 'draft');
  const globexInvoice = await make(TEAM, 'G-1', globex.id);
  await ensureWorkspace(ledger, { teamId: OTHER_TEAM, name: 'Elsewhere Ltd', timeZone: 'Europe/London' });
  const { result: stranger } = await createClient(ledger, OTHER_TEAM, asAdmin(alice, OTHER_TEAM), {
    name: 'Acme & Sons',
  });
  const otherTeamInvoice = await make(OTHER_TEAM, 'INV-1', stranger.id);
  const { token } = await shareClient(ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
  const { token: globexToken } = await shareClient(ledger, TEAM, asAdmin(alice, TEAM), { client: 'Globex' });
  return { token, acmeOpen, acmeOther, acmeDraft, globexInvoice, globexToken, otherTeamInvoice };
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP, so nothing is normalised on the way: any method, any path, any Host, any body.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; bot?: TestBot; localAddress?: string } = {},
): Promise<Answer> {
  const port = (options.bot ?? t).bot.port();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: options.headers ?? {},
        agent: false,
        localAddress: options.localAddress,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    // A server that answers before reading all of a big body may close while we are still writing: the answer counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(options.body);
  });
}

/** The origin the app takes forms from: its public URL's (here http://localhost:<port>). */
const publicOrigin = () => new URL(t.bot.publicUrl()).origin;

function formPost(
  token: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  bot: TestBot = t,
): Promise<Answer> {
  // As a browser sends the page's own form: the page's no-referrer policy makes its Origin `null`, and
  // Sec-Fetch-Site says it came from the same origin. A header given as '' is left out (no Origin at all, say).
  const all = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: 'null',
    'sec-fetch-site': 'same-origin',
    ...headers,
  };
  return send('POST', `/c/${token}`, {
    bot,
    headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== '')),
    body: new URLSearchParams(fields).toString(),
  });
}

/** The hidden fields of one of the page's forms (the form token, a fresh nonce), as a browser would send them. */
async function formFor(
  token: string,
  invoiceId: string,
  kind: string,
  bot: TestBot = t,
): Promise<Record<string, string>> {
  const page = await send('GET', `/c/${token}`, { bot });
  expect(page.status).toBe(200);
  const article = page.body.slice(page.body.indexOf(`id="inv-${invoiceId}"`));
  const at = article.indexOf(`name="kind" value="${kind}"`);
  const start = article.lastIndexOf('<form', at);
  const form = article.slice(start, article.indexOf('</form>', at));
  const value = (name: string) => form.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '';
  return { invoice: value('invoice'), form: value('form'), nonce: value('nonce'), kind };
}

/** What was written: events, idempotency keys, and every invoice's version (an update moves it). */
async function written(bot: TestBot = t): Promise<string> {
  const [row] = await bot.handle.raw(
    `select (select count(*) from events)::int as events,
            (select count(*) from idempotency_keys)::int as keys,
            (select coalesce(sum(version), 0) from invoices)::int as versions`,
    [],
  );
  const r = row as { events: number; keys: number; versions: number };
  return `events ${r.events} · keys ${r.keys} · versions ${r.versions}`;
}

/** Every answer under /c carries the page's headers: no-store, no-referrer, nosniff, no framing, the CSP. */
function expectPageHeaders(res: Answer) {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) {
    expect(res.headers[name], `${name} on a ${res.status}`).toBe(value);
  }
}

const NOT_FOUND = notFoundPage();
const INVOICE_NOT_FOUND_TEXT = 'That invoice is not on this page, so nothing was recorded.';

// ---------------------------------------------------------------------------------------------------------------

describe('links that do not open a page: the same plain 404, the headers, nothing written', () => {
  const cases: [string, (b: Book) => string | Promise<string>][] = [
    ['a forged token of the right shape', () => 'A'.repeat(43)],
    [
      'the real token with its last character changed',
      (b) => `${b.token.slice(0, -1)}${b.token.endsWith('A') ? 'B' : 'A'}`,
    ],
    ['the real token one character short', (b) => b.token.slice(0, -1)],
    ['the real token with a character more', (b) => `${b.token}A`],
    ['the real token in other case', (b) => swapCase(b.token)],
    ['the token percent-encoded with a stray escape', (b) => `${b.token.slice(0, 40)}%ZZ`],
    ['an SQL injection', () => encodeURIComponent("' or 1=1 --")],
    ['the token’s SHA-256 (what the database keeps)', () => 'f'.repeat(64)],
    ['a NUL byte in the token', (b) => `${b.token.slice(0, 42)}%00`],
    ['a right-to-left override in the token', (b) => `${b.token.slice(0, 42)}%E2%80%AE`],
    ['a token far too long', () => 'A'.repeat(5000)],
    [
      'a link that was replaced by a new one',
      async (b) => {
        await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
        return b.token;
      },
    ],
    [
      'a revoked link',
      async (b) => {
        await revokeClientLink(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
        return b.token;
      },
    ],
    [
      'the link of an archived client',
      async (b) => {
        const [row] = await t.handle.raw(`select id from clients where name = 'Acme & Sons' and team_id = $1`, [TEAM]);
        await updateClient(t.ledger, TEAM, asAdmin(alice, TEAM), {
          clientId: (row as { id: string }).id,
          changes: { archived: true },
        });
        return b.token;
      },
    ],
  ];
  it.each(cases)('%s', async (_name, tokenOf) => {
    const b = await book();
    const token = await tokenOf(b);
    const before = await written();
    const res = await send('GET', `/c/${token}`);
    expect(res.status).toBe(404);
    expect(res.body).toBe(NOT_FOUND);
    expect(res.body).not.toContain('Acme');
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  it('while the real link opens its own page (the control case)', async () => {
    const b = await book();
    const res = await send('GET', `/c/${b.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1>Acme &amp; Sons</h1>');
    expectPageHeaders(res);
  });
});

describe('every method on every shape of path under /c', () => {
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];
  const BAD_PATHS: [string, (b: Book) => string][] = [
    ['/c', () => '/c'],
    ['/c/', () => '/c/'],
    ['/c/<token>/extra', (b) => `/c/${b.token}/extra`],
    ['/c/<token>/', (b) => `/c/${b.token}/`],
    ['/c//<token>', (b) => `/c//${b.token}`],
    ['/c/%ZZ (a bad escape)', () => '/c/%ZZ'],
  ];
  const cases = BAD_PATHS.flatMap(([shape, path]) => METHODS.map((method) => [method, shape, path] as const));
  it.each(cases)('%s %s: the same 404 page with the headers, nothing written', async (method, _shape, path) => {
    const b = await book();
    const before = await written();
    const res = await send(method, path(b), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicOrigin() },
      body: method === 'GET' || method === 'HEAD' ? undefined : 'kind=approved&name=Mallory',
    });
    expect(res.status).toBe(404);
    expect(res.body).toBe(method === 'HEAD' ? '' : NOT_FOUND);
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  const WRONG = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];
  const wrongCases = WRONG.flatMap((method) => [
    [method, 'a real link', (b: Book) => b.token] as const,
    [method, 'a forged link', () => 'A'.repeat(43)] as const,
  ]);
  it.each(wrongCases)(
    '%s on %s: 405 with Allow, the page and the headers, nothing written',
    async (method, _which, tok) => {
      const b = await book();
      const before = await written();
      const res = await send(method, `/c/${tok(b)}`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicOrigin() },
        body: 'kind=approved&name=Mallory',
      });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      expect(res.body).toBe(messagePage('Not allowed', 'This page only answers GET, HEAD and POST.'));
      expectPageHeaders(res);
      expect(await written()).toBe(before);
    },
  );

  it('HEAD on a real link answers as GET does, without a body', async () => {
    const b = await book();
    const res = await send('HEAD', `/c/${b.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expectPageHeaders(res);
  });
});

describe('invoice ids that are not this client’s: one answer for all, nothing written', () => {
  const cases: [string, (b: Book) => string][] = [
    ['another client’s invoice in the same workspace', (b) => b.globexInvoice],
    ['another workspace’s invoice', (b) => b.otherTeamInvoice],
    ['the client’s own draft', (b) => b.acmeDraft],
    ['an id no invoice has', () => '00000000-0000-4000-8000-000000000000'],
    ['not an id at all', () => 'INV-1'],
    ['empty', () => ''],
    ['another client’s invoice in capitals', (b) => b.globexInvoice.toUpperCase()],
    ['an SQL injection', () => "' or 1=1 --"],
  ];
  const expected = messagePage('Not found', INVOICE_NOT_FOUND_TEXT, {
    href: '', // filled in per test: the link back to the client's own page
    text: 'Back to your invoices',
  });
  it.each(cases)('%s', async (_name, idOf) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'dispute');
    const before = await written();
    const answers = [];
    // The same answer whatever else the form holds: a good reason, or none.
    for (const reason of ['We never ordered this', '']) {
      answers.push(await formPost(b.token, { ...fields, invoice: idOf(b), reason }));
    }
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body).toBe(expected.replace('href=""', `href="/c/${b.token}"`));
      expect(res.body).not.toContain('G-1');
      expect(res.body).not.toContain('Globex');
      expectPageHeaders(res);
    }
    expect(await written()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile text in each answer field. The field, the form it is on and what else that form needs.

const FIELDS = [
  { field: 'name', kind: 'approved', other: {} },
  { field: 'reference', kind: 'scheduled', other: { date: '2026-12-04' } },
  { field: 'name', kind: 'scheduled', other: { date: '2026-12-04' } },
  { field: 'reason', kind: 'question', other: {} },
  { field: 'reason', kind: 'dispute', other: {} },
  { field: 'name', kind: 'question', other: { reason: 'Which PO?' } },
] as const;

describe('text no one can see is refused with the page’s message on the field, nothing written', () => {
  const INVISIBLE: [string, string][] = [
    ['only zero-width characters', '\u200b\u200c\u200d\u2060\ufeff'],
    ['a Hangul filler', '\u3164\u3164'],
    ['a blank braille cell', '\u2800\u2800\u2800'],
    ['combining marks on nothing', '\u0301\u0302\u0303'],
    ['zero-width spaces between bidi controls', '\u202e\u200b\u202c\u200b'],
  ];
  const cases = FIELDS.flatMap((f) =>
    INVISIBLE.map(([what, text]) => [`${f.kind}: ${f.field}`, what, f, text] as const),
  );
  it.each(cases)('%s with %s', async (_where, _what, f, text) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, f.kind);
    const before = await written();
    // Every other field is good: what is refused is this one.
    const res = await formPost(b.token, { ...fields, name: 'Ada', reason: 'Which PO?', ...f.other, [f.field]: text });
    expect(res.status).toBe(422);
    expect(res.body).toContain('has no visible characters; please write it out');
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });
});

describe('control characters (NUL, escape, bell) get 400 with the page, nothing written', () => {
  const CONTROLS: [string, string][] = [
    ['a NUL byte', 'Ada\u0000Lovelace'],
    ['an escape sequence', 'Ada\u001b[31mred'],
    ['a bell', 'Ada\u0007'],
  ];
  const cases = FIELDS.flatMap((f) =>
    CONTROLS.map(([what, text]) => [`${f.kind}: ${f.field}`, what, f, text] as const),
  );
  it.each(cases)('%s with %s', async (_where, _what, f, text) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, f.kind);
    const before = await written();
    const res = await formPost(b.token, { ...fields, name: 'Ada', reason: 'Which PO?', ...f.other, [f.field]: text });
    expect(res.status).toBe(400);
    expect(res.body).toContain(
      'a character that cannot be used (a control character such as NUL), so nothing was recorded',
    );
    expect(res.body).toContain('<h1>Acme &amp; Sons</h1>'); // the client's own page, to send it again
    expect(res.body).not.toContain('\u0000');
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  it('a NUL byte in a hidden field too', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const before = await written();
    const res = await formPost(b.token, { ...fields, nonce: `${fields.nonce}\u0000`, name: 'Ada' });
    expect(res.status).toBe(400);
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });
});

describe('right-to-left overrides and other hostile text are kept harmless, in the ledger, on the page and in Slack', () => {
  const cases: [string, string, string][] = [
    ['a right-to-left override', 'Pay \u202eFDP.exe\u202c now', 'Pay FDP.exe now'],
    ['isolates and marks', '\u2067Ada\u2069 \u200eand\u200f \u061cBob', 'Ada and Bob'],
    ['decomposed accents (stored composed, NFC)', 'Cafe\u0301 Rene\u0301', 'Café René'],
    [
      'HTML and Slack mentions',
      '<script>alert(1)</script> <!channel> & co',
      '<script>alert(1)</script> <!channel> & co',
    ],
  ];
  it.each(cases)('a question with %s', async (_name, typed, kept) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'question');
    const before = await written();
    const res = await formPost(b.token, { ...fields, reason: typed, name: typed });
    expect(res.status).toBe(303);
    expectPageHeaders(res);
    await t.bot.idle();
    // One answer recorded, with the text as kept.
    const rows = await t.handle.raw(`select details from events where kind = 'client_question'`, []);
    expect(rows).toHaveLength(1);
    const details = (rows[0] as { details: { reason: string; name: string } }).details;
    expect(details.reason).toBe(kept);
    expect(details.name).toBe(kept);
    expect(await written()).not.toBe(before);
    // The page shows it escaped and without any bidirectional control.
    const page = await send('GET', `/c/${b.token}`);
    expect(page.body).not.toMatch(/\p{Bidi_Control}/u);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<!channel>');
    // So does the finance channel.
    const told = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === FINANCE);
    const slack = JSON.stringify(told.args);
    expect(slack).not.toMatch(/\p{Bidi_Control}/u);
    expect(slack).not.toContain('<!channel>');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('long answers: counted in characters of any script, and a body too big for the page gets 413 with the page', () => {
  const SCRIPTS: [string, string][] = [
    ['Latin', 'a'],
    ['Chinese', '中'],
    ['Arabic', 'ع'],
    ['Devanagari', 'क'],
    ['emoji (four bytes, two UTF-16 units)', '😀'],
  ];
  it.each(SCRIPTS)('2,000 characters in %s are taken (one event)', async (_script, char) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'question');
    const res = await formPost(b.token, { ...fields, reason: char.repeat(2000) });
    expect(res.status).toBe(303);
    expectPageHeaders(res);
    const rows = await t.handle.raw(
      `select details->>'reason' as reason from events where kind = 'client_question'`,
      [],
    );
    expect([...(rows[0] as { reason: string }).reason]).toHaveLength(2000);
  });

  it.each(SCRIPTS)('2,001 characters in %s are refused on the field (422), nothing written', async (_script, char) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'question');
    const before = await written();
    const res = await formPost(b.token, { ...fields, reason: char.repeat(2001) });
    expect(res.status).toBe(422);
    expect(res.body).toContain('must be at most 2,000 characters');
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  const OVERSIZED: [string, () => string][] = [
    ['Latin, just over the byte cap', () => `reason=${'a'.repeat(MAX_BODY_BYTES)}`],
    ['Chinese, percent-encoded (9 bytes a character)', () => `reason=${encodeURIComponent('中'.repeat(8000))}`],
    ['emoji, percent-encoded (12 bytes a character)', () => `reason=${encodeURIComponent('😀'.repeat(6000))}`],
    ['a megabyte of anything', () => 'x'.repeat(1024 * 1024)],
    ['five megabytes (cut off after the answer)', () => 'x'.repeat(5 * 1024 * 1024)],
  ];
  it.each(OVERSIZED)('%s: 413 with the page and the headers, nothing written', async (_name, body) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'question');
    const before = await written();
    const res = await send('POST', `/c/${b.token}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicOrigin() },
      body: `${new URLSearchParams(fields).toString()}&${body()}`,
    });
    expect(res.status).toBe(413);
    expect(res.body).toBe(messagePage('Too long', 'That answer is too long; please shorten it.'));
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  it('a body sent in chunks without a length is cut at the same cap, with the same 413', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'question');
    const before = await written();
    const res = await new Promise<Answer>((resolve, reject) => {
      let answered = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port: t.bot.port(),
          method: 'POST',
          path: `/c/${b.token}`,
          agent: false,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: publicOrigin() },
        },
        (r) => {
          answered = true;
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', (e) => {
        if (!answered) reject(e);
      });
      req.write(`${new URLSearchParams(fields).toString()}&reason=`);
      for (let i = 0; i < 20; i++) req.write('b'.repeat(8 * 1024));
      req.end();
    });
    expect(res.status).toBe(413);
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('forged origins: only PUBLIC_URL’s origin may post, whatever Host the request names', () => {
  const REFUSED: [string, () => Record<string, string>][] = [
    ['another site, with Host spoofed to match it', () => ({ origin: 'https://evil.example', host: 'evil.example' })],
    [
      'another site claiming Sec-Fetch-Site same-origin, Host spoofed to match',
      () => ({ origin: 'https://evil.example', host: 'evil.example', 'sec-fetch-site': 'same-origin' }),
    ],
    ['another site, with the real Host', () => ({ origin: 'https://evil.example' })],
    [
      'the address the server listens on, not its public URL (Host to match)',
      () => ({ origin: `http://127.0.0.1:${t.bot.port()}`, host: `127.0.0.1:${t.bot.port()}` }),
    ],
    ['the public host over the other scheme', () => ({ origin: publicOrigin().replace('http:', 'https:') })],
    ['the public host on another port', () => ({ origin: `http://localhost:${(t.bot.port() ?? 0) + 1}` })],
    ['a look-alike host', () => ({ origin: `${publicOrigin()}.evil.example` })],
    ['two origins in one header', () => ({ origin: `${publicOrigin()}, https://evil.example` })],
    ['Origin null without Sec-Fetch-Site (a sandboxed frame)', () => ({ origin: 'null', 'sec-fetch-site': '' })],
    ['Origin null from another site', () => ({ origin: 'null', 'sec-fetch-site': 'cross-site' })],
    ['no Origin, Sec-Fetch-Site cross-site', () => ({ origin: '', 'sec-fetch-site': 'cross-site' })],
    [
      'no Origin, Sec-Fetch-Site same-site (a sibling subdomain)',
      () => ({ origin: '', 'sec-fetch-site': 'same-site' }),
    ],
  ];
  it.each(REFUSED)('%s: 403, nothing written', async (_name, headers) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const before = await written();
    const h = headers();
    const res = await formPost(b.token, { ...fields, name: 'Mallory' }, h);
    expect(res.status).toBe(403);
    expect(res.body).toBe(messagePage('Not sent', 'Answers can only be sent from the page itself.'));
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  const ACCEPTED: [string, () => Record<string, string>][] = [
    ['the public URL’s origin', () => ({ origin: publicOrigin() })],
    ['the public URL’s origin, whatever Host', () => ({ origin: publicOrigin(), host: 'evil.example' })],
    [
      'neither header (not a browser: the form token still has to be right)',
      () => ({ origin: '', 'sec-fetch-site': '' }),
    ],
    [
      'Origin null from the same origin (the page’s no-referrer policy)',
      () => ({ origin: 'null', 'sec-fetch-site': 'same-origin' }),
    ],
  ];
  it.each(ACCEPTED)('%s: recorded once', async (_name, headers) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const res = await formPost(b.token, { ...fields, name: 'Ada' }, headers());
    expect(res.status).toBe(303);
    expectPageHeaders(res);
    expect(await t.handle.raw(`select id from events where kind = 'client_approved'`, [])).toHaveLength(1);
  });
});

describe('form tokens: forged, borrowed, expired or replayed', () => {
  const FORGED: [string, (b: Book, fields: Record<string, string>) => Promise<string> | string][] = [
    ['none', () => ''],
    ['its signature changed', (_b, f) => `${f.form?.slice(0, -1)}${f.form?.endsWith('0') ? '1' : '0'}`],
    [
      'another link’s (Globex’s page)',
      async (b) => (await formFor(b.globexToken, b.globexInvoice, 'approved')).form ?? '',
    ],
    [
      'signed for a time 13 hours ago',
      (_b, f) => `${Number(f.form?.split('.')[0]) - 13 * 3600_000}.${f.form?.split('.')[1]}`,
    ],
    ['made up of the right shape', () => `${Date.parse('2026-11-23T15:00:00Z')}.${'ab'.repeat(32)}`],
    ['not a token at all', () => "' or 1=1 --"],
  ];
  it.each(FORGED)('a form token that is %s: 403 with the page, nothing written', async (_name, forge) => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const form = await forge(b, fields);
    const before = await written();
    const res = await formPost(b.token, { ...fields, form, name: 'Mallory' });
    expect(res.status).toBe(403);
    expect(res.body).toContain('nothing was recorded');
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  it('a token from the page 12 hours and a second ago has expired: 403, nothing written', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    t.clock.advance(12 * 3600_000 + 1000);
    const before = await written();
    const res = await formPost(b.token, { ...fields, name: 'Mallory' });
    expect(res.status).toBe(403);
    expectPageHeaders(res);
    expect(await written()).toBe(before);
  });

  it('a token signed for the future is refused', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const [row] = await t.handle.raw(
      `select * from client_links where revoked_at is null and client_id =
      (select client_id from invoices where id = $1)`,
      [b.acmeOpen],
    );
    const link = row as { id: string; form_secret: string };
    const future = formToken(
      { id: link.id, formSecret: link.form_secret },
      new Date(Date.parse('2026-11-23T16:00:00Z')),
    );
    const before = await written();
    const res = await formPost(b.token, { ...fields, form: future, name: 'Mallory' });
    expect(res.status).toBe(403);
    expect(await written()).toBe(before);
  });

  it('the same form sent three times records once', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await formPost(b.token, { ...fields, name: 'Ada' })).status);
    expect(statuses).toEqual([303, 303, 303]);
    expect(await t.handle.raw(`select id from events where kind = 'client_approved'`, [])).toHaveLength(1);
  });

  it('a replayed nonce with another invoice and answer records nothing more', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    expect((await formPost(b.token, { ...fields, name: 'Ada' })).status).toBe(303);
    const before = await written();
    const res = await formPost(b.token, { ...fields, invoice: b.acmeOther, kind: 'dispute', reason: 'Replayed' });
    expect(res.status).toBe(303);
    expect(await written()).toBe(before);
  });

  it('a form from a link since replaced: the old link is a 404, and its token does not work on the new one', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'approved');
    const { token: fresh } = await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Acme & Sons' });
    const before = await written();
    const old = await formPost(b.token, { ...fields, name: 'Mallory' });
    expect(old.status).toBe(404);
    expect(old.body).toBe(NOT_FOUND);
    expectPageHeaders(old);
    const moved = await formPost(fresh, { ...fields, name: 'Mallory' });
    expect(moved.status).toBe(403);
    expectPageHeaders(moved);
    expect(await written()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('what the client sees of promises and disputes: only its own words and what the team shared', () => {
  it('a promise noted in an internal chase never shows as “Payment scheduled”', async () => {
    const b = await book();
    await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), {
      invoice: 'INV-1',
      method: 'call',
      note: 'they said they would pay on the 27th',
      promisedDate: '2026-11-27',
    });
    const page = await send('GET', `/c/${b.token}`);
    expect(page.body).not.toContain('Payment scheduled');
    expect(page.body).not.toContain('2026-11-27');
    expect(page.body).not.toContain('27th');
  });

  it('a promise in a shared chase shows', async () => {
    const b = await book();
    await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), {
      invoice: 'INV-1',
      method: 'email',
      note: 'Thanks, we have your date',
      promisedDate: '2026-11-27',
      shared: true,
    });
    const page = await send('GET', `/c/${b.token}`);
    expect(page.body).toMatch(/<dt>Payment scheduled<\/dt><dd>2026-11-27<\/dd>/);
  });

  it('the client’s own date shows, until an internal chase notes another: then none', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'scheduled');
    expect((await formPost(b.token, { ...fields, date: '2026-12-04' })).status).toBe(303);
    expect((await send('GET', `/c/${b.token}`)).body).toMatch(/<dt>Payment scheduled<\/dt><dd>2026-12-04<\/dd>/);
    await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), {
      invoice: 'INV-1',
      method: 'call',
      promisedDate: '2026-12-10',
    });
    const page = (await send('GET', `/c/${b.token}`)).body;
    expect(page).not.toContain('<dt>Payment scheduled</dt>');
    expect(page).not.toContain('2026-12-10');
    // Its own answer stays in its history.
    expect(page).toContain('Payment scheduled for 2026-12-04');
  });

  it('a chase without a promise leaves the client’s date showing', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'scheduled');
    expect((await formPost(b.token, { ...fields, date: '2026-12-04' })).status).toBe(303);
    await logChase(t.ledger, TEAM, asAdmin(alice, TEAM), { invoice: 'INV-1', method: 'call', note: 'INTERNAL grumpy' });
    const page = (await send('GET', `/c/${b.token}`)).body;
    expect(page).toMatch(/<dt>Payment scheduled<\/dt><dd>2026-12-04<\/dd>/);
    expect(page).not.toContain('INTERNAL');
  });

  it('a dispute the team recorded shows as a dispute, without the team’s reason', async () => {
    const b = await book();
    await dispute(t.ledger, TEAM, asAdmin(alice, TEAM), { invoice: 'INV-1', reason: 'INTERNAL they are stalling' });
    const page = (await send('GET', `/c/${b.token}`)).body;
    expect(page).toContain('<dt>In dispute</dt><dd><span class="flag">yes</span></dd>');
    expect(page).not.toContain('stalling');
  });

  it('the client’s own dispute shows with its reason', async () => {
    const b = await book();
    const fields = await formFor(b.token, b.acmeOpen, 'dispute');
    expect((await formPost(b.token, { ...fields, reason: 'Wrong rate on line 2' })).status).toBe(303);
    const page = (await send('GET', `/c/${b.token}`)).body;
    expect(page).toContain('<dt>In dispute</dt><dd><span class="flag">Wrong rate on line 2</span></dd>');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('rate limits', () => {
  let limited: TestBot;
  beforeAll(async () => {
    limited = await startTestBot({
      pageLimits: {
        misses: { max: 3, windowMs: 60_000 },
        views: { max: 5, windowMs: 60_000 },
        answers: { max: 2, windowMs: 60_000 },
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  async function limitedBook() {
    // The shared database was emptied by the test's set-up; this bot's own clock and limiter start afresh each time.
    limited.clock.advance(3_600_000);
    await ensureWorkspace(limited.ledger, { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' });
    return book(limited);
  }

  it('an address that guessed is refused every link, the real one too, with 429 and the headers, until its window ends', async () => {
    const b = await limitedBook();
    for (let i = 0; i < 3; i++)
      expect((await send('GET', `/c/${'A'.repeat(42)}${i}`, { bot: limited })).status).toBe(404);
    const before = await written(limited);
    for (const path of [`/c/${'B'.repeat(43)}`, `/c/${b.token}`, `/c/${b.globexToken}`]) {
      const res = await send('GET', path, { bot: limited });
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).toContain('Too many requests');
      expectPageHeaders(res);
    }
    // A post from it is refused as well, before anything is read.
    const post = await formPost(b.token, { kind: 'approved', name: 'Mallory' }, {}, limited);
    expect(post.status).toBe(429);
    expect(await written(limited)).toBe(before);
    limited.clock.advance(60_000);
    expect((await send('GET', `/c/${b.token}`, { bot: limited })).status).toBe(200);
  });

  it('a client that never guesses is never held by the miss limit', async () => {
    const b = await limitedBook();
    for (let i = 0; i < 5; i++) expect((await send('GET', `/c/${b.token}`, { bot: limited })).status).toBe(200);
  });

  it('another address is not held back by a guessing one', async () => {
    const b = await limitedBook();
    for (let i = 0; i < 4; i++) await send('GET', `/c/${'C'.repeat(42)}${i}`, { bot: limited });
    expect((await send('GET', `/c/${b.token}`, { bot: limited })).status).toBe(429);
    expect((await send('GET', `/c/${b.token}`, { bot: limited, localAddress: '127.0.0.2' })).status).toBe(200);
  });

  it('page views per link: the sixth in a minute is 429', async () => {
    const b = await limitedBook();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await send('GET', `/c/${b.token}`, { bot: limited })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Another link is not held back.
    expect((await send('GET', `/c/${b.globexToken}`, { bot: limited })).status).toBe(200);
  });

  it('answers per link: the third in a minute is 429 with the headers, and is not recorded', async () => {
    const b = await limitedBook();
    const fields = await formFor(b.token, b.acmeOpen, 'question', limited);
    const first = await formPost(b.token, { ...fields, nonce: crypto.randomUUID(), reason: 'one' }, {}, limited);
    const second = await formPost(b.token, { ...fields, nonce: crypto.randomUUID(), reason: 'two' }, {}, limited);
    expect([first.status, second.status]).toEqual([303, 303]);
    const before = await written(limited);
    const third = await formPost(b.token, { ...fields, nonce: crypto.randomUUID(), reason: 'three' }, {}, limited);
    expect(third.status).toBe(429);
    expectPageHeaders(third);
    expect(await written(limited)).toBe(before);
  });
});

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}
