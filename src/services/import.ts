// Importing an invoice CSV (Xero, QuickBooks Online or ours): all of the file or none of it.
//
// The whole file runs in one transaction. New invoices (a team's first import: all of them) are checked in memory by
// the services' own rules and written in bulk (importInBulk, below); invoices the ledger already has and the file
// changes go through the invoice and client services themselves, each in its own savepoint, so every rule, refusal
// and event is theirs. A refused invoice is reported and the next one still checked. At the end the transaction
// commits only when nothing was refused and this is not a dry run; otherwise it is rolled back, so a dry run reports
// exactly what a real run would do, and writes nothing (when no invoice needs the services, it does not even write
// the new invoices to roll them back: a dry run of 20,000 new invoices is reading and checking them).
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
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { insertMany } from '../db/bulk.js';
import { findClientsByNames, findInvoicesByNumbers } from '../db/queries/import.js';
import { findInvoiceRow, termsOf } from '../db/queries/invoices.js';
import { type ClientRow, clients, type InvoiceRow, invoices, payments, type WorkspaceRow } from '../db/schema.js';
import {
  FORMAT_NAMES,
  type FormatId,
  type ImportedInvoice,
  type InvoiceField,
  type RowProblem,
  readInvoicesCsv,
} from '../domain/csv-formats.js';
import type { DateOrder } from '../domain/csv-values.js';
import { type LocalDate, todayIn } from '../domain/dates.js';
import { formatMoney, parseMoney, toDecimalString } from '../domain/money.js';
import { dueDateFor, type PaymentTerms, parseTerms } from '../domain/terms.js';
import { createClient, createClientSchema } from './clients.js';
import type { LedgerContext } from './context.js';
import { isLedgerError, isUniqueViolation, LedgerError } from './errors.js';
import {
  type CreateInvoiceInput,
  createdDetails,
  createInvoice,
  createInvoiceSchema,
  type EditInvoiceInput,
  editInvoice,
  formatPaid,
  markSent,
  newInvoiceValues,
  paymentReceived,
  type RecordPaymentInput,
  recordPayment,
  recordPaymentSchema,
  toMinor,
  voidInvoice,
  voidInvoiceSchema,
} from './invoices.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { checkInvoiceDates, checkPaymentDate } from './schemas.js';
import { appendEvent, appendEvents, type EventInput, loadWorkspace, parseInput } from './write.js';

export interface ImportOptions {
  /** Check everything and report what would happen; write nothing. */
  dryRun?: boolean;
  /** The currency of files that have no currency column. */
  defaultCurrency?: string | undefined;
  /** How to read dates like 03/04/2026 when no date in the file tells. */
  dateOrder?: DateOrder | undefined;
  /** Told how far a long import has got (every few hundred invoices); the caller limits how often it shows it. */
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /**
   * Every invoice through the services one at a time, as updates to the ledger's invoices always go: slow, and
   * kept so tests can hold the bulk path to saying and writing the same.
   */
  oneByOne?: boolean;
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
  const progress = progressOf(options.onProgress);
  try {
    await ctx.db.transaction(async (tx) => {
      const txCtx: LedgerContext = { db: tx, clock: ctx.clock };
      const later = options.oneByOne
        ? read.invoices
        : await importInBulk(txCtx, { teamId, actor, workspace, source, today }, read.invoices, report, progress);
      progress('updating', 0, later.length);
      let done = 0;
      for (const invoice of later) {
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
        } finally {
          progress('updating', ++done, later.length);
        }
        addTally(report, tally);
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

/** Where a long import has got to: checking the file's invoices, writing the new ones, updating changed ones. */
export interface ImportProgress {
  phase: 'checking' | 'writing' | 'updating';
  done: number;
  total: number;
}

/** Calls back at each phase's start and end, and every PROGRESS_EVERY in between: the caller limits the rate. */
const PROGRESS_EVERY = 500;

function progressOf(
  onProgress: ImportOptions['onProgress'],
): (phase: ImportProgress['phase'], done: number, total: number) => void {
  if (!onProgress) return () => {};
  return (phase, done, total) => {
    if (done === 0 || done === total || done % PROGRESS_EVERY === 0) onProgress({ phase, done, total });
  };
}

function addTally(report: ImportReport, tally: Tally): void {
  for (const key of Object.keys(tally) as (keyof Tally)[]) report[key] += tally[key];
}

// ---------------------------------------------------------------------------------------------------------
// The bulk path: every new invoice (and every one the file leaves as it is) without a statement per line.
//
// The file's invoices and clients are read in a few statements; each new invoice is then checked in memory by the
// same rules, in the same order, as createClient, createInvoice, recordPayment and voidInvoice check it (their
// schemas and helpers, exported for this), and planned with the very rows and events those services would write:
// client_created, created, sent, paid or part_paid, voided and imported, in the order they would come. An invoice
// refused is left out with all it planned (as its savepoint would have been rolled back), so a client named first
// on a refused line is created by the next line that names it. The plan is then written as multi-row inserts:
// clients, invoices, payments, events. An invoice the ledger already has, and the file changes, is returned to go
// through the services one by one, after the inserts (so a client this file creates exists for it).

interface Importing {
  teamId: string;
  actor: Principal;
  workspace: WorkspaceRow;
  source: string;
  today: LocalDate;
}

/** What the bulk path writes, in the order it writes it. */
interface Plan {
  clients: (typeof clients.$inferInsert)[];
  invoices: (typeof invoices.$inferInsert)[];
  payments: (typeof payments.$inferInsert)[];
  events: EventInput[];
}

/** A client as an invoice needs it: found in the ledger, or planned by an earlier line of the file. */
type KnownClient = Pick<ClientRow, 'id' | 'name' | 'archived' | 'termsKind' | 'termsDays'>;

async function importInBulk(
  ctx: LedgerContext,
  importing: Importing,
  fileInvoices: readonly ImportedInvoice[],
  report: ImportReport,
  progress: (phase: ImportProgress['phase'], done: number, total: number) => void,
): Promise<ImportedInvoice[]> {
  const { teamId, actor } = importing;
  // The same authorisation every service below would ask for, asked once.
  for (const operation of ['createClient', 'createInvoice', 'recordPayment', 'voidInvoice'] as const) {
    authorize(actor, operation, teamId);
  }
  const total = fileInvoices.length;
  progress('checking', 0, total);
  const existing = await findInvoicesByNumbers(ctx.db, {
    teamId,
    numbers: fileInvoices.map((invoice) => invoice.number.trim()),
  });
  const known = new Map<string, KnownClient>(
    await findClientsByNames(ctx.db, { teamId, names: fileInvoices.map((invoice) => invoice.clientName) }),
  );
  const plan: Plan = { clients: [], invoices: [], payments: [], events: [] };
  const later: ImportedInvoice[] = [];
  const now = ctx.clock.now();
  let checked = 0;
  for (const invoice of fileInvoices) {
    progress('checking', ++checked, total);
    const found = existing.get(invoice.number.trim().toLowerCase());
    if (found) {
      if (plainlyUnchanged(invoice, found)) report.unchanged++;
      else later.push(invoice);
      continue;
    }
    const tally: Tally = { created: 0, updated: 0, unchanged: 0, payments: 0, voided: 0, clientsCreated: 0 };
    const notes: ImportReport['notes'] = [];
    const mine: Plan & { known: [string, KnownClient][] } = {
      clients: [],
      invoices: [],
      payments: [],
      events: [],
      known: [],
    };
    try {
      planNewInvoice(importing, { invoice, source: importing.source, today: importing.today, notes }, now, {
        known,
        plan: mine,
        tally,
        report,
      });
    } catch (error) {
      if (!isLedgerError(error)) throw error;
      report.errors.push(...problemsOf(error, invoice));
      continue;
    }
    for (const [key, client] of mine.known) known.set(key, client);
    plan.clients.push(...mine.clients);
    plan.invoices.push(...mine.invoices);
    plan.payments.push(...mine.payments);
    plan.events.push(...mine.events);
    addTally(report, tally);
    report.notes.push(...notes);
  }
  // Nothing will be kept (a dry run, or a file with errors) and nothing below depends on these rows: the report is
  // already what writing them would give, so the writes are skipped. Any database error writing would have been a
  // failure of the whole import, never a line of the report.
  if (later.length === 0 && (report.dryRun || report.errors.length > 0)) return later;
  const rows = plan.clients.length + plan.invoices.length + plan.payments.length + plan.events.length;
  let written = 0;
  progress('writing', 0, rows);
  for (const [table, values] of [
    [clients, plan.clients],
    [invoices, plan.invoices],
    [payments, plan.payments],
  ] as const) {
    try {
      await insertMany(ctx.db, table, values as never[]);
    } catch (error) {
      // Someone (another import, a person, a sync) added one of these numbers or clients since the file was checked:
      // nothing is kept (one transaction), and importing again matches what is there now.
      if (!isUniqueViolation(error)) throw error;
      throw new LedgerError(
        'CONFLICT',
        `Some of these ${table === clients ? 'clients' : 'invoices'} were added by someone else while the file was being imported, so nothing was imported; import the file again and it will match them.`,
      );
    }
    written += values.length;
    progress('writing', written, rows);
  }
  await appendEvents(ctx.db, plan.events);
  progress('writing', rows, rows);
  return later;
}

/**
 * True when the ledger's invoice already says all the file says, so applying it would change nothing (the common
 * case of a file imported again). Anything else, a refusal included, goes through the services to find out.
 */
function plainlyUnchanged(invoice: ImportedInvoice, found: { invoice: InvoiceRow; clientName: string }): boolean {
  const row = found.invoice;
  if (row.voidedAt) return invoice.status === 'void';
  if (invoice.status === 'void') return false;
  if ((invoice.status === 'sent' || invoice.status === 'paid') && !row.sentAt) return false;
  if (invoice.clientName.toLowerCase() !== found.clientName.toLowerCase()) return false;
  try {
    if (invoice.amountPaid !== undefined && minor(invoice.amountPaid, invoice.currency) !== row.paidMinor) return false;
    return Object.keys(fieldChanges(invoice, row)).length === 0;
  } catch {
    return false;
  }
}

/**
 * Plans one new invoice as createFromFile would make it through the services: its client (createClient's rules),
 * the invoice (createInvoice's), the file's payment (recordPayment's), its void (voidInvoice's) and the imported
 * event. Throws the LedgerError the first refusing service would throw, having planned nothing outside `into`.
 */
function planNewInvoice(
  importing: Importing,
  file: FileInvoice,
  now: Date,
  into: {
    known: ReadonlyMap<string, KnownClient>;
    plan: Plan & { known: [string, KnownClient][] };
    tally: Tally;
    report: ImportReport;
  },
): void {
  const { teamId, workspace, today } = importing;
  const actor = actorOf(importing.actor);
  const { invoice, source } = file;
  const { plan, tally } = into;
  if (invoice.total === null) {
    into.report.skipped.push({
      line: invoice.line,
      reason: `${invoice.number} is void in the file without an amount, and was never in the ledger`,
    });
    return;
  }
  // clientIdFor → createClient
  const clientKey = invoice.clientName.toLowerCase();
  let client = into.known.get(clientKey);
  if (!client) {
    const data = parseInput(createClientSchema, {
      name: invoice.clientName,
      contactEmail: invoice.clientEmail ?? null,
    });
    const created = {
      id: randomUUID(),
      teamId,
      name: data.name,
      contactName: data.contactName ?? null,
      contactEmail: data.contactEmail,
      termsKind: data.terms?.kind ?? 'net',
      termsDays: data.terms?.kind === 'receipt' ? 0 : (data.terms?.days ?? 30),
      notes: data.notes ?? null,
      archived: false,
      createdAt: now,
    };
    plan.clients.push(created);
    plan.events.push({
      teamId,
      clientId: created.id,
      kind: 'client_created',
      actor,
      at: now,
      details: { name: created.name, contactName: created.contactName, contactEmail: created.contactEmail },
    });
    plan.known.push([clientKey, created]);
    tally.clientsCreated++;
    client = created;
  }

  // createInvoice
  const sentOn = invoice.status === 'draft' ? undefined : sentOnOf(file);
  const data = parseInput(createInvoiceSchema, {
    number: invoice.number,
    clientId: client.id,
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
  } satisfies CreateInvoiceInput);
  const totalMinor = toMinor(data.total, data.currency, 'total');
  checkInvoiceDates(today, { issueDate: data.issueDate, basisDate: data.basisDate }, data.issueDate);
  const { terms, values } = newInvoiceValues({
    teamId,
    data,
    totalMinor,
    client,
    actor,
    today,
    timeZone: workspace.timeZone,
    now,
  });
  const row = {
    id: randomUUID(),
    ...values,
    paidMinor: 0n,
    paidOn: null as LocalDate | null,
    voidedAt: null as Date | null,
    voidReason: null as string | null,
    lastActionKind: 'created',
    lastActionAt: now,
    lastActionBy: actor.id,
    version: 1,
  };
  const event = (kind: string, rest: Partial<EventInput> = {}) =>
    plan.events.push({ teamId, invoiceId: row.id, clientId: client.id, kind, actor, at: now, ...rest });
  event('created', {
    details: createdDetails(row, terms),
  });
  if (data.status === 'sent') {
    event('sent', { visibility: 'shared', ...(data.sentOn ? { details: { sentOn: data.sentOn } } : {}) });
    row.lastActionKind = 'sent';
  }
  tally.created++;

  // pay → recordPayment, once per payment: each listed with its day (our export's payments_received), else one
  // payment of the amount paid on the file's payment date.
  const paid = invoice.amountPaid === undefined ? 0n : minor(invoice.amountPaid, invoice.currency);
  let paidOn: LocalDate | undefined;
  const received =
    paid > 0n && invoice.payments && invoice.payments.length > 0
      ? invoice.payments.map((p) => ({ amount: p.amount as RecordPaymentInput['amount'], receivedOn: p.receivedOn }))
      : paid > 0n
        ? [{ amount: paid as RecordPaymentInput['amount'], receivedOn: paymentDateOf(file, paid) }]
        : [];
  for (const entry of received) {
    const payment = parseInput(recordPaymentSchema, {
      invoice: row.id,
      amount: entry.amount,
      receivedOn: entry.receivedOn,
      reference: PAYMENT_REFERENCE,
    } satisfies RecordPaymentInput);
    const owed = row.totalMinor - row.paidMinor;
    const amount = payment.amount === undefined ? owed : toMinor(payment.amount, row.currency, 'amount');
    if (amount > owed && !payment.overpayment) {
      throw new LedgerError(
        'OVERPAYMENT',
        `${formatMoney(amount, row.currency)} is more than the ${formatMoney(owed, row.currency)} due on ${row.number}; ` +
          'record it as an overpayment if the client really paid more.',
        [{ field: 'amount', message: `is more than the ${formatMoney(owed, row.currency)} due` }],
      );
    }
    const on = payment.receivedOn ?? today;
    if (on > today) throw LedgerError.invalid('receivedOn', `cannot be in the future (today is ${today})`);
    checkPaymentDate('receivedOn', on, today);
    if (on < row.issueDate) {
      throw LedgerError.invalid(
        'receivedOn',
        `is before the invoice date ${row.issueDate}; a deposit paid in advance is recorded on the invoice date`,
      );
    }
    const paymentId = randomUUID();
    plan.payments.push({
      id: paymentId,
      teamId,
      invoiceId: row.id,
      amountMinor: amount,
      receivedOn: on,
      reference: payment.reference,
      method: payment.method,
      overpayment: amount > owed,
      recordedBy: importing.actor.id,
    });
    const received = paymentReceived({
      paymentId,
      amount,
      due: owed,
      currency: row.currency,
      receivedOn: on,
      reference: payment.reference,
      method: payment.method,
    });
    row.paidMinor += amount;
    row.paidOn = received.paidInFull ? on : null;
    row.version++;
    row.lastActionKind = received.kind;
    event(row.lastActionKind, { visibility: 'shared', details: received.details });
    paidOn = on;
  }
  if (received.length > 0) tally.payments++;

  // voidInvoice
  if (invoice.status === 'void') {
    const voiding = parseInput(voidInvoiceSchema, { invoice: row.id, reason: `Voided in the ${source}` });
    if (row.paidMinor > 0n) {
      throw new LedgerError(
        'INVOICE_HAS_PAYMENTS',
        `${row.number} has ${formatPaid(row)} recorded against it; it cannot be voided (issue a credit note instead, or reverse a payment recorded by mistake).`,
      );
    }
    row.voidedAt = now;
    row.voidReason = voiding.reason;
    row.version++;
    row.lastActionKind = 'voided';
    event('voided', { details: { reason: voiding.reason } });
    tally.voided++;
  }

  // markImported: not an action, so the invoice's last action stays what it was.
  event('imported', { details: importedDetails(file, { sentOn, paidOn }) });
  plan.invoices.push(row);
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
 * Records the file's payment on the day the file says it was paid (see paymentDateOf).
 */
async function pay(
  ctx: LedgerContext,
  teamId: string,
  actor: Principal,
  invoiceId: string,
  amount: bigint,
  file: FileInvoice,
): Promise<LocalDate> {
  const receivedOn = paymentDateOf(file, amount);
  await recordPayment(ctx, teamId, actor, { invoice: invoiceId, amount, receivedOn, reference: PAYMENT_REFERENCE });
  return receivedOn;
}

/**
 * The day the file says a payment came. A file that gives no paid date (Xero's and QuickBooks' lists do not) has it
 * paid on its due date, or today when that is still to come: neither early nor late, rather than as late as the
 * import; the dry run says so.
 */
function paymentDateOf(file: FileInvoice, amount: bigint): LocalDate {
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
        details: importedDetails(file, dates),
      },
      // Bringing a file in is not chasing the client: the invoice's last action stays what it was.
      { isAction: false },
    ),
  );
}

/** What the imported event says: the file, its line, and the dates it kept. */
function importedDetails(
  file: FileInvoice,
  dates: { sentOn: LocalDate | undefined; paidOn: LocalDate | undefined },
): Record<string, unknown> {
  return {
    source: file.source,
    line: file.invoice.line,
    ...(dates.sentOn ? { sentOn: dates.sentOn } : {}),
    ...(dates.paidOn ? { paidOn: dates.paidOn } : {}),
    ...(file.invoice.inferred ? { inferred: file.invoice.inferred } : {}),
  };
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
  return Object.assign(changes, fieldChanges(invoice, row));
}

/** What the file changes of the invoice's own facts (all but its client). Pure: the bulk path asks it too. */
function fieldChanges(invoice: ImportedInvoice, row: InvoiceRow): Changes {
  const changes: Changes = {};
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
