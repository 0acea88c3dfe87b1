// Invoice CSV files from Xero, QuickBooks Online, people's own sheets and this app, read into one normalised
// invoice each.
//
// The format is recognised from its header row (any case, spaces and punctuation ignored, so "Due Date",
// "DueDate", "*DueDate" and "due_date" are one column), wherever it is in the first lines. Rows above the
// header (a report's title, company and period) and rows below it that carry no invoice (blank lines,
// customer headings, TOTAL and "Accrual Basis …" footers) are passed over. Every problem is reported with the
// line it is on and the file's own name for the column. The text comes from decodeCsv (UTF-8, or UTF-16 by
// its BOM); the delimiter (comma, semicolon or tab) and decimal commas are recognised here.
//
// - Xero, Sales → Invoices → Export: one line per invoice line; ContactName, EmailAddress, InvoiceNumber,
//   Reference, InvoiceDate, DueDate, Total, TaxTotal, InvoiceAmountPaid, InvoiceAmountDue, Description,
//   Quantity, UnitAmount, Discount, LineAmount, TaxAmount, Currency, Type, Status. Lines are gathered by
//   InvoiceNumber; the invoice's Total when given, else the sum of its lines (LineAmount, or Quantity ×
//   UnitAmount, plus TaxAmount). Status DRAFT/SUBMITTED → draft, AUTHORISED → sent, PAID → paid,
//   VOIDED/DELETED → void (the screen's words "Awaiting Payment" and so on too).
// - Xero's sales invoice import template: the same names without Status, Type or amounts paid or due; a blank
//   Currency is the base currency the person gives.
// - QuickBooks Online, the Invoice List report or the Sales → Invoices list: Date, No./Num, Customer/Name,
//   Due Date, Amount, Open Balance, Currency, Status, Memo/Description, Transaction Type. One line per
//   invoice; paid = Amount − Open Balance; rows of another transaction type are skipped. The Open Invoices
//   report is the same without a customer column: each customer is a heading line above their invoices.
// - QuickBooks Online's invoice import layout: InvoiceNo, Customer, InvoiceDate, DueDate, Item…, ItemAmount,
//   ItemTaxAmount, gathered by InvoiceNo like Xero's lines.
// - A plain sheet: the fields of ours under the names in SHEET_COLUMNS.
// - Ours (README "Import and export"): number, client, client_email, currency, total, issue_date, terms,
//   due_date, basis_date, basis_label, owner, description, status, amount_paid, paid_on, sent_on. amount_due
//   and state, which the export adds for people, are read-only and ignored here.
//
// Without a status, one is inferred from the row (inferStatus) and said in the notes.
import { parse } from 'csv-parse/sync';
import {
  cellText,
  type DateOrder,
  dateOrderEvidence,
  multiply,
  type Read,
  readDate,
  readDecimal,
  readMoney,
} from './csv-values.js';
import type { LocalDate } from './dates.js';
import { isCurrency, toDecimalString } from './money.js';
import { dueDateFor, parseTerms } from './terms.js';
import { controlCharacterIn } from './text.js';

export type FormatId =
  | 'xero'
  | 'xero-template'
  | 'quickbooks'
  | 'quickbooks-open-invoices'
  | 'quickbooks-import'
  | 'ledger'
  | 'sheet';

export const FORMAT_NAMES: Readonly<Record<FormatId, string>> = {
  xero: 'Xero sales invoice export',
  'xero-template': 'Xero sales invoice import template',
  quickbooks: 'QuickBooks Online invoice list',
  'quickbooks-open-invoices': 'QuickBooks Online Open Invoices report',
  'quickbooks-import': 'QuickBooks Online invoice import file',
  ledger: 'receivables-bot invoice CSV',
  sheet: 'plain invoice sheet',
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
  /**
   * Each payment with its day, when the file lists them (our export's payments_received): they add up to amountPaid,
   * and a new invoice gets them one by one, each on its own day.
   */
  payments?: { receivedOn: LocalDate; amount: string }[];
  /** The day it was sent, when the file says so (else the service takes the invoice date). */
  sentOn?: LocalDate;
  /** What was worked out rather than read, for the dry run to say ("no Status: taken as sent, …"). */
  inferred?: string;
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
  | 'paidOn'
  | 'paymentsReceived'
  | 'sentOn';

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
  /** Data lines with an invoice on them (blank lines, headings and totals are not counted), refused ones too. */
  rows: number;
  /** Invoices in the file, refused ones too (lines of one invoice count once; lines left out do not count). */
  invoiceCount: number;
  /** What was worked out rather than read: how the file was read, and statuses inferred, by line. */
  notes: { line: number; number?: string; message: string }[];
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
  // Our export's amount_due is for people and ignored: amount_paid says it.
  amountDue: [],
  paidOn: ['paidon'],
  sentOn: ['senton'],
  // Our export's list of payments with their days ('2026-11-20 500.00; …').
  paymentsReceived: ['paymentsreceived'],
} as const satisfies Record<string, readonly string[]>;

/**
 * A plain invoice sheet, as people head their own columns: each field and the names it goes by (compared as
 * headerKey leaves them: "Invoice #" is "invoice", "Amount Paid" is "amountpaid"). The first name found wins.
 */
export const SHEET_COLUMNS = {
  number: ['number', 'invoicenumber', 'invoiceno', 'invoicenum', 'invoiceid', 'invoice', 'invno', 'docnumber', 'no'],
  client: ['client', 'clientname', 'customer', 'customername', 'contact', 'contactname', 'company', 'billto', 'name'],
  clientEmail: ['clientemail', 'email', 'emailaddress', 'customeremail', 'contactemail', 'billingemail'],
  currency: ['currency', 'currencycode', 'ccy'],
  total: ['total', 'invoicetotal', 'totalamount', 'amount', 'invoiceamount', 'grandtotal', 'totalincltax', 'gross'],
  issueDate: ['issuedate', 'invoicedate', 'dateissued', 'issued', 'date', 'txndate'],
  terms: ['terms', 'paymentterms'],
  dueDate: ['duedate', 'datedue', 'paymentdue', 'due'],
  basisDate: ['basisdate'],
  basisLabel: ['basislabel'],
  owner: ['owner'],
  description: ['description', 'memo', 'notes', 'reference', 'details'],
  status: ['status', 'state', 'invoicestatus'],
  amountPaid: ['amountpaid', 'paid', 'paidamount', 'amountreceived', 'totalpaid', 'payments'],
  amountDue: ['amountdue', 'balancedue', 'balance', 'openbalance', 'outstanding', 'amountowed', 'owed'],
  paidOn: ['paidon', 'paiddate', 'datepaid', 'paymentdate', 'lastpaymentdate', 'fullypaidondate'],
  sentOn: ['senton', 'sentdate', 'datesent'],
  // Only our own format lists payments one by one.
  paymentsReceived: [],
} as const satisfies Record<keyof typeof LEDGER_COLUMNS, readonly string[]>;

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
  paidOn: ['fullypaidondate', 'paiddate'],
} as const;

/**
 * QuickBooks Online's invoice import layout (Sales → Invoices → Import): one line per item, gathered by
 * invoice number like Xero's, so it is read by the Xero reader with these names.
 */
const QUICKBOOKS_IMPORT_COLUMNS = {
  contact: ['customer', 'customername'],
  email: ['email', 'customeremail'],
  number: ['invoiceno', 'invoicenumber', 'invoicenum'],
  reference: ['memo', 'messageoninvoice'],
  invoiceDate: ['invoicedate'],
  dueDate: ['duedate'],
  total: ['total', 'invoicetotal'],
  paid: ['amountpaid'],
  due: ['balance', 'balancedue', 'openbalance'],
  description: ['itemdescription', 'description'],
  quantity: ['itemquantity', 'quantity', 'qty'],
  unitAmount: ['itemrate', 'rate'],
  discount: ['discount'],
  lineAmount: ['itemamount'],
  taxAmount: ['itemtaxamount'],
  currency: ['currency', 'currencycode'],
  type: [],
  status: ['status'],
  paidOn: [],
} as const satisfies Record<keyof typeof XERO_COLUMNS, readonly string[]>;

const QUICKBOOKS_COLUMNS = {
  date: ['date', 'invoicedate', 'transactiondate', 'txndate'],
  number: ['no', 'num', 'invoiceno', 'invoicenumber', 'number'],
  customer: ['customer', 'name', 'customername', 'customerfullname'],
  dueDate: ['duedate'],
  amount: ['amount', 'total', 'totalamount'],
  openBalance: ['openbalance', 'balance'],
  paid: ['amountpaid', 'paid'],
  paidOn: ['paiddate', 'datepaid', 'paymentdate'],
  currency: ['currency'],
  status: ['status'],
  memo: ['memodescription', 'memo', 'description'],
  type: ['transactiontype', 'type'],
} as const;

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

const anyOf = (keys: ReadonlySet<string>, names: readonly string[]) => names.some((name) => keys.has(name));

const xeroCore = (k: ReadonlySet<string>) =>
  k.has('contactname') &&
  k.has('invoicenumber') &&
  k.has('invoicedate') &&
  anyOf(k, ['total', 'unitamount', 'lineamount']);

/** Most particular first: a Xero header would also pass for a plain sheet. */
const DETECTORS: readonly { format: FormatId; matches: (keys: ReadonlySet<string>) => boolean }[] = [
  // Xero's export says what became of each invoice; its import template (the same names) does not.
  {
    format: 'xero',
    matches: (k) => xeroCore(k) && anyOf(k, ['status', 'type', 'invoiceamountpaid', 'invoiceamountdue']),
  },
  { format: 'xero-template', matches: xeroCore },
  {
    format: 'quickbooks-import',
    matches: (k) =>
      anyOf(k, QUICKBOOKS_IMPORT_COLUMNS.number) &&
      anyOf(k, QUICKBOOKS_IMPORT_COLUMNS.contact) &&
      k.has('invoicedate') &&
      anyOf(k, ['itemamount', 'itemrate']),
  },
  {
    format: 'quickbooks',
    matches: (k) =>
      anyOf(k, QUICKBOOKS_COLUMNS.date) &&
      anyOf(k, QUICKBOOKS_COLUMNS.number) &&
      anyOf(k, QUICKBOOKS_COLUMNS.customer) &&
      anyOf(k, ['amount', 'total']) &&
      // QuickBooks' own words, so that a sheet headed "Invoice Number, Customer, Date, Amount" reads as a sheet.
      anyOf(k, ['no', 'num', 'transactiontype', 'openbalance', 'memodescription']),
  },
  {
    // Grouped by customer: the name is a heading line above its invoices, not a column.
    format: 'quickbooks-open-invoices',
    matches: (k) =>
      anyOf(k, QUICKBOOKS_COLUMNS.date) &&
      anyOf(k, ['no', 'num']) &&
      k.has('openbalance') &&
      !anyOf(k, QUICKBOOKS_COLUMNS.customer),
  },
  { format: 'ledger', matches: (k) => ['number', 'client', 'total', 'issuedate'].every((key) => k.has(key)) },
  {
    format: 'sheet',
    matches: (k) => (['number', 'client', 'total', 'issueDate'] as const).every((f) => anyOf(k, SHEET_COLUMNS[f])),
  },
];

/** The format of a header row, or undefined when it is none we know. */
export function detectFormat(header: readonly string[]): FormatId | undefined {
  const keys = new Set(header.map(headerKey));
  return DETECTORS.find((d) => d.matches(keys))?.format;
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

// ─── bytes, delimiters and numbers ───────────────────────────────────────────────────────────────────────

/**
 * A file's bytes as text: UTF-8 (with or without its BOM), or UTF-16 with its BOM as Excel's "Unicode
 * text" saves it. Anything else is refused in words, never guessed.
 */
export function decodeCsv(bytes: Uint8Array): Read<string> {
  const [b0, b1, b2] = bytes;
  try {
    if (b0 === 0xff && b1 === 0xfe)
      return { ok: true, value: new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2)) };
    if (b0 === 0xfe && b1 === 0xff)
      return { ok: true, value: new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2)) };
  } catch {
    return {
      ok: false,
      message: 'The file says it is UTF-16 text but is not. Save it again as "CSV UTF-8 (Comma delimited)".',
    };
  }
  const body = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    // UTF-16 without its BOM: every other byte of plain text is zero.
    const zeros = body.subarray(0, 200).filter((byte, i) => i % 2 === 1 && byte === 0).length;
    const hint = zeros > 20 ? ' It looks like UTF-16 without its byte-order mark.' : '';
    return {
      ok: false,
      message: `The file is not UTF-8 text.${hint} In Excel, save it as "CSV UTF-8 (Comma delimited)" and try again.`,
    };
  }
}

type Delimiter = ',' | ';' | '\t';

/** How often each delimiter stands outside quotes on each of the first lines. */
function delimiterCounts(text: string): Record<Delimiter, number[]> {
  const counts: Record<Delimiter, number[]> = { ',': [], ';': [], '\t': [] };
  let quoted = false;
  let line: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let lines = 0;
  const flush = () => {
    for (const d of [',', ';', '\t'] as const) counts[d].push(line[d]);
    line = { ',': 0, ';': 0, '\t': 0 };
    lines++;
  };
  for (const char of text) {
    if (lines >= 30) break;
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '\n') flush();
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) line[char]++;
  }
  flush();
  return counts;
}

/**
 * The file's delimiter: a comma unless semicolons (Excel in much of Europe) or tabs plainly stand in its place,
 * on at least as many lines and more often.
 */
function sniffDelimiter(text: string): Delimiter {
  const counts = delimiterCounts(text);
  const score = (d: Delimiter) => counts[d].reduce((sum, n) => sum + n, 0);
  const lines = (d: Delimiter) => counts[d].filter((n) => n > 0).length;
  const other = (['\t', ';'] as const).find((d) => lines(d) >= lines(',') && score(d) > score(','));
  return other ?? ',';
}

/** Words for csv-parse's errors, which name its own internals ("Invalid Opening Quote"). */
function csvProblem(error: unknown, delimiter: Delimiter): RowProblem {
  const { code, lines } = error as { code?: string; lines?: number };
  const line = lines ?? 1;
  switch (code) {
    case 'CSV_INVALID_OPENING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return {
        line,
        message: `has a quote (") inside a value that does not start with one; put the whole value in quotes and double the quote inside it ("5"" screen")`,
      };
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_CLOSING_QUOTE':
      return {
        line,
        message: `has text right after a closing quote; a value in quotes must end at the quote, before the next ${delimiter === '\t' ? 'tab' : `"${delimiter}"`}`,
      };
    case 'CSV_QUOTE_NOT_CLOSED':
      return { line, message: 'opens a quote (") that is never closed: the rest of the file would be one value' };
    default:
      return { line, message: 'cannot be read as CSV; save the file again from your spreadsheet as CSV' };
  }
}

/** Splits the text into rows with the line each starts on, or says where the CSV is malformed. */
function readRows(text: string, delimiter: Delimiter): SourceRow[] | RowProblem {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    // With info and raw, each record comes wrapped with them (the typings only know plain records).
    records = parse(text, {
      delimiter,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    return csvProblem(error, delimiter);
  }
  return records.map(({ record, info, raw }) => {
    // info.lines is the record's last line; a quoted value may span several.
    const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
    const inner = body.split('\n').length - 1;
    return { line: info.lines - inner, cells: record };
  });
}

// Amounts as a decimal-comma locale writes them (1.234,56 or 1234,56), and as everyone else does (1,234.56).
const COMMA_DECIMALS = /^[-−(]?\s*[^\d\s,.]{0,3}\s*(\d{1,3}([. \u00a0]\d{3})+|\d+),\d{1,2}\)?$/;
const POINT_DECIMALS = /^[-−(]?\s*[^\d\s,.]{0,3}\s*(\d{1,3}(,\d{3})+|\d+)\.\d{1,2}\)?$/;

/** Header keys of the columns that hold amounts (and quantities), in every format. */
const NUMBER_KEYS = new Set([
  ...SHEET_COLUMNS.total,
  ...SHEET_COLUMNS.amountPaid,
  ...SHEET_COLUMNS.amountDue,
  ...XERO_COLUMNS.total,
  ...XERO_COLUMNS.paid,
  ...XERO_COLUMNS.due,
  ...XERO_COLUMNS.quantity,
  ...XERO_COLUMNS.unitAmount,
  ...XERO_COLUMNS.lineAmount,
  ...XERO_COLUMNS.taxAmount,
  ...QUICKBOOKS_IMPORT_COLUMNS.quantity,
  ...QUICKBOOKS_IMPORT_COLUMNS.unitAmount,
  ...QUICKBOOKS_IMPORT_COLUMNS.lineAmount,
  ...QUICKBOOKS_IMPORT_COLUMNS.taxAmount,
  ...QUICKBOOKS_COLUMNS.amount,
  ...QUICKBOOKS_COLUMNS.openBalance,
  'taxtotal',
]);

/**
 * Rewrites decimal-comma amounts (1.234,56) as 1234.56 when every amount in the file that shows its
 * decimals writes them with a comma. Returns a note for the person, or nothing when the amounts are left as
 * they are.
 */
function decimalCommas(header: readonly string[], rows: readonly SourceRow[]): { note?: string } {
  const columns = header.flatMap((h, i) => (NUMBER_KEYS.has(headerKey(h)) ? [i] : []));
  let comma: { line: number; text: string } | undefined;
  let point: { line: number; text: string } | undefined;
  for (const row of rows) {
    for (const i of columns) {
      const text = cellText(row.cells[i]);
      if (!comma && COMMA_DECIMALS.test(text)) comma = { line: row.line, text };
      if (!point && POINT_DECIMALS.test(text)) point = { line: row.line, text };
    }
  }
  // With amounts written both ways, each decimal-comma amount is refused on its own line (see readMoney).
  if (!comma || point) return {};
  for (const row of rows) {
    for (const i of columns) {
      const text = row.cells[i];
      if (text === undefined || !/\d/.test(text)) continue;
      row.cells[i] = text.replace(/[. \u00a0](?=\d{3}(\D|$))/g, '').replace(',', '.');
    }
  }
  return {
    note: `amounts are read with a decimal comma, as the file writes them ("${comma.text}" is ${comma.text.replace(/[. \u00a0](?=\d{3}(\D|$))/g, '').replace(',', '.')})`,
  };
}

/** Everything a format reader needs besides its rows. */
class Reader {
  readonly errors: RowProblem[] = [];
  readonly skipped: { line: number; reason: string }[] = [];
  readonly invoices: ImportedInvoice[] = [];
  readonly notes: ReadResult['notes'] = [];
  /** Lines whose Currency is blank with no currency given for the file: one problem for all of them. */
  readonly blankCurrency: { line: number; column: string | undefined }[] = [];
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
      this.blankCurrency.push({ line, column });
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
    draft: Omit<ImportedInvoice, 'total' | 'amountPaid' | 'status'> & {
      totalMinor: bigint | null;
      paidMinor?: bigint;
      /** undefined: the file does not say, so it is inferred from what the row does say. */
      status: InvoiceStatusInFile | undefined;
    },
  ): void {
    const { totalMinor, paidMinor, status: given, ...rest } = draft;
    const inferred = given === undefined ? inferStatus(totalMinor, paidMinor, rest) : undefined;
    const invoice = { ...rest, status: given ?? inferred?.status ?? 'draft' };
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
    if (inferred) this.notes.push({ line, number, message: inferred.note });
    this.invoices.push({
      ...invoice,
      ...(inferred ? { inferred: inferred.note } : {}),
      total: totalMinor === null ? null : toDecimalString(totalMinor, currency),
      ...(paid !== undefined ? { amountPaid: toDecimalString(paid, currency) } : {}),
    });
  }
}

/**
 * What a row without a status means, from what it does say: paid in full is paid; a payment, or a due date
 * with an amount owed, is an invoice that went out (a draft has neither); with nothing of the kind, a draft.
 */
function inferStatus(
  totalMinor: bigint | null,
  paidMinor: bigint | undefined,
  invoice: { currency: string; dueDate?: LocalDate | undefined; columns: ImportedInvoice['columns'] },
): { status: InvoiceStatusInFile; note: string } {
  const money = (minor: bigint) => `${invoice.currency} ${toDecimalString(minor, invoice.currency)}`;
  const noStatus = invoice.columns.status ? `${invoice.columns.status} is empty` : 'no status in the file';
  if (totalMinor !== null && totalMinor > 0n && paidMinor !== undefined && paidMinor >= totalMinor) {
    return { status: 'paid', note: `${noStatus}: taken as paid, since all of ${money(totalMinor)} is paid` };
  }
  if (totalMinor !== null && paidMinor !== undefined && paidMinor > 0n) {
    return {
      status: 'sent',
      note: `${noStatus}: taken as sent, since ${money(paidMinor)} of ${money(totalMinor)} is paid`,
    };
  }
  if (totalMinor !== null && totalMinor > 0n && invoice.dueDate) {
    return {
      status: 'sent',
      note: `${noStatus}: taken as sent, since it is due ${invoice.dueDate} with ${money(totalMinor - (paidMinor ?? 0n))} owed`,
    };
  }
  return { status: 'draft', note: `${noStatus}, no due date and no payment: taken as a draft` };
}

/** Reads an invoice CSV of any known format. Never throws for what is in the file: problems are returned. */
export function readInvoicesCsv(text: string, options: ReadOptions = {}): ReadResult {
  const refused = (error: RowProblem, format: FormatId | null = null): ReadResult => ({
    format,
    rows: 0,
    invoiceCount: 0,
    invoices: [],
    errors: [error],
    skipped: [],
    notes: [],
  });
  // One kind of line break, so line numbers are what an editor shows.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalised.trim() === '') {
    return refused({ line: 1, message: 'the file is empty; export the invoices again and import that file' });
  }
  const delimiter = sniffDelimiter(normalised);
  const rows = readRows(normalised, delimiter);
  if (!Array.isArray(rows)) return refused(rows);
  const detected = findHeader(rows);
  if (!detected) {
    return refused({
      line: rows[0]?.line ?? 1,
      message:
        'no header row we know in its first lines: expected a Xero sales invoice export or import template ' +
        '(ContactName, InvoiceNumber, InvoiceDate…), a QuickBooks Online invoice list, Open Invoices report or ' +
        'invoice import file (Date, No., Customer, Amount…), or a sheet with an invoice number, client, total and ' +
        'invoice date column (see the README for the names each goes by)',
    });
  }
  const { format } = detected;
  const headerRow = rows[detected.headerIndex];
  const headerLine = headerRow?.line ?? 1;
  const header = headerRow?.cells ?? [];
  const data = rows.slice(detected.headerIndex + 1);
  const lines = data.filter(carriesInvoice);
  if (lines.length === 0) {
    return refused({ line: headerLine, message: 'the file has its header row but no invoices under it' }, format);
  }
  const notes: ReadResult['notes'] = [];
  if (delimiter !== ',') {
    notes.push({ line: headerLine, message: `read as ${delimiter === ';' ? 'semicolon' : 'tab'}-separated values` });
  }
  const commas = decimalCommas(header, data);
  if (commas.note) notes.push({ line: headerLine, message: commas.note });
  const hasCurrency = header.some((h) => ['currency', 'currencycode', 'ccy'].includes(headerKey(h)));
  if (!hasCurrency && !options.defaultCurrency) {
    return refused(
      {
        line: headerLine,
        message:
          'the file has no Currency column; say which currency its amounts are in (--currency USD, or Currency in the import form)',
      },
      format,
    );
  }
  const reader = new Reader(options);
  const numberColumn = new Columns(header, { number: NUMBER_NAMES[format] });
  const whole = withWholeLines(reader, header, numberColumn, data);
  const clean = withoutControlCharacters(reader, header, numberColumn, whole);
  let groups: Map<string, SourceRow[]>;
  switch (format) {
    case 'ledger':
      groups = readLedger(reader, new Columns(header, LEDGER_COLUMNS), clean);
      break;
    case 'sheet':
      groups = readLedger(reader, new Columns(header, SHEET_COLUMNS), clean);
      break;
    case 'xero':
    case 'xero-template':
      groups = readXero(reader, new Columns(header, XERO_COLUMNS), clean);
      break;
    case 'quickbooks-import':
      groups = readXero(reader, new Columns(header, QUICKBOOKS_IMPORT_COLUMNS), clean);
      break;
    case 'quickbooks':
    case 'quickbooks-open-invoices':
      groups = readQuickBooks(reader, new Columns(header, QUICKBOOKS_COLUMNS), clean, data);
      break;
  }
  if (reader.blankCurrency.length > 0) {
    const [first] = reader.blankCurrency;
    const where = reader.blankCurrency.map((b) => b.line);
    reader.errors.push({
      line: first?.line ?? headerLine,
      ...(first?.column ? { field: first.column } : {}),
      message:
        `is empty on ${where.length === 1 ? 'line' : 'lines'} ${listLines(where)}; when a blank currency means the ` +
        "organisation's base currency, say which it is (--currency NZD, or Currency in the import form)",
    });
  }
  // Every invoice the file holds: each number once, refused lines too, lines left out on purpose not.
  const invoiceKeys = new Set(groups.keys());
  // Sets, not list searches: a file of 20,000 lines would otherwise compare every line with every other.
  const kept = new Set(clean);
  for (const row of data.filter((r) => carriesInvoice(r) && !kept.has(r))) {
    invoiceKeys.add(numberColumn.get(row, 'number').toLowerCase() || `\u0000${row.line}`);
  }
  const skippedLines = new Set(reader.skipped.map((s) => s.line));
  for (const [key, group] of groups) {
    if (group[0] && skippedLines.has(group[0].line)) invoiceKeys.delete(key);
  }
  reader.errors.sort((a, b) => a.line - b.line);
  return {
    format,
    rows: lines.length,
    invoiceCount: invoiceKeys.size,
    invoices: reader.invoices,
    errors: reader.errors,
    skipped: reader.skipped,
    notes: [...notes, ...reader.notes].sort((a, b) => a.line - b.line),
  };
}

const NUMBER_NAMES: Readonly<Record<FormatId, readonly string[]>> = {
  xero: XERO_COLUMNS.number,
  'xero-template': XERO_COLUMNS.number,
  quickbooks: QUICKBOOKS_COLUMNS.number,
  'quickbooks-open-invoices': QUICKBOOKS_COLUMNS.number,
  'quickbooks-import': QUICKBOOKS_IMPORT_COLUMNS.number,
  ledger: LEDGER_COLUMNS.number,
  sheet: SHEET_COLUMNS.number,
};

/** "3", "3 and 5", "3, 5, 8 and 2 more". */
function listLines(lines: readonly number[]): string {
  if (lines.length === 1) return String(lines[0]);
  if (lines.length <= 4) return `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;
  return `${lines.slice(0, 3).join(', ')} and ${lines.length - 3} more`;
}

/**
 * A line with an invoice on it: two values or more, and not a total. A report's lone values (a customer's
 * heading, "Accrual Basis …") and its TOTAL lines are not invoices.
 */
function carriesInvoice(row: SourceRow): boolean {
  const values = row.cells.map((c) => cellText(c)).filter((c) => c !== '');
  return values.length >= 2 && !/^total\b/i.test(values[0] ?? '');
}

/**
 * The lines with as many values as the header has columns. A line with fewer has lost one (everything after
 * it would land in the wrong column), a line with more has a comma that belonged inside a value: each is
 * reported with its line and left out.
 */
function withWholeLines(
  reader: Reader,
  header: readonly string[],
  cols: Pick<Columns<'number'>, 'get'>,
  rows: readonly SourceRow[],
): SourceRow[] {
  let width = header.length;
  while (width > 0 && cellText(header[width - 1]) === '') width--;
  return rows.filter((row) => {
    if (!carriesInvoice(row)) return true;
    let used = row.cells.length;
    while (used > width && cellText(row.cells[used - 1]) === '') used--;
    if (used === width || (used > width && row.cells.length === header.length)) return true;
    const number = cols.get(row, 'number') || undefined;
    reader.problem(
      row.line,
      number,
      undefined,
      used < width
        ? `has ${used} values where the header has ${width} columns: a value is missing, so the others would land in the wrong columns; give every column its value, even an empty one ("A,,C")`
        : `has ${used} values where the header has ${width} columns: a value with a comma in it (such as 1,234.50, 1234,50 or "Acme, Inc") needs quotes around it`,
    );
    return false;
  });
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

// ─── our own format ──────────────────────────────────────────────────────────────────────────────────────

type LedgerKey = keyof typeof LEDGER_COLUMNS;

const LEDGER_STATUS: Record<string, InvoiceStatusInFile> = {
  draft: 'draft',
  sent: 'sent',
  paid: 'paid',
  void: 'void',
  voided: 'void',
};

function readLedger(reader: Reader, cols: Columns<LedgerKey>, rows: readonly SourceRow[]): Map<string, SourceRow[]> {
  const groups = invoiceRows(
    reader,
    cols,
    rows,
    { number: 'number', client: 'client', date: 'issueDate' },
    {
      grouped: false,
    },
  );
  const dated: LedgerKey[] = ['issueDate', 'dueDate', 'basisDate', 'paidOn', 'sentOn'];
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
    amountPaid: cols.header('amountPaid') ?? cols.header('amountDue'),
    paidOn: cols.header('paidOn'),
    paymentsReceived: cols.header('paymentsReceived'),
    sentOn: cols.header('sentOn'),
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
    const sentOn = cell('sentOn') === '' ? undefined : reader.date(line, number, cell('sentOn'), columns.sentOn);
    // An empty status (or none at all) is inferred from the rest of the row: see inferStatus.
    const statusText = cell('status');
    const status = statusText === '' ? undefined : LEDGER_STATUS[statusText.toLowerCase()];
    if (statusText !== '' && !status) {
      reader.problem(line, number, columns.status, `"${statusText}" is not draft, sent, paid or void`);
    }
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
    let paidMinor: bigint | undefined;
    if (currency && cell('amountPaid') !== '') {
      paidMinor = reader.money(line, number, readMoney(cell('amountPaid'), currency), columns.amountPaid);
    } else if (currency && cell('amountDue') !== '' && typeof totalMinor === 'bigint') {
      // A sheet that says what is still owed rather than what was paid.
      const due = reader.money(line, number, readMoney(cell('amountDue'), currency), columns.amountPaid);
      if (due !== undefined) paidMinor = totalMinor - due;
    }
    const payments =
      currency && cell('paymentsReceived') !== ''
        ? readPayments(reader, line, number, cell('paymentsReceived'), currency, columns.paymentsReceived, paidMinor)
        : undefined;
    if (reader.errors.length > errorsBefore || !currency || !issueDate || totalMinor === undefined) continue;
    reader.finish({
      line,
      number,
      clientName,
      ...(payments ? { payments } : {}),
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
      ...(sentOn ? { sentOn } : {}),
      columns,
    });
  }
  return groups;
}

/** '2026-11-20 500.00; 2026-11-25 250.00': each payment's day and amount, adding up to what was paid. */
function readPayments(
  reader: Reader,
  line: number,
  number: string,
  text: string,
  currency: string,
  column: string | undefined,
  paidMinor: bigint | undefined,
): { receivedOn: LocalDate; amount: string }[] | undefined {
  const payments: { receivedOn: LocalDate; amount: string }[] = [];
  let sum = 0n;
  for (const item of text.split(';').map((part) => part.trim())) {
    const [day, amount, ...rest] = item.split(/\s+/);
    if (!day || !amount || rest.length > 0) {
      reader.problem(line, number, column, `"${item}" is not a payment like "2026-11-20 500.00"`);
      return undefined;
    }
    const receivedOn = reader.date(line, number, day, column);
    const minor = reader.money(line, number, readMoney(amount, currency), column);
    if (receivedOn === undefined || minor === undefined) return undefined;
    sum += minor;
    payments.push({ receivedOn, amount: toDecimalString(minor, currency) });
  }
  if (paidMinor !== undefined && sum !== paidMinor) {
    reader.problem(
      line,
      number,
      column,
      `add up to ${toDecimalString(sum, currency)}, not the ${toDecimalString(paidMinor, currency)} paid`,
    );
    return undefined;
  }
  return payments;
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

function readXero(reader: Reader, cols: Columns<XeroKey>, rows: readonly SourceRow[]): Map<string, SourceRow[]> {
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
    [...groups.values()]
      .flat()
      .flatMap((row) => [cols.get(row, 'invoiceDate'), cols.get(row, 'dueDate'), cols.get(row, 'paidOn')]),
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
    paidOn: cols.header('paidOn'),
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
    // Without a status (Xero's import template) it is inferred from the rest: see inferStatus.
    const status: InvoiceStatusInFile | undefined = statusText === '' ? undefined : XERO_STATUS[headerKey(statusText)];
    const paidOn =
      value('paidOn') === '' ? undefined : reader.date(line, number, value('paidOn'), cols.header('paidOn'));
    if (statusText !== '' && !status) {
      reader.problem(
        line,
        number,
        columns.status,
        `"${statusText}" is not a Xero status (DRAFT, SUBMITTED, AUTHORISED, PAID or VOIDED)`,
      );
    }
    if (reader.errors.length > errorsBefore || !currency || !issueDate) continue;

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
      ...(paidOn ? { paidOn } : {}),
      columns,
    });
  }
  return groups;
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

function readQuickBooks(
  reader: Reader,
  cols: Columns<QuickBooksKey>,
  rows: readonly SourceRow[],
  allRows: readonly SourceRow[],
): Map<string, SourceRow[]> {
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
    [...groups.values()]
      .flat()
      .flatMap((row) => [cols.get(row, 'date'), cols.get(row, 'dueDate'), cols.get(row, 'paidOn')]),
  );
  // The Open Invoices report names each customer once, on a line of its own above their invoices.
  const headingOf = new Map<number, string>();
  let heading = '';
  for (const row of allRows) {
    const values = row.cells.map((c) => cellText(c)).filter((c) => c !== '');
    if (values.length === 1 && cellText(row.cells[0]) !== '' && !/^total\b/i.test(values[0] ?? '')) {
      heading = values[0] ?? '';
    } else if (/^total\b/i.test(values[0] ?? '')) {
      heading = '';
    } else {
      headingOf.set(row.line, heading);
    }
  }
  const columns: ImportedInvoice['columns'] = {
    number: cols.header('number'),
    clientName: cols.header('customer'),
    currency: cols.header('currency'),
    total: cols.header('amount'),
    issueDate: cols.header('date'),
    dueDate: cols.header('dueDate'),
    description: cols.header('memo'),
    status: cols.header('status'),
    amountPaid: cols.header('paid') ?? cols.header('openBalance'),
    paidOn: cols.header('paidOn'),
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
    const clientName = cols.has('customer') ? cell('customer') : (headingOf.get(line) ?? '');
    if (clientName === '') {
      if (cols.has('customer')) reader.problem(line, number, columns.clientName, 'is empty; name the customer');
      else
        reader.problem(
          line,
          number,
          undefined,
          'has no customer heading above it; the report names each customer on its own line before their invoices',
        );
    }
    const currency = reader.currency(line, number, cell('currency'), columns.currency);
    const issueDate = reader.date(line, number, cell('date'), columns.issueDate);
    const dueDate = cell('dueDate') === '' ? undefined : reader.date(line, number, cell('dueDate'), columns.dueDate);
    const paidOn = cell('paidOn') === '' ? undefined : reader.date(line, number, cell('paidOn'), columns.paidOn);
    if (reader.errors.length > errorsBefore || !currency || !issueDate) continue;
    const amount =
      cell('amount') === '' ? null : reader.money(line, number, readMoney(cell('amount'), currency), columns.total);
    const open =
      cell('openBalance') === ''
        ? undefined
        : reader.money(line, number, readMoney(cell('openBalance'), currency), columns.amountPaid);
    const paid =
      cell('paid') === ''
        ? undefined
        : reader.money(line, number, readMoney(cell('paid'), currency), columns.amountPaid);
    if (reader.errors.length > errorsBefore || amount === undefined) continue;
    const paidMinor = paid ?? (open !== undefined && amount !== null ? amount - open : undefined);
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
      ...(paidOn ? { paidOn } : {}),
      columns,
    });
  }
  return groups;
}
