// The pull sync from QuickBooks Online against the contract fake, through the services, on each database: the
// company from the callback, the first sync, a re-sync that writes nothing, changes through CDC (a payment, a void,
// a deletion), matching an invoice typed here, the ledger's ownership named right, and one ledger at a time.
import { randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Books, createBooks } from '../../src/books/index.js';
import { creditNotes, events, payments } from '../../src/db/schema.js';
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

  it('takes a credit memo applied in QuickBooks as a credit note, on the first sync and through CDC, once', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const a = qbo.addInvoice({ DocNumber: '6001', CustomerId: acme, TotalAmt: '500.00', DueDate: '2026-11-10' });
    const b = qbo.addInvoice({ DocNumber: '6002', CustomerId: acme, TotalAmt: '200.00', DueDate: '2026-12-10' });
    const memo = qbo.addCreditMemo({ DocNumber: 'CM-1', CustomerId: acme, TotalAmt: '300.00', TxnDate: '2026-11-12' });
    const applied = qbo.applyCredit({ memo, invoices: [{ id: a, amount: '120.00' }], date: '2026-11-12' });
    qbo.pay({ invoices: [{ id: a, amount: '100.00' }], date: '2026-11-14', reference: 'ACH 5' });
    await connect(books);

    const first = await books.syncNow(TEAM, 'quickbooks');

    expect(first).toMatchObject({ created: 2, payments: 1, credits: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, '6001');
    // 500 less 100 paid and 120 credited: 280 due, still overdue; the credit is not counted as money.
    expect([inv.paidMinor, inv.creditedMinor, inv.status.state]).toEqual([10_000n, 12_000n, 'overdue']);
    const [note] = await t.ctx.db.select().from(creditNotes).where(eq(creditNotes.invoiceId, inv.id));
    expect(note).toMatchObject({
      number: 'CM-1',
      amountMinor: 12_000n,
      issuedOn: '2026-11-12',
      reason: 'Credit note CM-1 in QuickBooks',
      issuedBy: 'quickbooks',
    });

    // The rest of the memo goes on both invoices through one $0 payment: each is a part of CM-1 of its own.
    later(t, 60 * 60_000);
    qbo.applyCredit({
      memo,
      invoices: [
        { id: a, amount: '80.00' },
        { id: b, amount: '100.00' },
      ],
      date: '2026-11-23',
    });
    const changes = await books.syncNow(TEAM, 'quickbooks');

    expect(changes).toMatchObject({ credits: 2, payments: 0, problems: [] });
    const after = await getInvoice(t.ctx, TEAM, '6001');
    expect([after.paidMinor, after.creditedMinor]).toEqual([10_000n, 20_000n]);
    expect((await getInvoice(t.ctx, TEAM, '6002')).creditedMinor).toBe(10_000n);
    const numbers = await t.ctx.db
      .select({ number: creditNotes.number, amount: creditNotes.amountMinor })
      .from(creditNotes);
    expect(numbers.map((n) => [n.number, n.amount]).sort()).toEqual([
      ['CM-1', 12_000n],
      ['CM-1/2', 8_000n],
      ['CM-1/3', 10_000n],
    ]);

    const before = await eventCount(t);
    later(t, 60_000);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ credits: 0, payments: 0, changedInvoices: [] });
    expect(await eventCount(t)).toBe(before);

    // Unapplied in QuickBooks afterwards (its $0 payment deleted): withdrawn here (quickbooks-credit-removal.test.ts).
    later(t, 60_000);
    qbo.deletePayment(applied);
    const unapplied = await books.syncNow(TEAM, 'quickbooks');
    expect(unapplied).toMatchObject({ credits: 0, reversed: 0, withdrawn: 1, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '6001')).creditedMinor).toBe(8_000n);
  });

  it('reverses our payment when it is deleted or voided in QuickBooks, and voids an invoice deleted after its payment', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const a = qbo.addInvoice({ DocNumber: '7001', CustomerId: acme, TotalAmt: '90.00', DueDate: '2026-11-01' });
    const b = qbo.addInvoice({ DocNumber: '7002', CustomerId: acme, TotalAmt: '60.00', DueDate: '2026-12-01' });
    const both = qbo.pay({
      invoices: [
        { id: a, amount: '90.00' },
        { id: b, amount: '20.00' },
      ],
      date: '2026-11-20',
    });
    const more = qbo.pay({ invoices: [{ id: b, amount: '40.00' }], date: '2026-11-21' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');
    expect((await getInvoice(t.ctx, TEAM, '7001')).status.state).toBe('paid');
    expect((await getInvoice(t.ctx, TEAM, '7002')).status.state).toBe('paid');

    later(t, 60 * 60_000);
    qbo.deletePayment(both);
    qbo.voidPayment(more);
    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ reversed: 3, payments: 0, problems: [] });
    const overdue = await getInvoice(t.ctx, TEAM, '7001');
    expect([overdue.paidMinor, overdue.status.state]).toEqual([0n, 'overdue']);
    expect((await getInvoice(t.ctx, TEAM, '7002')).paidMinor).toBe(0n);
    const reasons = await t.ctx.db
      .select({ amount: payments.amountMinor, reason: payments.reversalReason, by: payments.reversedBy })
      .from(payments);
    expect(reasons.map((r) => [r.amount, r.reason, r.by]).sort()).toEqual([
      [2000n, 'Deleted in QuickBooks', 'quickbooks'],
      [4000n, 'Voided in QuickBooks', 'quickbooks'],
      [9000n, 'Deleted in QuickBooks', 'quickbooks'],
    ]);

    // Once its payment is gone QuickBooks lets the invoice be deleted: ours is voided.
    later(t, 60 * 60_000);
    qbo.deleteInvoice(a);
    expect(await books.syncNow(TEAM, 'quickbooks')).toMatchObject({ voided: 1, reversed: 0, problems: [] });
    expect((await getInvoice(t.ctx, TEAM, '7001')).voidReason).toBe('Deleted in QuickBooks');
  });

  it('voids an invoice deleted in QuickBooks in the same sync as its payment, reversing the payment first', async () => {
    const t = get();
    const acme = qbo.addCustomer({ name: 'Acme Corp' });
    const a = qbo.addInvoice({ DocNumber: '7101', CustomerId: acme, TotalAmt: '90.00', DueDate: '2026-12-01' });
    const paid = qbo.pay({ invoices: [{ id: a, amount: '30.00' }], date: '2026-11-20' });
    await connect(books);
    await books.syncNow(TEAM, 'quickbooks');

    later(t, 60 * 60_000);
    qbo.deletePayment(paid);
    qbo.deleteInvoice(a);
    const outcome = await books.syncNow(TEAM, 'quickbooks');

    expect(outcome).toMatchObject({ voided: 1, reversed: 1, problems: [] });
    const inv = await getInvoice(t.ctx, TEAM, '7101');
    expect([inv.voidReason, inv.paidMinor]).toEqual(['Deleted in QuickBooks', 0n]);
    const [payment] = await t.ctx.db.select().from(payments).where(eq(payments.invoiceId, inv.id));
    expect(payment?.reversalReason).toBe('Deleted in QuickBooks with the invoice');
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
