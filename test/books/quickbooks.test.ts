// The QuickBooks Online provider against the contract fake: Intuit's OAuth (code, rotating refresh, revoke), the
// company from the callback's realmId, query paging, Change Data Capture with deletions and its 30 days, payments
// that pay several invoices, 429s, and amounts in 0 and 3 decimals read exactly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttp, createLimiter, QUICKBOOKS_LIMITS } from '../../src/books/http.js';
import { isProviderError, type LedgerProvider } from '../../src/books/provider.js';
import { QUICKBOOKS_SCOPE, quickbooksProvider } from '../../src/books/quickbooks.js';
import { fixedClock } from '../../src/services/context.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';

const NOW = '2026-11-23T15:00:00Z';
const REDIRECT = 'http://127.0.0.1:9/oauth/quickbooks/callback';

let qbo: FakeQuickBooks;
beforeAll(async () => {
  qbo = await startFakeQuickBooks();
});
afterAll(async () => {
  await qbo.close();
});

let clock: ReturnType<typeof fixedClock>;
let waits: number[];
let provider: LedgerProvider;
beforeEach(() => {
  qbo.reset();
  qbo.setNow(NOW);
  clock = fixedClock(NOW);
  waits = [];
  const limiter = createLimiter({
    ...QUICKBOOKS_LIMITS,
    now: () => clock.now().getTime(),
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
  });
  provider = quickbooksProvider({
    settings: qbo.settings(),
    http: createHttp({ allowedOrigins: [qbo.url] }),
    limiterFor: () => limiter,
    now: () => clock.now(),
  });
});

/** The person approves in Intuit's page: the code and company the callback brings. */
async function grant(): Promise<{ accessToken: string; refreshToken: string; realmId: string }> {
  const back = new URL(
    await qbo.approve(provider.authorizeUrl({ state: 'st', codeChallenge: 'ch', redirectUri: REDIRECT })),
  );
  const tokens = await provider.exchangeCode({
    code: back.searchParams.get('code') ?? '',
    redirectUri: REDIRECT,
    codeVerifier: 'unused',
  });
  return { ...tokens, realmId: back.searchParams.get('realmId') ?? '' };
}

async function auth() {
  const { accessToken, realmId } = await grant();
  return { accessToken, tenantId: realmId };
}

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('QuickBooks Online OAuth', () => {
  it('asks for the accounting scope and gets back a code, the state and the company (realmId)', async () => {
    const authorize = new URL(provider.authorizeUrl({ state: 'st-1', codeChallenge: 'ch', redirectUri: REDIRECT }));
    expect(authorize.origin + authorize.pathname).toBe(`${qbo.url}/connect/oauth2`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: 'fake-intuit-client',
      response_type: 'code',
      scope: QUICKBOOKS_SCOPE,
      redirect_uri: REDIRECT,
      state: 'st-1',
    });
    const back = new URL(await qbo.approve(authorize.toString()));
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('realmId')).toBe(qbo.company.realmId);
  });

  it('exchanges the code with HTTP Basic client auth, an hour-long access token counted from now', async () => {
    const tokens = await grant();
    expect(tokens.accessToken).toMatch(/^qa-/);
    expect(tokens.refreshToken).toMatch(/^AB11/);
    const exchanged = await provider
      .exchangeCode({ code: 'a-used-or-made-up-code', redirectUri: REDIRECT, codeVerifier: '' })
      .catch((e: unknown) => e);
    expect(isProviderError(exchanged, 'INVALID_GRANT')).toBe(true);
  });

  it('names the company the callback named, from CompanyInfo, and none without a realmId', async () => {
    const { accessToken, realmId } = await grant();
    expect(await provider.listTenants(accessToken, realmId)).toEqual([{ id: realmId, name: 'Acme Agency LLC' }]);
    expect(await provider.listTenants(accessToken)).toEqual([]);
    // A realmId the token does not reach is refused, not trusted.
    expect(isProviderError(await rejection(provider.listTenants(accessToken, '1234')), 'UNAUTHORIZED')).toBe(true);
    expect(isProviderError(await rejection(provider.listTenants(accessToken, '../x')), 'BAD_RESPONSE')).toBe(true);
  });

  it('rotates the refresh token: the new one works, the old one is invalid_grant', async () => {
    const first = await grant();
    const second = await provider.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresAt.toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(isProviderError(await rejection(provider.refresh(first.refreshToken)), 'INVALID_GRANT')).toBe(true);
    const third = await provider.refresh(second.refreshToken);
    expect(third.accessToken).toMatch(/^qa-/);
    expect(qbo.refreshTokensIssued()).toBe(3);
  });

  it('says invalid_grant once the company disconnects the app, and after we revoke', async () => {
    const first = await grant();
    qbo.revokeConsent();
    expect(isProviderError(await rejection(provider.refresh(first.refreshToken)), 'INVALID_GRANT')).toBe(true);

    const again = await grant();
    await provider.revoke(again.refreshToken);
    expect(qbo.calls('/v2/oauth2/tokens/revoke')).toHaveLength(1);
    expect(isProviderError(await rejection(provider.refresh(again.refreshToken)), 'INVALID_GRANT')).toBe(true);
  });

  it('calls an expired access token unauthorized', async () => {
    const a = await auth();
    qbo.expireAccessTokens();
    const error = await rejection(provider.listContactsSince(a, undefined, 1));
    expect(isProviderError(error, 'UNAUTHORIZED')).toBe(true);
  });
});

describe('reading QuickBooks Online', () => {
  it('pages invoices a hundred at a time, counting them on the first page, open and paid apart', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Northwind', email: 'ap@northwind.test' });
    const ids: string[] = [];
    for (let n = 1; n <= 250; n++) {
      ids.push(qbo.addInvoice({ DocNumber: `INV-${n}`, CustomerId: customer, TotalAmt: `${n}.00` }));
    }
    for (const id of ids.slice(0, 30))
      qbo.pay({ invoices: [{ id, amount: qbo.invoice(id).TotalAmt }], date: '2026-11-10' });

    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(await provider.listInvoicesSince(a, { only: 'open', page }));
    expect(pages.map((p) => [p.items.length, p.more, p.total])).toEqual([
      [100, true, 220],
      [100, true, undefined],
      [20, false, undefined],
    ]);
    expect(pages[0]?.items[0]).toMatchObject({
      number: 'INV-31',
      status: 'sent',
      ledgerStatus: 'OPEN',
      amountPaid: '0.00',
    });
    const statements = qbo.calls('/v3/company/9341455130122345/query').map((c) => c.query.query);
    expect(statements).toContain(
      "SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id STARTPOSITION 101 MAXRESULTS 100",
    );
    expect(
      qbo
        .calls()
        .filter((c) => c.path.startsWith('/v3/'))
        .every((c) => c.query.minorversion === '75'),
    ).toBe(true);

    const paid = await provider.listInvoicesSince(a, { only: 'paid', page: 1 });
    expect(paid.total).toBe(30);
    expect(paid.items[0]).toMatchObject({ number: 'INV-1', status: 'paid', amountPaid: '1.00' });
    expect(paid.items[0]?.payments).toEqual([
      expect.objectContaining({ amount: '1.00', date: '2026-11-10', invoiceExternalId: ids[0] }),
    ]);
  });

  it('maps a payment that pays two invoices to one payment on each, for its own amount', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Globex' });
    const one = qbo.addInvoice({ DocNumber: '1001', CustomerId: customer, TotalAmt: '500.00' });
    const two = qbo.addInvoice({ DocNumber: '1002', CustomerId: customer, TotalAmt: '300.00' });
    const payment = qbo.pay({
      invoices: [
        { id: one, amount: '500.00' },
        { id: two, amount: '100.00' },
      ],
      date: '2026-11-20',
      reference: 'CHK 4471',
    });

    const listed = await provider.listInvoicesSince(a, { page: 1 });
    const byNumber = new Map(listed.items.map((i) => [i.number, i]));
    expect(byNumber.get('1001')).toMatchObject({ status: 'paid', amountPaid: '500.00' });
    expect(byNumber.get('1001')?.payments).toEqual([
      {
        externalId: `${payment}:${one}`,
        invoiceExternalId: one,
        date: '2026-11-20',
        amount: '500.00',
        reference: 'CHK 4471',
        deleted: false,
        followsEdits: true,
        whole: { id: payment, parts: [`${payment}:${one}`, `${payment}:${two}`] },
      },
    ]);
    expect(byNumber.get('1002')).toMatchObject({ status: 'sent', total: '300.00', amountPaid: '100.00' });
    expect(byNumber.get('1002')?.payments.map((p) => [p.externalId, p.amount])).toEqual([
      [`${payment}:${two}`, '100.00'],
    ]);

    clock.advance(60_000);
    const since = new Date('2026-11-23T14:00:00Z');
    const payments = await provider.listPaymentsSince(a, since, 1);
    expect(payments.items.map((p) => [p.externalId, p.invoiceExternalId, p.amount])).toEqual([
      [`${payment}:${one}`, one, '500.00'],
      [`${payment}:${two}`, two, '100.00'],
    ]);
  });

  it('reads a credit memo applied through a $0 payment as credit on the invoice, numbered as the memo, not as money', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Globex' });
    const one = qbo.addInvoice({ DocNumber: '1101', CustomerId: customer, TotalAmt: '500.00' });
    const two = qbo.addInvoice({ DocNumber: '1102', CustomerId: customer, TotalAmt: '300.00' });
    const memo = qbo.addCreditMemo({
      DocNumber: 'CM-9',
      CustomerId: customer,
      TotalAmt: '150.00',
      TxnDate: '2026-11-18',
    });
    const applied = qbo.applyCredit({ memo, invoices: [{ id: one, amount: '100.00' }], date: '2026-11-19' });
    // One payment of money and credit together: the credit goes to the first invoice line, the rest is money.
    const mixed = qbo.pay({
      invoices: [
        { id: one, amount: '80.00' },
        { id: two, amount: '300.00' },
      ],
      credits: [{ id: memo, amount: '50.00' }],
      date: '2026-11-20',
      reference: 'CHK 88',
    });
    expect(qbo.creditMemo(memo).RemainingCredit).toBe('0.00');
    expect(qbo.invoice(one).Balance).toBe('320.00');

    const listed = await provider.listInvoicesSince(a, { page: 1 });
    const byNumber = new Map(listed.items.map((i) => [i.number, i]));
    const first = byNumber.get('1101');
    // Paid is money alone: 500 less a balance of 320 is 180, of which 150 was credit.
    expect(first).toMatchObject({ status: 'sent', amountPaid: '30.00' });
    expect(first?.payments.map((p) => [p.externalId, p.amount])).toEqual([[`${mixed}:${one}`, '30.00']]);
    expect(first?.credits).toEqual([
      {
        externalId: memo,
        number: 'CM-9',
        currency: 'USD',
        date: '2026-11-18',
        status: 'open',
        reference: null,
        updatedAt: expect.any(Date),
        allocations: [
          { invoiceExternalId: one, amount: '100.00', date: '2026-11-19', externalId: `${memo}:${one}:${applied}` },
        ],
      },
      expect.objectContaining({
        externalId: memo,
        allocations: [
          { invoiceExternalId: one, amount: '50.00', date: '2026-11-20', externalId: `${memo}:${one}:${mixed}` },
        ],
      }),
    ]);
    expect(byNumber.get('1102')).toMatchObject({ status: 'paid', amountPaid: '300.00', credits: [] });

    // Listed on their own, payments carry only money: the $0 payment none, listed whole with no part (so a part of
    // it taken in before, as money, would be reversed).
    clock.advance(60_000);
    const payments = await provider.listPaymentsSince(a, new Date('2026-11-23T14:00:00Z'), 1);
    expect(payments.items.map((p) => [p.externalId, p.invoiceExternalId, p.amount, p.whole?.parts])).toEqual([
      [applied, '', '0', []],
      [`${mixed}:${one}`, one, '30.00', [`${mixed}:${one}`, `${mixed}:${two}`]],
      [`${mixed}:${two}`, two, '300.00', [`${mixed}:${one}`, `${mixed}:${two}`]],
    ]);
  });

  it('reads a deleted payment through CDC by its id alone, and a voided one whole, as removals', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Initech' });
    const one = qbo.addInvoice({ DocNumber: '2101', CustomerId: customer, TotalAmt: '40.00' });
    const gone = qbo.pay({ invoices: [{ id: one, amount: '10.00' }], date: '2026-11-20' });
    const voided = qbo.pay({ invoices: [{ id: one, amount: '15.00' }], date: '2026-11-21' });
    const since = new Date('2026-11-23T15:05:00Z');
    qbo.setNow('2026-11-23T15:10:00Z');
    clock.set('2026-11-23T15:10:00Z');
    qbo.deletePayment(gone);
    qbo.voidPayment(voided);
    expect(qbo.invoice(one).Balance).toBe('40.00');

    const changes = await provider.listPaymentsSince(a, since, 1);
    expect(changes.items).toEqual([
      {
        externalId: voided,
        invoiceExternalId: '',
        date: '2026-11-21',
        amount: '0',
        reference: null,
        deleted: true,
        voided: true,
      },
      { externalId: gone, invoiceExternalId: '', date: '1970-01-01', amount: '0', reference: null, deleted: true },
    ]);
    // The invoice lists neither any more as money paid.
    const invoices = await provider.listInvoicesSince(a, { page: 1 });
    expect(invoices.items[0]).toMatchObject({ amountPaid: '0.00', payments: [], credits: [] });
  });

  it('reads a payment edited in place through CDC again, whole, under its Id with its SyncToken and LastUpdatedTime moved', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Initech' });
    const one = qbo.addInvoice({ DocNumber: '2201', CustomerId: customer, TotalAmt: '40.00' });
    const two = qbo.addInvoice({ DocNumber: '2202', CustomerId: customer, TotalAmt: '50.00' });
    const paid = qbo.pay({ invoices: [{ id: one, amount: '30.00' }], date: '2026-11-20', reference: 'EFT 2' });
    const since = new Date('2026-11-23T15:05:00Z');
    qbo.setNow('2026-11-23T15:10:00Z');
    clock.set('2026-11-23T15:10:00Z');
    qbo.editPayment(paid, {
      date: '2026-11-21',
      lines: [
        { id: one, amount: '10.00' },
        { id: two, amount: '25.00' },
      ],
    });
    expect([qbo.invoice(one).Balance, qbo.invoice(two).Balance]).toEqual(['30.00', '25.00']);

    const url = new URL(`${qbo.url}/v3/company/${a.tenantId}/cdc`);
    url.searchParams.set('entities', 'Payment');
    url.searchParams.set('changedSince', since.toISOString());
    url.searchParams.set('minorversion', '75');
    const raw = (await (
      await fetch(url, { headers: { authorization: `Bearer ${a.accessToken}`, accept: 'application/json' } })
    ).json()) as {
      CDCResponse: { QueryResponse: { Payment?: { MetaData: { LastUpdatedTime: string } }[] }[] }[];
    };
    const [edited] = raw.CDCResponse[0]?.QueryResponse[0]?.Payment ?? [];
    expect(edited).toMatchObject({ Id: paid, SyncToken: '1', TxnDate: '2026-11-21', TotalAmt: 35 });
    // Stamped at the edit (the fake's clock ticks a second per change), after the cursor.
    const stamped = new Date(edited?.MetaData.LastUpdatedTime ?? 0).getTime();
    expect(stamped).toBeGreaterThanOrEqual(new Date('2026-11-23T15:10:00Z').getTime());

    const changes = await provider.listPaymentsSince(a, since, 1);
    const parts = [`${paid}:${one}`, `${paid}:${two}`];
    expect(changes.items.map((p) => [p.externalId, p.date, p.amount, p.followsEdits, p.whole])).toEqual([
      [`${paid}:${one}`, '2026-11-21', '10.00', true, { id: paid, parts }],
      [`${paid}:${two}`, '2026-11-21', '25.00', true, { id: paid, parts }],
    ]);
  });

  it('reads changes through CDC, deleted and voided invoices among them, and queries a cursor past its 30 days', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Initech' });
    const kept = qbo.addInvoice({ DocNumber: '2001', CustomerId: customer, TotalAmt: '10.00' });
    const voided = qbo.addInvoice({ DocNumber: '2002', CustomerId: customer, TotalAmt: '20.00' });
    const gone = qbo.addInvoice({ DocNumber: '2003', CustomerId: customer, TotalAmt: '30.00' });
    const since = new Date('2026-11-23T15:05:00Z');
    qbo.setNow('2026-11-23T15:10:00Z');
    clock.set('2026-11-23T15:10:00Z');
    qbo.voidInvoice(voided);
    qbo.deleteInvoice(gone);

    const changes = await provider.listInvoicesSince(a, { since, page: 1 });
    expect(changes.more).toBe(false);
    expect(changes.items.map((i) => [i.externalId, i.status, i.ledgerStatus, i.total])).toEqual([
      [voided, 'void', 'VOIDED', '0.00'],
      [gone, 'void', 'DELETED', '0'],
    ]);
    const cdc = qbo.calls('/v3/company/9341455130122345/cdc');
    expect(cdc).toHaveLength(1);
    expect(cdc[0]?.query).toMatchObject({ entities: 'Invoice', changedSince: '2026-11-23T15:05:00+00:00' });
    expect(changes.items.some((i) => i.externalId === kept)).toBe(false);

    // Forty days later CDC cannot look back that far: the same question is a query by LastUpdatedTime.
    clock.set('2027-01-02T15:10:00Z');
    qbo.setNow('2027-01-02T15:10:00Z');
    const late = await provider.listInvoicesSince(a, { since, page: 1 });
    expect(qbo.calls('/v3/company/9341455130122345/cdc')).toHaveLength(1);
    expect(late.items.map((i) => i.externalId)).toEqual([voided]);
    expect(qbo.calls().at(-2)?.query.query).toBe(
      "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2026-11-23T15:05:00+00:00' ORDERBY Id STARTPOSITION 1 MAXRESULTS 100",
    );
  });

  it('reads an answer at the 1,000-record cap of CDC again with paged queries, in case it was cut short', async () => {
    const a = await auth();
    qbo.setNow('2026-11-23T16:00:00Z');
    clock.set('2026-11-23T16:10:00Z');
    for (let n = 0; n < 1000; n++) qbo.addCustomer({ name: `Customer ${n}` });
    const since = new Date('2026-11-23T15:30:00Z');
    const first = await provider.listContactsSince(a, since, 1);
    expect([first.items.length, first.more, first.total]).toEqual([100, true, 1000]);
    expect(qbo.calls(`/v3/company/${qbo.company.realmId}/cdc`)).toHaveLength(1);
    const tenth = await provider.listContactsSince(a, since, 10);
    expect([tenth.items.length, tenth.more, tenth.items.at(-1)?.name]).toEqual([100, true, 'Customer 999']);
    // Later pages never ask CDC again.
    expect(qbo.calls(`/v3/company/${qbo.company.realmId}/cdc`)).toHaveLength(1);
  });

  it('sends nothing to a host that is not one of the configured Intuit endpoints', async () => {
    const pinned = quickbooksProvider({
      settings: { ...qbo.settings(), revokeUrl: 'http://127.0.0.2:9/v2/oauth2/tokens/revoke' },
      http: createHttp({ allowedOrigins: [qbo.url] }),
      limiterFor: () => createLimiter({ ...QUICKBOOKS_LIMITS, now: () => 0, sleep: async () => {} }),
      now: () => clock.now(),
    });
    const error = await rejection(pinned.revoke('AB11-token'));
    expect(isProviderError(error, 'HOST_NOT_ALLOWED')).toBe(true);
  });

  it('reads customers with their email, and only the changed ones through CDC', async () => {
    const a = await auth();
    qbo.addCustomer({ name: 'Umbrella', email: 'billing@umbrella.test' });
    const all = await provider.listContactsSince(a, undefined, 1);
    expect(all.items).toEqual([
      expect.objectContaining({ name: 'Umbrella', email: 'billing@umbrella.test', isCustomer: true }),
    ]);
    expect(all.total).toBe(1);
    qbo.setNow('2026-11-23T16:00:00Z');
    clock.set('2026-11-23T16:00:00Z');
    qbo.addCustomer({ name: 'Hooli' });
    const changed = await provider.listContactsSince(a, new Date('2026-11-23T15:30:00Z'), 1);
    expect(changed.items.map((c) => [c.name, c.email])).toEqual([['Hooli', null]]);
  });

  it('reads yen without decimals and dinars with three, exactly', async () => {
    const a = await auth();
    const customer = qbo.addCustomer({ name: 'Tokyo Trading' });
    qbo.addInvoice({ DocNumber: 'JP-1', CustomerId: customer, TotalAmt: '150000', Currency: 'JPY' });
    const kwd = qbo.addInvoice({ DocNumber: 'KW-1', CustomerId: customer, TotalAmt: '12.345', Currency: 'KWD' });
    qbo.pay({ invoices: [{ id: kwd, amount: '2.005' }], date: '2026-11-21' });
    const { items } = await provider.listInvoicesSince(a, { page: 1 });
    expect(items.map((i) => [i.number, i.currency, i.total, i.amountPaid])).toEqual([
      ['JP-1', 'JPY', '150000', '0'],
      ['KW-1', 'KWD', '12.345', '2.005'],
    ]);
    expect(items[1]?.payments[0]?.amount).toBe('2.005');
  });

  it('waits out a 429 for its Retry-After, then carries on', async () => {
    const a = await auth();
    qbo.addCustomer({ name: 'Soylent' });
    qbo.rateLimitNext(2, 7);
    const listed = await provider.listContactsSince(a, undefined, 1);
    expect(listed.items).toHaveLength(1);
    expect(waits).toEqual([7000, 7000]);
    expect(qbo.calls().filter((c) => c.status === 429)).toHaveLength(2);
  });

  it('stops on a 429 asking for longer than a minute, saying how long', async () => {
    const a = await auth();
    qbo.rateLimitNext(1, 3600);
    const error = await rejection(provider.listContactsSince(a, undefined, 1));
    expect(isProviderError(error, 'RATE_LIMITED')).toBe(true);
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(3_600_000);
  });
});

describe('posting a payment to QuickBooks', () => {
  const payment = (invoiceExternalId: string, accountExternalId: string, amount: string) => ({
    invoiceExternalId,
    accountExternalId,
    amount,
    date: '2026-11-23',
    reference: 'receivables-bot: payment recorded in Slack (event 42)',
    idempotencyKey: 'receivables-event-42-0b7f2d0e-6c1a-4a8e-9d3b-5f1e2a7c9d40',
  });

  it('creates it once for one requestid, in exact decimals, against the invoice and into the account chosen', async () => {
    const customer = qbo.addCustomer({ name: 'Kuwait Co' });
    const invoice = qbo.addInvoice({ DocNumber: 'K-1', CustomerId: customer, TotalAmt: '1000.125', Currency: 'KWD' });
    const bank = qbo.addAccount({ Name: 'Checking', AccountType: 'Bank' });
    const a = await auth();
    const first = await provider.createPayment?.(a, payment(invoice, bank, '250.125'));
    const again = await provider.createPayment?.(a, payment(invoice, bank, '250.125'));
    expect(again).toEqual(first);
    expect(qbo.payments()).toEqual([
      {
        Id: expect.any(String),
        TotalAmt: '250.125',
        DepositTo: bank,
        lines: [{ invoiceId: invoice, amount: '250.125' }],
      },
    ]);
    expect(first?.externalId).toBe(`${qbo.payments()[0]?.Id}:${invoice}`);
    expect(qbo.invoice(invoice).Balance).toBe('750.000');
  });

  it('refuses for good what QuickBooks cannot take: more than is due, a voided invoice, an account gone', async () => {
    const customer = qbo.addCustomer({ name: 'Acme' });
    const invoice = qbo.addInvoice({ DocNumber: 'A-1', CustomerId: customer, TotalAmt: '100.00' });
    const voided = qbo.addInvoice({ DocNumber: 'A-2', CustomerId: customer, TotalAmt: '100.00' });
    qbo.voidInvoice(voided);
    const bank = qbo.addAccount({ Name: 'Checking', AccountType: 'Bank' });
    const a = await auth();
    const refused = async (p: ReturnType<typeof payment>) => {
      const error = await provider.createPayment?.(a, p).catch((e: unknown) => e);
      expect(isProviderError(error, 'REJECTED')).toBe(true);
      return (error as Error).message;
    };
    expect(await refused(payment(invoice, bank, '100.01'))).toContain('more than the 100.00 still due');
    expect(await refused(payment(voided, bank, '10.00'))).toContain('voided');
    expect(await refused(payment('999999', bank, '10.00'))).toContain('no such invoice');
    expect(await refused(payment(invoice, '424242', '10.00'))).toContain('Accounts element id is invalid');
    expect(qbo.payments()).toEqual([]);
  });
});
