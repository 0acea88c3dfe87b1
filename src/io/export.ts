// The book and its history as CSV. Invoices come out in our own import format, so an export imports back
// unchanged. Amounts are plain decimals in the currency's exponent, never floats; a cell that a spreadsheet
// would run as a formula (=, +, -, @) gets a leading quote, which the import takes off again.
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../db/client.js';
import { getAccountCredits, getRefunds } from '../db/queries/account-credit.js';
import { toInvoiceView } from '../db/queries/invoices.js';
import { getDerivedHistorySources, getInvoiceExportExtras, type InvoiceExportExtras } from '../db/queries/numbers.js';
import { getHistory, type HistoryEvent } from '../db/queries/views.js';
import { clients, invoices, type WorkspaceRow } from '../db/schema.js';
import { type LocalDate, localDateOf } from '../domain/dates.js';
import { DERIVED_MARK, derivedLabel, derivedStateLines } from '../domain/derived-history.js';
import { isCurrency, toDecimalString } from '../domain/money.js';
import type { PaymentTerms } from '../domain/terms.js';

/**
 * Our invoice format's columns, in order. amount_credited, amount_due and state are for people and ignored on import
 * (a credit note is issued in Slack, not imported; a credited invoice's status says 'sent', its state 'credited').
 * amount_paid counts the payments not reversed. The columns after state are for people too, and ignored on import:
 * - hold, hold_reason, hold_since: 'hold' or 'dispute', why, and the local day it began;
 * - promised_date: the invoice's promise (a chase's, or the date the client scheduled);
 * - client_approved: each "approved for payment" from the client's page, 'Name on YYYY-MM-DD', joined by '; ';
 * - client_scheduled: each date the client scheduled, 'YYYY-MM-DD (ref …) given YYYY-MM-DD', joined by '; ';
 * - credit_notes: 'CN-0001 100.00 on YYYY-MM-DD' each; payments_received: 'YYYY-MM-DD 250.00' each, every
 *   payment not reversed with the day it came (part payments too), oldest first (left empty on an invoice whose
 *   overpayment was refunded: amount_paid is then what was kept, and the payments would not add up to it);
 * - account_credit: credit on the client's account kept from this invoice's credit note or applied to it,
 *   'kept 300.00 on YYYY-MM-DD' / 'applied 200.00 on YYYY-MM-DD' / 'taken back 300.00 on YYYY-MM-DD' each;
 * - refunds: each refund of its overpayment, 'YYYY-MM-DD 100.00 (bank transfer, ref RF-9)'.
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
  'hold',
  'hold_reason',
  'hold_since',
  'promised_date',
  'client_approved',
  'client_scheduled',
  'credit_notes',
  'payments_received',
  'account_credit',
  'refunds',
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

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Lines of a list cell: each item, joined by '; '. */
function joined(items: readonly string[]): string {
  return items.join('; ');
}

const NO_EXTRAS: InvoiceExportExtras = { payments: [], creditNotes: [], approvals: [], scheduled: [] };

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
  const extras = await getInvoiceExportExtras(db, { teamId: workspace.teamId });
  const credits = groupBy(await getAccountCredits(db, { teamId: workspace.teamId }), (c) => c.invoiceId);
  const refunds = groupBy(await getRefunds(db, { teamId: workspace.teamId }), (r) => r.invoiceId ?? '');
  const zone = workspace.timeZone;
  const lines = rows.map(({ invoice, clientName, clientEmail }) => {
    const more = extras.get(invoice.id) ?? NO_EXTRAS;
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
      invoice.holdKind ?? '',
      invoice.holdReason ?? '',
      invoice.holdSince ? localDateOf(invoice.holdSince, zone) : '',
      invoice.promisedDate ?? '',
      joined(more.approvals.map((a) => `${a.name} on ${localDateOf(a.at, zone)}`)),
      joined(
        more.scheduled.map(
          (s) => `${s.date}${s.reference ? ` (ref ${s.reference})` : ''} given ${localDateOf(s.at, zone)}`,
        ),
      ),
      joined(more.creditNotes.map((n) => `${n.number} ${money(n.amountMinor)} on ${n.issuedOn}`)),
      (refunds.get(invoice.id) ?? []).length > 0
        ? ''
        : joined(more.payments.map((p) => `${p.receivedOn} ${money(p.amountMinor)}`)),
      joined(
        (credits.get(invoice.id) ?? []).map(
          (c) => `${c.kind === 'withdrawn' ? 'taken back' : c.kind} ${money(c.amountMinor)} on ${c.onDate}`,
        ),
      ),
      joined(
        (refunds.get(invoice.id) ?? []).map((r) => {
          const how = [r.method, r.reference ? `ref ${r.reference}` : null].filter(Boolean).join(', ');
          return `${r.refundedOn} ${money(r.amountMinor)}${how ? ` (${how})` : ''}`;
        }),
      ),
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
  /** The workspace's time zone, for the local time of each event and for when invoices became Due and Overdue. */
  timeZone: string;
  /** The clock's instant: derived lines are given only for what has happened by then. */
  now: Date;
}

// Pages of events read at a time: the history of a busy year does not sit in memory twice.
const HISTORY_PAGE = 500;

/**
 * Every event in a period, oldest first: who did what to which invoice, when, with its details as JSON. Between
 * them, in time order, the derived lines: when each sent invoice became Due and Overdue (never recorded: worked out
 * from its due date and the workspace's zone, src/domain/derived-history.ts), kind `became_due (derived)` or
 * `became_overdue (derived)`, with no event id and actor type `derived`.
 */
export async function exportHistoryCsv(db: DatabaseOrTransaction, params: ExportHistoryParams): Promise<string> {
  const events: { at: number; line: string[] }[] = [];
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
    for (const event of page) events.push({ at: event.at.getTime(), line: historyLine(event, local, params.timeZone) });
    const last = page.at(-1);
    if (!last || page.length < HISTORY_PAGE) break;
    afterId = last.id;
  }
  const sources = await getDerivedHistorySources(db, {
    teamId: params.teamId,
    timeZone: params.timeZone,
    from: params.from,
    to: params.to,
  });
  const derived: { at: number; line: string[] }[] = [];
  for (const source of sources) {
    for (const line of derivedStateLines(source, params.timeZone, params.now)) {
      const at = line.at.getTime();
      if (at < params.from.getTime() || at >= params.to.getTime()) continue;
      derived.push({
        at,
        line: [
          '',
          local(line.at),
          params.timeZone,
          line.at.toISOString(),
          source.number,
          source.clientName,
          derivedLabel(line.kind),
          'derived',
          '',
          'internal',
          '',
          '',
          JSON.stringify({ derived: true, dueDate: source.dueDate, date: line.date, rule: DERIVED_RULE[line.kind] }),
        ],
      });
    }
  }
  // Events stay in id order; each derived line goes before the first event recorded after its instant.
  derived.sort((a, b) => a.at - b.at);
  const lines: string[][] = [];
  let next = 0;
  for (const event of events) {
    while (next < derived.length && (derived[next]?.at ?? 0) < event.at)
      lines.push((derived[next++] as { line: string[] }).line);
    lines.push(event.line);
  }
  for (; next < derived.length; next++) lines.push((derived[next] as { line: string[] }).line);
  return toCsv(HISTORY_COLUMNS, lines);
}

const DERIVED_RULE = {
  became_due: `${DERIVED_MARK} the start of the due date in the workspace's time zone (or when sent, if later that day)`,
  became_overdue: `${DERIVED_MARK} the start of the day after the due date in the workspace's time zone (or when sent, if later)`,
} as const;

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
