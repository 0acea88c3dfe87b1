import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeCsv,
  detectFormat,
  headerKey,
  type ImportedInvoice,
  readInvoicesCsv,
  SHEET_COLUMNS,
} from '../../src/domain/csv-formats.js';

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

describe('files as people bring them', () => {
  it("reads Xero's import template: a blank Total is the sum of the lines, a blank Currency the base currency given", () => {
    const read = readInvoicesCsv(fixture('xero-invoice-import-template.csv'), { defaultCurrency: 'NZD' });
    expect(read).toMatchObject({ format: 'xero-template', rows: 3, invoiceCount: 2, errors: [] });
    expect(facts(read.invoices).map((i) => [i.number, i.currency, i.total, i.issueDate, i.dueDate, i.status])).toEqual([
      ['INV-0301', 'NZD', '4255.00', '2026-10-01', '2026-10-31', 'sent'],
      ['INV-0302', 'AUD', '4400.00', '2026-10-20', '2026-12-19', 'sent'],
    ]);
    expect(read.notes.map((n) => [n.line, n.message])).toEqual([
      [2, 'no status in the file: taken as sent, since it is due 2026-10-31 with NZD 4255.00 owed'],
      [4, 'no status in the file: taken as sent, since it is due 2026-12-19 with AUD 4400.00 owed'],
    ]);
  });

  it("asks once for the base currency when Xero's template leaves Currency blank", () => {
    const read = readInvoicesCsv(fixture('xero-invoice-import-template.csv'));
    expect(read.errors).toEqual([
      {
        line: 2,
        field: 'Currency',
        message:
          "is empty on line 2; when a blank currency means the organisation's base currency, say which it is " +
          '(--currency NZD, or Currency in the import form)',
      },
    ]);
  });

  it("finds QuickBooks' Open Invoices report header on line 5 and takes each customer from the heading above", () => {
    const read = readInvoicesCsv(fixture('quickbooks-open-invoices.csv'), { defaultCurrency: 'USD' });
    expect(read).toMatchObject({ format: 'quickbooks-open-invoices', rows: 4, invoiceCount: 3, errors: [] });
    expect(read.skipped).toEqual([{ line: 8, reason: 'CM-7 is a Credit Memo, not an invoice' }]);
    expect(facts(read.invoices).map((i) => [i.line, i.number, i.clientName, i.total, i.amountPaid, i.status])).toEqual([
      [7, '1002', 'Globex Corporation', '4000.00', '2500.00', 'sent'],
      [11, '1003', 'Initech', '2750.00', '0.00', 'sent'],
      [12, '1006', 'Initech', '950.00', '0.00', 'sent'],
    ]);
  });

  it("gathers QuickBooks' invoice import layout by InvoiceNo, adding item amounts and their tax", () => {
    const read = readInvoicesCsv(fixture('quickbooks-invoice-import.csv'));
    expect(read).toMatchObject({ format: 'quickbooks-import', rows: 3, invoiceCount: 2, errors: [] });
    expect(
      facts(read.invoices).map((i) => [i.number, i.clientName, i.total, i.issueDate, i.dueDate, i.status]),
    ).toEqual([
      ['2101', 'Northwind Traders', '6300.00', '2026-10-05', '2026-11-04', 'sent'],
      ['2102', 'Initech', '1299.00', '2026-11-20', '2026-12-20', 'sent'],
    ]);
  });

  it('reads a plain sheet by the names its columns go by, with paid dates, and infers each status from the row', () => {
    const read = readInvoicesCsv(fixture('invoice-sheet.csv'));
    expect(read).toMatchObject({ format: 'sheet', rows: 4, invoiceCount: 4, errors: [] });
    expect(facts(read.invoices).map((i) => [i.number, i.clientEmail, i.status, i.amountPaid, i.paidOn])).toEqual([
      ['S-100', 'ap@acme.example', 'paid', '1000.00', '2026-09-10'],
      ['S-101', 'ap@acme.example', 'paid', '2500.00', '2026-10-20'],
      ['S-102', 'ap@acme.example', 'sent', '300.00', '2026-11-02'],
      ['S-103', null, 'sent', '0.00', undefined],
    ]);
  });

  it('knows each column by every name in its table of synonyms', () => {
    for (const [field, names] of Object.entries(SHEET_COLUMNS)) {
      for (const name of names) {
        const header = ['Invoice No', 'Client', 'Total', 'Invoice Date', 'Currency'].filter(
          (h) =>
            headerKey(h) !== name &&
            !(SHEET_COLUMNS[field as keyof typeof SHEET_COLUMNS] as readonly string[]).includes(headerKey(h)),
        );
        const row: Record<string, string> = {
          'Invoice No': 'A-1',
          Client: 'Acme',
          Total: '100.00',
          'Invoice Date': '2026-09-01',
          Currency: 'USD',
        };
        const sample: Record<keyof typeof SHEET_COLUMNS, string> = {
          number: 'A-1',
          client: 'Acme',
          clientEmail: 'ap@acme.example',
          currency: 'USD',
          total: '100.00',
          issueDate: '2026-09-01',
          terms: 'net 30',
          dueDate: '2026-10-01',
          basisDate: '2026-09-01',
          basisLabel: 'delivery',
          owner: 'U0ALICE',
          description: 'Work',
          status: 'sent',
          amountPaid: '40.00',
          amountDue: '60.00',
          paidOn: '2026-09-20',
          sentOn: '2026-09-02',
          paymentsReceived: '',
        };
        const csv = [
          [...header, name].join(','),
          [...header.map((h) => row[h]), sample[field as keyof typeof SHEET_COLUMNS]].join(','),
        ].join('\n');
        const read = readInvoicesCsv(csv);
        expect(read.errors, `${field} as "${name}"`).toEqual([]);
        expect(read.format, `${field} as "${name}"`).toBe('sheet');
        const [invoice] = read.invoices;
        const got: Record<string, unknown> = {
          number: invoice?.number,
          client: invoice?.clientName,
          clientEmail: invoice?.clientEmail,
          currency: invoice?.currency,
          total: invoice?.total,
          issueDate: invoice?.issueDate,
          terms: invoice?.terms,
          dueDate: invoice?.dueDate,
          basisDate: invoice?.basisDate,
          basisLabel: invoice?.basisLabel,
          owner: invoice?.ownerUserId,
          description: invoice?.description,
          status: invoice?.status,
          amountPaid: invoice?.amountPaid,
          amountDue: invoice?.amountPaid === '40.00' ? '60.00' : invoice?.amountPaid,
          paidOn: invoice?.paidOn,
          sentOn: invoice?.sentOn,
        };
        expect(got[field], `${field} as "${name}"`).toBe(sample[field as keyof typeof SHEET_COLUMNS]);
      }
    }
  });

  it('takes a row of our own format without a status as paid, sent or draft from what it carries', () => {
    const read = readInvoicesCsv(fixture('ledger-without-status.csv'));
    expect(read.errors).toEqual([]);
    expect(facts(read.invoices).map((i) => [i.number, i.status, i.paidOn])).toEqual([
      ['L-1', 'paid', '2026-08-05'],
      ['L-2', 'sent', undefined],
      ['L-3', 'draft', undefined],
    ]);
    expect(read.notes.map((n) => n.message)).toEqual([
      'no status in the file: taken as paid, since all of EUR 500.00 is paid',
      'no status in the file: taken as sent, since it is due 2026-10-31 with EUR 750.00 owed',
      'no status in the file, no due date and no payment: taken as a draft',
    ]);
  });
});

describe('encodings, delimiters and broken files', () => {
  const SHEET = 'InvoiceNumber,Client,InvoiceDate,Currency,Total\nA-1,Café Zoë,2026-09-01,EUR,100.00\n';

  it('decodes UTF-16 by its byte-order mark, either way round, and UTF-8 with or without one', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SHEET, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeCsv(le)).toEqual({ ok: true, value: SHEET });
    expect(decodeCsv(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ ok: true, value: SHEET });
    expect(decodeCsv(Buffer.from(`\ufeff${SHEET}`, 'utf8'))).toEqual({ ok: true, value: SHEET });
    const read = readInvoicesCsv((decodeCsv(le) as { value: string }).value);
    expect(facts(read.invoices)).toEqual([expect.objectContaining({ number: 'A-1', clientName: 'Café Zoë' })]);
  });

  it('refuses bytes that are not text it can read, in words', () => {
    expect(decodeCsv(Buffer.from(SHEET, 'latin1'))).toEqual({
      ok: false,
      message: 'The file is not UTF-8 text. In Excel, save it as "CSV UTF-8 (Comma delimited)" and try again.',
    });
    expect(decodeCsv(Buffer.from(SHEET, 'utf16le'))).toMatchObject({
      ok: false,
      message: expect.stringContaining('UTF-16 without its byte-order mark'),
    });
  });

  it('reads a semicolon-separated file with decimal commas, and says how it read it', () => {
    const read = readInvoicesCsv(fixture('invoices-semicolon-decimal-comma.csv'));
    expect(read).toMatchObject({ format: 'sheet', rows: 2, invoiceCount: 2, errors: [] });
    expect(
      facts(read.invoices).map((i) => [i.number, i.clientName, i.total, i.amountPaid, i.issueDate, i.status]),
    ).toEqual([
      ['E-1', 'Müller GmbH', '1234.50', '1234.50', '2026-09-15', 'paid'],
      ['E-2', 'Dupont SA', '980.00', '0.00', '2026-10-01', 'sent'],
    ]);
    expect(read.notes.slice(0, 2)).toEqual([
      { line: 1, message: 'read as semicolon-separated values' },
      { line: 1, message: 'amounts are read with a decimal comma, as the file writes them ("1.234,50" is 1234.50)' },
    ]);
  });

  it('refuses a decimal comma among decimal points on its own line, saying how to write it', () => {
    const read = readInvoicesCsv(
      'InvoiceNumber;Client;InvoiceDate;Currency;Total\nA-1;Acme;2026-09-01;EUR;100.50\nA-2;Acme;2026-09-02;EUR;1.234,50\n',
    );
    expect(read.errors).toEqual([
      {
        line: 3,
        number: 'A-2',
        field: 'Total',
        message: '"1.234,50" uses a point for thousands and a comma for decimals; write 1,234.50',
      },
    ]);
  });

  it('refuses a row with fewer values than the header has columns, and one with an unquoted comma, by line', () => {
    const read = readInvoicesCsv(
      [
        'number,client,currency,total,issue_date,due_date,status',
        'A-1,Acme,USD,100.00,2026-09-01,2026-10-01,sent',
        'A-2,Acme,USD,100.00,2026-09-01,sent',
        'A-3,Acme,USD,1,250.00,2026-09-01,2026-10-01,sent',
      ].join('\n'),
    );
    expect(read.errors).toEqual([
      {
        line: 3,
        number: 'A-2',
        message:
          'has 6 values where the header has 7 columns: a value is missing, so the others would land in the wrong columns; give every column its value, even an empty one ("A,,C")',
      },
      {
        line: 4,
        number: 'A-3',
        message:
          'has 8 values where the header has 7 columns: a value with a comma in it (such as 1,234.50, 1234,50 or "Acme, Inc") needs quotes around it',
      },
    ]);
    expect(read).toMatchObject({ rows: 3, invoiceCount: 3 });
  });

  it('says a file is empty, or has a header and nothing under it', () => {
    expect(readInvoicesCsv('').errors).toEqual([
      { line: 1, message: 'the file is empty; export the invoices again and import that file' },
    ]);
    expect(readInvoicesCsv('\ufeff\r\n \r\n').errors[0]?.message).toContain('the file is empty');
    expect(readInvoicesCsv('Title,,\n,,\nnumber,client,currency,total,issue_date\n,,,,\n').errors).toEqual([
      { line: 3, message: 'the file has its header row but no invoices under it' },
    ]);
  });

  it("puts a stray quote in words, not the parser's", () => {
    const read = readInvoicesCsv('number,client,currency,total,issue_date\nA-1,Acme "West",USD,100,2026-09-01\n');
    expect(read.errors).toEqual([
      {
        line: 2,
        message:
          'has a quote (") inside a value that does not start with one; put the whole value in quotes and double the quote inside it ("5"" screen")',
      },
    ]);
    expect(JSON.stringify(read.errors)).not.toMatch(/Invalid Opening Quote/i);
  });
});
