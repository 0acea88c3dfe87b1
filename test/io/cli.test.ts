import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand, importCommand } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const XERO = path.join(fixtures, 'xero-sales-invoices.csv');
const XERO_WITH_ERRORS = path.join(fixtures, 'xero-sales-invoices-with-errors.csv');

// Monday 23 November 2026, 15:00 UTC: Tuesday 24 November, 04:00 in Wellington.
describeEachDatabase('importing and exporting from the command line', '2026-11-23T15:00:00Z', (get) => {
  async function studio() {
    return ensureWorkspace(get().ctx, { teamId: 'T0STUDIO', name: 'Harbourside Studio', timeZone: 'Pacific/Auckland' });
  }

  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx: get().ctx, close: async () => {} }),
    });
    return { code, text: lines.join('\n') };
  }

  /** A command with its options, called as the CLI calls it once the workspace is known. */
  async function command(run: typeof importCommand, ...args: string[]) {
    const lines: string[] = [];
    const code = await run(get().ctx, await studio(), args, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  }

  async function invoiceCount() {
    const [row] = await get().handle.raw('select count(*)::int as n from invoices', []);
    return row?.n;
  }

  describe('import', () => {
    it('imports a clean file, says what it did and exits 0', async () => {
      await studio();
      const { code, text } = await cli('import', XERO);
      expect(code).toBe(0);
      expect(text).toBe(
        [
          `${XERO}: Xero sales invoice export, 9 lines, 5 invoices.`,
          '  5 created, 0 updated, 0 unchanged, 2 payments, 1 voided, 3 new clients.',
          '  note, line 2 INV-0101: the file gives no payment date: the payment of NZD 5370.50 is dated 2026-10-20, its due date',
          '  note, line 5 INV-0102: the file gives no payment date: the payment of NZD 500.00 is dated 2026-11-20, its due date',
          'Imported.',
        ].join('\n'),
      );
      expect(await invoiceCount()).toBe(5);
    });

    it('reads a UTF-16 file with its byte-order mark, in the currency --currency gives its blank cells', async () => {
      await studio();
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'rb-import-')), 'template.csv');
      const text = readFileSync(path.join(fixtures, 'xero-invoice-import-template.csv'), 'utf8');
      writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      const { code, text: said } = await command(importCommand, file, '--dry-run', '--currency', 'nzd');
      expect(code).toBe(0);
      expect(said.split('\n').slice(0, 2)).toEqual([
        `${file}: Xero sales invoice import template, 3 lines, 2 invoices.`,
        '  2 to create, 0 to update, 0 unchanged, 0 payments, 0 voided, 2 new clients.',
      ]);
      expect(await invoiceCount()).toBe(0);
    });

    it('says an empty file is empty, and exits 1', async () => {
      await studio();
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'rb-import-')), 'empty.csv');
      writeFileSync(file, '');
      expect(await command(importCommand, file)).toEqual({
        code: 1,
        text: `${file} was not imported:\n  line 1: the file is empty; export the invoices again and import that file`,
      });
    });

    it('lists every error by line, writes nothing and exits 1', async () => {
      await studio();
      const { code, text } = await cli('import', XERO_WITH_ERRORS);
      expect(code).toBe(1);
      expect(text).toContain('6 errors — nothing was written:');
      expect(text).toContain(
        '  line 3 INV-0202  InvoiceDate: "31/02/2026" is not a real date (read as day/month/year)',
      );
      expect(text).toContain('  line 6 INV-0205  ContactName: is empty; name the contact');
      expect(await invoiceCount()).toBe(0);
    });

    it('with --dry-run says what would happen, writes nothing and exits 0', async () => {
      const { code, text } = await command(importCommand, XERO, '--dry-run');
      expect(code).toBe(0);
      expect(text).toContain('  5 to create, 0 to update, 0 unchanged, 2 payments, 1 voided, 3 new clients.');
      expect(text).toContain('Dry run: nothing was written. Run it again without --dry-run to import.');
      expect(await invoiceCount()).toBe(0);
    });

    it('reads a QuickBooks report in the currency given with --currency', async () => {
      const file = path.join(fixtures, 'quickbooks-invoice-list.csv');
      const { code, text } = await command(importCommand, file, '--currency', 'usd');
      expect(code).toBe(0);
      expect(text).toContain('  skipped line 11: CM-7 is a Credit Memo, not an invoice');
      expect(await invoiceCount()).toBe(4);
    });

    it('exits 1 for a file it cannot read and 2 when used wrongly', async () => {
      expect(await command(importCommand, '/nonexistent/invoices.csv')).toEqual({
        code: 1,
        text: 'Cannot read /nonexistent/invoices.csv: no such file',
      });
      expect((await command(importCommand)).code).toBe(2);
      expect((await command(importCommand, XERO, '--date-order', 'ymd')).code).toBe(2);
      expect((await command(importCommand, XERO, '--currency', 'dollars')).code).toBe(2);
      expect((await command(importCommand, XERO, '--force')).text).toContain('Unknown option --force');
    });
  });

  describe('export', () => {
    it('prints the invoices as CSV on stdout', async () => {
      await studio();
      await cli('import', XERO);
      const { code, text } = await cli('export', 'invoices');
      expect(code).toBe(0);
      expect(text.split('\n')[0]).toBe(
        'number,client,client_email,currency,total,issue_date,terms,due_date,basis_date,basis_label,owner,description,status,amount_paid,paid_on,amount_credited,amount_due,state,hold,hold_reason,hold_since,promised_date,client_approved,client_scheduled,credit_notes,payments_received,account_credit,refunds',
      );
      expect(text.split('\n')).toHaveLength(6);
    });

    it('writes the history of a period to a file with --out', async () => {
      await studio();
      expect((await cli('import', XERO)).code).toBe(0);
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'receivables-io-')), 'history.csv');
      const { code, text } = await command(
        exportCommand,
        'history',
        '--from',
        '2026-11-24',
        '--to',
        '2026-11-24',
        '--out',
        out,
      );
      expect(code).toBe(0);
      expect(text).toBe(`Wrote the history to ${out}.`);
      const written = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(written).toHaveLength(21);
      expect(written[1]).toMatch(
        /^\d+,2026-11-24 04:00:00,Pacific\/Auckland,2026-11-23T15:00:00\.000Z,,Kowhai Design Ltd,client_created,system,import,/,
      );
      const before = (await command(exportCommand, 'history', '--to', '2026-11-23')).text.split('\n');
      expect(before[0]).toBe(
        'event_id,at_local,time_zone,at_iso,invoice_number,client,kind,actor_type,actor_id,visibility,amount,currency,details',
      );
      // No event before the import; only the derived lines of when the file's invoices became Due and Overdue.
      expect(before.slice(1).map((line) => line.split(',').slice(4, 8).join(','))).toEqual([
        'INV-0101,Kowhai Design Ltd,became_due (derived),derived',
        'INV-0103,Kowhai Design Ltd,became_due (derived),derived',
        'INV-0103,Kowhai Design Ltd,became_overdue (derived),derived',
        'INV-0102,Tui Brewing Co,became_due (derived),derived',
        'INV-0102,Tui Brewing Co,became_overdue (derived),derived',
      ]);
    });

    it('exits 2 when used wrongly', async () => {
      expect((await command(exportCommand)).code).toBe(2);
      expect((await command(exportCommand, 'clients')).code).toBe(2);
      expect(await command(exportCommand, 'invoices', '--from', '2026-13-01')).toEqual({
        code: 2,
        text: '--from 2026-13-01 is not a date like 2026-09-01.\nUsage: npm run cli -- export invoices|history [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]',
      });
      expect((await command(exportCommand, 'history', '--from', '2026-11-24', '--to', '2026-11-01')).code).toBe(2);
    });
  });
});
