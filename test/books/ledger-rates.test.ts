// Issue 12 ("One total across currencies"): the connected ledger's exchange rates. Xero's, read at each sync against the
// contract fake on each database — the most recent invoice's CurrencyRate per currency, inverted and kept exact,
// dated its invoice date; the base currency from GET /Organisation (only a consent with accounting.settings.read);
// a manual rate of the same date stays, a newer ledger rate replaces it, each change a rate_set event by system/xero.
// QuickBooks': its ExchangeRate (home-currency units per foreign unit, with AsOfDate) for each foreign currency the
// book holds, when the reporting currency is the home currency (Preferences.CurrencyPrefs.HomeCurrency).
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { getNumbersData, getReporting } from '../../src/db/queries/numbers.js';
import { events, exchangeRates } from '../../src/db/schema.js';
import { computeNumbers } from '../../src/domain/numbers.js';
import { setRate, setReportingCurrency } from '../../src/services/rates.js';
import { ensureWorkspace, getWorkspace } from '../../src/services/workspaces.js';
import { convertedNote } from '../../src/slack/ui/numbers.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from '../helpers/fake-quickbooks.js';
import { type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin } from '../helpers/ledger.js';
import { connectQuickBooks, quickbooksBooks } from '../helpers/quickbooks-books.js';
import { connectXero, xeroBooks } from '../helpers/xero-books.js';

const NOW = '2026-12-03T15:00:00Z';
const TEAM = 'T0ACME';
const ADMIN = asAdmin(ALICE, TEAM);

let xero: FakeXero;
let qbo: FakeQuickBooks;
beforeAll(async () => {
  xero = await startFakeXero({ baseCurrency: 'USD' });
  qbo = await startFakeQuickBooks();
});
afterAll(async () => {
  await xero.close();
  await qbo.close();
});

const booksFor = (t: TestLedger): Books => xeroBooks(t, xero);
const connect = (books: Books, withPayments: boolean) => connectXero(books, xero, TEAM, { withPayments });

async function rates(t: TestLedger) {
  return t.ctx.db
    .select({
      currency: exchangeRates.currency,
      rate: exchangeRates.rate,
      rateDate: exchangeRates.rateDate,
      source: exchangeRates.source,
      setBy: exchangeRates.setBy,
    })
    .from(exchangeRates)
    .where(eq(exchangeRates.teamId, TEAM))
    .orderBy(asc(exchangeRates.currency));
}

async function rateEvents(t: TestLedger) {
  return t.ctx.db
    .select({ actorType: events.actorType, actorId: events.actorId, details: events.details })
    .from(events)
    .where(and(eq(events.teamId, TEAM), eq(events.kind, 'rate_set')))
    .orderBy(asc(events.id));
}

describeEachDatabase('exchange rates from the connected Xero', NOW, (get) => {
  let books: Books;
  let acme: string;

  beforeEach(async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    acme = xero.addContact({ name: 'Acme GmbH', email: 'ap@acme.test' });
    xero.addInvoice({ InvoiceNumber: 'INV-1', ContactID: acme, Total: '500.00', Date: '2026-11-20' });
    // Two EUR invoices: the later one's rate is taken. 0.92 EUR for one USD is 1/0.92 USD for one EUR.
    xero.addInvoice({
      InvoiceNumber: 'INV-2',
      ContactID: acme,
      Total: '1000.00',
      CurrencyCode: 'EUR',
      CurrencyRate: '0.950000',
      Date: '2026-11-10',
    });
    xero.addInvoice({
      InvoiceNumber: 'INV-3',
      ContactID: acme,
      Total: '920.00',
      CurrencyCode: 'EUR',
      CurrencyRate: '0.920000',
      Date: '2026-12-01',
      DueDate: '2026-12-20',
    });
    await setReportingCurrency(t.ctx, TEAM, ADMIN, { currency: 'USD' });
  });

  it('takes the most recent invoice’s rate per currency, inverted exactly, dated its invoice date, by system/xero', async () => {
    const t = get();
    await connect(books, true);
    const outcome = await books.syncNow(TEAM, 'xero');
    expect(outcome?.problems).toEqual([]);
    expect(await rates(t)).toEqual([
      { currency: 'EUR', rate: '1/0.92', rateDate: '2026-12-01', source: 'xero', setBy: 'xero' },
    ]);
    expect(await rateEvents(t)).toEqual([
      {
        actorType: 'system',
        actorId: 'xero',
        details: {
          currency: 'EUR',
          into: 'USD',
          rate: '1/0.92',
          rateDate: '2026-12-01',
          source: 'xero',
          previous: null,
        },
      },
    ]);
    // €1,920 due (1000 + 920) at 1/0.92 is $2,086.956… → $2,086.96, plus $500: "at Xero's rates of 2026-12-01".
    const workspace = await getWorkspace(t.ctx, TEAM);
    const numbers = computeNumbers(await getNumbersData(t.ctx.db, { workspace, today: '2026-12-03' }));
    expect(numbers.dso.converted?.receivables.minor).toBe(258696n);
    expect(String(convertedNote(numbers.dso.converted?.receivables))).toBe(
      " (≈ $2,586.96 at Xero's rates of 2026-12-01)",
    );
    // A second sync with nothing new writes nothing.
    await books.syncNow(TEAM, 'xero');
    expect(await rateEvents(t)).toHaveLength(1);
  });

  it('keeps a manual rate of the same date, and a newer Xero rate replaces it with an event naming both', async () => {
    const t = get();
    await setRate(t.ctx, TEAM, ADMIN, { currency: 'EUR', rate: '1.1', rateDate: '2026-12-01' });
    await connect(books, true);
    await books.syncNow(TEAM, 'xero');
    expect(await rates(t)).toEqual([
      { currency: 'EUR', rate: '1.1', rateDate: '2026-12-01', source: 'manual', setBy: ALICE.id },
    ]);
    xero.addInvoice({
      InvoiceNumber: 'INV-4',
      ContactID: acme,
      Total: '90.00',
      CurrencyCode: 'EUR',
      CurrencyRate: '0.9',
      Date: '2026-12-02',
    });
    t.ctx.clock.advance(60 * 60_000);
    await books.syncNow(TEAM, 'xero');
    expect(await rates(t)).toEqual([
      { currency: 'EUR', rate: '1/0.9', rateDate: '2026-12-02', source: 'xero', setBy: 'xero' },
    ]);
    const last = (await rateEvents(t)).at(-1);
    expect(last?.details).toEqual({
      currency: 'EUR',
      into: 'USD',
      rate: '1/0.9',
      rateDate: '2026-12-02',
      source: 'xero',
      previous: { into: 'USD', rate: '1.1', rateDate: '2026-12-01', source: 'manual' },
    });
    const reporting = await getReporting(t.ctx.db, await getWorkspace(t.ctx, TEAM));
    expect(reporting?.rates).toEqual([{ currency: 'EUR', rate: '1/0.9', rateDate: '2026-12-02', source: 'xero' }]);
  });

  it('reads no rates from a read-only connection (no accounting.settings.read) or into another reporting currency', async () => {
    const t = get();
    await connect(books, false);
    expect((await books.syncNow(TEAM, 'xero'))?.problems).toEqual([]);
    expect(await rates(t)).toEqual([]);
    await connect(books, true);
    await setReportingCurrency(t.ctx, TEAM, ADMIN, { currency: 'GBP' });
    await books.syncNow(TEAM, 'xero');
    expect(await rates(t)).toEqual([]);
    expect(xero.calls('/api.xro/2.0/Organisation').length).toBeGreaterThan(0);
  });
});

describeEachDatabase('exchange rates from the connected QuickBooks', NOW, (get) => {
  let books: Books;

  beforeEach(async () => {
    const t = get();
    qbo.reset();
    qbo.setNow(NOW);
    books = quickbooksBooks(t, qbo);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    const acme = qbo.addCustomer({ name: 'Acme GmbH' });
    qbo.addInvoice({ DocNumber: '1001', CustomerId: acme, TotalAmt: '300.00', TxnDate: '2026-11-20' });
    qbo.addInvoice({
      DocNumber: '1002',
      CustomerId: acme,
      TotalAmt: '1000.00',
      Currency: 'EUR',
      TxnDate: '2026-11-25',
    });
    qbo.addInvoice({ DocNumber: '1003', CustomerId: acme, TotalAmt: '50000', Currency: 'JPY', TxnDate: '2026-11-25' });
    qbo.setExchangeRate({ currency: 'EUR', rate: '1.05', asOfDate: '2026-11-30' });
    qbo.setExchangeRate({ currency: 'EUR', rate: '1.0842', asOfDate: '2026-12-02' });
  });

  it('reads each foreign currency’s ExchangeRate as of today, dated its AsOfDate, and leaves out one it has none for', async () => {
    const t = get();
    await setReportingCurrency(t.ctx, TEAM, ADMIN, { currency: 'USD' });
    await connectQuickBooks(books, qbo, TEAM);
    expect((await books.syncNow(TEAM, 'quickbooks'))?.problems).toEqual([]);
    expect(await rates(t)).toEqual([
      { currency: 'EUR', rate: '1.0842', rateDate: '2026-12-02', source: 'quickbooks', setBy: 'quickbooks' },
    ]);
    const asked = qbo.calls().filter((c) => c.path.endsWith('/exchangerate'));
    expect(asked.map((c) => [c.query.sourcecurrencycode, c.query.asofdate])).toEqual([
      ['EUR', '2026-12-03'],
      ['JPY', '2026-12-03'],
    ]);
    // €1,000 at 1.0842 = $1,084.20, plus $300; ¥50,000 has no rate and is named.
    const workspace = await getWorkspace(t.ctx, TEAM);
    const numbers = computeNumbers(await getNumbersData(t.ctx.db, { workspace, today: '2026-12-03' }));
    expect(String(convertedNote(numbers.dso.converted?.receivables))).toBe(
      " (≈ $1,384.20 at QuickBooks' rates of 2026-12-02; no rate for JPY)",
    );
    expect((await rateEvents(t)).map((e) => [e.actorType, e.actorId])).toEqual([['system', 'quickbooks']]);
  });

  it('reads nothing while the reporting currency is not the home currency, nor before one is named', async () => {
    const t = get();
    await connectQuickBooks(books, qbo, TEAM);
    await books.syncNow(TEAM, 'quickbooks');
    expect(qbo.calls().filter((c) => c.path.endsWith('/preferences'))).toEqual([]);
    await setReportingCurrency(t.ctx, TEAM, ADMIN, { currency: 'EUR' });
    t.ctx.clock.advance(60 * 60_000);
    qbo.setNow(t.ctx.clock.now());
    await books.syncNow(TEAM, 'quickbooks');
    expect(await rates(t)).toEqual([]);
    expect(qbo.calls().filter((c) => c.path.endsWith('/exchangerate'))).toEqual([]);
  });
});
