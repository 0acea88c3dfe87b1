// Invoice CSV files from Xero, QuickBooks Online and this app, read into one normalised invoice each.
//
// The format is recognised from its header row (any case, spaces and punctuation ignored, so "Due Date",
// "DueDate", "*DueDate" and "due_date" are one column). Rows above the header (a report's title, company and
// period) and rows below it that carry no invoice (blank lines, TOTAL and "Accrual Basis …" footers) are
// passed over. Every problem is reported with the line it is on and the file's own name for the column.
//
// - Xero, Accounts → Sales → Export: one line per invoice line; ContactName, EmailAddress, InvoiceNumber,
//   Reference, InvoiceDate, DueDate, Total, TaxTotal, InvoiceAmountPaid, InvoiceAmountDue, Description,
//   Quantity, UnitAmount, Discount, LineAmount, TaxAmount, Currency, Type, Status. Lines are gathered by
//   InvoiceNumber; the invoice's Total when given, else the sum of its lines (LineAmount, or Quantity ×
//   UnitAmount, plus TaxAmount). Status DRAFT/SUBMITTED → draft, AUTHORISED → sent, PAID → paid,
//   VOIDED/DELETED → void (the screen's words "Awaiting Payment" and so on too).
// - QuickBooks Online, the Invoice List report or the Sales → Invoices list: Date, No./Num, Customer/Name,
//   Due Date, Amount, Open Balance, Currency, Status, Memo/Description, Transaction Type. One line per
//   invoice; paid = Amount − Open Balance; rows of another transaction type are skipped.
// - Ours (README "Import and export"): number, client, client_email, currency, total, issue_date, terms,
//   due_date, basis_date, basis_label, owner, description, status, amount_paid, paid_on. amount_due and
//   state, which the export adds for people, are read-only and ignored here.
import { parse } from 'csv-parse/sync';
import type { LocalDate } from '../domain/dates.js';
import { isCurrency, toDecimalString } from '../domain/money.js';
import { dueDateFor, parseTerms } from '../domain/terms.js';
import { controlCharacterIn } from '../domain/text.js';
import {
  cellText,
  type DateOrder,
  dateOrderEvidence,
  multiply,
  type Read,
  readDate,
  readDecimal,
  readMoney,
} from './values.js';

export type FormatId = 'xero' | 'quickbooks' | 'ledger';

export const FORMAT_NAMES: Readonly<Record<FormatId, string>> = {
  xero: 'Xero invoice export',
  quickbooks: 'QuickBooks Online invoice list',
  ledger: 'receivables-bot invoice CSV',
};

export type InvoiceStatusInFile = 'draft' | 'sent' | 'paid' | 'void';

/** The invoice facts every format maps to. A field left undefined is one the file does not say. */
export interface ImportedInvoice {
  /** The invoice's first line in the file (1-based, as an editor counts them). */
  line: number;
  number: string;
  clientName: string;
  clientEmail?: string | null;
  currency: string;
  /** Plain decimal in the currency's exponent ("1234.50"); null only for a void invoice the file gives no amount. */
  total: string | null;
  issueDate: LocalDate;
  dueDate?: LocalDate;
  /** As people write them ("net 30", "eom+15", or a due date), already checked. */
  terms?: string;
  basisDate?: LocalDate;
  basisLabel?: string | null;
  ownerUserId?: string | null;
  description?: string | null;
  status: InvoiceStatusInFile;
  /** Plain decimal; undefined when the file does not say what was paid. */
  amountPaid?: string;
  paidOn?: LocalDate;
  /** The file's own column header for each field, to name it in messages. */
  columns: Partial<Record<InvoiceField, string>>;
}

export type InvoiceField =
  | 'number'
  | 'clientName'
  | 'clientEmail'
  | 'currency'
  | 'total'
  | 'issueDate'
  | 'dueDate'
  | 'terms'
  | 'basisDate'
  | 'basisLabel'
  | 'ownerUserId'
  | 'description'
  | 'status'
  | 'amountPaid'
  | 'paidOn';

export interface RowProblem {
  line: number;
  /** The invoice number, when the line has one. */
  number?: string;
  /** The column at fault, as the file names it. */
  field?: string;
  message: string;
}

export interface ReadOptions {
  /** For files without a Currency column (QuickBooks without multicurrency, our own format). */
  defaultCurrency?: string | undefined;
  /** How to read dates like 03/04/2026 when nothing in the file tells. */
  dateOrder?: DateOrder | undefined;
}

export interface ReadResult {
  format: FormatId | null;
  /** Data lines read (lines without an invoice, such as totals and blank lines, are not counted). */
  rows: number;
  /** The invoices without a problem. */
  invoices: ImportedInvoice[];
  errors: RowProblem[];
  /** Lines deliberately left out, such as credit notes, with why. */
  skipped: { line: number; reason: string }[];
}

// ─── columns ─────────────────────────────────────────────────────────────────────────────────────────────

/** "Due Date", "*DueDate" and "due_date" all become "duedate". */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const LEDGER_COLUMNS = {
  number: ['number'],
  client: ['client'],
  clientEmail: ['clientemail'],
  currency: ['currency'],
  total: ['total'],
  issueDate: ['issuedate'],
  terms: ['terms'],
  dueDate: ['duedate'],
  basisDate: ['basisdate'],
  basisLabel: ['basislabel'],
  owner: ['owner'],
  description: ['description'],
  status: ['status'],
  amountPaid: ['amountpaid'],
  paidOn: ['paidon'],
} as const;

const XERO_COLUMNS = {
  contact: ['contactname'],
  email: ['emailaddress'],
  number: ['invoicenumber'],
  reference: ['reference'],
  invoiceDate: ['invoicedate'],
  dueDate: ['duedate'],
  total: ['total'],
  paid: ['invoiceamountpaid', 'amountpaid'],
  due: ['invoiceamountdue', 'amountdue'],
  description: ['description'],
  quantity: ['quantity'],
  unitAmount: ['unitamount'],
  discount: ['discount', 'discountrate'],
  lineAmount: ['lineamount'],
  taxAmount: ['taxamount'],
  currency: ['currency', 'currencycode'],
  type: ['type'],
  status: ['status'],
} as const;

const QUICKBOOKS_COLUMNS = {
  date: ['date', 'invoicedate', 'transactiondate', 'txndate'],
  number: ['no', 'num', 'invoiceno', 'invoicenumber', 'number'],
  customer: ['customer', 'name', 'customername', 'customerfullname'],
  dueDate: ['duedate'],
  amount: ['amount', 'total', 'totalamount'],
  openBalance: ['openbalance', 'balance'],
  currency: ['currency'],
  status: ['status'],
  memo: ['memodescription', 'memo', 'description'],
  type: ['transactiontype', 'type'],
} as const;

type Aliases = Readonly<Record<string, readonly string[]>>;

/** Where each field is in the header row, and what the file calls it. */
class Columns<K extends string> {
  private readonly found = new Map<K, { index: number; header: string }>();

  constructor(header: readonly string[], aliases: Readonly<Record<K, readonly string[]>>) {
    const keys = header.map(headerKey);
    for (const field of Object.keys(aliases) as K[]) {
      for (const alias of aliases[field]) {
        const index = keys.indexOf(alias);
        if (index >= 0) {
          this.found.set(field, { index, header: (header[index] ?? '').trim() });
          break;
        }
      }
    }
  }

  has(field: K): boolean {
    return this.found.has(field);
  }

  header(field: K): string | undefined {
    return this.found.get(field)?.header;
  }

  /** The cell's text, '' when empty or when the file has no such column. */
  get(row: SourceRow, field: K): string {
    const at = this.found.get(field);
    return at === undefined ? '' : cellText(row.cells[at.index]);
  }
}

interface SourceRow {
  line: number;
  cells: string[];
}

interface Detected {
  format: FormatId;
  headerIndex: number;
}

const DETECTORS: readonly { format: FormatId; aliases: Aliases; required: readonly (readonly string[])[] }[] = [
  { format: 'ledger', aliases: LEDGER_COLUMNS, required: [['number'], ['client'], ['total'], ['issuedate']] },
  {
    format: 'xero',
    aliases: XERO_COLUMNS,
    required: [['contactname'], ['invoicenumber'], ['invoicedate'], ['total', 'unitamount', 'lineamount']],
  },
  {
    format: 'quickbooks',
    aliases: QUICKBOOKS_COLUMNS,
    required: [QUICKBOOKS_COLUMNS.date, QUICKBOOKS_COLUMNS.number, QUICKBOOKS_COLUMNS.customer, ['amount', 'total']],
  },
];

/** The format of a header row, or undefined when it is none we know. */
export function detectFormat(header: readonly string[]): FormatId | undefined {
  const keys = new Set(header.map(headerKey));
  return DETECTORS.find((d) => d.required.every((anyOf) => anyOf.some((key) => keys.has(key))))?.format;
}

// A report's title block is a few lines; a header further down than this is not a header.
const HEADER_SEARCH_ROWS = 15;

function findHeader(rows: readonly SourceRow[]): Detected | undefined {
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH_ROWS); i++) {
    const format = detectFormat(rows[i]?.cells ?? []);
    if (format) return { format, headerIndex: i };
  }
  return undefined;
}

// ─── reading ─────────────────────────────────────────────────────────────────────────────────────────────

/** Splits the text into rows with the line each starts on, or says where the CSV is malformed. */
function readRows(text: string): SourceRow[] | RowProblem {
  // One kind of line break, so line numbers are what an editor shows.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    // With info and raw, each record comes wrapped with them (the typings only know plain records).
    records = parse(normalised, {
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    const reason = error instanceof Error ? error.message : String(error);
    return { line: lines ?? 1, message: `the file is not valid CSV: ${reason}` };
  }
  return records.map(({ record, info, raw }) => {
    // info.lines is the record's last line; a quoted value may span several.
    const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
    const inner = body.split('\n').length - 1;
    return { line: info.lines - inner, cells: record };
  });
}

/** Everything a format reader needs besides its rows. */
class Reader {
  readonly errors: RowProblem[] = [];
  readonly skipped: { line: number; reason: string }[] = [];
  readonly invoices: ImportedInvoice[] = [];
  dateOrder: DateOrder | undefined;

  constructor(readonly options: ReadOptions) {
    this.dateOrder = options.dateOrder;
  }

  /** Settles the date order from the file's own dates when not given: dates that read only one way decide. */
  learnDateOrder(cells: readonly string[]) {
    if (this.dateOrder) return;
    const votes = { dmy: 0, mdy: 0 };
    for (const cell of cells) {
      const order = dateOrderEvidence(cell);
      if (order) votes[order]++;
    }
    // A stray date written the other way round is then reported as not a real date, not guessed at.
    if (votes.dmy !== votes.mdy) this.dateOrder = votes.dmy > votes.mdy ? 'dmy' : 'mdy';
  }

  problem(line: number, number: string | undefined, field: string | undefined, message: string) {
    this.errors.push({ line, ...(number ? { number } : {}), ...(field ? { field } : {}), message });
  }

  currency(line: number, number: string, text: string, column: string | undefined): string | undefined {
    const code = (text || this.options.defaultCurrency || '').trim().toUpperCase();
    if (code === '') {
      this.problem(line, number, column, 'is empty; write the currency code, like USD');
      return undefined;
    }
    if (!isCurrency(code)) {
      this.problem(line, number, column ?? 'currency', `"${code}" is not an ISO 4217 currency code (USD, EUR, GBP…)`);
      return undefined;
    }
    return code;
  }

  date(line: number, number: string, text: string, column: string | undefined): LocalDate | undefined {
    const read = readDate(text, this.dateOrder);
    if (read.ok) return read.value;
    this.problem(line, number, column, read.message);
    return undefined;
  }

  money(line: number, number: string, read: Read<bigint>, column: string | undefined): bigint | undefined {
    if (read.ok) return read.value;
    this.problem(line, number, column, read.message);
    return undefined;
  }

  /** The checks every format shares, then the invoice is kept. */
  finish(
    draft: Omit<ImportedInvoice, 'total' | 'amountPaid'> & { totalMinor: bigint | null; paidMinor?: bigint },
  ): void {
    const { totalMinor, paidMinor, ...invoice } = draft;
    const { line, number, columns, currency } = invoice;
    const before = this.errors.length;
    if (totalMinor === null && invoice.status !== 'void') {
      this.problem(line, number, columns.total, 'is empty; give the invoice total');
    }
    if (totalMinor !== null && totalMinor <= 0n) {
      this.problem(
        line,
        number,
        columns.total,
        `must be more than zero (it is ${toDecimalString(totalMinor, currency)})`,
      );
    }
    if (invoice.dueDate && invoice.dueDate < invoice.issueDate) {
      this.problem(line, number, columns.dueDate, `${invoice.dueDate} is before the invoice date ${invoice.issueDate}`);
    }
    let paid = paidMinor;
    if (invoice.status === 'paid' && paid === undefined && totalMinor !== null) paid = totalMinor;
    if (paid !== undefined && paid < 0n) {
      this.problem(line, number, columns.amountPaid, 'cannot be negative');
    } else if (paid !== undefined && totalMinor !== null && paid > totalMinor) {
      this.problem(
        line,
        number,
        columns.amountPaid,
        `${toDecimalString(paid, currency)} is more than the total ${toDecimalString(totalMinor, currency)}`,
      );
    } else if (invoice.status === 'paid' && paid !== undefined && totalMinor !== null && paid < totalMinor) {
      this.problem(
        line,
        number,
        columns.status,
        `says paid, but only ${toDecimalString(paid, currency)} of ${toDecimalString(totalMinor, currency)} is paid`,
      );
    } else if (invoice.status === 'void' && paid !== undefined && paid > 0n) {
      this.problem(
        line,
        number,
        columns.status,
        `says void, but ${toDecimalString(paid, currency)} is paid; a voided invoice carries no payments`,
      );
    }
    if (this.errors.length > before) return;
    this.invoices.push({
      ...invoice,
      total: totalMinor === null ? null : toDecimalString(totalMinor, currency),
      ...(paid !== undefined ? { amountPaid: toDecimalString(paid, currency) } : {}),
    });
  }
}

/** Reads an invoice CSV of any known format. Never throws for what is in the file: problems are returned. */
export function readInvoicesCsv(text: string, options: ReadOptions = {}): ReadResult {
  const rows = readRows(text);
  if (!Array.isArray(rows)) return { format: null, rows: 0, invoices: [], errors: [rows], skipped: [] };
  const detected = findHeader(rows);
  if (!detected) {
    return {
      format: null,
      rows: 0,
      invoices: [],
      skipped: [],
      errors: [
        {
          line: rows[0]?.line ?? 1,
          message:
            'no header row we know: expected a Xero invoice export (ContactName, InvoiceNumber, InvoiceDate, Total…), ' +
            'a QuickBooks invoice list (Date, No., Customer, Amount…) or our own format (number, client, total, issue_date…)',
        },
      ],
    };
  }
  const headerRow = rows[detected.headerIndex];
  const header = headerRow?.cells ?? [];
  const data = rows.slice(detected.headerIndex + 1);
  const hasCurrency = header.some((h) => ['currency', 'currencycode'].includes(headerKey(h)));
  if (!hasCurrency && !options.defaultCurrency) {
    const message = 'the file has no Currency column; say which currency its amounts are in (--currency USD)';
    return {
      format: detected.format,
      rows: 0,
      invoices: [],
      skipped: [],
      errors: [{ line: headerRow?.line ?? 1, message }],
    };
  }
  const reader = new Reader(options);
  let read: number;
  switch (detected.format) {
    case 'ledger': {
      const cols = new Columns(header, LEDGER_COLUMNS);
      read = readLedger(reader, cols, withoutControlCharacters(reader, header, cols, data));
      break;
    }
    case 'xero': {
      const cols = new Columns(header, XERO_COLUMNS);
      read = readXero(reader, cols, withoutControlCharacters(reader, header, cols, data));
      break;
    }
    case 'quickbooks': {
      const cols = new Columns(header, QUICKBOOKS_COLUMNS);
      read = readQuickBooks(reader, cols, withoutControlCharacters(reader, header, cols, data));
      break;
    }
  }
  reader.errors.sort((a, b) => a.line - b.line);
  return {
    format: detected.format,
    rows: read,
    invoices: reader.invoices,
    errors: reader.errors,
    skipped: reader.skipped,
  };
}

/**
 * The rows without a control character in any cell. Each cell holding one (a NUL cannot even be stored) is
 * reported with its line and column, as a text field would be refused, and its line is left out.
 */
function withoutControlCharacters(
  reader: Reader,
  header: readonly string[],
  cols: Pick<Columns<'number'>, 'get'>,
  rows: readonly SourceRow[],
): SourceRow[] {
  return rows.filter((row) => {
    const bad = row.cells.flatMap((cell, i) => {
      const control = controlCharacterIn(cell);
      return control ? [{ column: (header[i] ?? '').trim(), control }] : [];
    });
    if (bad.length === 0) return true;
    const number = cols.get(row, 'number');
    for (const { column, control } of bad) {
      reader.problem(
        row.line,
        controlCharacterIn(number) ? undefined : number,
        column || undefined,
        `contains a control character (${control}) that cannot be saved; remove it`,
      );
    }
    return false;
  });
}

/** Rows with an invoice on them (others, like blank lines and totals, are passed over), each number once. */
function invoiceRows<K extends string>(
  reader: Reader,
  cols: Columns<K>,
  rows: readonly SourceRow[],
  keys: { number: K; client: K; date: K },
  options: { grouped: boolean },
): Map<string, SourceRow[]> {
  const groups = new Map<string, SourceRow[]>();
  for (const row of rows) {
    const number = cols.get(row, keys.number);
    if (number === '' && cols.get(row, keys.client) === '' && cols.get(row, keys.date) === '') continue;
    const key = number.toLowerCase();
    const group = groups.get(key);
    if (group && !options.grouped && number !== '') {
      reader.problem(row.line, number, cols.header(keys.number), `${number} is already on line ${group[0]?.line}`);
      continue;
    }
    if (group && number !== '') group.push(row);
    else groups.set(number === '' ? `\u0000${row.line}` : key, [row]);
  }
  return groups;
}

function countRows(groups: Map<string, SourceRow[]>): number {
  let count = 0;
  for (const group of groups.values()) count += group.length;
  return count;
}

// ─── our own format ──────────────────────────────────────────────────────────────────────────────────────

type LedgerKey = keyof typeof LEDGER_COLUMNS;

const LEDGER_STATUS: Record<string, InvoiceStatusInFile> = {
  '': 'draft',
  draft: 'draft',
  sent: 'sent',
  paid: 'paid',
  void: 'void',
  voided: 'void',
};

function readLedger(reader: Reader, cols: Columns<LedgerKey>, rows: readonly SourceRow[]): number {
  const groups = invoiceRows(
    reader,
    cols,
    rows,
    { number: 'number', client: 'client', date: 'issueDate' },
    {
      grouped: false,
    },
  );
  const dated: LedgerKey[] = ['issueDate', 'dueDate', 'basisDate', 'paidOn'];
  reader.learnDateOrder([...groups.values()].flat().flatMap((row) => dated.map((f) => cols.get(row, f))));
  const columns: ImportedInvoice['columns'] = {
    number: cols.header('number'),
    clientName: cols.header('client'),
    clientEmail: cols.header('clientEmail'),
    currency: cols.header('currency'),
    total: cols.header('total'),
    issueDate: cols.header('issueDate'),
    dueDate: cols.header('dueDate'),
    terms: cols.header('terms'),
    basisDate: cols.header('basisDate'),
    basisLabel: cols.header('basisLabel'),
    ownerUserId: cols.header('owner'),
    description: cols.header('description'),
    status: cols.header('status'),
    amountPaid: cols.header('amountPaid'),
    paidOn: cols.header('paidOn'),
  };
  for (const [row] of groups.values()) {
    if (!row) continue;
    const { line } = row;
    const cell = (field: LedgerKey) => cols.get(row, field);
    const optional = (field: LedgerKey) => (cols.has(field) ? cell(field) || null : undefined);
    const number = cell('number');
    const errorsBefore = reader.errors.length;
    if (number === '') reader.problem(line, undefined, columns.number, 'is empty; every invoice needs its number');
    const clientName = cell('client');
    if (clientName === '') reader.problem(line, number, columns.clientName, 'is empty; name the client');
    const currency = reader.currency(line, number, cell('currency'), columns.currency);
    const issueDate = reader.date(line, number, cell('issueDate'), columns.issueDate);
    const dueDate = cell('dueDate') === '' ? undefined : reader.date(line, number, cell('dueDate'), columns.dueDate);
    const basisDate =
      cell('basisDate') === '' ? undefined : reader.date(line, number, cell('basisDate'), columns.basisDate);
    const paidOn = cell('paidOn') === '' ? undefined : reader.date(line, number, cell('paidOn'), columns.paidOn);
    const status = LEDGER_STATUS[cell('status').toLowerCase()];
    if (!status) reader.problem(line, number, columns.status, `"${cell('status')}" is not draft, sent, paid or void`);
    let terms: string | undefined = cell('terms') || undefined;
    if (terms !== undefined) {
      const parsed = parseTerms(terms);
      if (!parsed.ok) reader.problem(line, number, columns.terms, parsed.message);
      else if (issueDate && dueDate && parsed.terms.kind !== 'fixed') {
        const computed = dueDateFor(parsed.terms, basisDate ?? issueDate);
        if (computed !== dueDate) {
          reader.problem(
            line,
            number,
            columns.dueDate,
            `${dueDate} disagrees with the terms "${terms}", which make it due ${computed}; leave one of them empty`,
          );
        }
      }
    } else if (dueDate) {
      terms = dueDate; // a due date alone is fixed terms
    }
    const totalMinor =
      currency && cell('total') !== ''
        ? reader.money(line, number, readMoney(cell('total'), currency), columns.total)
        : currency
          ? null
          : undefined;
    const paidMinor =
      currency && cell('amountPaid') !== ''
        ? reader.money(line, number, readMoney(cell('amountPaid'), currency), columns.amountPaid)
        : undefined;
    if (reader.errors.length > errorsBefore || !currency || !issueDate || !status || totalMinor === undefined) continue;
    reader.finish({
      line,
      number,
      clientName,
      clientEmail: optional('clientEmail'),
      currency,
      totalMinor,
      issueDate,
      ...(dueDate ? { dueDate } : {}),
      ...(terms ? { terms } : {}),
      ...(basisDate ? { basisDate } : {}),
      basisLabel: optional('basisLabel'),
      // An empty owner says nothing: a new invoice then belongs to whoever imports it, as when made by hand.
      ...(cell('owner') ? { ownerUserId: cell('owner') } : {}),
      description: optional('description'),
      status,
      ...(paidMinor !== undefined ? { paidMinor } : {}),
      ...(paidOn ? { paidOn } : {}),
      columns,
    });
  }
  return countRows(groups);
}

// ─── Xero ────────────────────────────────────────────────────────────────────────────────────────────────

type XeroKey = keyof typeof XERO_COLUMNS;

// Xero's API codes, and the words its screens and exports use for them.
const XERO_STATUS: Record<string, InvoiceStatusInFile> = {
  draft: 'draft',
  submitted: 'draft',
  awaitingapproval: 'draft',
  authorised: 'sent',
  authorized: 'sent',
  awaitingpayment: 'sent',
  approved: 'sent',
  sent: 'sent',
  overdue: 'sent',
  paid: 'paid',
  voided: 'void',
  void: 'void',
  deleted: 'void',
};

/** Invoice-level columns Xero repeats on every line of an invoice: they must agree. */
const XERO_INVOICE_LEVEL: readonly XeroKey[] = ['contact', 'invoiceDate', 'dueDate', 'currency', 'status', 'total'];

function readXero(reader: Reader, cols: Columns<XeroKey>, rows: readonly SourceRow[]): number {
  const groups = invoiceRows(
    reader,
    cols,
    rows,
    { number: 'number', client: 'contact', date: 'invoiceDate' },
    {
      grouped: true,
    },
  );
  reader.learnDateOrder(
    [...groups.values()].flat().flatMap((row) => [cols.get(row, 'invoiceDate'), cols.get(row, 'dueDate')]),
  );
  const columns: ImportedInvoice['columns'] = {
    number: cols.header('number'),
    clientName: cols.header('contact'),
    clientEmail: cols.header('email'),
    currency: cols.header('currency'),
    total: cols.header('total') ?? cols.header('lineAmount') ?? cols.header('unitAmount'),
    issueDate: cols.header('invoiceDate'),
    dueDate: cols.header('dueDate'),
    description: cols.header('reference') ?? cols.header('description'),
    status: cols.header('status'),
    amountPaid: cols.header('paid') ?? cols.header('due'),
  };
  for (const lines of groups.values()) {
    const [first] = lines;
    if (!first) continue;
    const { line } = first;
    const number = cols.get(first, 'number');
    const errorsBefore = reader.errors.length;
    const type = headerKey(cols.get(first, 'type'));
    if (type !== '' && !['salesinvoice', 'accrec', 'invoice'].includes(type)) {
      reader.skipped.push({
        line,
        reason: `${number || 'this line'} is a ${cols.get(first, 'type')}, not a sales invoice`,
      });
      continue;
    }
    if (number === '') {
      reader.problem(line, undefined, columns.number, 'is empty; every invoice needs its number');
      continue;
    }
    // The first non-empty value of each invoice-level column; a different one on another line is a mistake.
    const value = (field: XeroKey) => lines.map((row) => cols.get(row, field)).find((v) => v !== '') ?? '';
    for (const field of XERO_INVOICE_LEVEL) {
      const expected = value(field);
      for (const row of lines) {
        const got = cols.get(row, field);
        if (got !== '' && got.toLowerCase() !== expected.toLowerCase()) {
          reader.problem(
            row.line,
            number,
            cols.header(field),
            `"${got}" differs from "${expected}" on line ${line}, the first line of ${number}`,
          );
        }
      }
    }
    const clientName = value('contact');
    if (clientName === '') reader.problem(line, number, columns.clientName, 'is empty; name the contact');
    const currency = reader.currency(line, number, value('currency'), columns.currency);
    const issueDate = reader.date(line, number, value('invoiceDate'), columns.issueDate);
    const dueDate = value('dueDate') === '' ? undefined : reader.date(line, number, value('dueDate'), columns.dueDate);
    const statusText = value('status');
    // Without a status (Xero's import template) Xero itself makes drafts.
    const status: InvoiceStatusInFile | undefined = statusText === '' ? 'draft' : XERO_STATUS[headerKey(statusText)];
    if (!status) {
      reader.problem(
        line,
        number,
        columns.status,
        `"${statusText}" is not a Xero status (DRAFT, SUBMITTED, AUTHORISED, PAID or VOIDED)`,
      );
    }
    if (reader.errors.length > errorsBefore || !currency || !issueDate || !status) continue;

    let totalMinor: bigint | null | undefined = null;
    if (value('total') !== '') {
      totalMinor = reader.money(line, number, readMoney(value('total'), currency), cols.header('total'));
    } else {
      totalMinor = xeroLineSum(reader, cols, lines, number, currency);
    }
    let paidMinor: bigint | undefined;
    if (value('paid') !== '') {
      paidMinor = reader.money(line, number, readMoney(value('paid'), currency), cols.header('paid'));
    } else if (value('due') !== '' && typeof totalMinor === 'bigint') {
      const due = reader.money(line, number, readMoney(value('due'), currency), cols.header('due'));
      if (due !== undefined) paidMinor = totalMinor - due;
    }
    if (reader.errors.length > errorsBefore || totalMinor === undefined) continue;
    const described = [...new Set(lines.map((row) => cols.get(row, 'description')).filter((d) => d !== ''))].join('; ');
    const description = value('reference') || described;
    reader.finish({
      line,
      number,
      clientName,
      ...(cols.has('email') ? { clientEmail: value('email') || null } : {}),
      currency,
      totalMinor: status === 'void' && totalMinor === 0n ? null : totalMinor,
      issueDate,
      ...(dueDate ? { dueDate } : {}),
      ...(description ? { description: description.slice(0, 2000) } : {}),
      status,
      ...(paidMinor !== undefined ? { paidMinor } : {}),
      columns,
    });
  }
  return countRows(groups);
}

/** The sum of an invoice's lines, exactly: LineAmount, or Quantity × UnitAmount, plus TaxAmount when given. */
function xeroLineSum(
  reader: Reader,
  cols: Columns<XeroKey>,
  lines: readonly SourceRow[],
  number: string,
  currency: string,
): bigint | null | undefined {
  let sum = 0n;
  let any = false;
  let failed = false;
  for (const row of lines) {
    const fail = (field: XeroKey, message: string) => {
      reader.problem(row.line, number, cols.header(field), message);
      failed = true;
    };
    const money = (field: XeroKey) => {
      const read = readMoney(cols.get(row, field), currency, { signed: true });
      if (read.ok) return read.value;
      fail(field, read.message);
      return undefined;
    };
    let amount: bigint | undefined;
    if (cols.get(row, 'lineAmount') !== '') {
      amount = money('lineAmount');
    } else if (cols.get(row, 'unitAmount') !== '') {
      const unit = money('unitAmount');
      const quantityText = cols.get(row, 'quantity') || '1';
      const quantity = readDecimal(quantityText);
      const discount = cols.get(row, 'discount');
      if (!quantity.ok) fail('quantity', quantity.message);
      else if (discount !== '' && !/^0*(\.0*)?%?$/.test(discount)) {
        fail('discount', 'has a discount; include the LineAmount or Total column so the amount is exact');
      } else if (unit !== undefined) {
        amount = multiply(quantity.value, unit);
        if (amount === undefined) {
          fail('quantity', `${quantityText} × ${cols.get(row, 'unitAmount')} is not a whole amount in ${currency}`);
        }
      }
    } else {
      continue; // a line of text only
    }
    const tax = cols.get(row, 'taxAmount') === '' ? 0n : money('taxAmount');
    if (amount === undefined || tax === undefined) continue;
    sum += amount + tax;
    any = true;
  }
  if (failed) return undefined;
  return any ? sum : null;
}

// ─── QuickBooks Online ───────────────────────────────────────────────────────────────────────────────────

type QuickBooksKey = keyof typeof QUICKBOOKS_COLUMNS;

function quickBooksStatus(text: string): InvoiceStatusInFile | undefined {
  const words = text.toLowerCase().trim();
  if (words === '') return undefined;
  if (words.includes('void')) return 'void';
  if (words.startsWith('draft') || words.startsWith('pending')) return 'draft';
  if (/^(paid|deposited|closed)\b/.test(words)) return 'paid';
  // Open, Overdue, Partially paid, Due in 5 days, Not due yet, Sent, Viewed…: all still owed.
  return 'sent';
}

function readQuickBooks(reader: Reader, cols: Columns<QuickBooksKey>, rows: readonly SourceRow[]): number {
  const groups = invoiceRows(
    reader,
    cols,
    rows,
    { number: 'number', client: 'customer', date: 'date' },
    {
      grouped: false,
    },
  );
  reader.learnDateOrder(
    [...groups.values()].flat().flatMap((row) => [cols.get(row, 'date'), cols.get(row, 'dueDate')]),
  );
  const columns: ImportedInvoice['columns'] = {
    number: cols.header('number'),
    clientName: cols.header('customer'),
    currency: cols.header('currency'),
    total: cols.header('amount'),
    issueDate: cols.header('date'),
    dueDate: cols.header('dueDate'),
    description: cols.header('memo'),
    status: cols.header('status'),
    amountPaid: cols.header('openBalance'),
  };
  for (const [row] of groups.values()) {
    if (!row) continue;
    const { line } = row;
    const cell = (field: QuickBooksKey) => cols.get(row, field);
    const number = cell('number');
    const type = headerKey(cell('type'));
    if (type !== '' && type !== 'invoice') {
      reader.skipped.push({ line, reason: `${number || 'this line'} is a ${cell('type')}, not an invoice` });
      continue;
    }
    const errorsBefore = reader.errors.length;
    if (number === '') reader.problem(line, undefined, columns.number, 'is empty; every invoice needs its number');
    const clientName = cell('customer');
    if (clientName === '') reader.problem(line, number, columns.clientName, 'is empty; name the customer');
    const currency = reader.currency(line, number, cell('currency'), columns.currency);
    const issueDate = reader.date(line, number, cell('date'), columns.issueDate);
    const dueDate = cell('dueDate') === '' ? undefined : reader.date(line, number, cell('dueDate'), columns.dueDate);
    if (reader.errors.length > errorsBefore || !currency || !issueDate) continue;
    const amount =
      cell('amount') === '' ? null : reader.money(line, number, readMoney(cell('amount'), currency), columns.total);
    const open =
      cell('openBalance') === ''
        ? undefined
        : reader.money(line, number, readMoney(cell('openBalance'), currency), columns.amountPaid);
    if (reader.errors.length > errorsBefore || amount === undefined) continue;
    const paidMinor = open !== undefined && amount !== null ? amount - open : undefined;
    const given = quickBooksStatus(cell('status'));
    // Without a status, the balance says it: nothing open is paid; QuickBooks shows a voided invoice as 0.00.
    const status: InvoiceStatusInFile =
      given ??
      (amount === 0n || amount === null ? 'void' : paidMinor !== undefined && paidMinor >= amount ? 'paid' : 'sent');
    reader.finish({
      line,
      number,
      clientName,
      currency,
      totalMinor: status === 'void' && (amount === 0n || amount === null) ? null : amount,
      issueDate,
      ...(dueDate ? { dueDate } : {}),
      ...(cell('memo') ? { description: cell('memo').slice(0, 2000) } : {}),
      status,
      ...(paidMinor !== undefined && !(status === 'void' && paidMinor <= 0n) ? { paidMinor } : {}),
      columns,
    });
  }
  return countRows(groups);
}
