// The set-based first sync, against the contract fake of Xero, on each database: a ledger of new invoices, clients
// and payments taken in set-based gives exactly the rows and events that taking each in through the services does
// (the same book, the same history, by the ledger), alongside an invoice and a client typed in here, matched by
// number and by name instead of duplicated; and a re-sync changes nothing.
import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { clients, events, invoices, ledgerLinks, payments } from '../../src/db/schema.js';
import { createClient } from '../../src/services/clients.js';
import { createInvoice } from '../../src/services/invoices.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, emptyDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin } from '../helpers/ledger.js';
import { connectXero, xeroBooks } from '../helpers/xero-books.js';
import { seedLedger } from '../helpers/xero-ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0BULK';

let xero: FakeXero;
beforeAll(async () => {
  xero = await startFakeXero();
});
afterAll(async () => {
  await xero.close();
});

/** The workspace as people had it before connecting: a client and an invoice typed in, both in the ledger too. */
async function typedIn(t: TestLedger) {
  await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
  const admin = asAdmin(ALICE, TEAM);
  const { result: client } = await createClient(t.ctx, TEAM, admin, { name: 'Customer 00003 Ltd' });
  await createInvoice(t.ctx, TEAM, admin, {
    number: 'INV-00007',
    clientId: client.id,
    currency: 'USD',
    total: '107.07',
    issueDate: '2026-10-01',
    terms: { kind: 'fixed', dueDate: '2026-10-31' },
    status: 'sent',
  });
}

/** The book with its history, ids replaced by what they name, so two runs compare. */
async function book(t: TestLedger) {
  const db = t.ctx.db;
  const clientRows = await db.select().from(clients).where(eq(clients.teamId, TEAM)).orderBy(asc(clients.name));
  const clientName = new Map(clientRows.map((c) => [c.id, c.name]));
  const invoiceRows = await db.select().from(invoices).where(eq(invoices.teamId, TEAM)).orderBy(asc(invoices.number));
  const number = new Map(invoiceRows.map((i) => [i.id, i.number]));
  const paymentRows = await db
    .select()
    .from(payments)
    .where(eq(payments.teamId, TEAM))
    .orderBy(asc(payments.receivedOn), asc(payments.amountMinor));
  const paymentName = new Map(
    paymentRows.map((p) => [p.id, `${number.get(p.invoiceId)} ${p.receivedOn} ${p.amountMinor}`]),
  );
  const eventRows = await db.select().from(events).where(eq(events.teamId, TEAM)).orderBy(asc(events.id));
  const links = await db
    .select({ kind: ledgerLinks.kind, n: count() })
    .from(ledgerLinks)
    .where(eq(ledgerLinks.teamId, TEAM))
    .groupBy(ledgerLinks.kind)
    .orderBy(asc(ledgerLinks.kind));
  const named = (details: unknown) =>
    JSON.parse(
      JSON.stringify(details, (_key, value) =>
        typeof value === 'string' ? (paymentName.get(value) ?? clientName.get(value) ?? value) : value,
      ),
    );
  return {
    clients: clientRows.map(({ id: _id, createdAt: _at, ...rest }) => rest),
    invoices: invoiceRows.map(({ id: _id, clientId, createdAt: _c, sentAt, lastActionAt: _l, ...rest }) => ({
      ...rest,
      client: clientName.get(clientId),
      sent: sentAt !== null,
    })),
    // Two payments on one day of one amount are told apart by their invoice's number.
    payments: paymentRows
      .map(({ id: _id, invoiceId, createdAt: _c, ...rest }) => ({ ...rest, invoice: number.get(invoiceId) ?? '' }))
      .sort(
        (a, b) =>
          a.receivedOn.localeCompare(b.receivedOn) ||
          Number(a.amountMinor - b.amountMinor) ||
          a.invoice.localeCompare(b.invoice),
      ),
    // Each invoice's and client's history, in the order it was written.
    history: [
      ...new Set(eventRows.map((e) => (e.invoiceId ? number.get(e.invoiceId) : clientName.get(e.clientId ?? '')))),
    ]
      .sort()
      .map((subject) =>
        eventRows
          .filter((e) => (e.invoiceId ? number.get(e.invoiceId) : clientName.get(e.clientId ?? '')) === subject)
          .map((e) => ({
            subject,
            kind: e.kind,
            actor: `${e.actorType}:${e.actorId}`,
            visibility: e.visibility,
            details: named(e.details),
          })),
      ),
    links,
  };
}

describeEachDatabase('the set-based first sync', NOW, (get) => {
  async function syncOnce(bulkFrom: number | undefined): Promise<{ books: Books; outcome: unknown }> {
    const t = get();
    await emptyDatabase(t.handle);
    t.ctx.clock.set(NOW);
    xero.setNow(NOW);
    await typedIn(t);
    const books = xeroBooks(t, xero, bulkFrom === undefined ? {} : { bulkFrom });
    await connectXero(books, xero, TEAM);
    return { books, outcome: await books.syncNow(TEAM, 'xero') };
  }

  it('writes the same book and history as one by one through the services, matching what was typed in', {
    timeout: 300_000,
  }, async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    const seeded = seedLedger(xero, { invoices: 160, today: '2026-11-23' });

    const one = await syncOnce(Number.POSITIVE_INFINITY);
    const expected = await book(t);
    const bulk = await syncOnce(undefined);
    const got = await book(t);

    // One invoice matched by number (not created), one client by name.
    expect(bulk.outcome).toMatchObject({ created: 159, clients: seeded.contacts - 1, problems: [], finished: true });
    const counts = (o: unknown) => {
      const { changedInvoices, ...rest } = o as { changedInvoices: string[] };
      return { ...rest, changed: changedInvoices.length };
    };
    expect(counts(bulk.outcome)).toEqual(counts(one.outcome));
    expect(got.invoices).toHaveLength(160);
    expect(got.clients).toHaveLength(seeded.contacts);
    expect(got.payments.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
    // Everything the ledger brought is by the ledger.
    const byPeople = got.history.flat().filter((e) => e.actor !== 'system:xero');
    expect(byPeople.map((e) => [e.actor, e.kind]).sort()).toEqual([
      ['user:U0ALICE', 'client_created'],
      ['user:U0ALICE', 'created'],
      ['user:U0ALICE', 'ledger_connected'],
      ['user:U0ALICE', 'sent'],
    ]);

    const [before] = await t.ctx.db.select({ n: count() }).from(events).where(eq(events.teamId, TEAM));
    t.ctx.clock.advance(60 * 60_000);
    xero.setNow(t.ctx.clock.now());
    expect(await bulk.books.syncNow(TEAM, 'xero')).toMatchObject({ created: 0, payments: 0, changedInvoices: [] });
    const [after] = await t.ctx.db
      .select({ n: count() })
      .from(events)
      .where(and(eq(events.teamId, TEAM)));
    expect(after?.n).toBe(before?.n);
  });

  it('takes in an advance allocated twice to one invoice as two payments, the same as one by one', {
    timeout: 300_000,
  }, async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    seedLedger(xero, { invoices: 20, today: '2026-11-23' });
    const contactId = xero.addContact({ name: 'Twice Ltd' });
    const invoiceId = xero.addInvoice({
      InvoiceNumber: 'ADV-1',
      ContactID: contactId,
      Total: '500.00',
      Date: '2026-10-01',
      DueDate: '2026-10-31',
    });
    const advance = xero.receiveAdvance({ kind: 'prepayment', contactId, total: '400.00', date: '2026-09-20' });
    xero.allocateAdvance(advance, { invoiceId, amount: '100.00', date: '2026-10-05' });
    xero.allocateAdvance(advance, { invoiceId, amount: '150.00', date: '2026-10-06' });

    await syncOnce(Number.POSITIVE_INFINITY);
    const expected = await book(t);
    const bulk = await syncOnce(undefined);
    const got = await book(t);

    expect(bulk.outcome).toMatchObject({ problems: [], finished: true });
    expect(got).toEqual(expected);
    const [adv] = await t.ctx.db
      .select({ paid: invoices.paidMinor })
      .from(invoices)
      .where(and(eq(invoices.teamId, TEAM), eq(invoices.number, 'ADV-1')));
    expect(adv?.paid).toBe(25_000n);
  });
});
