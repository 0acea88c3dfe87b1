import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { getPayments } from '../../src/db/queries/corrections.js';
import { exportHistoryCsv, exportInvoicesCsv } from '../../src/io/export.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { importInvoices } from '../../src/services/import.js';
import { editInvoice, getInvoice } from '../../src/services/invoices.js';
import { operatorPrincipal, type Principal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { asAdmin } from '../helpers/ledger.js';

const XERO = readFileSync(new URL('../fixtures/xero-sales-invoices.csv', import.meta.url), 'utf8');
const LEDGER = readFileSync(new URL('../fixtures/ledger-invoices.csv', import.meta.url), 'utf8');
const IMPORT: Principal = operatorPrincipal('import');

// Monday 23 November 2026, 15:00 UTC: Tuesday 24 November, 04:00 in Wellington.
describeEachDatabase('exporting as CSV', '2026-11-23T15:00:00Z', (get) => {
  async function workspace(teamId: string) {
    return ensureWorkspace(get().ctx, { teamId, name: 'Harbourside Studio', timeZone: 'Pacific/Auckland' });
  }

  async function invoicesOf(teamId: string, period: { from?: string; to?: string } = {}) {
    const { ctx } = get();
    return exportInvoicesCsv(ctx.db, { workspace: await workspace(teamId), now: ctx.clock.now(), ...period });
  }

  describe('invoices', () => {
    it('writes our own format with plain decimal amounts, the state today and every invoice, void ones too', async () => {
      await workspace('T0STUDIO');
      await importInvoices(get().ctx, 'T0STUDIO', IMPORT, XERO);
      const csv = await invoicesOf('T0STUDIO');
      expect(csv.split('\n')).toEqual([
        'number,client,client_email,currency,total,issue_date,terms,due_date,basis_date,basis_label,owner,description,status,amount_paid,paid_on,amount_credited,amount_due,state,hold,hold_reason,hold_since,promised_date,client_approved,client_scheduled,credit_notes,payments_received,account_credit,refunds',
        'INV-0101,Kowhai Design Ltd,ap@kowhai.example,NZD,5370.50,2026-09-14,,2026-10-20,2026-09-14,,,PO 7781,paid,5370.50,2026-10-20,0.00,0.00,paid,,,,,,,,2026-10-20 5370.50,,',
        'INV-0102,Tui Brewing Co,accounts@tui.example,NZD,2070.00,2026-10-02,,2026-11-20,2026-10-02,,,Seasonal label design; Print management,sent,500.00,,0.00,1570.00,overdue,,,,,,,,2026-11-20 500.00,,',
        'INV-0103,Kowhai Design Ltd,ap@kowhai.example,NZD,1150.00,2026-10-05,,2026-11-05,2026-10-05,,,Photography,void,0.00,,0.00,0.00,void,,,,,,,,,,',
        'INV-0104,Harbour Analytics Pty Ltd,finance@harbour.example,AUD,4400.00,2026-10-21,,2026-12-20,2026-10-21,,,Dashboard build,sent,0.00,,0.00,4400.00,sent,,,,,,,,,,',
        'INV-0105,Tui Brewing Co,accounts@tui.example,NZD,1426.00,2026-11-18,,2026-12-18,2026-11-18,,,Website retainer - December; Hosting,draft,0.00,,0.00,1426.00,draft,,,,,,,,,,',
        '',
      ]);
    });

    it('says Credited and the amount credited for a credited invoice, and counts no reversed payment', async () => {
      const { ctx } = get();
      await workspace('T0STUDIO');
      await importInvoices(ctx, 'T0STUDIO', IMPORT, XERO);
      // INV-0104 (AUD 4,400.00, open) is credited in full; INV-0101's payment was recorded by mistake.
      await issueCreditNote(ctx, 'T0STUDIO', IMPORT, { invoice: 'INV-0104', number: 'CN-1', reason: 'Cancelled' });
      const [payment] = await getPayments(ctx.db, {
        teamId: 'T0STUDIO',
        invoiceIds: [(await getInvoice(ctx, 'T0STUDIO', 'INV-0101')).id],
      });
      await reversePayment(ctx, 'T0STUDIO', IMPORT, {
        invoice: 'INV-0101',
        payment: payment?.id ?? '',
        reason: 'Bounced',
      });
      const rows = parse(await invoicesOf('T0STUDIO'), { columns: true }) as Record<string, string>[];
      const pick = (n: string) => {
        const row = rows.find((r) => r.number === n);
        return [row?.status, row?.amount_paid, row?.paid_on, row?.amount_credited, row?.amount_due, row?.state];
      };
      expect(pick('INV-0104')).toEqual(['sent', '0.00', '', '4400.00', '0.00', 'credited']);
      expect(pick('INV-0101')).toEqual(['sent', '0.00', '', '0.00', '5370.50', 'overdue']);
      const history = parse(
        await exportHistoryCsv(ctx.db, {
          teamId: 'T0STUDIO',
          from: new Date('2026-11-01T00:00:00Z'),
          to: new Date('2026-12-01T00:00:00Z'),
          timeZone: 'Pacific/Auckland',
          now: ctx.clock.now(),
        }),
        { columns: true },
      ) as Record<string, string>[];
      const corrections = history.filter((e) => e.kind === 'credit_note_issued' || e.kind === 'payment_reversed');
      expect(corrections.map((e) => [e.invoice_number, e.kind, e.amount, e.currency])).toEqual([
        ['INV-0104', 'credit_note_issued', '4400.00', 'AUD'],
        ['INV-0101', 'payment_reversed', '5370.50', 'NZD'],
      ]);
    });

    it('keeps to a period of invoice dates, both ends included', async () => {
      await workspace('T0STUDIO');
      await importInvoices(get().ctx, 'T0STUDIO', IMPORT, XERO);
      const csv = await invoicesOf('T0STUDIO', { from: '2026-10-02', to: '2026-10-21' });
      const numbers = (parse(csv, { columns: true }) as { number: string }[]).map((row) => row.number);
      expect(numbers).toEqual(['INV-0102', 'INV-0103', 'INV-0104']);
    });

    it('imports back into another workspace as the same book, and into its own as no change', async () => {
      await workspace('T0STUDIO');
      await workspace('T0COPY');
      const { ctx } = get();
      await importInvoices(ctx, 'T0STUDIO', IMPORT, XERO);
      await importInvoices(ctx, 'T0STUDIO', IMPORT, LEDGER);
      const exported = await invoicesOf('T0STUDIO');

      const copied = await importInvoices(ctx, 'T0COPY', IMPORT, exported);
      expect(copied).toMatchObject({ format: 'ledger', written: true, errors: [], created: 9, payments: 4, voided: 1 });
      expect(await invoicesOf('T0COPY')).toBe(exported);
      const again = await importInvoices(ctx, 'T0STUDIO', IMPORT, exported);
      expect(again).toMatchObject({ written: true, errors: [], created: 0, updated: 0, unchanged: 9 });
    });

    it('keeps a description that a spreadsheet would run as a formula inert, and imports it back as typed', async () => {
      await workspace('T0STUDIO');
      await workspace('T0COPY');
      const { ctx } = get();
      await importInvoices(ctx, 'T0STUDIO', IMPORT, LEDGER);
      const inv = await getInvoice(ctx, 'T0STUDIO', 'INV-302');
      await editInvoice(ctx, 'T0STUDIO', IMPORT, {
        invoice: inv.id,
        expectedVersion: inv.version,
        changes: { description: '=HYPERLINK("http://example.test")' },
      });
      const exported = await invoicesOf('T0STUDIO');
      expect(exported).toContain(`"'=HYPERLINK(""http://example.test"")"`);
      await importInvoices(ctx, 'T0COPY', IMPORT, exported);
      expect((await getInvoice(ctx, 'T0COPY', 'INV-302')).description).toBe('=HYPERLINK("http://example.test")');
    });
  });

  describe('history', () => {
    it('lists each event of a period with its local and ISO time, invoice, client, actor and amount', async () => {
      await workspace('T0STUDIO');
      const { ctx } = get();
      await importInvoices(ctx, 'T0STUDIO', IMPORT, XERO);
      ctx.clock.advance(24 * 60 * 60 * 1000);
      const inv = await getInvoice(ctx, 'T0STUDIO', 'INV-0104');
      await editInvoice(ctx, 'T0STUDIO', asAdmin({ type: 'user', id: 'U0ALICE' }, 'T0STUDIO'), {
        invoice: inv.id,
        expectedVersion: inv.version,
        changes: { description: 'Dashboard build and training' },
      });

      const all = await exportHistoryCsv(ctx.db, {
        teamId: 'T0STUDIO',
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-12-01T00:00:00Z'),
        timeZone: 'Pacific/Auckland',
        now: ctx.clock.now(),
      });
      const lines = parse(all, { columns: true }) as Record<string, string>[];
      const rows = lines.filter((r) => r.actor_type !== 'derived');
      // Each imported invoice's events, and one 'imported' event each that says so.
      expect(rows).toHaveLength(21);
      // INV-0102 (due 20 November, part paid) became Due and Overdue in the period: derived lines, in time order. So
      // did INV-0103 (due 5 November), as far as this book knows: it was voided only when imported, on 24 November.
      expect(
        lines.filter((r) => r.actor_type === 'derived').map((r) => [r.invoice_number, r.kind, r.at_local]),
      ).toEqual([
        ['INV-0103', 'became_due (derived)', '2026-11-05 00:00:00'],
        ['INV-0103', 'became_overdue (derived)', '2026-11-06 00:00:00'],
        ['INV-0102', 'became_due (derived)', '2026-11-20 00:00:00'],
        ['INV-0102', 'became_overdue (derived)', '2026-11-21 00:00:00'],
      ]);
      expect(lines.slice(0, 4).map((r) => r.actor_type)).toEqual(['derived', 'derived', 'derived', 'derived']);
      expect(rows[1]).toEqual({
        event_id: expect.stringMatching(/^\d+$/),
        at_local: '2026-11-24 04:00:00',
        time_zone: 'Pacific/Auckland',
        at_iso: '2026-11-23T15:00:00.000Z',
        invoice_number: 'INV-0101',
        client: 'Kowhai Design Ltd',
        kind: 'created',
        actor_type: 'system',
        actor_id: 'import',
        visibility: 'internal',
        amount: '5370.50',
        currency: 'NZD',
        details: expect.any(String),
      });
      expect(JSON.parse(rows[1]?.details ?? '{}')).toMatchObject({ number: 'INV-0101', issueDate: '2026-09-14' });
      expect(rows.filter((r) => r.kind === 'part_paid').map((r) => [r.invoice_number, r.amount])).toEqual([
        ['INV-0102', '500.00'],
      ]);

      const nextDay = await exportHistoryCsv(ctx.db, {
        teamId: 'T0STUDIO',
        from: new Date('2026-11-24T00:00:00Z'),
        to: new Date('2026-11-25T00:00:00Z'),
        timeZone: 'Pacific/Auckland',
        now: ctx.clock.now(),
      });
      expect(
        (parse(nextDay, { columns: true }) as Record<string, string>[]).map((r) => [r.kind, r.actor_id, r.at_local]),
      ).toEqual([['edited', 'U0ALICE', '2026-11-25 04:00:00']]);
    });
  });
});
