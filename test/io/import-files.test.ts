// The files teams really bring, imported end to end: what is created, with which dates and states, and what
// the person is told (the CLI's report lines, which the Slack report mirrors).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/format.js';
import { reportLines } from '../../src/cli/io.js';
import { getClientStats, getHistory } from '../../src/db/queries/views.js';
import { startOfLocalDay } from '../../src/domain/dates.js';
import { importInvoices } from '../../src/services/import.js';
import { getInvoice } from '../../src/services/invoices.js';
import { operatorPrincipal, type Principal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { eventText } from '../../src/slack/ui/phrases.js';
import { describeEachDatabase } from '../helpers/db.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const IMPORT: Principal = operatorPrincipal('import');
const TEAM = 'T0STUDIO';

// Monday 23 November 2026, 15:00 UTC: Tuesday 24 November in Wellington, Monday 23 November in New York.
describeEachDatabase('importing the files teams bring', '2026-11-23T15:00:00Z', (get) => {
  async function studio(timeZone: string) {
    return ensureWorkspace(get().ctx, { teamId: TEAM, name: 'Harbourside Studio', timeZone });
  }

  function run(csv: string, options: Parameters<typeof importInvoices>[4] = {}) {
    return importInvoices(get().ctx, TEAM, IMPORT, csv, options);
  }

  async function invoiceCount() {
    const [row] = await get().handle.raw('select count(*)::int as n from invoices', []);
    return row?.n;
  }

  describe("Xero's sales invoice import template", () => {
    it('asks for the base currency once when Currency is blank, and writes nothing', async () => {
      await studio('Pacific/Auckland');
      const report = await run(fixture('xero-invoice-import-template.csv'));
      expect(report).toMatchObject({ format: 'xero-template', written: false, created: 1 });
      expect(reportLines(report, 'template.csv')).toEqual([
        'template.csv: Xero sales invoice import template, 3 lines, 2 invoices.',
        '  1 to create, 0 to update, 0 unchanged, 0 payments, 0 voided, 1 new client.',
        '  note, line 4 INV-0302: no status in the file: taken as sent, since it is due 2026-12-19 with AUD 4400.00 owed',
        '',
        '1 error — nothing was written:',
        "  line 2  Currency: is empty on line 2; when a blank currency means the organisation's base currency, say which it is (--currency NZD, or Currency in the import form)",
      ]);
      expect(await invoiceCount()).toBe(0);
    });

    it('creates each invoice sent on its invoice date, owed, with the total of its lines, in the base currency given', async () => {
      await studio('Pacific/Auckland');
      const dry = await run(fixture('xero-invoice-import-template.csv'), { defaultCurrency: 'NZD', dryRun: true });
      expect(reportLines(dry, 'template.csv')).toEqual([
        'template.csv: Xero sales invoice import template, 3 lines, 2 invoices.',
        '  2 to create, 0 to update, 0 unchanged, 0 payments, 0 voided, 2 new clients.',
        '  note, line 2 INV-0301: no status in the file: taken as sent, since it is due 2026-10-31 with NZD 4255.00 owed',
        '  note, line 4 INV-0302: no status in the file: taken as sent, since it is due 2026-12-19 with AUD 4400.00 owed',
        'Dry run: nothing was written. Run it again without --dry-run to import.',
      ]);
      const report = await run(fixture('xero-invoice-import-template.csv'), { defaultCurrency: 'NZD' });
      expect(report).toMatchObject({ written: true, created: 2, errors: [] });

      const kowhai = await getInvoice(get().ctx, TEAM, 'INV-0301');
      expect(kowhai).toMatchObject({ currency: 'NZD', totalMinor: 425_500n, issueDate: '2026-10-01' });
      expect(kowhai.sentAt).toEqual(startOfLocalDay('2026-10-01', 'Pacific/Auckland'));
      expect(kowhai.status).toMatchObject({ state: 'overdue', daysOverdue: 24 });
      const harbour = await getInvoice(get().ctx, TEAM, 'INV-0302');
      expect(harbour).toMatchObject({ currency: 'AUD', totalMinor: 440_000n });
      expect(harbour.status.state).toBe('sent');

      const history = await getHistory(get().ctx.db, { teamId: TEAM, invoiceId: kowhai.id });
      expect(history.map((e) => e.kind)).toEqual(['created', 'sent', 'imported']);
      expect(history[1]?.details).toEqual({ sentOn: '2026-10-01' });
      expect(history[2]).toMatchObject({
        actorId: 'import',
        details: {
          source: 'Xero sales invoice import template',
          line: 2,
          sentOn: '2026-10-01',
          inferred: 'no status in the file: taken as sent, since it is due 2026-10-31 with NZD 4255.00 owed',
        },
      });
    });
  });

  describe("QuickBooks Online's Open Invoices report", () => {
    it('imports each invoice under its customer heading, with what is paid dated its due date and said so', async () => {
      await studio('America/New_York');
      const report = await run(fixture('quickbooks-open-invoices.csv'), { defaultCurrency: 'USD' });
      expect(reportLines(report, 'open.csv')).toEqual([
        'open.csv: QuickBooks Online Open Invoices report, 4 lines, 3 invoices.',
        '  3 created, 0 updated, 0 unchanged, 1 payment, 0 voided, 2 new clients.',
        '  note, line 7 1002: the file gives no payment date: the payment of USD 2500.00 is dated 2026-10-15, its due date',
        '  skipped line 8: CM-7 is a Credit Memo, not an invoice',
        'Imported.',
      ]);
      const globex = await getInvoice(get().ctx, TEAM, '1002');
      expect(globex).toMatchObject({ clientName: 'Globex Corporation', totalMinor: 400_000n, paidMinor: 250_000n });
      expect(globex.sentAt).toEqual(startOfLocalDay('2026-09-15', 'America/New_York'));
      expect(globex.status).toMatchObject({ state: 'overdue', amountDueMinor: 150_000n });
      const [payment] = await get().handle.raw(
        `select received_on::text as received_on, reference from payments p join invoices i on i.id = p.invoice_id
          where i.number = '1002'`,
        [],
      );
      expect(payment).toEqual({ received_on: '2026-10-15', reference: 'import' });
      const initech = await getInvoice(get().ctx, TEAM, '1006');
      expect(initech).toMatchObject({ clientName: 'Initech', totalMinor: 95_000n, paidMinor: 0n });
      expect(initech.status).toMatchObject({ state: 'overdue', daysOverdue: 6 });
    });
  });

  describe("QuickBooks Online's invoice import file", () => {
    it('creates one invoice per InvoiceNo, its items and their tax added up, sent on its invoice date', async () => {
      await studio('America/New_York');
      const report = await run(fixture('quickbooks-invoice-import.csv'));
      expect(report).toMatchObject({ format: 'quickbooks-import', rows: 3, invoices: 2, created: 2, written: true });
      const northwind = await getInvoice(get().ctx, TEAM, '2101');
      expect(northwind).toMatchObject({ clientName: 'Northwind Traders', totalMinor: 630_000n, dueDate: '2026-11-04' });
      expect(northwind.sentAt).toEqual(startOfLocalDay('2026-10-05', 'America/New_York'));
      expect(northwind.status).toMatchObject({ state: 'overdue', daysOverdue: 19 });
      expect((await getInvoice(get().ctx, TEAM, '2102')).totalMinor).toBe(129_900n);
    });
  });

  describe('a plain sheet headed InvoiceNumber, Client, …, AmountPaid, PaidDate', () => {
    it("keeps each payment's date, so the client's lateness is measured from the file, not from the import", async () => {
      await studio('America/New_York');
      const report = await run(fixture('invoice-sheet.csv'));
      expect(report).toMatchObject({
        format: 'sheet',
        formatName: 'plain invoice sheet',
        rows: 4,
        invoices: 4,
        created: 4,
        payments: 3,
        clientsCreated: 2,
        written: true,
      });
      const first = await getInvoice(get().ctx, TEAM, 'S-100');
      expect(first).toMatchObject({ paidMinor: 100_000n, paidOn: '2026-09-10' });
      expect(first.status.state).toBe('paid');
      expect(first.sentAt).toEqual(startOfLocalDay('2026-08-01', 'America/New_York'));
      expect(await getInvoice(get().ctx, TEAM, 'S-101')).toMatchObject({ paidOn: '2026-10-20' });
      const part = await getInvoice(get().ctx, TEAM, 'S-102');
      expect(part).toMatchObject({ paidMinor: 30_000n, paidOn: null });
      expect(part.status).toMatchObject({ state: 'overdue', amountDueMinor: 50_000n });
      expect((await getInvoice(get().ctx, TEAM, 'S-103')).status.state).toBe('sent');

      // S-100 paid 10 days after its due date, S-101 20 days after: 15 days late on average, not 80-odd.
      const stats = await getClientStats(get().ctx.db, { teamId: TEAM, clientId: first.clientId });
      expect(stats.payment).toMatchObject({ paidCount: 2, averageDaysLate: 15 });
      const history = await getHistory(get().ctx.db, { teamId: TEAM, invoiceId: first.id });
      expect(history.map((e) => [e.kind, e.details.receivedOn ?? e.details.paidOn ?? null])).toEqual([
        ['created', null],
        ['sent', null],
        ['paid', '2026-09-10'],
        ['imported', '2026-09-10'],
      ]);
      // The history says where it came from and which of the file's dates it kept, in the CLI and in Slack.
      const [, sent, , imported] = history;
      expect(sent && describeEvent(sent)).toBe('Marked sent to the client, sent 2026-08-01');
      expect(imported && describeEvent(imported)).toBe(
        'Imported from the plain invoice sheet (line 2): sent 2026-08-01, paid 2026-09-10',
      );
      expect(imported && String(eventText(imported.kind, imported.details))).toBe(
        'imported from the plain invoice sheet (line 2) · sent 2026-08-01 · paid 2026-09-10',
      );

      const again = await run(fixture('invoice-sheet.csv'));
      expect(again).toMatchObject({ written: true, created: 0, updated: 0, unchanged: 4, payments: 0 });
    });
  });

  describe('our own format without a status column', () => {
    it('imports a row that carries a payment as paid on its paid_on date, not as a draft', async () => {
      await studio('Europe/Paris');
      const report = await run(fixture('ledger-without-status.csv'));
      expect(report).toMatchObject({ format: 'ledger', created: 3, payments: 1, written: true });
      expect(await getInvoice(get().ctx, TEAM, 'L-1')).toMatchObject({
        paidOn: '2026-08-05',
        status: { state: 'paid' },
      });
      expect((await getInvoice(get().ctx, TEAM, 'L-2')).status.state).toBe('overdue');
      const draft = await getInvoice(get().ctx, TEAM, 'L-3');
      expect(draft).toMatchObject({ sentAt: null, status: { state: 'draft' } });
    });
  });

  describe('a semicolon-separated file with decimal commas', () => {
    it('imports the amounts exactly and says how it read the file', async () => {
      await studio('Europe/Berlin');
      const report = await run(fixture('invoices-semicolon-decimal-comma.csv'));
      expect(report).toMatchObject({ written: true, created: 2, errors: [] });
      expect(reportLines(report, 'eu.csv').slice(0, 4)).toEqual([
        'eu.csv: plain invoice sheet, 2 lines, 2 invoices.',
        '  2 created, 0 updated, 0 unchanged, 1 payment, 0 voided, 2 new clients.',
        '  note, line 1: read as semicolon-separated values',
        '  note, line 1: amounts are read with a decimal comma, as the file writes them ("1.234,50" is 1234.50)',
      ]);
      expect(await getInvoice(get().ctx, TEAM, 'E-1')).toMatchObject({
        clientName: 'Müller GmbH',
        totalMinor: 123_450n,
        paidOn: '2026-10-15',
      });
    });
  });

  describe('the counts in the report', () => {
    it('counts a two-row file as two lines and two invoices, a refused row among them', async () => {
      await studio('America/New_York');
      const report = await run(
        [
          'number,client,currency,total,issue_date,status',
          'A-1,Acme,USD,100.00,2026-09-01,sent',
          'A-2,Acme\u0007,USD,5.00,2026-09-02,sent',
        ].join('\n'),
        { dryRun: true },
      );
      expect(reportLines(report, 'two.csv')[0]).toBe('two.csv: receivables-bot invoice CSV, 2 lines, 2 invoices.');
      expect(report.errors).toEqual([
        expect.objectContaining({
          line: 3,
          number: 'A-2',
          field: 'client',
          message: expect.stringContaining('control character'),
        }),
      ]);
    });
  });
});
