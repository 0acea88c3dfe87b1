// The Xero provider against the contract fake on the facts the fake takes from Xero's published description and
// pages (see test/helpers/fake-xero.ts): the token's rotation and its grace period, /Connections, the rate-limit
// headers and 429s on the clock, and the day's reserve the limiter keeps.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttp, createLimiter, type Limiter, XERO_LIMITS } from '../../src/books/http.js';
import type { LedgerProvider } from '../../src/books/provider.js';
import { xeroProvider } from '../../src/books/xero.js';
import { FAKE_XERO_CLIENT, type FakeXero, startFakeXero } from '../helpers/fake-xero.js';

let now = Date.parse('2026-11-23T15:00:00Z');
let xero: FakeXero;
let limiter: Limiter;
let provider: LedgerProvider;
const waits: number[] = [];

async function start(perDay?: number) {
  xero = await startFakeXero({ limits: { now: () => now, ...(perDay ? { perDay } : {}) } });
  xero.setNow(new Date(now));
  limiter = createLimiter({
    ...XERO_LIMITS,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  provider = xeroProvider({
    settings: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
    http: createHttp({ allowedOrigins: [xero.url] }),
    limiterFor: () => limiter,
    now: () => new Date(now),
  });
}

async function tokens() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:9/oauth/xero/callback';
  const back = new URL(
    await xero.approve(provider.authorizeUrl({ state: 's', codeChallenge: challenge, redirectUri })),
  );
  return provider.exchangeCode({ code: back.searchParams.get('code') ?? '', redirectUri, codeVerifier: verifier });
}

beforeEach(() => {
  now = Date.parse('2026-11-23T15:00:00Z');
  waits.length = 0;
});
afterEach(async () => {
  await xero.close();
});

describe('the Xero provider against the contract fake', () => {
  it('rotates the refresh token, the old one still good for the grace period, and lists the organisations', async () => {
    await start();
    const first = await tokens();
    const second = await provider.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    // The answer to that refresh was lost, say: the old token is still honoured within Xero's 30 minutes.
    const again = await provider.refresh(first.refreshToken);
    expect(again.refreshToken).not.toBe(second.refreshToken);
    expect(await provider.listTenants(again.accessToken)).toEqual([
      { id: xero.tenant.id, name: 'Acme Agency Ltd', connectionId: expect.any(String) },
    ]);
    const spelled = await fetch(`${xero.url}/Connections`, {
      headers: { authorization: `Bearer ${again.accessToken}` },
    });
    expect(spelled.status).toBe(200);
    xero.revokeConsent();
    await expect(provider.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'INVALID_GRANT' });
  });

  it('says what is left of the minute and the day on every answer, and keeps within 60 a minute with no 429', async () => {
    await start();
    const { accessToken } = await tokens();
    const auth = { accessToken, tenantId: xero.tenant.id };
    for (let page = 1; page <= 61; page++) await provider.listContactsSince(auth, undefined, page);

    const stats = xero.limitStats();
    expect(stats).toMatchObject({ counted: 61, refused: { minute: 0, day: 0, concurrent: 0 }, dayRemaining: 4939 });
    // The 61st call waited for the first to leave the minute.
    expect(waits).toEqual([60_000]);
    expect(limiter.dayRemaining()).toBe(4939);
    const raw = await fetch(`${xero.url}/api.xro/2.0/Contacts?page=1`, {
      headers: { authorization: `Bearer ${accessToken}`, 'xero-tenant-id': xero.tenant.id },
    });
    expect(raw.headers.get('x-daylimit-remaining')).toBe('4938');
    expect(raw.headers.get('x-minlimit-remaining')).toBe('58');
  });

  it('answers past the limits with 429, X-Rate-Limit-Problem and Retry-After, as Xero does', async () => {
    await start(3);
    const { accessToken } = await tokens();
    const get = () =>
      fetch(`${xero.url}/api.xro/2.0/Invoices?page=1`, {
        headers: { authorization: `Bearer ${accessToken}`, 'xero-tenant-id': xero.tenant.id },
      });
    // summaryOnly is not modelled: the fake refuses it rather than guess which fields Xero leaves out.
    const summary = await fetch(`${xero.url}/api.xro/2.0/Invoices?summaryOnly=true`, {
      headers: { authorization: `Bearer ${accessToken}`, 'xero-tenant-id': xero.tenant.id },
    });
    expect(summary.status).toBe(400);
    for (let n = 0; n < 2; n++) expect((await get()).status).toBe(200);
    now += 60_000;
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-rate-limit-problem')).toBe('day');
    expect(Number(refused.headers.get('retry-after'))).toBe(24 * 3600 - 60);
    expect(refused.headers.get('x-daylimit-remaining')).toBe('0');
    expect(xero.limitStats().refused.day).toBe(1);
  });

  it("stops calling with the day's last 100 calls left, for an hour, rather than spend them or wait for hours", async () => {
    await start(160);
    const { accessToken } = await tokens();
    const auth = { accessToken, tenantId: xero.tenant.id };
    for (let page = 1; page <= 60; page++) await provider.listContactsSince(auth, undefined, page);
    expect(limiter.dayRemaining()).toBe(100);

    await expect(provider.listContactsSince(auth, undefined, 61)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 60 * 60_000,
    });
    expect(xero.limitStats().counted).toBe(60);
    now += 60 * 60_000;
    await provider.listContactsSince(auth, undefined, 61);
    expect(xero.limitStats()).toMatchObject({ counted: 61, refused: { minute: 0, day: 0, concurrent: 0 } });
  });

  it('lists a prepayment and an overpayment allocated to an invoice as money paid on it, not as credit', async () => {
    await start();
    const { accessToken } = await tokens();
    const auth = { accessToken, tenantId: xero.tenant.id };
    const contact = xero.addContact({ name: 'Globex' });
    const invoice = xero.addInvoice({ InvoiceNumber: 'INV-0301', ContactID: contact, Total: '500.00' });
    xero.pay(invoice, { amount: '100.00', date: '2026-11-10', reference: 'BACS 1' });
    const pre = xero.receiveAdvance({ kind: 'prepayment', contactId: contact, total: '250.00', date: '2026-10-01' });
    xero.allocateAdvance(pre, { invoiceId: invoice, amount: '150.00', date: '2026-11-12' });
    const over = xero.receiveAdvance({
      kind: 'overpayment',
      contactId: contact,
      total: '80.00',
      date: '2026-11-05',
      reference: 'INV-0290',
    });
    xero.allocateAdvance(over, { invoiceId: invoice, amount: '80.00', date: '2026-11-12' });

    const listed = await provider.listInvoicesSince(auth, { page: 1 });
    const [inv] = listed.items;
    // Xero counts both in AmountCredited; here they are money the client paid: 100 + 150 + 80.
    expect(inv).toMatchObject({ status: 'sent', amountPaid: '330.00' });
    expect(inv?.payments.map((p) => [p.externalId, p.date, p.amount, p.reference, p.deleted])).toEqual([
      [`${pre}:${invoice}`, '2026-10-01', '150.00', 'prepayment', false],
      [`${over}:${invoice}`, '2026-11-05', '80.00', 'overpayment INV-0290', false],
      [expect.any(String), '2026-11-10', '100.00', 'BACS 1', false],
    ]);
  });
});
