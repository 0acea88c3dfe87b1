// What a client's status page shows: its invoices that were sent and are open (or paid lately), their
// payments, and the events marked shared. Scoped by the link's team and client; drafts never appear.
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { addDays, todayIn } from '../../domain/dates.js';
import type { DatabaseOrTransaction } from '../client.js';
import { type ClientRow, events, invoices, payments, type WorkspaceRow } from '../schema.js';
import { type InvoiceView, toInvoiceView } from './invoices.js';

/** Paid invoices stay on the page this long after they were paid, so the client sees the payment land. */
export const PAID_SHOWN_DAYS = 90;
const MAX_INVOICES = 200;

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
  payments: Map<string, PagePayment[]>;
  events: Map<string, PageEvent[]>;
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
        isNull(invoices.voidedAt),
        or(lt(invoices.paidMinor, invoices.totalMinor), gte(invoices.paidOn, addDays(today, -PAID_SHOWN_DAYS))),
      ),
    )
    .orderBy(asc(invoices.dueDate), asc(invoices.number))
    .limit(MAX_INVOICES);
  const views = rows.map((row) => toInvoiceView(row, client.name, workspace, now, today));
  const ids = views.map((v) => v.id);

  const paymentMap = new Map<string, PagePayment[]>();
  const eventMap = new Map<string, PageEvent[]>();
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
    const eventRows = await db
      .select({
        id: events.id,
        invoiceId: events.invoiceId,
        kind: events.kind,
        actorType: events.actorType,
        at: events.at,
        details: events.details,
      })
      .from(events)
      .where(and(eq(events.teamId, teamId), inArray(events.invoiceId, ids), eq(events.visibility, 'shared')))
      .orderBy(asc(events.id));
    for (const e of eventRows) {
      if (!e.invoiceId) continue;
      const event: PageEvent = { ...e, actorType: e.actorType as PageEvent['actorType'] };
      eventMap.set(e.invoiceId, [...(eventMap.get(e.invoiceId) ?? []), event]);
    }
  }
  return {
    today,
    open: views.filter((v) => v.status.state !== 'paid'),
    paid: views.filter((v) => v.status.state === 'paid').sort((a, b) => (b.paidOn ?? '').localeCompare(a.paidOn ?? '')),
    payments: paymentMap,
    events: eventMap,
  };
}
