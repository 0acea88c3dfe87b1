// What a client's status page shows: its invoices that were sent and are open (or paid lately), their
// payments, and the events marked shared. Scoped by the link's team and client; drafts never appear.
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { addDays, startOfLocalDay, todayIn } from '../../domain/dates.js';
import { isClosed, isOpen } from '../../domain/status.js';
import type { DatabaseOrTransaction } from '../client.js';
import { type ClientRow, creditNotes, events, invoices, payments, type WorkspaceRow } from '../schema.js';
import { accountCreditBalances, getRefunds } from './account-credit.js';
import { type InvoiceView, toInvoiceView } from './invoices.js';

/** Paid (and cancelled) invoices stay on the page this long after, so the client sees what became of them. */
export const PAID_SHOWN_DAYS = 90;
export const MAX_INVOICES = 200;
/**
 * Kinds the client always sees. The services record them as shared; the same kinds recorded before the status
 * page existed (when every event was written internal, and events are never updated) are read as shared too.
 */
const ALWAYS_SHARED = [
  'sent',
  'paid',
  'part_paid',
  'payment_reversed',
  'credit_note_issued',
  'credit_note_withdrawn',
  'account_credit_applied',
  'refunded',
];
/** An invoice's page history shows its latest events, up to this many. */
export const HISTORY_SHOWN = 50;

export interface PagePayment {
  amountMinor: bigint;
  receivedOn: string;
  reference: string | null;
}

/** A credit note as the client sees it: its number, date and amount (not the team's reason). */
export interface PageCredit {
  number: string;
  amountMinor: bigint;
  issuedOn: string;
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
  /** Closed lately: paid, or credited in full. */
  paid: InvoiceView[];
  /** Sent invoices cancelled (voided) lately, so one does not vanish from the client's page without a word. */
  cancelled: InvoiceView[];
  /** The payments received (a payment reversed as a mistake was never received, and is not listed). */
  payments: Map<string, PagePayment[]>;
  credits: Map<string, PageCredit[]>;
  /** The latest shared events of each invoice (at most HISTORY_SHOWN), oldest first. */
  events: Map<string, PageEvent[]>;
  /** How many older shared events each invoice has beyond those. */
  earlierEvents: Map<string, number>;
  /** More invoices than the page shows (MAX_INVOICES, earliest due first). */
  more: boolean;
  /**
   * The promised date of each invoice whose promise the client gave on the page or the team shared (a shared chase).
   * An invoice whose latest promise came from an internal chase has none here: the page shows no date for it.
   */
  sharedPromises: Map<string, string>;
  /** The client's own reason for each invoice in dispute because the client disputed it on the page. */
  clientDisputes: Map<string, string>;
  /** Credit on the client's account (a credit is shared): the balance per currency, and its refunds. */
  accountCredit?: {
    balances: Map<string, bigint>;
    refunds: { amountMinor: bigint; currency: string; refundedOn: string }[];
  };
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
            or(
              lt(sql`${invoices.paidMinor} + ${invoices.creditedMinor}`, invoices.totalMinor),
              gte(invoices.paidOn, addDays(today, -PAID_SHOWN_DAYS)),
            ),
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
  const creditMap = new Map<string, PageCredit[]>();
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
      .where(and(eq(payments.teamId, teamId), inArray(payments.invoiceId, ids), isNull(payments.reversedAt)))
      .orderBy(asc(payments.receivedOn), asc(payments.createdAt));
    for (const p of paymentRows) {
      paymentMap.set(p.invoiceId, [...(paymentMap.get(p.invoiceId) ?? []), p]);
    }
    const creditRows = await db
      .select({
        invoiceId: creditNotes.invoiceId,
        number: creditNotes.number,
        amountMinor: creditNotes.amountMinor,
        issuedOn: creditNotes.issuedOn,
      })
      .from(creditNotes)
      .where(and(eq(creditNotes.teamId, teamId), inArray(creditNotes.invoiceId, ids), isNull(creditNotes.withdrawnAt)))
      .orderBy(asc(creditNotes.issuedOn), asc(creditNotes.createdAt));
    for (const { invoiceId, ...c } of creditRows) {
      creditMap.set(invoiceId, [...(creditMap.get(invoiceId) ?? []), c]);
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
  const { sharedPromises, clientDisputes } = await promisesAndDisputes(db, {
    teamId,
    promised: views.filter((v) => v.status.promisedDate !== null).map((v) => v.id),
    disputed: views.filter((v) => v.status.hold?.kind === 'dispute').map((v) => v.id),
  });
  const accountCredit = {
    balances: await accountCreditBalances(db, { teamId, clientId: params.client.id }),
    refunds: (await getRefunds(db, { teamId, clientId: params.client.id }))
      .filter((r) => r.source === 'account')
      .map(({ amountMinor, currency, refundedOn }) => ({ amountMinor, currency, refundedOn })),
  };
  return {
    today,
    accountCredit,
    sharedPromises,
    clientDisputes,
    open: views.filter((v) => isOpen(v.status.state)),
    cancelled: views.filter((v) => v.status.lifecycle === 'void'),
    paid: views.filter((v) => isClosed(v.status.state)).sort((a, b) => (b.paidOn ?? '').localeCompare(a.paidOn ?? '')),
    payments: paymentMap,
    credits: creditMap,
    events: eventMap,
    earlierEvents: earlier,
    more,
  };
}

/** What set each promise and each dispute: the latest event of each kind of change, per invoice. */
async function promisesAndDisputes(
  db: DatabaseOrTransaction,
  params: { teamId: string; promised: string[]; disputed: string[] },
): Promise<{ sharedPromises: Map<string, string>; clientDisputes: Map<string, string> }> {
  const sharedPromises = new Map<string, string>();
  const clientDisputes = new Map<string, string>();
  const ids = [...new Set([...params.promised, ...params.disputed])];
  if (ids.length === 0) return { sharedPromises, clientDisputes };
  const topic = sql<
    'promise' | 'dispute'
  >`case when ${events.kind} in ('disputed', 'client_disputed') then 'dispute' else 'promise' end`;
  const rows = await db
    .selectDistinctOn([events.invoiceId, topic], {
      invoiceId: events.invoiceId,
      kind: events.kind,
      visibility: events.visibility,
      details: events.details,
      topic,
    })
    .from(events)
    .where(
      and(
        eq(events.teamId, params.teamId),
        inArray(events.invoiceId, ids),
        or(
          // The events that set a promise: the client's scheduled date, a chase that noted one (shared or not)…
          eq(events.kind, 'client_scheduled'),
          and(eq(events.kind, 'chased'), sql`${events.details} ->> 'promisedDate' is not null`),
          // …and that put an invoice in dispute: the team's, or the client's own.
          inArray(events.kind, ['disputed', 'client_disputed']),
        ),
      ),
    )
    .orderBy(events.invoiceId, topic, desc(events.id));
  for (const row of rows) {
    if (!row.invoiceId) continue;
    const d = row.details;
    if (row.topic === 'promise') {
      const date = row.kind === 'client_scheduled' ? d.date : d.promisedDate;
      if (row.visibility === 'shared' && typeof date === 'string') sharedPromises.set(row.invoiceId, date);
    } else if (row.kind === 'client_disputed' && typeof d.reason === 'string') {
      clientDisputes.set(row.invoiceId, d.reason);
    }
  }
  return { sharedPromises, clientDisputes };
}

/**
 * Whether an invoice is one the client's page may take an answer on: this workspace's, this client's, sent.
 * Anything else — another client's, another workspace's, a draft, not an invoice id at all — is not.
 */
export async function pageHasInvoice(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string; invoiceId: string },
): Promise<boolean> {
  if (!UUID.test(params.invoiceId)) return false;
  const [row] = await db
    .select({ id: invoices.id })
    .from(invoices)
    .where(
      and(
        eq(invoices.teamId, params.teamId),
        eq(invoices.clientId, params.clientId),
        eq(invoices.id, params.invoiceId.toLowerCase()),
        isNotNull(invoices.sentAt),
      ),
    );
  return row !== undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
