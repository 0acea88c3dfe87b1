import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, type ImportedInvoice, readInvoicesCsv } from '../../src/io/formats.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** The facts without the column names, which only messages use. */
const facts = (invoices: ImportedInvoice[]) => invoices.map(({ columns: _columns, ...rest }) => rest);

describe('recognising a file by its header row', () => {
  it('knows Xero, QuickBooks and our own format in any case and spacing', () => {
    expect(detectFormat(['*ContactName', 'EmailAddress', '*InvoiceNumber', '*InvoiceDate', '*UnitAmount'])).toBe(
      'xero-template',
    );
    expect(detectFormat(['contact name', 'INVOICE NUMBER', 'Invoice Date', 'Total', 'Status'])).toBe('xero');
    expect(detectFormat(['', 'Date', 'Transaction Type', 'Num', 'Name', 'Due Date', 'Amount'])).toBe('quickbooks');
    expect(detectFormat(['Date', 'No.', 'Customer', 'Amount', 'Status'])).toBe('quickbooks');
    expect(detectFormat(['number', 'client', 'currency', 'total', 'issue_date'])).toBe('ledger');
    expect(detectFormat(['Invoice', 'Amount'])).toBeUndefined();
  });

  it('says which headers it knows when it knows none', () => {
    const read = readInvoicesCsv('Invoice,Amount\nA-1,100\n');
    expect(read.format).toBeNull();
    expect(read.errors).toEqual([{ line: 1, message: expect.stringContaining('no header row we know') }]);
  });

  it('says where the CSV itself is broken', () => {
    const read = readInvoicesCsv('number,client,currency,total,issue_date\nA-1,"Acme,USD,100,2026-09-01\n');
    expect(read.errors).toEqual([
      { line: 2, message: 'opens a quote (") that is never closed: the rest of the file would be one value' },
    ]);
  });
});

describe('a Xero sales invoice export (several lines per invoice, dd/MM/yyyy dates, NZD and AUD)', () => {
  const read = readInvoicesCsv(fixture('xero-sales-invoices.csv'));

  it('gathers the lines of each invoice into one, with its total, amount paid and status', () => {
    expect(read.format).toBe('xero');
    expect(read.rows).toBe(9);
    expect(read.errors).toEqual([]);
    expect(facts(read.invoices)).toEqual([
      {
        line: 2,
        number: 'INV-0101',
        clientName: 'Kowhai Design Ltd',
        clientEmail: 'ap@kowhai.example',
        currency: 'NZD',
        total: '5370.50',
        issueDate: '2026-09-14',
        dueDate: '2026-10-20',
        description: 'PO 7781',
        status: 'paid',
        amountPaid: '5370.50',
      },
      {
        line: 5,
        number: 'INV-0102',
        clientName: 'Tui Brewing Co',
        clientEmail: 'accounts@tui.example',
        currency: 'NZD',
        total: '2070.00',
        issueDate: '2026-10-02',
        dueDate: '2026-11-20',
        description: 'Seasonal label design; Print management',
        status: 'sent',
        amountPaid: '500.00',
      },
      expect.objectContaining({ line: 7, number: 'INV-0103', clientName: 'KOWHAI DESIGN LTD', status: 'void' }),
      expect.objectContaining({ line: 8, number: 'INV-0104', currency: 'AUD', total: '4400.00', status: 'sent' }),
      expect.objectContaining({ line: 9, number: 'INV-0105', total: '1426.00', status: 'draft', amountPaid: '0.00' }),
    ]);
  });

  it('adds up the lines exactly when the file has no Total column', () => {
    const lines = [
      '*ContactName,*InvoiceNumber,*InvoiceDate,*DueDate,Description,*Quantity,*UnitAmount,TaxAmount,Currency',
      'Kowhai Design Ltd,INV-1,14/09/2026,20/10/2026,Workshop,1.0000,2000.00,300.00,NZD',
      'Kowhai Design Ltd,INV-1,14/09/2026,20/10/2026,Concepts,3.0000,850.00,382.50,NZD',
      'Kowhai Design Ltd,INV-1,14/09/2026,20/10/2026,Loyalty discount,1.0000,-100.00,-15.00,NZD',
    ];
    const template = readInvoicesCsv(lines.join('\n'));
    expect(template.errors).toEqual([]);
    expect(facts(template.invoices)).toEqual([
      expect.objectContaining({
        number: 'INV-1',
        total: '5117.50',
        // The template has no status: a due date and an amount owed make it an invoice that went out.
        status: 'sent',
        inferred: 'no status in the file: taken as sent, since it is due 2026-10-20 with NZD 5117.50 owed',
        description: 'Workshop; Concepts; Loyalty discount',
      }),
    ]);
  });
});

describe('a QuickBooks Online Invoice List report', () => {
  it('passes over the title block, totals, footer and credit memo, in the currency it is told', () => {
    const read = readInvoicesCsv(fixture('quickbooks-invoice-list.csv'), { defaultCurrency: 'USD' });
    expect(read.format).toBe('quickbooks');
    expect(read.errors).toEqual([]);
    expect(read.skipped).toEqual([{ line: 11, reason: 'CM-7 is a Credit Memo, not an invoice' }]);
    expect(facts(read.invoices).map((i) => [i.line, i.number, i.clientName, i.total, i.amountPaid, i.status])).toEqual([
      [6, '1001', 'Northwind Traders', '12500.00', '12500.00', 'paid'],
      [7, '1002', 'Globex Corporation', '4000.00', '2500.00', 'sent'],
      [8, '1003', 'Initech', '2750.00', '0.00', 'sent'],
      [9, '1004', 'Northwind Traders', null, undefined, 'void'],
      [10, '1005', 'Umbrella Health', '8200.00', '0.00', 'sent'],
    ]);
    expect(read.invoices[1]).toMatchObject({ issueDate: '2026-09-15', dueDate: '2026-10-15' });
  });

  it('asks for the currency once when the report has no Currency column', () => {
    const read = readInvoicesCsv(fixture('quickbooks-invoice-list.csv'));
    expect(read.errors).toEqual([
      {
        line: 5,
        message:
          'the file has no Currency column; say which currency its amounts are in (--currency USD, or Currency in the import form)',
      },
    ]);
  });
});

describe('bad rows', () => {
  it('reports each bad row of a Xero file with its line, its column and what is wrong', () => {
    const read = readInvoicesCsv(fixture('xero-sales-invoices-with-errors.csv'));
    expect(read.errors).toEqual([
      {
        line: 2,
        number: 'INV-0201',
        field: 'Total',
        message: '"1.234,50" uses a point for thousands and a comma for decimals; write 1,234.50',
      },
      {
        line: 3,
        number: 'INV-0202',
        field: 'InvoiceDate',
        message: '"31/02/2026" is not a real date (read as day/month/year)',
      },
      {
        line: 4,
        number: 'INV-0203',
        field: 'Currency',
        message: '"XYZ" is not an ISO 4217 currency code (USD, EUR, GBP…)',
      },
      {
        line: 5,
        number: 'INV-0204',
        field: 'DueDate',
        message: '2026-11-01 is before the invoice date 2026-11-18',
      },
      { line: 6, number: 'INV-0205', field: 'ContactName', message: 'is empty; name the contact' },
      {
        line: 8,
        number: 'INV-0206',
        field: 'InvoiceDate',
        message: '"17/11/2026" differs from "16/11/2026" on line 7, the first line of INV-0206',
      },
    ]);
    expect(read.invoices.map((i) => i.number)).toEqual(['INV-0207']);
  });

  it('reports each bad row of a QuickBooks file, a number used twice among them', () => {
    const read = readInvoicesCsv(fixture('quickbooks-invoices-with-errors.csv'));
    expect(read.errors.map((e) => [e.line, e.number, e.field])).toEqual([
      [3, '2002', 'Amount'],
      [4, '2001', 'No.'],
      [5, '2003', 'Customer'],
      [6, '2004', 'Date'],
      [7, '2005', 'Due Date'],
      [8, '2006', 'Currency'],
    ]);
    expect(read.errors[1]?.message).toBe('2001 is already on line 2');
    expect(read.errors[3]?.message).toBe('"13/11/2026" is not a real date (read as month/day/year)');
    expect(read.invoices.map((i) => [i.number, i.currency, i.status])).toEqual([
      ['2001', 'USD', 'sent'],
      ['2007', 'EUR', 'paid'],
    ]);
  });

  it('refuses terms and a due date that disagree, and a payment beyond the total', () => {
    const read = readInvoicesCsv(
      [
        'number,client,currency,total,issue_date,terms,due_date,status,amount_paid',
        'A-1,Acme,USD,100.00,2026-09-01,net 30,2026-10-05,sent,',
        'A-2,Acme,USD,100.00,2026-09-01,,,sent,120.00',
        'A-3,Acme,USD,100.00,2026-09-01,,,paid,40.00',
        'A-4,Acme,USD,100.00,2026-09-01,net thirty,,sent,',
      ].join('\n'),
    );
    expect(read.errors).toEqual([
      {
        line: 2,
        number: 'A-1',
        field: 'due_date',
        message: '2026-10-05 disagrees with the terms "net 30", which make it due 2026-10-01; leave one of them empty',
      },
      { line: 3, number: 'A-2', field: 'amount_paid', message: '120.00 is more than the total 100.00' },
      { line: 4, number: 'A-3', field: 'status', message: 'says paid, but only 40.00 of 100.00 is paid' },
      {
        line: 5,
        number: 'A-4',
        field: 'terms',
        message: expect.stringContaining(`Couldn't read payment terms "net thirty"`),
      },
    ]);
  });
});

describe('our own format', () => {
  it('reads terms, basis, owner, a description over two lines and payments', () => {
    const read = readInvoicesCsv(fixture('ledger-invoices.csv'));
    expect(read.errors).toEqual([]);
    expect(facts(read.invoices)).toEqual([
      {
        line: 2,
        number: 'INV-301',
        clientName: 'Acme Corp',
        clientEmail: 'ap@acme.example',
        currency: 'USD',
        total: '12500.00',
        issueDate: '2026-09-03',
        terms: 'net 60',
        basisDate: '2026-09-01',
        basisLabel: 'delivery',
        ownerUserId: 'U0ALICE',
        description: 'Phase 1: discovery, design "sprint"\nand handover',
        status: 'sent',
        amountPaid: '5000.00',
        paidOn: '2026-11-20',
      },
      expect.objectContaining({
        line: 4,
        number: 'INV-302',
        clientName: 'acme corp',
        total: '1200.00',
        terms: 'eom+15',
      }),
      expect.objectContaining({
        line: 5,
        number: 'INV-303',
        terms: '2026-12-31',
        dueDate: '2026-12-31',
        status: 'draft',
      }),
      expect.objectContaining({ line: 6, number: 'INV-304', currency: 'JPY', total: '640000', amountPaid: '640000' }),
    ]);
  });
});
