// The pull sync from QuickBooks Online against the contract fake, through the services, on each database: the
// company from the callback, the first sync, a re-sync that writes nothing, changes through CDC (a payment, a void,
// a deletion), matching an invoice typed here, the ledger's ownership named right, and one ledger at a time.
import { randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Books, createBooks } from '../../src/books/index.js';
import { events, payments } from '../../src/db/schema.js';
import { isLedgerError } from '../../src/services/errors.js';
import { editInvoice, getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';
import { ALICE, asAdmin, invoice as ledgerInvoice } from '../helpers/ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';

let qbo: FakeQuickBooks;
beforeAll(async () => {
  qbo = await startFakeQuickBooks();
});
afterAll(async () => {
  await qbo.close();
});

function booksFor(t: TestLedger): Books {
  return createBooks({
    ledger: t.ctx,
    // Xero configured too (never reached here), to show the one-ledger rule both ways.
    xero: {
      clientId: 'x',
      clientSecret: 'y',
      apiUrl: 'http://127.0.0.1:9',
      identityUrl: 'http://127.0.0.1:9',
      loginUrl: 'http://127.0.0.1:9',
    },
    quickbooks: qbo.settings(),
    tokenKey: randomBytes(32).toString('base64'),
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => t.ctx.clock.advance(ms),
  });
}

async function connect(books: Books) {
  const url = await books.startConnect(TEAM, asAdmin(ALICE, TEAM), 'quickbooks');
  const back = new URL(await qbo.approve(url));
  expect(back.pathname).toBe('/oauth/quickbooks/callback');
  return books.completeConnect(
    'quickbooks',
    {
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
      realmId: back.searchParams.get('realmId') ?? '',
    },
    stillAdmin,
  );
}

/** The person who started the connection is still a finance admin when they come back. */
const stillAdmin = async (teamId: string, userId: string) => asAdmin({ type: 'user', id: userId }, teamId);

async function eventCount(t: TestLedger): Promise<number> {
  const [row] = await t.ctx.db.select({ n: count() }).from(events).where(eq(events.teamId, TEAM));
  return row?.n ?? 0;
}

/** Moves our clock and the fake's together. */
function later(t: TestLedger, ms: number) {
  t.ctx.clock.advance(ms);
  qbo.setNow(t.ctx.clock.now());
}

describeEachDatabase('the QuickBooks Online sync', NOW, (get) => {
  let books: Books;
  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
  });

  it('connects the company the callback names, with its name from QuickBooks, and records who connected', async () => {
    const t = get();
    const connected = await connect(books);
    expect(connected).toMatchObject({ teamId: TEAM, userId: 'U0ALICE', tenantName: 'Acme Agency LLC' });
    const row = await books.connection(TEAM, 'quickbooks');
    expect(row).toMatchObject({ status: 'ok', tenantId: qbo.company.realmId, tenantName: 'Acme Agency LLC' });
    expect(row?.refreshTokenEnc).toMatch(/^v1\./);
    const [event] = await t.ctx.db.select().from(events).where(eq(events.kind, 'ledger_connected'));
    expect(event?.details).toMatchObject({ provider: 'quickbooks', tenantId: qbo.company.realmId });
  });

  it('refuses a callback without the company, and keeps one ledger per workspace, saying how to change over', async () => {
    const url = await books.startConnect(TEAM, asAdmin(ALICE, TEAM), 'quickbooks');
    const back = new URL(await qbo.approve(url));
    await expect(
      books.completeConnect(
        'quickbooks',
        { state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' },
        stillAdmin,
      ),
    ).rejects.toThrow(/No QuickBooks organisation was chosen/);

    await connect(books);
    await expect(books.startConnect(TEAM, asAdmin(ALICE, TEAM), 'xero')).rejects.toThrow(
      'This workspace is connected to QuickBooks, and the books connect one ledger at a time. Disconnect QuickBooks first: /invoice connect quickbooks disconnect',
    );
    await books.disconnect(TEAM, asAdmin(ALICE, TEAM), 'quickbooks');
    expect(qbo.calls('/v2/oauth2/tokens/revoke')).toHaveLength(1);
    await expect(books.startConnect(TEAM, asAdmin(ALICE, TEAM), 'xero')).resolves.toMatch(/^http:\/\/127\.0\.0\.1:9\//);
  });

  it('takes every open invoice and those paid in the last 90 days, in JPY and KWD exactly, then a re-sync writes nothing', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp', email: 'ap@acme.test' });
    const tokyo = qbo.addCustomer({ name: 'Tokyo Trading' });
    const gulf = qbo.addCustomer({ name: 'Gulf Works' });
    const open = qbo.addInvoice({
      DocNumber: '1001',
      CustomerId: acme,
      TotalAmt: '1200.00',
      TxnDate: '2026-10-01',
      DueDate: '2026-10-31',
    });
    qbo.pay({ invoices: [{ id: open, amount: '200.10' }], date: '2026-11-10', reference: 'BACS 42' });
    qbo.addInvoice({
      DocNumber: '1002',
      CustomerId: tokyo,
      Currency: 'JPY',
      TotalAmt: '150000',
      TxnDate: '2026-11-02',
    });
    qbo.addInvoice({ DocNumber: '1003', CustomerId: gulf, Currency: 'KWD', TotalAmt: '12.345', TxnDate: '2026-11-05' });
    const recent = qbo.addInvoice({ DocNumber: '1004', CustomerId: acme, TotalAmt: '99.99', TxnDate: '2026-09-01' });
    qbo.pay({ invoices: [{ id: recent, amount: '99.99' }], date: '2026-10-15' });
    const old = qbo.addInvoice({ DocNumber: '1005', CustomerId: acme, TotalAmt: '10.00', TxnDate: '2026-01-05' });
    qbo.pay({ invoices: [{ id: old, amount: '10.00' }], date: '2026-02-01' });
    const voided = qbo.addInvoice({ DocNumber: '1006', CustomerId: acme, TotalAmt: '5.00' });
    qbo.voidInvoice(voided);
    await connect(books);

    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ created: 4, payments: 2, voided: 0, clients: 3, problems: [], finished: true });
    const inv = await getInvoice(t.ctx, TEAM, '1001');
    expect(inv).toMatchObject({
      clientName: 'Acme Corp',
      totalMinor: 120000n,
      paidMinor: 20010n,
      dueDate: '2026-10-31',
    });
    expect(inv.status.state).toBe('overdue');
    expect((await getInvoice(t.ctx, TEAM, '1002')).totalMinor).toBe(150000n);
    expect((await getInvoice(t.ctx, TEAM, '1003')).totalMinor).toBe(12345n);
    expect((await getInvoice(t.ctx, TEAM, '1004')).status.state).toBe('paid');
    await expect(getInvoice(t.ctx, TEAM, '1005')).rejects.toThrow(/no invoice 1005/);
    await expect(getInvoice(t.ctx, TEAM, '1006')).rejects.toThrow(/no invoice 1006/);
    const [payment] = await t.ctx.db.select().from(payments).where(eq(payments.invoiceId, inv.id));
    expect(payment).toMatchObject({ receivedOn: '2026-11-10', reference: 'from QuickBooks: BACS 42' });
    const connection = await books.connection(TEAM, 'quickbooks');
    expect([connection?.syncDone, connection?.syncTotal]).toEqual([9, 9]);

    const before = await eventCount(t);
    later(t, 60_000);
    const again = await books.syncNow(TEAM, 'quickbooks');
    expect(again).toMatchObject({ created: 0, updated: 0, payments: 0, voided: 0, changedInvoices: [] });
    expect(await eventCount(t)).toBe(before);
    // The second run asked CDC for what changed since five minutes before the first began.
    expect(qbo.calls(`/v3/company/${qbo.company.realmId}/cdc`).map((c) => c.query.changedSince)).toEqual([
      '2026-11-23T14:55:00+00:00',
      '2026-11-23T14:55:00+00:00',
      '2026-11-23T14:55:00+00:00',
    ]);
  });

  it('turns an invoice Paid when CDC brings a payment, as a payment by the ledger, one payment paying two', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const a = qbo.addInvoice({ DocNumber: '2001', CustomerId: acme, TotalAmt: '500.00', DueDate: '2026-12-01' });
    const b = qbo.addInvoice({ DocNumber: '2002', CustomerId: acme, TotalAmt: '300.00', DueDate: '2026-12-01' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');

    later(t, 60 * 60_000);
    qbo.pay({
      invoices: [
        { id: a, amount: '500.00' },
        { id: b, amount: '120.00' },
      ],
      date: '2026-11-23',
      reference: 'Wire 7',
    });
    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ created: 0, updated: 0, payments: 2 });
    const paid = await getInvoice(t.ctx, TEAM, '2001');
    expect(paid.status.state).toBe('paid');
    expect((await getInvoice(t.ctx, TEAM, '2002')).paidMinor).toBe(12000n);
    const [event] = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.invoiceId, paid.id), eq(events.kind, 'paid')));
    expect(event).toMatchObject({ actorType: 'system', actorId: 'quickbooks' });
    const [payment] = await t.ctx.db.select().from(payments).where(eq(payments.invoiceId, paid.id));
    expect(payment).toMatchObject({
      amountMinor: 50000n,
      reference: 'from QuickBooks: Wire 7',
      recordedBy: 'quickbooks',
    });

    later(t, 60_000);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ payments: 0, changedInvoices: [] });
  });

  it('follows an edit made in QuickBooks: a new total and due date, as one edit by the ledger', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const id = qbo.addInvoice({ DocNumber: '5001', CustomerId: acme, TotalAmt: '60.00', DueDate: '2026-12-01' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');

    later(t, 60 * 60_000);
    qbo.editInvoice(id, { TotalAmt: '65.50', DueDate: '2026-12-15' });
    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ updated: 1, created: 0, payments: 0 });
    const inv = await getInvoice(t.ctx, TEAM, '5001');
    expect([inv.totalMinor, inv.dueDate]).toEqual([6550n, '2026-12-15']);
    const [edit] = await t.ctx.db
      .select()
      .from(events)
      .where(and(eq(events.invoiceId, inv.id), eq(events.kind, 'edited')));
    expect(edit).toMatchObject({ actorType: 'system', actorId: 'quickbooks' });
  });

  it('voids ours when an invoice is voided or deleted in QuickBooks', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const voided = qbo.addInvoice({ DocNumber: '3001', CustomerId: acme, TotalAmt: '80.00', DueDate: '2026-12-01' });
    const deleted = qbo.addInvoice({ DocNumber: '3002', CustomerId: acme, TotalAmt: '60.00', DueDate: '2026-12-01' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');

    later(t, 60 * 60_000);
    qbo.voidInvoice(voided);
    qbo.deleteInvoice(deleted);
    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ voided: 2, updated: 0, problems: [] });
    const v = await getInvoice(t.ctx, TEAM, '3001');
    expect(v.voidReason).toBe('Voided in QuickBooks');
    // The void keeps the invoice's own figures: QuickBooks' zeroed total is not copied.
    expect(v.totalMinor).toBe(8000n);
    expect((await getInvoice(t.ctx, TEAM, '3002')).voidReason).toBe('Deleted in QuickBooks');
  });

  it('matches an invoice typed in here by number and currency instead of duplicating it', async () => {
    const t = get();
    const { createClient } = await import('../../src/services/clients.js');
    const { result: client } = await createClient(t.ctx, TEAM, asAdmin(ALICE, TEAM), { name: 'Acme Corp' });
    const typed = await ledgerInvoice(t.ctx, TEAM, client.id, { number: 'INV-0020', total: '300.00' });
    const acme = qbo.addCustomer({ name: 'ACME corp' });
    qbo.addInvoice({
      DocNumber: 'inv-0020',
      CustomerId: acme,
      TotalAmt: '300.00',
      TxnDate: '2026-09-01',
      DueDate: '2026-10-01',
    });
    await connect(books);

    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ created: 0, clients: 0, problems: [] });
    const matched = await getInvoice(t.ctx, TEAM, 'INV-0020');
    expect(matched.id).toBe(typed.id);
    expect(matched.clientId).toBe(client.id);
  });

  it('refuses a new total or a payment typed in Slack on an invoice from QuickBooks, saying to change it there', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    qbo.addInvoice({ DocNumber: '4001', CustomerId: acme, TotalAmt: '250.00', DueDate: '2026-12-01' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');
    const inv = await getInvoice(t.ctx, TEAM, '4001');

    const edit = await editInvoice(t.ctx, TEAM, asAdmin(ALICE, TEAM), {
      invoice: inv.id,
      expectedVersion: inv.version,
      changes: { total: 30000n },
    }).catch((e: unknown) => e);
    expect(isLedgerError(edit, 'LEDGER_OWNED')).toBe(true);
    expect((edit as Error).message).toBe(
      '4001 comes from QuickBooks: change its total in QuickBooks; the change reaches here at the next sync.',
    );
    const pay = await recordPayment(t.ctx, TEAM, asAdmin(ALICE, TEAM), {
      invoice: inv.id,
      amount: 1000n,
      receivedOn: '2026-11-23',
    }).catch((e: unknown) => e);
    expect((pay as Error).message).toMatch(/^4001 comes from QuickBooks: .* in QuickBooks;/);
  });
});
