// What the owner's numbers read (src/domain/numbers.ts): receivables, credit sales, payments by day, the open book's
// dates, and the reporting currency with its rates. Also the facts the history's derived Due/Overdue lines are
// worked out from, and what the invoice export adds per invoice (payments, credit notes, the client's answers).
// Each part is one set-based query scoped by the workspace; none loops over invoices.
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { addDays, type LocalDate, localDateOf } from '../../domain/dates.js';
import { derivedLabel, derivedStateLines } from '../../domain/derived-history.js';
import { COLLECTED_DAYS, DSO_WINDOW_DAYS, type NumbersData } from '../../domain/numbers.js';
import type { RateSource, Reporting } from '../../domain/rates.js';
import { type DatabaseOrTransaction, queryPrepared, queryRows } from '../client.js';
import { exchangeRates, type WorkspaceRow } from '../schema.js';
import { type HistoryEvent, OPEN } from './views.js';

type Raw = Record<string, string | number | boolean | null>;

const DUE_MINOR = sql.raw('(i.total_minor - i.paid_minor - i.credited_minor)');

/** Milliseconds since the epoch, as text: exact on both drivers. */
function ms(column: string): SQL {
  return sql.raw(`floor(extract(epoch from ${column}) * 1000)::int8::text`);
}

const big = (v: Raw[string] | undefined): bigint => BigInt(String(v ?? 0));
const text = (v: Raw[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));
const instant = (v: Raw[string] | undefined): Date | null =>
  v === null || v === undefined ? null : new Date(Number(v));

/** The reporting currency and the rates into it (rates set into an earlier reporting currency are left out). */
export async function getReporting(
  db: DatabaseOrTransaction,
  workspace: Pick<WorkspaceRow, 'teamId' | 'reportingCurrency'>,
): Promise<Reporting | null> {
  const into = workspace.reportingCurrency;
  if (!into) return null;
  const rows = await db
    .select()
    .from(exchangeRates)
    .where(and(eq(exchangeRates.teamId, workspace.teamId), eq(exchangeRates.intoCurrency, into)))
    .orderBy(asc(exchangeRates.currency));
  return {
    currency: into,
    rates: rows.map((r) => ({
      currency: r.currency,
      rate: r.rate,
      rateDate: r.rateDate,
      source: r.source as RateSource,
    })),
  };
}

export interface GetNumbersDataParams {
  workspace: Pick<WorkspaceRow, 'teamId' | 'reportingCurrency'>;
  /** Today in the workspace's time zone. */
  today: LocalDate;
}

/**
 * The currencies a workspace's invoices are in, read off the running totals (one row per currency, class and day)
 * instead of every invoice: the ledger's rates are asked for these at each sync.
 */
export async function currenciesHeld(db: DatabaseOrTransaction, teamId: string): Promise<string[]> {
  const rows = await queryRows<{ currency: string }>(
    db,
    sql`select distinct currency from invoice_totals where team_id = ${teamId} and count > 0 order by currency`,
  );
  return rows.map((r) => r.currency);
}

/** Everything computeNumbers needs, as of `today`: five set-based queries, none reading the open book row by row. */
export async function getNumbersData(db: DatabaseOrTransaction, params: GetNumbersDataParams): Promise<NumbersData> {
  const { workspace, today } = params;
  const team = workspace.teamId;

  // Receivables: still due on sent, open invoices — the running totals' 'sent' rows (invoice_totals, kept with every
  // write), a few hundred rows however big the book.
  const receivables = await queryPrepared<Raw>(
    db,
    sql`select t.currency, sum(t.due_minor)::text as minor
        from invoice_totals t
        where t.team_id = ${team} and t.kind = 'sent'
        group by t.currency
        having sum(t.count) > 0`,
  );

  // Credit sales: sent invoices dated in the window (today and the 89 days before), not void, less their credits.
  // Off the issued index (invoices_sent_issue_idx), which holds what is summed.
  const salesFrom = addDays(today, -(DSO_WINDOW_DAYS - 1));
  const sales = await queryPrepared<Raw>(
    db,
    sql`select i.currency, sum(i.total_minor - i.credited_minor)::text as minor
        from invoices i
        where i.team_id = ${team} and i.voided_at is null and i.sent_at is not null
          and i.issue_date between ${salesFrom}::date and ${today}::date
        group by i.currency`,
  );

  // Payments not reversed, received in the last COLLECTED_DAYS (today included), per currency and day.
  const paymentsFrom = addDays(today, -(COLLECTED_DAYS - 1));
  const payments = await queryPrepared<Raw>(
    db,
    sql`select i.currency, p.received_on::text as received_on, sum(p.amount_minor)::text as minor, count(*)::int as n
        from payments p
        join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
        where p.team_id = ${team} and p.reversed_at is null
          and p.received_on between ${paymentsFrom}::date and ${today}::date
        group by i.currency, p.received_on`,
  );

  // The open, sent book, counted and summed per set of invoices whose forecast is the same (expectedDate): in
  // dispute; by a live promise (today or later), the client's scheduled date or not; by a due date today or later;
  // or late (every date passed: one group, its earliest due date standing for them). All but the live promises are
  // read off the open book's covering index alone; the client's scheduled date (the status page's latest answer) is
  // looked up only for those, in the index of such answers (events_client_scheduled_idx).
  const open = await queryPrepared<Raw>(
    db,
    sql`select a.currency, a.dispute, null as promised_date, false as scheduled,
          coalesce(a.due_key, min(a.due_date))::text as due_date, count(*)::int as n, sum(a.due)::text as due_minor
        from (
          select i.currency, ${DUE_MINOR} as due, i.due_date, coalesce(i.hold_kind = 'dispute', false) as dispute,
            case when i.due_date >= ${today}::date then i.due_date end as due_key
          from invoices i
          where i.team_id = ${team} and ${OPEN} and i.sent_at is not null
            and not (i.promised_date is not null and i.promised_date >= ${today}::date
              and i.hold_kind is distinct from 'dispute')
        ) a
        group by a.currency, a.dispute, a.due_key
        union all
        select b.currency, false, b.promised_date::text, b.scheduled, min(b.due_date)::text, count(*)::int,
          sum(b.due)::text
        from (
          select i.currency, ${DUE_MINOR} as due, i.due_date, i.promised_date,
            coalesce(i.promised_date::text = (select e.details->>'date' from events e
              where e.team_id = i.team_id and e.invoice_id = i.id and e.kind = 'client_scheduled'
              order by e.id desc limit 1), false) as scheduled
          from invoices i
          where i.team_id = ${team} and ${OPEN} and i.sent_at is not null
            and i.promised_date is not null and i.promised_date >= ${today}::date
            and i.hold_kind is distinct from 'dispute'
        ) b
        group by b.currency, b.promised_date, b.scheduled
        order by 1, 2, 3, 4, 5`,
  );

  return {
    today,
    receivables: receivables.map((r) => ({ currency: String(r.currency), minor: big(r.minor) })),
    creditSales: sales.map((r) => ({ currency: String(r.currency), minor: big(r.minor) })),
    payments: payments.map((r) => ({
      currency: String(r.currency),
      receivedOn: String(r.received_on),
      minor: big(r.minor),
      count: Number(r.n),
    })),
    open: open.map((r) => ({
      count: Number(r.n),
      currency: String(r.currency),
      amountDueMinor: big(r.due_minor),
      dueDate: String(r.due_date),
      promisedDate: text(r.promised_date),
      scheduledDate: r.scheduled === true || r.scheduled === 't' ? text(r.promised_date) : null,
      inDispute: r.dispute === true || r.dispute === 't',
    })),
    reporting: await getReporting(db, workspace),
  };
}

/** An invoice's facts that its derived Due/Overdue lines are worked out from. */
export interface DerivedHistorySource {
  invoiceId: string;
  number: string;
  clientId: string;
  clientName: string;
  dueDate: LocalDate;
  sentAt: Date | null;
  paidOn: LocalDate | null;
  voidedAt: Date | null;
}

export interface GetDerivedHistorySourcesParams {
  teamId: string;
  timeZone: string;
  /** Lines at or after this instant. */
  from: Date;
  /** Lines before this instant. */
  to: Date;
  /** One client's invoices only. */
  clientId?: string | undefined;
}

/**
 * The sent invoices whose becoming Due or Overdue may fall in [from, to): due on a day from the day before `from`'s
 * local date to `to`'s, or sent in the period after their due date (they became overdue when sent).
 */
export async function getDerivedHistorySources(
  db: DatabaseOrTransaction,
  params: GetDerivedHistorySourcesParams,
): Promise<DerivedHistorySource[]> {
  const first = addDays(localDateOf(params.from, params.timeZone), -1);
  const last = localDateOf(params.to, params.timeZone);
  const rows = await queryRows<Raw>(
    db,
    sql`select i.id::text as id, i.number, i.client_id::text as client_id, c.name as client_name,
          i.due_date::text as due_date, ${ms('i.sent_at')} as sent_at, i.paid_on::text as paid_on,
          ${ms('i.voided_at')} as voided_at
        from invoices i
        join clients c on c.team_id = i.team_id and c.id = i.client_id
        where i.team_id = ${params.teamId} and i.sent_at is not null
          ${params.clientId ? sql`and i.client_id = ${params.clientId}::uuid` : sql``}
          and ((i.due_date between ${first}::date and ${last}::date)
            or (i.sent_at >= ${params.from.toISOString()}::timestamptz and i.sent_at < ${params.to.toISOString()}::timestamptz
                and i.due_date < ${last}::date))
        order by i.due_date, i.id`,
  );
  return rows.map((r) => ({
    invoiceId: String(r.id),
    number: String(r.number),
    clientId: String(r.client_id),
    clientName: String(r.client_name),
    dueDate: String(r.due_date),
    sentAt: instant(r.sent_at),
    paidOn: text(r.paid_on),
    voidedAt: instant(r.voided_at),
  }));
}

/** What the invoice export adds to each invoice, each list oldest first. */
export interface InvoiceExportExtras {
  /** Payments not reversed: the day each came and its amount. */
  payments: { receivedOn: LocalDate; amountMinor: bigint }[];
  creditNotes: { number: string; issuedOn: LocalDate; amountMinor: bigint }[];
  /** The client's "approved for payment" answers: by whom, when. */
  approvals: { name: string; at: Date }[];
  /** The client's "payment scheduled" answers: the date, the reference, when given. */
  scheduled: { date: LocalDate; reference: string | null; at: Date }[];
}

/** Payments, credit notes and the client's answers of every invoice in the workspace, by invoice id. */
export async function getInvoiceExportExtras(
  db: DatabaseOrTransaction,
  params: { teamId: string },
): Promise<Map<string, InvoiceExportExtras>> {
  const team = params.teamId;
  const extras = new Map<string, InvoiceExportExtras>();
  const of = (id: string) => {
    let found = extras.get(id);
    if (!found) {
      found = { payments: [], creditNotes: [], approvals: [], scheduled: [] };
      extras.set(id, found);
    }
    return found;
  };
  const payments = await queryRows<Raw>(
    db,
    sql`select p.invoice_id::text as invoice_id, p.received_on::text as received_on, p.amount_minor::text as amount
        from payments p where p.team_id = ${team} and p.reversed_at is null
        order by p.received_on, p.created_at, p.id`,
  );
  for (const r of payments) {
    of(String(r.invoice_id)).payments.push({ receivedOn: String(r.received_on), amountMinor: big(r.amount) });
  }
  const credits = await queryRows<Raw>(
    db,
    sql`select n.invoice_id::text as invoice_id, n.number, n.issued_on::text as issued_on, n.amount_minor::text as amount
        from credit_notes n where n.team_id = ${team} and n.withdrawn_at is null
        order by n.issued_on, n.created_at, n.id`,
  );
  for (const r of credits) {
    of(String(r.invoice_id)).creditNotes.push({
      number: String(r.number),
      issuedOn: String(r.issued_on),
      amountMinor: big(r.amount),
    });
  }
  const answers = await queryRows<Raw>(
    db,
    sql`select e.invoice_id::text as invoice_id, e.kind, e.details->>'name' as name, e.details->>'date' as date,
          e.details->>'reference' as reference, e.actor_id, ${ms('e.at')} as at
        from events e
        where e.team_id = ${team} and e.invoice_id is not null and e.kind in ('client_approved', 'client_scheduled')
        order by e.id`,
  );
  for (const r of answers) {
    const at = instant(r.at) ?? new Date(0);
    if (r.kind === 'client_approved') {
      of(String(r.invoice_id)).approvals.push({ name: text(r.name) ?? String(r.actor_id), at });
    } else if (r.date !== null) {
      of(String(r.invoice_id)).scheduled.push({ date: String(r.date), reference: text(r.reference), at });
    }
  }
  return extras;
}

/**
 * A client's history with its derived lines: when each of its invoices became Due and Overdue (derivedStateLines),
 * between the oldest event shown and now, as history entries of kind `became_due (derived)` /
 * `became_overdue (derived)` (id 0, actor `derived`), merged in time order.
 */
export async function withDerivedLines(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string; timeZone: string; now: Date; history: HistoryEvent[] },
): Promise<HistoryEvent[]> {
  const { history } = params;
  // From the earliest event shown (or 90 days back when there is none).
  const earliest = Math.min(...history.map((e) => e.at.getTime()));
  const from = new Date(Number.isFinite(earliest) ? earliest : params.now.getTime() - 90 * 86_400_000);
  const sources = await getDerivedHistorySources(db, {
    teamId: params.teamId,
    timeZone: params.timeZone,
    clientId: params.clientId,
    from,
    to: new Date(params.now.getTime() + 1),
  });
  const derived: HistoryEvent[] = sources.flatMap((s) =>
    derivedStateLines(s, params.timeZone, params.now)
      .filter((line) => line.at.getTime() >= from.getTime())
      .map((line) => ({
        id: 0n,
        invoiceId: s.invoiceId,
        invoiceNumber: s.number,
        clientId: s.clientId,
        clientName: s.clientName,
        kind: derivedLabel(line.kind),
        actorType: 'system' as const,
        actorId: 'derived',
        at: line.at,
        details: { derived: true, dueDate: s.dueDate, date: line.date },
        visibility: 'internal' as const,
      })),
  );
  if (derived.length === 0) return history;
  return [...history, ...derived].sort((a, b) => a.at.getTime() - b.at.getTime());
}
