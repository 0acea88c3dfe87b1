// What a client's status page shows: its invoices that were sent and are open (or paid lately), their
// payments, and the events marked shared. Scoped by the link's team and client; drafts never appear.
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { addDays, startOfLocalDay, todayIn } from '../../domain/dates.js';
import type { DatabaseOrTransaction } from '../client.js';
import { type ClientRow, events, invoices, payments, type WorkspaceRow } from '../schema.js';
import { type InvoiceView, toInvoiceView } from './invoices.js';

/** Paid (and cancelled) invoices stay on the page this long after, so the client sees what became of them. */
export const PAID_SHOWN_DAYS = 90;
export const MAX_INVOICES = 200;
/**
 * Kinds the client always sees. The services record them as shared; the same kinds recorded before the status
 * page existed (when every event was written internal, and events are never updated) are read as shared too.
 */
const ALWAYS_SHARED = ['sent', 'paid', 'part_paid'];
/** An invoice's page history shows its latest events, up to this many. */
export const HISTORY_SHOWN = 50;

export interface PagePayment {
  amountMinor: bigint;
  receivedOn: string;
  reference: string | null;
}

export interface PageEvent {
  id: bigint;
  kind: string;
  actorType: 'user' | 'contact' | 'system';
  at: Date;
  details: Record<string, unknown>;
}

export interface ClientPageData {
  today: string;
  open: InvoiceView[];
  paid: InvoiceView[];
  /** Sent invoices cancelled (voided) lately, so one does not vanish from the client's page without a word. */
  cancelled: InvoiceView[];
  payments: Map<string, PagePayment[]>;
  /** The latest shared events of each invoice (at most HISTORY_SHOWN), oldest first. */
  events: Map<string, PageEvent[]>;
  /** How many older shared events each invoice has beyond those. */
  earlierEvents: Map<string, number>;
  /** More invoices than the page shows (MAX_INVOICES, earliest due first). */
  more: boolean;
}

export async function getClientPage(
  db: DatabaseOrTransaction,
  params: { workspace: WorkspaceRow; client: ClientRow; now: Date },
): Promise<ClientPageData> {
  const { workspace, client, now } = params;
  const teamId = workspace.teamId;
  const today = todayIn(workspace.timeZone, now);
  const rows = await db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.teamId, teamId),
        eq(invoices.clientId, client.id),
        isNotNull(invoices.sentAt),
        or(
          and(
            isNull(invoices.voidedAt),
            or(lt(invoices.paidMinor, invoices.totalMinor), gte(invoices.paidOn, addDays(today, -PAID_SHOWN_DAYS))),
          ),
          gte(invoices.voidedAt, startOfLocalDay(addDays(today, -PAID_SHOWN_DAYS), workspace.timeZone)),
        ),
      ),
    )
    .orderBy(asc(invoices.dueDate), asc(invoices.number))
    .limit(MAX_INVOICES + 1);
  const more = rows.length > MAX_INVOICES;
  const views = rows.slice(0, MAX_INVOICES).map((row) => toInvoiceView(row, client.name, workspace, now, today));
  const ids = views.map((v) => v.id);

  const paymentMap = new Map<string, PagePayment[]>();
  const eventMap = new Map<string, PageEvent[]>();
  const earlier = new Map<string, number>();
  if (ids.length > 0) {
    const paymentRows = await db
      .select({
        invoiceId: payments.invoiceId,
        amountMinor: payments.amountMinor,
        receivedOn: payments.receivedOn,
        reference: payments.reference,
      })
      .from(payments)
      .where(and(eq(payments.teamId, teamId), inArray(payments.invoiceId, ids)))
      .orderBy(asc(payments.receivedOn), asc(payments.createdAt));
    for (const p of paymentRows) {
      paymentMap.set(p.invoiceId, [...(paymentMap.get(p.invoiceId) ?? []), p]);
    }
    // The latest HISTORY_SHOWN shared events of each invoice, and how many there are in all.
    const ranked = db
      .select({
        id: events.id,
        invoiceId: events.invoiceId,
        kind: events.kind,
        actorType: events.actorType,
        at: events.at,
        details: events.details,
        rank: sql<number>`row_number() over (partition by ${events.invoiceId} order by ${events.id} desc)`.as('rank'),
        total: sql<number>`count(*) over (partition by ${events.invoiceId})`.as('total'),
      })
      .from(events)
      .where(
        and(
          eq(events.teamId, teamId),
          inArray(events.invoiceId, ids),
          or(eq(events.visibility, 'shared'), inArray(events.kind, ALWAYS_SHARED)),
        ),
      )
      .as('ranked');
    const eventRows = await db.select().from(ranked).where(lte(ranked.rank, HISTORY_SHOWN)).orderBy(asc(ranked.id));
    for (const { rank: _rank, total, ...e } of eventRows) {
      if (!e.invoiceId) continue;
      const event: PageEvent = { ...e, actorType: e.actorType as PageEvent['actorType'] };
      eventMap.set(e.invoiceId, [...(eventMap.get(e.invoiceId) ?? []), event]);
      earlier.set(e.invoiceId, Math.max(0, Number(total) - HISTORY_SHOWN));
    }
  }
  return {
    today,
    open: views.filter((v) => v.status.state !== null && v.status.state !== 'paid'),
    cancelled: views.filter((v) => v.status.lifecycle === 'void'),
    paid: views.filter((v) => v.status.state === 'paid').sort((a, b) => (b.paidOn ?? '').localeCompare(a.paidOn ?? '')),
    payments: paymentMap,
    events: eventMap,
    earlierEvents: earlier,
    more,
  };
}
