// Reading one invoice (or a few) as the whole record a person sees: row + client + derived status.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { todayIn } from '../../domain/dates.js';
import { deriveStatus, type InvoiceStatus } from '../../domain/status.js';
import { describeDueBasis, type PaymentTerms } from '../../domain/terms.js';
import type { DatabaseOrTransaction } from '../client.js';
import { clients, type InvoiceRow, invoices, type WorkspaceRow } from '../schema.js';

export interface InvoiceView {
  id: string;
  teamId: string;
  number: string;
  clientId: string;
  clientName: string;
  currency: string;
  totalMinor: bigint;
  /** The payments not reversed. */
  paidMinor: bigint;
  /** The credit notes issued against it. */
  creditedMinor: bigint;
  issueDate: string;
  terms: PaymentTerms;
  basisDate: string;
  basisLabel: string | null;
  dueDate: string;
  /** The due date's basis, e.g. "net 60 from 2026-09-01 (delivery)". */
  dueBasis: string;
  ownerUserId: string | null;
  description: string | null;
  sentAt: Date | null;
  voidedAt: Date | null;
  voidReason: string | null;
  promisedDate: string | null;
  nextFollowUp: string | null;
  paidOn: string | null;
  version: number;
  createdAt: Date;
  status: InvoiceStatus;
}

export function termsOf(row: { termsKind: string; termsDays: number; dueDate?: string }): PaymentTerms {
  switch (row.termsKind) {
    case 'net':
      return { kind: 'net', days: row.termsDays };
    case 'eom':
      return { kind: 'eom', days: row.termsDays };
    case 'receipt':
      return { kind: 'receipt' };
    default:
      // Only an invoice has a fixed due date; a client's or a retainer's terms always run from a date.
      if (row.dueDate === undefined) throw new Error(`terms ${row.termsKind} need a due date`);
      return { kind: 'fixed', dueDate: row.dueDate };
  }
}

export function toInvoiceView(
  row: InvoiceRow,
  clientName: string,
  workspace: Pick<WorkspaceRow, 'timeZone' | 'staleDays'>,
  now: Date,
  /** Today in the workspace at `now`, when the caller already knows it (lists compute it once). */
  today: string = todayIn(workspace.timeZone, now),
): InvoiceView {
  const terms = termsOf(row);
  const status = deriveStatus(
    {
      totalMinor: row.totalMinor,
      paidMinor: row.paidMinor,
      creditedMinor: row.creditedMinor,
      dueDate: row.dueDate,
      sentAt: row.sentAt,
      voidedAt: row.voidedAt,
      hold:
        row.holdKind === 'hold' || row.holdKind === 'dispute'
          ? { kind: row.holdKind, reason: row.holdReason ?? '', since: row.holdSince ?? row.createdAt, by: row.holdBy }
          : null,
      promisedDate: row.promisedDate,
      lastAction:
        row.lastActionKind && row.lastActionAt
          ? { kind: row.lastActionKind, at: row.lastActionAt, by: row.lastActionBy }
          : null,
    },
    { today, timeZone: workspace.timeZone, staleDays: workspace.staleDays },
  );
  return {
    id: row.id,
    teamId: row.teamId,
    number: row.number,
    clientId: row.clientId,
    clientName,
    currency: row.currency,
    totalMinor: row.totalMinor,
    paidMinor: row.paidMinor,
    creditedMinor: row.creditedMinor,
    issueDate: row.issueDate,
    terms,
    basisDate: row.termsBasisDate,
    basisLabel: row.termsBasisLabel,
    dueDate: row.dueDate,
    dueBasis: describeDueBasis(terms, row.termsBasisDate, row.termsBasisLabel),
    ownerUserId: row.ownerUserId,
    description: row.description,
    sentAt: row.sentAt,
    voidedAt: row.voidedAt,
    voidReason: row.voidReason,
    promisedDate: row.promisedDate,
    nextFollowUp: row.nextFollowUp,
    paidOn: row.paidOn,
    version: row.version,
    createdAt: row.createdAt,
    status,
  };
}

/** Finds an invoice by id or by number (case-insensitive), scoped to the workspace. */
export async function findInvoiceRow(
  db: DatabaseOrTransaction,
  params: { teamId: string; idOrNumber: string; forUpdate?: boolean },
): Promise<{ invoice: InvoiceRow; clientName: string } | undefined> {
  const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(params.idOrNumber);
  const match = byId
    ? eq(invoices.id, params.idOrNumber)
    : sql`lower(${invoices.number}) = lower(${params.idOrNumber.trim()})`;
  const query = db
    .select({ invoice: invoices, clientName: clients.name })
    .from(invoices)
    .innerJoin(clients, and(eq(clients.teamId, invoices.teamId), eq(clients.id, invoices.clientId)))
    .where(and(eq(invoices.teamId, params.teamId), match))
    .limit(1);
  const rows = params.forUpdate ? await query.for('update', { of: invoices }) : await query;
  return rows[0];
}

/** Several invoices by id, in one query. */
export async function findInvoiceRows(
  db: DatabaseOrTransaction,
  params: { teamId: string; ids: readonly string[] },
): Promise<{ invoice: InvoiceRow; clientName: string }[]> {
  if (params.ids.length === 0) return [];
  return db
    .select({ invoice: invoices, clientName: clients.name })
    .from(invoices)
    .innerJoin(clients, and(eq(clients.teamId, invoices.teamId), eq(clients.id, invoices.clientId)))
    .where(and(eq(invoices.teamId, params.teamId), inArray(invoices.id, [...params.ids])));
}
