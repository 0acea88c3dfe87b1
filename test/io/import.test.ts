import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { importInvoices } from '../../src/services/import.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { operatorPrincipal, type Principal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { asAdmin } from '../helpers/ledger.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const XERO = fixture('xero-sales-invoices.csv');
const IMPORT: Principal = operatorPrincipal('import');
const TEAM = 'T0STUDIO';

// Monday 23 November 2026, 15:00 UTC: Tuesday 24 November, 04:00 in Wellington.
describeEachDatabase('importing invoice CSV files', '2026-11-23T15:00:00Z', (get) => {
  async function studio(timeZone = 'Pacific/Auckland') {
    return ensureWorkspace(get().ctx, { teamId: TEAM, name: 'Harbourside Studio', timeZone });
  }

  function run(csv: string, options: Parameters<typeof importInvoices>[4] = {}) {
    return importInvoices(get().ctx, TEAM, IMPORT, csv, options);
  }

  /** How many rows each table holds: the proof that nothing was written. */
  async function counts() {
    const [row] = await get().handle.raw(
      `select (select count(*) from invoices)::int as invoices, (select count(*) from clients)::int as clients,
        (select count(*) from payments)::int as payments, (select count(*) from events)::int as events`,
      [],
    );
    return row;
  }
  const EMPTY = { invoices: 0, clients: 0, payments: 0, events: 0 };

  describe('a dry run', () => {
    it('reports every bad row of a Xero file with its line and reason, and writes nothing', async () => {
      await studio();
      const report = await run(fixture('xero-sales-invoices-with-errors.csv'), { dryRun: true });
      expect(report).toMatchObject({ format: 'xero', dryRun: true, written: false, rows: 8, created: 1 });
      expect(report.errors.map((e) => [e.line, e.number, e.field])).toEqual([
        [2, 'INV-0201', 'Total'],
        [3, 'INV-0202', 'InvoiceDate'],
        [4, 'INV-0203', 'Currency'],
        [5, 'INV-0204', 'DueDate'],
        [6, 'INV-0205', 'ContactName'],
        [8, 'INV-0206', 'InvoiceDate'],
      ]);
      expect(await counts()).toEqual(EMPTY);
    });

    it('says what a clean file would do without doing it', async () => {
      await studio();
      const report = await run(XERO, { dryRun: true });
      expect(report).toMatchObject({
        written: false,
        errors: [],
        invoices: 5,
        created: 5,
        updated: 0,
        payments: 2,
        voided: 1,
        clientsCreated: 3,
      });
      expect(await counts()).toEqual(EMPTY);
    });

    it('also reports what the services would refuse, such as a total below what is already paid', async () => {
      await studio();
      await run(XERO);
      const before = await counts();
      const lowered = XERO.replaceAll('5370.50', '4000.00');
      const report = await run(lowered, { dryRun: true });
      expect(report.errors).toEqual([
        {
          line: 2,
          number: 'INV-0101',
          field: 'Total',
          message: 'cannot be less than what has been paid already (NZ$5,370.50)',
        },
      ]);
      expect(await counts()).toEqual(before);
    });
  });

  describe('a real run', () => {
    it('writes nothing at all when one row of the file is bad', async () => {
      await studio();
      const oneBad = XERO.replace(',AUD,', ',AUX,');
      const report = await run(oneBad);
      expect(report.written).toBe(false);
      expect(report.errors).toEqual([
        {
          line: 8,
          number: 'INV-0104',
          field: 'Currency',
          message: '"AUX" is not an ISO 4217 currency code (USD, EUR, GBP…)',
        },
      ]);
      expect(await counts()).toEqual(EMPTY);
    });

    it('creates the invoices, clients and payments of a Xero export, each change an event by the importer', async () => {
      await studio();
      const { ctx } = get();
      const report = await run(XERO);
      expect(report).toMatchObject({
        written: true,
        errors: [],
        created: 5,
        updated: 0,
        unchanged: 0,
        payments: 2,
        voided: 1,
        clientsCreated: 3,
      });

      const paid = await getInvoice(ctx, TEAM, 'INV-0101');
      expect(paid).toMatchObject({
        clientName: 'Kowhai Design Ltd',
        currency: 'NZD',
        totalMinor: 537_050n,
        paidMinor: 537_050n,
        issueDate: '2026-09-14',
        dueDate: '2026-10-20',
        description: 'PO 7781',
        // The export has no paid date: paid on its due date, not on the day of the import.
        paidOn: '2026-10-20',
      });
      expect(paid.status.state).toBe('paid');
      const partlyPaid = await getInvoice(ctx, TEAM, 'INV-0102');
      expect(partlyPaid.paidMinor).toBe(50_000n);
      expect(partlyPaid.status).toMatchObject({ state: 'overdue', daysOverdue: 4, amountDueMinor: 157_000n });
      const voided = await getInvoice(ctx, TEAM, 'INV-0103');
      expect(voided.clientName).toBe('Kowhai Design Ltd');
      expect(voided.voidReason).toBe('Voided in the Xero sales invoice export');
      expect(await getInvoice(ctx, TEAM, 'INV-0104')).toMatchObject({ currency: 'AUD', totalMinor: 440_000n });
      expect((await getInvoice(ctx, TEAM, 'INV-0105')).status.state).toBe('draft');

      const clients = await get().handle.raw('select name, contact_email from clients order by name', []);
      expect(clients).toEqual([
        { name: 'Harbour Analytics Pty Ltd', contact_email: 'finance@harbour.example' },
        { name: 'Kowhai Design Ltd', contact_email: 'ap@kowhai.example' },
        { name: 'Tui Brewing Co', contact_email: 'accounts@tui.example' },
      ]);
      const payments = await get().handle.raw(
        'select amount_minor::text as amount, received_on::text as received_on, reference, recorded_by from payments order by amount_minor',
        [],
      );
      expect(payments).toEqual([
        { amount: '50000', received_on: '2026-11-20', reference: 'import', recorded_by: 'import' },
        { amount: '537050', received_on: '2026-10-20', reference: 'import', recorded_by: 'import' },
      ]);
      const actors = await get().handle.raw('select distinct actor_type, actor_id from events', []);
      expect(actors).toEqual([{ actor_type: 'system', actor_id: 'import' }]);
    });

    it('creates QuickBooks invoices in the currency it is told, leaving out the credit memo and a void never imported', async () => {
      await studio('America/New_York');
      const report = await run(fixture('quickbooks-invoice-list.csv'), { defaultCurrency: 'USD' });
      expect(report).toMatchObject({ written: true, errors: [], created: 4, payments: 2, clientsCreated: 4 });
      expect(report.skipped).toEqual([
        { line: 9, reason: '1004 is void in the file without an amount, and was never in the ledger' },
        { line: 11, reason: 'CM-7 is a Credit Memo, not an invoice' },
      ]);
      const globex = await getInvoice(get().ctx, TEAM, '1002');
      expect(globex).toMatchObject({ currency: 'USD', totalMinor: 400_000n, paidMinor: 250_000n });
      expect(globex.status.state).toBe('overdue');
    });

    it('reads our own format: terms from a basis date, the owner, and a payment on the day it came', async () => {
      await studio('America/New_York');
      const { ctx } = get();
      const report = await run(fixture('ledger-invoices.csv'));
      expect(report).toMatchObject({ written: true, errors: [], created: 4, payments: 2, clientsCreated: 3 });
      expect(await getInvoice(ctx, TEAM, 'INV-301')).toMatchObject({
        dueDate: '2026-10-31',
        dueBasis: 'net 60 from 2026-09-01 (delivery)',
        ownerUserId: 'U0ALICE',
        paidMinor: 500_000n,
        description: 'Phase 1: discovery, design "sprint"\nand handover',
      });
      expect(await getInvoice(ctx, TEAM, 'INV-302')).toMatchObject({ clientName: 'Acme Corp', dueDate: '2026-11-15' });
      expect(await getInvoice(ctx, TEAM, 'INV-303')).toMatchObject({ dueBasis: 'fixed due date 2026-12-31' });
      expect(await getInvoice(ctx, TEAM, 'INV-304')).toMatchObject({ paidMinor: 640_000n, paidOn: '2026-10-05' });
    });
  });

  describe('importing again', () => {
    it('creates nothing and changes nothing when the same file comes again', async () => {
      await studio();
      await run(XERO);
      const before = await counts();
      const again = await run(XERO);
      expect(again).toMatchObject({ written: true, created: 0, updated: 0, unchanged: 5, payments: 0, voided: 0 });
      expect(await counts()).toEqual(before);
    });

    it('updates an invoice whose total changed, through an edit recorded as an event', async () => {
      await studio();
      const { ctx } = get();
      await run(XERO);
      ctx.clock.advance(60 * 60 * 1000);
      const report = await run(XERO.replaceAll('4400.00', '4840.00'));
      expect(report).toMatchObject({ written: true, created: 0, updated: 1, unchanged: 4 });
      const invoice = await getInvoice(ctx, TEAM, 'INV-0104');
      expect(invoice.totalMinor).toBe(484_000n);
      const history = await getHistory(ctx.db, { teamId: TEAM, invoiceId: invoice.id });
      expect(history.at(-1)).toMatchObject({
        kind: 'imported',
        actorId: 'import',
        details: { source: 'Xero sales invoice export', line: 8 },
      });
      expect(history.at(-2)).toMatchObject({
        kind: 'edited',
        actorType: 'system',
        actorId: 'import',
        at: new Date('2026-11-23T16:00:00Z'),
        details: { changes: { totalMinor: { from: { $bigint: '440000' }, to: { $bigint: '484000' } } } },
      });
    });

    it('records the difference as a payment when the file says more has been paid', async () => {
      await studio();
      const { ctx } = get();
      await run(XERO);
      const settled = XERO.replaceAll(',500.00,1570.00,', ',2070.00,0.00,').replace(
        /(INV-0102.*),AUTHORISED/g,
        '$1,PAID',
      );
      const report = await run(settled);
      expect(report).toMatchObject({ written: true, errors: [], updated: 1, unchanged: 4, payments: 1 });
      const tui = await getInvoice(ctx, TEAM, 'INV-0102');
      expect(tui).toMatchObject({ paidMinor: 207_000n, paidOn: '2026-11-20' });
      expect(tui.status.state).toBe('paid');
      const [payment] = await get().handle.raw(
        `select amount_minor::text as amount, reference from payments p join invoices i on i.id = p.invoice_id
          where i.number = 'INV-0102' order by p.created_at desc, p.amount_minor limit 1`,
        [],
      );
      expect(payment).toEqual({ amount: '157000', reference: 'import' });
    });

    it('voids an invoice the file now says is voided, and marks sent one that is no longer a draft', async () => {
      await studio();
      const { ctx } = get();
      await run(XERO);
      const changed = XERO.replace(/(INV-0104.*),AUTHORISED/, '$1,VOIDED').replaceAll(',DRAFT', ',AUTHORISED');
      const report = await run(changed);
      expect(report).toMatchObject({ written: true, updated: 2, voided: 1, errors: [] });
      expect((await getInvoice(ctx, TEAM, 'INV-0104')).voidedAt).not.toBeNull();
      expect((await getInvoice(ctx, TEAM, 'INV-0105')).status.state).toBe('sent');
    });

    it('never takes a payment away: a file saying less was paid is an error', async () => {
      await studio();
      const { ctx } = get();
      await run(XERO);
      await recordPayment(ctx, TEAM, asAdmin({ type: 'user', id: 'U0ALICE' }, TEAM), {
        invoice: 'INV-0104',
        amount: '100.00',
      });
      const report = await run(XERO);
      expect(report.written).toBe(false);
      expect(report.errors).toEqual([
        {
          line: 8,
          number: 'INV-0104',
          field: 'InvoiceAmountPaid',
          message: 'is 0.00, less than the 100.00 already recorded; an import never removes a payment',
        },
      ]);
    });
  });
});
