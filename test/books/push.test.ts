// Payments recorded in Slack, posted to Xero (issue 11, "To the ledger"), against the contract fake on each database:
// the setting (off by default, finance admins only, an account Xero lists), the payment recorded and queued in one
// transaction, and the worker that sends each once — across repeats, racing replicas, a lost answer and 429s — and
// says a refusal once. The pull sync then finds the payment linked and records nothing twice.
import { randomBytes } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Books, createBooks, type PushFailure } from '../../src/books/index.js';
import { ProviderError } from '../../src/books/provider.js';
import { backoffAfter, sendPush } from '../../src/books/push.js';
import { events, ledgerLinks, ledgerPushes, ledgerPushSettings, payments } from '../../src/db/schema.js';
import { isLedgerError } from '../../src/services/errors.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { FAKE_XERO_CLIENT, type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin, asMember, BOB, OPERATOR } from '../helpers/ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';
const ADMIN = asAdmin(ALICE, TEAM);

let xero: FakeXero;
beforeAll(async () => {
  xero = await startFakeXero();
});
afterAll(async () => {
  await xero.close();
});

interface Harness {
  books: Books;
  failures: PushFailure[];
  changed: string[][];
}

function booksFor(t: TestLedger, key: string, fetchImpl?: typeof fetch): Harness {
  const failures: PushFailure[] = [];
  const changed: string[][] = [];
  const books = createBooks({
    ledger: t.ctx,
    xero: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
    tokenKey: key,
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => t.ctx.clock.advance(ms),
    paymentPushFailed: async (failure) => {
      failures.push(failure);
    },
    paymentPushChanged: async (_teamId, invoiceIds) => {
      changed.push(invoiceIds);
    },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  return { books, failures, changed };
}

async function connect(books: Books, withPayments = true) {
  const url = await books.startConnect(TEAM, ADMIN, 'xero', { withPayments });
  const back = new URL(await xero.approve(url));
  await books.completeConnect(
    'xero',
    { state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' },
    async () => ADMIN,
  );
}

async function pushRows(t: TestLedger) {
  return t.ctx.db.select().from(ledgerPushes).where(eq(ledgerPushes.teamId, TEAM));
}

async function paymentCount(t: TestLedger, invoiceId: string) {
  const [row] = await t.ctx.db
    .select({ n: count() })
    .from(payments)
    .where(and(eq(payments.teamId, TEAM), eq(payments.invoiceId, invoiceId)));
  return row?.n ?? 0;
}

function putCalls() {
  return xero.calls('/api.xro/2.0/Payments').filter((c) => c.method === 'PUT');
}

describeEachDatabase('payments recorded in Slack, posted to Xero', NOW, (get) => {
  let h: Harness;
  let key: string;
  let xeroInvoice: string;
  let bank: string;

  beforeEach(async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    key = randomBytes(32).toString('base64');
    h = booksFor(t, key);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    const acme = xero.addContact({ name: 'Acme Corp', email: 'ap@acme.test' });
    xeroInvoice = xero.addInvoice({
      InvoiceNumber: 'INV-0001',
      ContactID: acme,
      Total: '1200.00',
      Date: '2026-11-01',
      DueDate: '2026-12-01',
    });
    bank = xero.addAccount({ Code: '090', Name: 'Business Bank Account' });
    xero.addAccount({ Code: '200', Name: 'Sales', Type: 'REVENUE' });
    xero.addAccount({ Code: '091', Name: 'Old Savings', Status: 'ARCHIVED' });
    await connect(h.books);
    await h.books.syncNow(TEAM, 'xero');
  });

  async function turnOn() {
    return h.books.savePaymentPush(TEAM, ADMIN, 'xero', { enabled: true, accountId: bank });
  }

  it('lists the Xero accounts a payment can be paid into: active bank accounts, not sales or archived ones', async () => {
    const accounts = await h.books.paymentAccounts(TEAM, ADMIN, 'xero');
    expect(accounts).toEqual([
      { externalId: bank, code: '090', name: 'Business Bank Account', type: 'BANK', currency: 'USD' },
    ]);
    expect(xero.calls('/api.xro/2.0/Accounts')[0]?.query).toEqual({ where: 'Status=="ACTIVE"' });
  });

  it('asks Xero for permission to post payments only when needed: a read-only connection cannot list accounts', async () => {
    await connect(h.books, false);
    await expect(h.books.paymentAccounts(TEAM, ADMIN, 'xero')).rejects.toThrow(
      /has not allowed this app to read the chart of accounts and post payments/,
    );
    const url = new URL(await h.books.startConnect(TEAM, ADMIN, 'xero', { withPayments: true }));
    expect(url.searchParams.get('scope')).toBe(
      'offline_access accounting.invoices.read accounting.payments.read accounting.contacts.read accounting.payments accounting.settings.read',
    );
  });

  it('is off by default: a finance admin’s payment on a Xero invoice is refused as before, and nothing is queued', async () => {
    const t = get();
    const before = await getInvoice(t.ctx, TEAM, 'INV-0001');
    const error = await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' }).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(error, 'LEDGER_OWNED')).toBe(true);
    expect((error as Error).message).toBe(
      'INV-0001 comes from Xero: record its payments in Xero; the change reaches here at the next sync.',
    );
    expect(await paymentCount(t, before.id)).toBe(0);
    expect(await pushRows(t)).toEqual([]);
  });

  it('lets only finance admins turn it on, into an account Xero lists, and records who did with an event', async () => {
    const t = get();
    const member = await h.books
      .savePaymentPush(TEAM, asMember(BOB, TEAM), 'xero', { enabled: true, accountId: bank })
      .catch((e: unknown) => e);
    expect(isLedgerError(member, 'FORBIDDEN')).toBe(true);
    await expect(h.books.paymentAccounts(TEAM, asMember(BOB, TEAM), 'xero')).rejects.toThrow(/finance admins/);
    const sales = await h.books
      .savePaymentPush(TEAM, ADMIN, 'xero', { enabled: true, accountId: 'not-an-account' })
      .catch((e: unknown) => e);
    expect(isLedgerError(sales, 'VALIDATION')).toBe(true);
    expect((sales as { issues: unknown[] }).issues).toEqual([
      { field: 'account', message: 'is not an account of Xero that takes payments' },
    ]);
    expect(await t.ctx.db.select().from(ledgerPushSettings)).toEqual([]);

    const saved = await turnOn();
    expect(saved).toMatchObject({
      enabled: true,
      accountId: bank,
      accountCode: '090',
      accountName: 'Business Bank Account',
    });
    const changed = await t.ctx.db.select().from(events).where(eq(events.kind, 'ledger_push_changed'));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ actorType: 'user', actorId: ALICE.id });
    expect(changed[0]?.details).toMatchObject({
      provider: 'xero',
      enabled: true,
      account: { id: bank, code: '090', name: 'Business Bank Account' },
    });
    const state = await h.books.paymentPush(TEAM, 'xero');
    expect(state.on).toBe(true);
  });

  it('records a finance admin’s payment here and queues it for Xero in the same transaction, naming its event', async () => {
    const t = get();
    await turnOn();
    const { result } = await recordPayment(t.ctx, TEAM, ADMIN, {
      invoice: 'INV-0001',
      amount: '500.00',
      receivedOn: '2026-11-20',
      reference: 'BACS 42',
    });
    expect(result.invoice.paidMinor).toBe(50000n);
    const [event] = await t.ctx.db.select().from(events).where(eq(events.kind, 'part_paid'));
    const [push] = await pushRows(t);
    expect(push).toMatchObject({
      provider: 'xero',
      eventId: event?.id,
      invoiceId: result.invoice.id,
      paymentId: result.paymentId,
      externalInvoiceId: xeroInvoice,
      amountMinor: 50000n,
      currency: 'USD',
      paidOn: '2026-11-20',
      accountId: bank,
      status: 'pending',
      attempts: 0,
      reference: `BACS 42 (recorded in Slack, receivables event ${event?.id})`,
      idempotencyKey: `receivables-event-${event?.id}-${push?.id}`,
    });
  });

  it('writes neither the payment nor its event when its push cannot be queued (one transaction)', async () => {
    const t = get();
    await turnOn();
    const inv = await getInvoice(t.ctx, TEAM, 'INV-0001');
    // Take the next event id for a push of our own, so the payment's push collides with it.
    const answer = (await t.ctx.db.execute(sql`select nextval('events_id_seq')::text as n`)) as unknown as
      | { n: string }[]
      | { rows: { n: string }[] };
    const [next] = Array.isArray(answer) ? answer : answer.rows;
    const taken = BigInt(String(next?.n ?? 0)) + 1n;
    await t.ctx.db.insert(ledgerPushes).values({
      teamId: TEAM,
      provider: 'xero',
      tenantId: xero.tenant.id,
      eventId: taken,
      invoiceId: inv.id,
      paymentId: inv.id,
      externalInvoiceId: xeroInvoice,
      amountMinor: 1n,
      currency: 'USD',
      paidOn: '2026-11-20',
      accountId: bank,
      reference: 'x',
      idempotencyKey: 'x',
    });
    await expect(recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' })).rejects.toThrow();
    expect(await paymentCount(t, inv.id)).toBe(0);
    expect((await getInvoice(t.ctx, TEAM, 'INV-0001')).version).toBe(inv.version);
    expect(await t.ctx.db.select().from(events).where(eq(events.kind, 'part_paid'))).toEqual([]);
  });

  it('refuses an overpayment on a Xero invoice on its amount, as Xero keeps overpayments apart', async () => {
    const t = get();
    await turnOn();
    const error = await recordPayment(t.ctx, TEAM, ADMIN, {
      invoice: 'INV-0001',
      amount: '1,300.00',
      overpayment: true,
    }).catch((e: unknown) => e);
    expect(isLedgerError(error, 'OVERPAYMENT')).toBe(true);
    expect((error as { issues: unknown[] }).issues).toEqual([
      { field: 'amount', message: 'Xero takes at most the $1,200.00 due; record an overpayment in Xero' },
    ]);
    expect(await pushRows(t)).toEqual([]);
  });

  it('still refuses members, and the CLI or an import, with the setting on', async () => {
    const t = get();
    await turnOn();
    const member = await recordPayment(t.ctx, TEAM, asMember(BOB, TEAM), { invoice: 'INV-0001' }).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(member, 'FORBIDDEN')).toBe(true);
    const cli = await recordPayment(t.ctx, TEAM, OPERATOR, { invoice: 'INV-0001' }).catch((e: unknown) => e);
    expect(isLedgerError(cli, 'LEDGER_OWNED')).toBe(true);
    expect(await pushRows(t)).toEqual([]);
  });

  it('sends the payment once, with the event’s Idempotency-Key, the amount from minor units and the account', async () => {
    const t = get();
    await turnOn();
    const { result } = await recordPayment(t.ctx, TEAM, ADMIN, {
      invoice: 'INV-0001',
      amount: '500.00',
      receivedOn: '2026-11-20',
    });
    const first = await h.books.pushDue();
    const again = await h.books.pushDue();
    expect(first.map((o) => o.status)).toEqual(['sent']);
    expect(again).toEqual([]);
    const [push] = await pushRows(t);
    const held = xero.payments(xeroInvoice);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ Amount: '500.00', Date: '2026-11-20', Status: 'AUTHORISED' });
    expect(held[0]?.Reference).toMatch(/^recorded in Slack, receivables event \d+$/);
    expect(putCalls()).toHaveLength(1);
    expect(putCalls()[0]?.headers['idempotency-key']).toBe(push?.idempotencyKey);
    expect(push).toMatchObject({ status: 'sent', externalPaymentId: held[0]?.PaymentID, attempts: 1, lastError: null });
    const [link] = await t.ctx.db
      .select()
      .from(ledgerLinks)
      .where(and(eq(ledgerLinks.kind, 'payment'), eq(ledgerLinks.externalId, held[0]?.PaymentID ?? '')));
    expect(link?.localId).toBe(result.paymentId);
    expect(h.changed).toEqual([[result.invoice.id]]);
  });

  it('sends a JPY amount without decimals and a KWD one with three', async () => {
    const t = get();
    const tokyo = xero.addContact({ name: 'Tokyo Trading' });
    const yen = xero.addInvoice({ InvoiceNumber: 'INV-JPY', ContactID: tokyo, CurrencyCode: 'JPY', Total: '150000' });
    const kwd = xero.addInvoice({ InvoiceNumber: 'INV-KWD', ContactID: tokyo, CurrencyCode: 'KWD', Total: '12.345' });
    await h.books.syncNow(TEAM, 'xero');
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-JPY', amount: '1000' });
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-KWD', amount: '1.005' });
    await h.books.pushDue();
    expect(xero.payments(yen).map((p) => p.Amount)).toEqual(['1000']);
    expect(xero.payments(kwd).map((p) => p.Amount)).toEqual(['1.005']);
  });

  it('sends it once when two replicas’ workers race for it', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    const other = booksFor(t, key);
    const [a, b] = await Promise.all([h.books.pushDue(), other.books.pushDue()]);
    expect([...a, ...b].map((o) => o.status)).toEqual(['sent']);
    expect(putCalls()).toHaveLength(1);
    expect(xero.payments(xeroInvoice)).toHaveLength(1);
  });

  it('gets the same payment back when Xero took it but its answer was lost, and never pays twice', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    xero.dropNextPaymentAnswer();
    const [lost] = await h.books.pushDue();
    expect(lost?.status).toBe('retrying');
    expect(xero.payments(xeroInvoice)).toHaveLength(1);
    let [push] = await pushRows(t);
    expect(push).toMatchObject({ status: 'pending', attempts: 1, externalPaymentId: null });
    expect(push?.lastError).toMatch(/No answer from/);
    expect(push?.nextAttemptAt).toEqual(new Date(Date.parse(NOW) + 60_000));

    expect(await h.books.pushDue()).toEqual([]);
    t.ctx.clock.advance(60_000);
    const [retried] = await h.books.pushDue();
    expect(retried?.status).toBe('sent');
    [push] = await pushRows(t);
    const held = xero.payments(xeroInvoice);
    expect(held).toHaveLength(1);
    expect(push?.externalPaymentId).toBe(held[0]?.PaymentID);
    expect(putCalls().map((c) => c.headers['idempotency-key'])).toEqual([push?.idempotencyKey, push?.idempotencyKey]);
  });

  it('stops retrying, and says where to look, once Xero may no longer remember a payment it did not answer for', async () => {
    const t = get();
    let down = false;
    const flaky = booksFor(t, key, (async (url: string | URL | Request, init?: RequestInit) => {
      if (down && init?.method === 'PUT') throw new TypeError('fetch failed', { cause: { code: 'ETIMEDOUT' } });
      return fetch(url, init);
    }) as typeof fetch);
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    xero.dropNextPaymentAnswer();
    const [lost] = await flaky.books.pushDue();
    if (lost?.status !== 'retrying') throw new Error(`expected a retry, got ${lost?.status}`);
    const lostAt = t.ctx.clock.now();
    t.ctx.clock.set(lost.nextAttemptAt);
    down = true;
    for (;;) {
      const [o] = await flaky.books.pushDue();
      if (o?.status !== 'retrying') {
        expect(o).toMatchObject({ status: 'failed' });
        expect(o?.status === 'failed' && o.error).toMatch(
          /^Xero did not answer whether it took this payment, and it has been too long to ask again safely: look in Xero for a payment with the reference "recorded in Slack, receivables event \d+" on this invoice/,
        );
        break;
      }
      t.ctx.clock.set(o.nextAttemptAt);
    }
    expect(t.ctx.clock.now().getTime() - lostAt.getTime()).toBeGreaterThan(20 * 3_600_000);
    expect(t.ctx.clock.now().getTime() - lostAt.getTime()).toBeLessThanOrEqual(21 * 3_600_000 + 60_000);
    expect(xero.payments(xeroInvoice)).toHaveLength(1);
    expect(flaky.failures.map((f) => f.number)).toEqual(['INV-0001']);
    expect((await pushRows(t))[0]?.uncertainSince).toEqual(lostAt);
  });

  it('keeps a payment waiting, with why, while the connection is broken, and sends it once reconnected', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    xero.revokeConsent();
    t.ctx.clock.advance(30 * 60_000);
    const [waiting] = await h.books.pushDue();
    expect(waiting?.status).toBe('retrying');
    expect(waiting?.status === 'retrying' && waiting.error).toMatch(/refused to renew the connection/);
    expect(putCalls()).toHaveLength(0);
    await connect(h.books);
    t.ctx.clock.advance(60_000);
    expect((await h.books.pushDue()).map((o) => o.status)).toEqual(['sent']);
    expect(xero.payments(xeroInvoice)).toHaveLength(1);
  });

  it('waits out a 429 for as long as Xero’s Retry-After says', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    xero.rateLimitNext(4, 600);
    const [limited] = await h.books.pushDue();
    expect(limited?.status).toBe('retrying');
    const [push] = await pushRows(t);
    expect(push?.lastError).toMatch(/asks us to wait 600 s/);
    expect(push?.nextAttemptAt.getTime()).toBe(t.ctx.clock.now().getTime() + 600_000);
    xero.rateLimitNext(0, 0);
    t.ctx.clock.advance(300_000);
    expect(await h.books.pushDue()).toEqual([]);
    t.ctx.clock.advance(300_000);
    expect((await h.books.pushDue()).map((o) => o.status)).toEqual(['sent']);
    expect(xero.payments(xeroInvoice)).toHaveLength(1);
  });

  it('retries an unreachable Xero after 1, 5 and 30 minutes, then hourly, keeping the error', async () => {
    const t = get();
    let down = true;
    const flaky = booksFor(t, key, (async (url: string | URL | Request, init?: RequestInit) => {
      if (down && init?.method === 'PUT') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return fetch(url, init);
    }) as typeof fetch);
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [o] = await flaky.books.pushDue();
      if (o?.status !== 'retrying') throw new Error(`expected a retry, got ${o?.status}`);
      expect(o.error).toMatch(/ECONNREFUSED/);
      waits.push(o.nextAttemptAt.getTime() - t.ctx.clock.now().getTime());
      t.ctx.clock.set(o.nextAttemptAt);
    }
    expect(waits).toEqual([60_000, 300_000, 1_800_000, 3_600_000, 3_600_000]);
    expect([1, 2, 3, 4, 9].map(backoffAfter)).toEqual([60_000, 300_000, 1_800_000, 3_600_000, 3_600_000]);
    down = false;
    expect((await flaky.books.pushDue()).map((o) => o.status)).toEqual(['sent']);
  });

  it('marks a payment Xero refuses for good as failed and says so once, with the reason', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    // Meanwhile 800.00 of it was paid in Xero: 500.00 is more than the 400.00 due there now.
    xero.pay(xeroInvoice, { amount: '800.00', date: '2026-11-22' });
    const [refused] = await h.books.pushDue();
    expect(refused?.status).toBe('failed');
    t.ctx.clock.advance(3 * 3_600_000);
    expect(await h.books.pushDue()).toEqual([]);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toMatchObject({
      teamId: TEAM,
      label: 'Xero',
      number: 'INV-0001',
      amountMinor: 50000n,
      currency: 'USD',
      reason: 'Xero refused it: Payment amount exceeds the amount outstanding on this document',
    });
    const [push] = await pushRows(t);
    expect(push).toMatchObject({ status: 'failed', attempts: 1 });
    expect(putCalls()).toHaveLength(1);
    const state = await h.books.paymentPush(TEAM, 'xero');
    expect(state.unsent.map((p) => p.status)).toEqual(['failed']);
  });

  it('refuses an archived account and a voided invoice for good', async () => {
    const t = get();
    await turnOn();
    xero.setAccountStatus(bank, 'ARCHIVED');
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '100.00' });
    const [archived] = await h.books.pushDue();
    expect(archived).toMatchObject({
      status: 'failed',
      error: 'Xero refused it: The account is archived and cannot take payments',
    });
    xero.setAccountStatus(bank, 'ACTIVE');
    xero.setStatus(xeroInvoice, 'VOIDED');
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '100.00' });
    const [voided] = await h.books.pushDue();
    expect(voided).toMatchObject({ status: 'failed' });
    expect(voided?.status === 'failed' && voided.error).toMatch(/not of valid status for modification \(VOIDED\)/);
  });

  it('carries hostile text to Xero as text: the reference cannot change the amount or the account', async () => {
    const t = get();
    await turnOn();
    const hostile = '"}],"Amount":99999,"x":"<!channel> & \\u0000';
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00', reference: hostile });
    await h.books.pushDue();
    const [held] = xero.payments(xeroInvoice);
    expect(held?.Amount).toBe('500.00');
    expect(held?.Reference.startsWith(hostile)).toBe(true);
  });

  it('is not recorded a second time when the pull sync brings the payment back from Xero', async () => {
    const t = get();
    await turnOn();
    const { result } = await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    await h.books.pushDue();
    const before = await getInvoice(t.ctx, TEAM, 'INV-0001');
    t.ctx.clock.advance(11 * 60_000);
    const outcome = await h.books.syncNow(TEAM, 'xero');
    expect(outcome?.payments).toBe(0);
    expect(await paymentCount(t, result.invoice.id)).toBe(1);
    const after = await getInvoice(t.ctx, TEAM, 'INV-0001');
    expect(after.paidMinor).toBe(50000n);
    expect(after.version).toBe(before.version);
  });

  it('links the payment to ours even when a sync saw it in Xero before the lost answer was retried', async () => {
    const t = get();
    await turnOn();
    const { result } = await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    xero.dropNextPaymentAnswer();
    await h.books.pushDue();
    t.ctx.clock.advance(11 * 60_000);
    expect((await h.books.syncNow(TEAM, 'xero'))?.payments).toBe(0);
    await h.books.pushDue();
    const [held] = xero.payments(xeroInvoice);
    const [link] = await t.ctx.db
      .select()
      .from(ledgerLinks)
      .where(and(eq(ledgerLinks.kind, 'payment'), eq(ledgerLinks.externalId, held?.PaymentID ?? '')));
    expect(link?.localId).toBe(result.paymentId);
    expect(await paymentCount(t, result.invoice.id)).toBe(1);
  });

  it('fails a push at once when the provider cannot take payments', async () => {
    const t = get();
    await turnOn();
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: 'INV-0001', amount: '500.00' });
    const [push] = await pushRows(t);
    const outcome = await sendPush(
      {
        ctx: t.ctx,
        provider: {
          id: 'xero',
          label: 'Ledgerless',
          authorizeUrl: () => '',
          exchangeCode: () => Promise.reject(new ProviderError('UNAVAILABLE', 'no')),
          refresh: () => Promise.reject(new ProviderError('UNAVAILABLE', 'no')),
          revoke: async () => {},
          listTenants: async () => [],
          listContactsSince: () => Promise.reject(new Error('no')),
          listInvoicesSince: () => Promise.reject(new Error('no')),
          listPaymentsSince: () => Promise.reject(new Error('no')),
        },
        accessToken: async () => 'token',
      },
      TEAM,
      push?.id ?? '',
    );
    expect(outcome).toMatchObject({ status: 'failed', error: 'Ledgerless cannot take payments from this app yet' });
  });
});
