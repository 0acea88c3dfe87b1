// The book and its history as CSV. Invoices come out in our own import format, so an export imports back
// unchanged. Amounts are plain decimals in the currency's exponent, never floats; a cell that a spreadsheet
// would run as a formula (=, +, -, @) gets a leading quote, which the import takes off again.
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../db/client.js';
import { toInvoiceView } from '../db/queries/invoices.js';
import { getHistory, type HistoryEvent } from '../db/queries/views.js';
import { clients, invoices, type WorkspaceRow } from '../db/schema.js';
import type { LocalDate } from '../domain/dates.js';
import { isCurrency, toDecimalString } from '../domain/money.js';
import type { PaymentTerms } from '../domain/terms.js';

/**
 * Our invoice format's columns, in order. amount_credited, amount_due and state are for people and ignored on import
 * (a credit note is issued in Slack, not imported; a credited invoice's status says 'sent', its state 'credited').
 * amount_paid counts the payments not reversed.
 */
export const INVOICE_COLUMNS = [
  'number',
  'client',
  'client_email',
  'currency',
  'total',
  'issue_date',
  'terms',
  'due_date',
  'basis_date',
  'basis_label',
  'owner',
  'description',
  'status',
  'amount_paid',
  'paid_on',
  'amount_credited',
  'amount_due',
  'state',
] as const;

export const HISTORY_COLUMNS = [
  'event_id',
  'at_local',
  'time_zone',
  'at_iso',
  'invoice_number',
  'client',
  'kind',
  'actor_type',
  'actor_id',
  'visibility',
  'amount',
  'currency',
  'details',
] as const;

function toCsv(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify(rows as string[][], { header: true, columns: [...columns], escape_formulas: true });
}

export interface ExportInvoicesParams {
  workspace: Pick<WorkspaceRow, 'teamId' | 'timeZone' | 'staleDays'>;
  /** Invoices dated on or after this day. */
  from?: LocalDate | undefined;
  /** Invoices dated on or before this day. */
  to?: LocalDate | undefined;
  /** The clock's instant, for each invoice's state today. */
  now: Date;
}

/** Terms as the import reads them back; a fixed due date is left to the due_date column. */
function termsText(terms: PaymentTerms): string {
  switch (terms.kind) {
    case 'net':
      return `net ${terms.days}`;
    case 'eom':
      return terms.days === 0 ? 'eom' : `eom+${terms.days}`;
    case 'receipt':
      return 'due on receipt';
    case 'fixed':
      return '';
  }
}

/** Every invoice of the workspace (void ones too), by invoice date then number, in our import format. */
export async function exportInvoicesCsv(db: DatabaseOrTransaction, params: ExportInvoicesParams): Promise<string> {
  const { workspace, now } = params;
  const filters: SQL[] = [eq(invoices.teamId, workspace.teamId)];
  // A period of invoice dates, both ends included.
  if (params.from) filters.push(gte(invoices.issueDate, params.from));
  if (params.to) filters.push(lte(invoices.issueDate, params.to));
  const rows = await db
    .select({ invoice: invoices, clientName: clients.name, clientEmail: clients.contactEmail })
    .from(invoices)
    .innerJoin(clients, and(eq(clients.teamId, invoices.teamId), eq(clients.id, invoices.clientId)))
    .where(and(...filters))
    .orderBy(asc(invoices.issueDate), asc(invoices.number));
  const lines = rows.map(({ invoice, clientName, clientEmail }) => {
    const view = toInvoiceView(invoice, clientName, workspace, now);
    const money = (minor: bigint) => toDecimalString(minor, invoice.currency);
    const status = invoice.voidedAt
      ? 'void'
      : invoice.paidMinor >= invoice.totalMinor
        ? 'paid'
        : invoice.sentAt
          ? 'sent'
          : 'draft';
    return [
      invoice.number,
      clientName,
      clientEmail ?? '',
      invoice.currency,
      money(invoice.totalMinor),
      invoice.issueDate,
      termsText(view.terms),
      invoice.dueDate,
      invoice.termsBasisDate,
      invoice.termsBasisLabel ?? '',
      invoice.ownerUserId ?? '',
      invoice.description ?? '',
      status,
      money(invoice.paidMinor),
      // The day payments settled it; a credited invoice was not paid (its closing day is in the history).
      view.status.state === 'credited' ? '' : (invoice.paidOn ?? ''),
      money(invoice.creditedMinor),
      money(view.status.amountDueMinor),
      view.status.state ?? 'void',
    ];
  });
  return toCsv(INVOICE_COLUMNS, lines);
}

export interface ExportHistoryParams {
  teamId: string;
  /** Events at or after this instant. */
  from: Date;
  /** Events before this instant. */
  to: Date;
  /** The workspace's time zone, for the local time of each event. */
  timeZone: string;
}

// Pages of events read at a time: the history of a busy year does not sit in memory twice.
const HISTORY_PAGE = 500;

/** Every event in a period, oldest first: who did what to which invoice, when, with its details as JSON. */
export async function exportHistoryCsv(db: DatabaseOrTransaction, params: ExportHistoryParams): Promise<string> {
  const lines: string[][] = [];
  const local = localFormatter(params.timeZone);
  let afterId: bigint | undefined;
  for (;;) {
    const page = await getHistory(db, {
      teamId: params.teamId,
      from: params.from,
      to: params.to,
      limit: HISTORY_PAGE,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    for (const event of page) lines.push(historyLine(event, local, params.timeZone));
    const last = page.at(-1);
    if (!last || page.length < HISTORY_PAGE) break;
    afterId = last.id;
  }
  return toCsv(HISTORY_COLUMNS, lines);
}

function historyLine(event: HistoryEvent, local: (at: Date) => string, timeZone: string): string[] {
  const { amount, currency } = amountOf(event.details);
  return [
    event.id.toString(),
    local(event.at),
    timeZone,
    event.at.toISOString(),
    event.invoiceNumber ?? '',
    event.clientName ?? '',
    event.kind,
    event.actorType,
    event.actorId,
    event.visibility,
    amount,
    currency,
    JSON.stringify(event.details),
  ];
}

/** The event's money, when it has some: a payment's amount, or an invoice's total when it was created. */
function amountOf(details: Record<string, unknown>): { amount: string; currency: string } {
  const currency = typeof details.currency === 'string' ? details.currency : '';
  const value = details.amountMinor ?? details.totalMinor;
  const minor = minorOf(value);
  if (minor === undefined || !isCurrency(currency)) return { amount: '', currency: '' };
  return { amount: toDecimalString(minor, currency), currency };
}

/** Events keep bigints as {"$bigint": "…"} (see services/write.ts). */
function minorOf(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (value && typeof value === 'object' && typeof (value as { $bigint?: unknown }).$bigint === 'string') {
    return BigInt((value as { $bigint: string }).$bigint);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** 'YYYY-MM-DD HH:MM:SS' on the wall clock of `timeZone`. */
function localFormatter(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return (at) => {
    const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
  };
}
