// Payments recorded in Slack, posted to QuickBooks Online (issue 11, "To the ledger"), against the contract fake on
// each database: the accounts a payment can go into (Bank and Undeposited Funds), a finance admin's payment sent once
// with Intuit's requestid, the pull sync recording nothing twice, and a refusal said once.
import { randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Books, createBooks, type PushFailure } from '../../src/books/index.js';
import { requestIdOf } from '../../src/books/quickbooks.js';
import { ledgerPushes, payments } from '../../src/db/schema.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';
import { ALICE, asAdmin } from '../helpers/ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';
const ADMIN = asAdmin(ALICE, TEAM);

let qbo: FakeQuickBooks;
beforeAll(async () => {
  qbo = await startFakeQuickBooks();
});
afterAll(async () => {
  await qbo.close();
});

describeEachDatabase('posting payments to QuickBooks Online', NOW, (get) => {
  let books: Books;
  let failures: PushFailure[];
  let bank: string;
  let undeposited: string;
  let invoiceId: string;

  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    failures = [];
    books = createBooks({
      ledger: t.ctx,
      xero: undefined,
      quickbooks: qbo.settings(),
      tokenKey: randomBytes(32).toString('base64'),
      publicUrl: () => 'http://127.0.0.1:9',
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      sleep: async (ms) => t.ctx.clock.advance(ms),
      paymentPushFailed: async (failure) => {
        failures.push(failure);
      },
    });
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    const acme = qbo.addCustomer({ name: 'Acme Corp', email: 'ap@acme.test' });
    invoiceId = qbo.addInvoice({
      DocNumber: '1001',
      CustomerId: acme,
      TotalAmt: '1200.00',
      TxnDate: '2026-11-01',
      DueDate: '2026-12-01',
      EmailStatus: 'EmailSent',
    });
    bank = qbo.addAccount({ Name: 'Business Checking', AccountType: 'Bank', AcctNum: '1010' });
    undeposited = qbo.addAccount({
      Name: 'Undeposited Funds',
      AccountType: 'Other Current Asset',
      AccountSubType: 'UndepositedFunds',
    });
    qbo.addAccount({ Name: 'Prepaid Expenses', AccountType: 'Other Current Asset', AccountSubType: 'PrepaidExpenses' });
    qbo.addAccount({ Name: 'Sales', AccountType: 'Income' });
    qbo.addAccount({ Name: 'Closed Savings', AccountType: 'Bank', Active: false });
    const url = await books.startConnect(TEAM, ADMIN, 'quickbooks');
    const back = new URL(await qbo.approve(url));
    await books.completeConnect(
      'quickbooks',
      {
        state: back.searchParams.get('state') ?? '',
        code: back.searchParams.get('code') ?? '',
        realmId: back.searchParams.get('realmId') ?? '',
      },
      async (team, user) => asAdmin({ type: 'user', id: user }, team),
    );
    await books.syncNow(TEAM, 'quickbooks');
  });

  async function paymentRows(t: TestLedger) {
    const [row] = await t.ctx.db
      .select({ n: count() })
      .from(payments)
      .where(and(eq(payments.teamId, TEAM)));
    return row?.n ?? 0;
  }

  it('lists the accounts a payment can go into: active bank accounts and Undeposited Funds', async () => {
    const accounts = await books.paymentAccounts(TEAM, ADMIN, 'quickbooks');
    expect(accounts).toEqual([
      { externalId: bank, code: '1010', name: 'Business Checking', type: 'BANK', currency: 'USD' },
      { externalId: undeposited, code: null, name: 'Undeposited Funds', type: 'UndepositedFunds', currency: 'USD' },
    ]);
    expect((await books.paymentPush(TEAM, 'quickbooks')).unsupported).toBeUndefined();
  });

  it("sends a finance admin's payment to QuickBooks once, and the next sync records nothing twice", async () => {
    const t = get();
    await books.savePaymentPush(TEAM, ADMIN, 'quickbooks', { enabled: true, accountId: undeposited });
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: '1001', amount: '500.00', receivedOn: '2026-11-23' });
    expect(await paymentRows(t)).toBe(1);
    await books.pushDue();
    await books.pushDue();
    expect(qbo.payments()).toEqual([
      {
        Id: expect.any(String),
        TotalAmt: '500.00',
        DepositTo: undeposited,
        lines: [{ invoiceId, amount: '500.00' }],
      },
    ]);
    expect(qbo.invoice(invoiceId).Balance).toBe('700.00');
    const [push] = await t.ctx.db.select().from(ledgerPushes).where(eq(ledgerPushes.teamId, TEAM));
    expect(push).toMatchObject({ status: 'sent', externalPaymentId: `${qbo.payments()[0]?.Id}:${invoiceId}` });
    // Intuit's requestid is at most 50 characters; ours is made from the push's own key, the same every time.
    const posted = qbo.calls().filter((c) => c.method === 'POST' && c.path.endsWith('/payment'));
    expect(posted).toHaveLength(1);
    expect(posted[0]?.query.requestid).toBe(requestIdOf(push?.idempotencyKey ?? ''));
    expect(posted[0]?.query.requestid?.length).toBeLessThanOrEqual(50);

    qbo.setNow('2026-11-23T16:00:00Z');
    t.ctx.clock.set('2026-11-23T16:00:00Z');
    await books.syncNow(TEAM, 'quickbooks');
    expect(await paymentRows(t)).toBe(1);
    const invoice = await getInvoice(t.ctx, TEAM, '1001');
    expect(invoice.paidMinor).toBe(50000n);
  });

  it('says a refusal once, with the reason QuickBooks gave, and does not send it again', async () => {
    const t = get();
    await books.savePaymentPush(TEAM, ADMIN, 'quickbooks', { enabled: true, accountId: bank });
    await recordPayment(t.ctx, TEAM, ADMIN, { invoice: '1001', amount: '500.00', receivedOn: '2026-11-23' });
    // Meanwhile someone records most of it in QuickBooks by hand: ours is now more than is due there.
    qbo.pay({ invoices: [{ id: invoiceId, amount: '1000.00' }], date: '2026-11-23' });
    await books.pushDue();
    await books.pushDue();
    expect(qbo.payments()).toHaveLength(1);
    expect(failures).toEqual([
      expect.objectContaining({ teamId: TEAM, label: 'QuickBooks', amountMinor: 50000n, currency: 'USD' }),
    ]);
    expect(failures[0]?.reason).toContain('more than the 200.00 still due in QuickBooks');
  });
});
