// Importing an invoice CSV (Xero, QuickBooks Online or ours): all of the file or none of it.
//
// The whole file runs in one transaction, through the invoice and client services themselves: their
// transactions become savepoints inside it, so every rule, refusal and event is theirs. Each invoice gets
// its own savepoint, so a refused invoice is reported and the next one still checked. At the end the
// transaction commits only when nothing was refused and this is not a dry run; otherwise it is rolled
// back, so a dry run reports exactly what a real run would do, and writes nothing.
//
// The file's own dates are kept: an invoice that went out is sent on its invoice date (or the file's sent
// date), and a payment is received on the file's paid date, or (when the file has none) on its due date, and
// the dry run says so. Each invoice created or changed gets an 'imported' event naming the file's format and
// line, so its history says where it came from.
//
// Re-importing is safe: invoices are matched by number (any case). One the ledger already has is brought
// in line with the file through editInvoice (an 'edited' event), marked sent, paid the difference between
// the file's amount paid and what is recorded (a payment with reference "import"), or voided. A file never
// removes a payment, un-sends an invoice or revives a void one: those are reported as errors.
import { and, eq, sql } from 'drizzle-orm';
import { findInvoiceRow, termsOf } from '../db/queries/invoices.js';
import { clients, type InvoiceRow } from '../db/schema.js';
import { type LocalDate, todayIn } from '../domain/dates.js';
import { parseMoney, toDecimalString } from '../domain/money.js';
import { dueDateFor, type PaymentTerms, parseTerms } from '../domain/terms.js';
import {
  FORMAT_NAMES,
  type FormatId,
  type ImportedInvoice,
  type InvoiceField,
  type RowProblem,
  readInvoicesCsv,
} from '../io/formats.js';
import type { DateOrder } from '../io/values.js';
import { createClient } from './clients.js';
import type { LedgerContext } from './context.js';
import { isLedgerError, LedgerError } from './errors.js';
import { createInvoice, type EditInvoiceInput, editInvoice, markSent, recordPayment, voidInvoice } from './invoices.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { appendEvent, loadWorkspace } from './write.js';

export interface ImportOptions {
  /** Check everything and report what would happen; write nothing. */
  dryRun?: boolean;
  /** The currency of files that have no currency column. */
  defaultCurrency?: string | undefined;
  /** How to read dates like 03/04/2026 when no date in the file tells. */
  dateOrder?: DateOrder | undefined;
}

export interface ImportReport {
  format: FormatId | null;
  /** The format for people: "Xero sales invoice export". */
  formatName: string | null;
  dryRun: boolean;
  /** True when the changes were committed: a real run with no errors. */
  written: boolean;
  /** Data lines with an invoice on them. */
  rows: number;
  /** Invoices found in the file. */
  invoices: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Payments recorded (each the difference between the file's amount paid and the ledger's). */
  payments: number;
  voided: number;
  clientsCreated: number;
  /** Lines left out on purpose (credit notes, a void invoice never imported), with why. */
  skipped: { line: number; reason: string }[];
  /** Every problem, by line. Any error means nothing was written. */
  errors: RowProblem[];
  /** What was worked out rather than read (how the file was read, a status or a payment date), by line. */
  notes: { line: number; number?: string; message: string }[];
}

/** Thrown inside the transaction to roll it back on purpose. */
class RollBack extends Error {}

interface Tally {
  created: number;
  updated: number;
  unchanged: number;
  payments: number;
  voided: number;
  clientsCreated: number;
}

const PAYMENT_REFERENCE = 'import';

export async function importInvoices(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  csvText: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  // A dry run too: what a file would change is for the people who may import it.
  authorize(actor, 'import', teamId);
  const workspace = await loadWorkspace(ctx.db, teamId);
  const today = todayIn(workspace.timeZone, ctx.clock.now());
  const read = readInvoicesCsv(csvText, { defaultCurrency: options.defaultCurrency, dateOrder: options.dateOrder });
  const report: ImportReport = {
    format: read.format,
    formatName: read.format ? FORMAT_NAMES[read.format] : null,
    dryRun: options.dryRun ?? false,
    written: false,
    rows: read.rows,
    // Invoices with errors count too: the file has them, even though they cannot be imported.
    invoices: read.invoiceCount,
    created: 0,
    updated: 0,
    unchanged: 0,
    payments: 0,
    voided: 0,
    clientsCreated: 0,
    skipped: [...read.skipped],
    errors: [...read.errors],
    notes: [...read.notes],
  };
  if (read.format === null) return report;
  const source = FORMAT_NAMES[read.format];
  try {
    await ctx.db.transaction(async (tx) => {
      for (const invoice of read.invoices) {
        const tally: Tally = { created: 0, updated: 0, unchanged: 0, payments: 0, voided: 0, clientsCreated: 0 };
        const notes: ImportReport['notes'] = [];
        const file = { invoice, source, today, notes };
        try {
          await tx.transaction(async (savepoint) => {
            await applyInvoice({ db: savepoint, clock: ctx.clock }, teamId, actor, file, tally, report);
          });
        } catch (error) {
          if (!isLedgerError(error)) throw error;
          report.errors.push(...problemsOf(error, invoice));
          continue;
        }
        for (const key of Object.keys(tally) as (keyof Tally)[]) report[key] += tally[key];
        report.notes.push(...notes);
      }
      if (report.dryRun || report.errors.length > 0) throw new RollBack();
    });
    report.written = true;
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  report.errors.sort((a, b) => a.line - b.line);
  report.skipped.sort((a, b) => a.line - b.line);
  report.notes.sort((a, b) => a.line - b.line);
  return report;
}

/** One invoice of the file, with what applying it needs to know and where it says what it inferred. */
interface FileInvoice {
  invoice: ImportedInvoice;
  /** The format's name for people, for the history. */
  source: string;
  today: LocalDate;
  notes: ImportReport['notes'];
}

async function applyInvoice(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  file: FileInvoice,
  tally: Tally,
  report: ImportReport,
): Promise<void> {
  const { invoice, source } = file;
  const found = await findInvoiceRow(ctx.db, { teamId, idOrNumber: invoice.number });
  if (!found) {
    await createFromFile(ctx, teamId, actor, file, tally, report);
    return;
  }
  const row = found.invoice;
  if (row.voidedAt) {
    if (invoice.status === 'void') {
      tally.unchanged++;
      return;
    }
    throw new LedgerError('INVOICE_VOID', `${row.number} is void here, so it cannot take the file's changes`, [
      { field: 'status', message: `${row.number} is void in the ledger; the file has it ${invoice.status}` },
    ]);
  }
  let changed = false;
  const changes = await editsFor(ctx, teamId, actor, invoice, row, found.clientName, tally);
  if (Object.keys(changes).length > 0) {
    const { result } = await editInvoice(ctx, teamId, actor, {
      invoice: row.id,
      expectedVersion: row.version,
      changes,
    });
    changed ||= result.version !== row.version;
  }
  let sentOn: LocalDate | undefined;
  if ((invoice.status === 'sent' || invoice.status === 'paid') && !row.sentAt) {
    sentOn = sentOnOf(file);
    await markSent(ctx, teamId, actor, { invoice: row.id, sentOn });
    changed = true;
  }
  let paidOn: LocalDate | undefined;
  if (invoice.amountPaid !== undefined) {
    const paid = minor(invoice.amountPaid, invoice.currency);
    if (paid < row.paidMinor) {
      throw LedgerError.invalid(
        'amountPaid',
        `is ${invoice.amountPaid}, less than the ${toDecimalString(row.paidMinor, row.currency)} already recorded; an import never removes a payment`,
      );
    }
    if (paid > row.paidMinor) {
      paidOn = await pay(ctx, teamId, actor, row.id, paid - row.paidMinor, file);
      tally.payments++;
      changed = true;
    }
  }
  if (invoice.status === 'void') {
    await voidInvoice(ctx, teamId, actor, { invoice: row.id, reason: `Voided in the ${source}` });
    tally.voided++;
    changed = true;
  }
  if (changed) {
    tally.updated++;
    await markImported(ctx, teamId, actor, row.id, row.clientId, file, { sentOn, paidOn });
  } else tally.unchanged++;
}

async function createFromFile(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  file: FileInvoice,
  tally: Tally,
  report: ImportReport,
): Promise<void> {
  const { invoice, source } = file;
  if (invoice.total === null) {
    report.skipped.push({
      line: invoice.line,
      reason: `${invoice.number} is void in the file without an amount, and was never in the ledger`,
    });
    return;
  }
  const clientId = await clientIdFor(ctx, teamId, actor, invoice, tally);
  const sentOn = invoice.status === 'draft' ? undefined : sentOnOf(file);
  const { result } = await createInvoice(ctx, teamId, actor, {
    number: invoice.number,
    clientId,
    currency: invoice.currency,
    total: invoice.total,
    issueDate: invoice.issueDate,
    terms: invoice.terms ?? (invoice.dueDate ? { kind: 'fixed', dueDate: invoice.dueDate } : undefined),
    basisDate: invoice.basisDate,
    basisLabel: invoice.basisLabel,
    ownerUserId: invoice.ownerUserId,
    description: invoice.description,
    status: invoice.status === 'draft' ? 'draft' : 'sent',
    ...(sentOn ? { sentOn } : {}),
  });
  tally.created++;
  const paid = invoice.amountPaid === undefined ? 0n : minor(invoice.amountPaid, invoice.currency);
  let paidOn: LocalDate | undefined;
  if (paid > 0n && invoice.payments && invoice.payments.length > 0) {
    // The file lists each payment with its day (our export): recorded one by one, so none loses its date.
    for (const payment of invoice.payments) {
      await recordPayment(ctx, teamId, actor, {
        invoice: result.id,
        amount: payment.amount,
        receivedOn: payment.receivedOn,
        reference: PAYMENT_REFERENCE,
      });
      paidOn = payment.receivedOn;
    }
    tally.payments++;
  } else if (paid > 0n) {
    paidOn = await pay(ctx, teamId, actor, result.id, paid, file);
    tally.payments++;
  }
  if (invoice.status === 'void') {
    await voidInvoice(ctx, teamId, actor, { invoice: result.id, reason: `Voided in the ${source}` });
    tally.voided++;
  }
  await markImported(ctx, teamId, actor, result.id, clientId, file, { sentOn, paidOn });
}

/** The day an invoice went out: the file's sent date, else its invoice date (today for one dated ahead). */
function sentOnOf({ invoice, today }: FileInvoice): LocalDate | undefined {
  const day = invoice.sentOn ?? invoice.issueDate;
  return day < today ? day : undefined;
}

/**
 * Records the file's payment on the day the file says it was paid. A file that gives no paid date (Xero's and
 * QuickBooks' lists do not) has it paid on its due date, or today when that is still to come: neither early
 * nor late, rather than as late as the import; the dry run says so.
 */
async function pay(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  invoiceId: string,
  amount: bigint,
  file: FileInvoice,
): Promise<LocalDate> {
  const { invoice, today } = file;
  let receivedOn = invoice.paidOn;
  if (receivedOn === undefined) {
    const due = invoice.dueDate ?? invoice.issueDate;
    receivedOn = due < today ? due : today;
    if (receivedOn < invoice.issueDate) receivedOn = invoice.issueDate;
    const which = receivedOn === due ? (invoice.dueDate ? 'its due date' : 'its invoice date') : 'today';
    file.notes.push({
      line: invoice.line,
      number: invoice.number,
      message: `the file gives no payment date: the payment of ${invoice.currency} ${toDecimalString(amount, invoice.currency)} is dated ${receivedOn}, ${which}`,
    });
  }
  await recordPayment(ctx, teamId, actor, { invoice: invoiceId, amount, receivedOn, reference: PAYMENT_REFERENCE });
  return receivedOn;
}

/** The history's note that this invoice came from (or was changed by) an imported file, and which dates it kept. */
async function markImported(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  invoiceId: string,
  clientId: string,
  file: FileInvoice,
  dates: { sentOn: LocalDate | undefined; paidOn: LocalDate | undefined },
): Promise<void> {
  await ctx.db.transaction((tx) =>
    appendEvent(
      tx,
      {
        teamId,
        invoiceId,
        clientId,
        kind: 'imported',
        actor: actorOf(actor),
        at: ctx.clock.now(),
        details: {
          source: file.source,
          line: file.invoice.line,
          ...(dates.sentOn ? { sentOn: dates.sentOn } : {}),
          ...(dates.paidOn ? { paidOn: dates.paidOn } : {}),
          ...(file.invoice.inferred ? { inferred: file.invoice.inferred } : {}),
        },
      },
      // Bringing a file in is not chasing the client: the invoice's last action stays what it was.
      { isAction: false },
    ),
  );
}

/** The client named in the file (any case), created with its email when new. */
async function clientIdFor(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  invoice: ImportedInvoice,
  tally: Tally,
): Promise<string> {
  const [existing] = await ctx.db
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.teamId, teamId), sql`lower(${clients.name}) = lower(${invoice.clientName})`));
  if (existing) return existing.id;
  const { result } = await createClient(ctx, teamId, actor, {
    name: invoice.clientName,
    contactEmail: invoice.clientEmail ?? null,
  });
  tally.clientsCreated++;
  return result.id;
}

type Changes = NonNullable<EditInvoiceInput['changes']>;

/** What editInvoice must change for the ledger's invoice to say what the file says (only what the file says). */
async function editsFor(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  invoice: ImportedInvoice,
  row: InvoiceRow,
  clientName: string,
  tally: Tally,
): Promise<Changes> {
  const changes: Changes = {};
  if (invoice.clientName.toLowerCase() !== clientName.toLowerCase()) {
    changes.clientId = await clientIdFor(ctx, teamId, actor, invoice, tally);
  }
  if (invoice.currency !== row.currency) changes.currency = invoice.currency;
  if (invoice.total !== null) {
    const total = minor(invoice.total, invoice.currency);
    if (total !== row.totalMinor) changes.total = total;
  }
  if (invoice.issueDate !== row.issueDate) changes.issueDate = invoice.issueDate;

  const current = termsOf(row);
  if (invoice.terms !== undefined) {
    const parsed = parseTerms(invoice.terms);
    if (!parsed.ok) throw LedgerError.invalid('terms', parsed.message);
    if (!sameTerms(parsed.terms, current)) changes.terms = parsed.terms;
    const basis = invoice.basisDate ?? invoice.issueDate;
    if (basis !== row.termsBasisDate) changes.basisDate = basis;
  } else if (invoice.dueDate !== undefined) {
    // editInvoice moves a basis that was the invoice date along with it; see where the due date would land.
    const issueAfter = changes.issueDate ?? row.issueDate;
    const basisAfter = invoice.basisDate ?? (row.termsBasisDate === row.issueDate ? issueAfter : row.termsBasisDate);
    const dueAfter = current.kind === 'fixed' ? current.dueDate : dueDateFor(current, basisAfter);
    if (dueAfter !== invoice.dueDate) changes.terms = { kind: 'fixed', dueDate: invoice.dueDate };
  }
  if (invoice.basisLabel !== undefined && invoice.basisLabel !== row.termsBasisLabel) {
    changes.basisLabel = invoice.basisLabel;
  }
  if (invoice.ownerUserId !== undefined && invoice.ownerUserId !== row.ownerUserId) {
    changes.ownerUserId = invoice.ownerUserId;
  }
  if (invoice.description !== undefined && invoice.description !== row.description) {
    changes.description = invoice.description;
  }
  return changes;
}

function sameTerms(a: PaymentTerms, b: PaymentTerms): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'fixed' && b.kind === 'fixed') return a.dueDate === b.dueDate;
  if ((a.kind === 'net' || a.kind === 'eom') && (b.kind === 'net' || b.kind === 'eom')) return a.days === b.days;
  return true;
}

function minor(decimal: string, currency: string): bigint {
  const parsed = parseMoney(decimal, currency);
  if (!parsed.ok) throw LedgerError.invalid('total', parsed.message);
  return parsed.minor;
}

// The services name fields by their inputs; the report names them as the file does.
const FIELD_OF: Record<string, InvoiceField> = {
  number: 'number',
  invoice: 'number',
  clientId: 'clientName',
  clientName: 'clientName',
  name: 'clientName',
  contactEmail: 'clientEmail',
  currency: 'currency',
  total: 'total',
  issueDate: 'issueDate',
  terms: 'terms',
  basisDate: 'basisDate',
  basisLabel: 'basisLabel',
  ownerUserId: 'ownerUserId',
  description: 'description',
  status: 'status',
  amount: 'amountPaid',
  amountPaid: 'amountPaid',
  receivedOn: 'paidOn',
};

function problemsOf(error: LedgerError, invoice: ImportedInvoice): RowProblem[] {
  const base = { line: invoice.line, number: invoice.number };
  if (error.issues.length === 0) return [{ ...base, message: error.message }];
  return error.issues.map((issue) => {
    const field = FIELD_OF[issue.field.replace(/^changes\./, '')];
    const column = field ? invoice.columns[field] : undefined;
    return {
      ...base,
      ...(column ? { field: column } : {}),
      message: column ? issue.message : `${issue.field}: ${issue.message}`,
    };
  });
}
