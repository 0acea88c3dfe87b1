// The views every interface reads: set-based SQL over the indexed open book, never a loop over rows.
// The state expression mirrors src/domain/status.ts (THE RULES); a test holds the two together.
import { type SQL, sql } from 'drizzle-orm';
import { addDays, type LocalDate, startOfLocalDay, todayIn } from '../../domain/dates.js';
import type { InvoiceState } from '../../domain/status.js';
import { describeTerms } from '../../domain/terms.js';
import { type DatabaseOrTransaction, queryPrepared } from '../client.js';
import type { InvoiceRow, WorkspaceRow } from '../schema.js';
import { type InvoiceView, toInvoiceView } from './invoices.js';

type Workspace = Pick<WorkspaceRow, 'teamId' | 'timeZone' | 'staleDays'>;

/** Paid (and credited) invoices stay in the overview this many days after they are closed. */
export const RECENTLY_PAID_DAYS = 30;

/**
 * Open: not void, and payments (not reversed) plus credit notes short of the total. Written exactly as the partial
 * indexes' predicate, so the planner uses them.
 */
export const OPEN = sql`i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor`;
/** Closed: paid or credited (not void). */
const CLOSED = sql`i.voided_at is null and i.paid_minor + i.credited_minor >= i.total_minor`;
/** What is still due on an open invoice. */
const DUE_MINOR = sql.raw('(i.total_minor - i.paid_minor - i.credited_minor)');

export function stateSql(today: LocalDate): SQL {
  return sql`case
    when i.voided_at is not null then 'void'
    when i.credited_minor >= i.total_minor then 'credited'
    when i.paid_minor + i.credited_minor >= i.total_minor then 'paid'
    when i.sent_at is null then 'draft'
    when i.due_date > ${today}::date then 'sent'
    when i.due_date = ${today}::date then 'due'
    else 'overdue' end`;
}

/** Promise broken: still owed, sent, and the promised date has passed. Mirrors status.ts. */
export function promiseBrokenSql(today: LocalDate): SQL {
  return sql`(${OPEN} and i.sent_at is not null
    and i.promised_date is not null and i.promised_date < ${today}::date)`;
}

/** Stale: due or overdue, no hold, no live promise, no action since `before`. Mirrors status.ts. */
export function staleSql(today: LocalDate, before: Date): SQL {
  return sql`(${OPEN} and i.sent_at is not null
    and i.due_date <= ${today}::date and i.hold_kind is null
    and (i.promised_date is null or i.promised_date < ${today}::date)
    and (i.last_action_at is null or i.last_action_at < ${before.toISOString()}::timestamptz))`;
}

/** Every invoice column, in a form both drivers return without loss (bigint and dates as text). */
const INVOICE_COLUMNS = sql.raw(`i.id::text as id, i.team_id, i.number, i.client_id::text as client_id, i.currency,
  i.total_minor::text as total_minor, i.issue_date::text as issue_date, i.terms_kind, i.terms_days,
  i.terms_basis_date::text as terms_basis_date, i.terms_basis_label, i.due_date::text as due_date, i.owner_user_id,
  i.description, ${ms('i.sent_at')} as sent_at, ${ms('i.voided_at')} as voided_at, i.void_reason, i.hold_kind,
  i.hold_reason, ${ms('i.hold_since')} as hold_since, i.hold_by, i.paid_minor::text as paid_minor,
  i.credited_minor::text as credited_minor, i.paid_on::text as paid_on, i.promised_date::text as promised_date, i.next_follow_up::text as next_follow_up,
  i.last_action_kind, ${ms('i.last_action_at')} as last_action_at, i.last_action_by,
  ${ms('i.created_at')} as created_at, i.version, c.name as client_name`);

/** Milliseconds since the epoch, truncated like both drivers truncate microseconds (the views and the digest alike). */
export function ms(column: string): string {
  return `floor(extract(epoch from ${column}) * 1000)::int8::text`;
}

type RawInvoice = Record<string, string | number | null>;

function date(value: string | number | null): Date | null {
  return value === null ? null : new Date(Number(value));
}

function text(value: string | number | null): string | null {
  return value === null ? null : String(value);
}

export function invoiceFromRaw(r: RawInvoice): InvoiceRow {
  return {
    id: String(r.id),
    teamId: String(r.team_id),
    number: String(r.number),
    clientId: String(r.client_id),
    currency: String(r.currency),
    totalMinor: BigInt(String(r.total_minor)),
    issueDate: String(r.issue_date),
    termsKind: String(r.terms_kind),
    termsDays: Number(r.terms_days),
    termsBasisDate: String(r.terms_basis_date),
    termsBasisLabel: text(r.terms_basis_label ?? null),
    dueDate: String(r.due_date),
    ownerUserId: text(r.owner_user_id ?? null),
    description: text(r.description ?? null),
    sentAt: date(r.sent_at ?? null),
    voidedAt: date(r.voided_at ?? null),
    voidReason: text(r.void_reason ?? null),
    holdKind: text(r.hold_kind ?? null),
    holdReason: text(r.hold_reason ?? null),
    holdSince: date(r.hold_since ?? null),
    holdBy: text(r.hold_by ?? null),
    paidMinor: BigInt(String(r.paid_minor)),
    creditedMinor: BigInt(String(r.credited_minor ?? '0')),
    paidOn: text(r.paid_on ?? null),
    promisedDate: text(r.promised_date ?? null),
    nextFollowUp: text(r.next_follow_up ?? null),
    lastActionKind: text(r.last_action_kind ?? null),
    lastActionAt: date(r.last_action_at ?? null),
    lastActionBy: text(r.last_action_by ?? null),
    createdAt: date(r.created_at ?? null) ?? new Date(0),
    version: Number(r.version),
  };
}

function views(rows: RawInvoice[], workspace: Workspace, now: Date): InvoiceView[] {
  const today = todayIn(workspace.timeZone, now);
  return rows.map((r) => toInvoiceView(invoiceFromRaw(r), String(r.client_name), workspace, now, today));
}

export interface ViewParams {
  workspace: Workspace;
  /** Today in the workspace's time zone. */
  today: LocalDate;
  /** The clock's instant, for the status of each listed invoice. */
  now: Date;
}

/** The instant before which a last action makes an invoice stale today. */
export function staleBefore(workspace: Workspace, today: LocalDate): Date {
  return startOfLocalDay(addDays(today, 1 - workspace.staleDays), workspace.timeZone);
}

export interface StateTotal {
  state: InvoiceState;
  currency: string;
  count: number;
  totalMinor: bigint;
  dueMinor: bigint;
}

export interface Overview {
  /** Count and money per state and currency, most urgent state first. */
  totals: StateTotal[];
  /** Invoices per state, most urgent first, at most `limit` each. */
  invoices: Record<InvoiceState, InvoiceView[]>;
  /** How many invoices each state holds in all (the lists may be cut at the limit). */
  counts: Record<InvoiceState, number>;
  needsAction: { overdue: number; due: number; promisesBroken: number; stale: number };
}

export interface OverviewParams extends ViewParams {
  /** Invoices listed per state. */
  limit?: number;
  /** Only this client's invoices. */
  clientId?: string;
}

/** The five states' display order, most urgent first, over a column holding a state (the views and the digest). */
export function stateRank(column: string): SQL {
  return sql.raw(
    `case ${column} when 'overdue' then 0 when 'due' then 1 when 'sent' then 2 when 'draft' then 3 when 'paid' then 4
     else 5 end`,
  );
}

const STATE_RANK = stateRank('state');

const STATES: readonly InvoiceState[] = ['overdue', 'due', 'sent', 'draft', 'paid', 'credited'];

/** Closed by credit notes alone (the rest of the closed are paid). Mirrors stateSql. */
const CREDITED = sql.raw('i.credited_minor >= i.total_minor');

/** The row of the totals queries that carries only the broken-promise and stale counts. */
const NEEDS_ACTION = '~needs-action';

/**
 * The overview's totals from the running totals (invoice_totals, kept by triggers): each open due date to its
 * state as stateSql says it, the recently closed by paid_on, and the needs-action counts from the promise and
 * stale days. Reads a few rows per currency and day, whatever the size of the book.
 */
function runningTotalsSql(team: string, today: LocalDate, paidSince: LocalDate): SQL {
  return sql`
    select state, currency, sum(count)::int as count, sum(total_minor)::text as total_minor,
      sum(due_minor)::text as due_minor, sum(broken)::int as broken, sum(stale)::int as stale
    from (
      select case when t.kind = 'draft' then 'draft' when t.day > ${today}::date then 'sent'
                  when t.day = ${today}::date then 'due' else 'overdue' end as state,
        t.currency, t.count, t.total_minor, t.due_minor, 0 as broken, 0 as stale
      from invoice_totals t where t.team_id = ${team} and t.kind in ('draft', 'sent')
      union all
      select t.kind, t.currency, t.count, t.total_minor, 0, 0, 0
      from invoice_totals t where t.team_id = ${team} and t.kind in ('paid', 'credited') and t.day >= ${paidSince}::date
      union all
      select ${NEEDS_ACTION}, '', 0, 0, 0, case when t.kind = 'promise' then t.count else 0 end,
        case when t.kind = 'stale' then t.count else 0 end
      from invoice_totals t
      where t.team_id = ${team} and ((t.kind = 'promise' and t.day < ${today}::date)
        or (t.kind = 'stale' and t.day <= ${today}::date))
    ) t
    group by state, currency
    having sum(count) <> 0 or sum(broken) <> 0 or sum(stale) <> 0
    order by ${STATE_RANK}, currency`;
}

/** The same totals counted from the invoices themselves: for one client's overview, and to check the running ones. */
export function recountTotalsSql(team: string, today: LocalDate, paidSince: LocalDate, stale: Date, client: SQL): SQL {
  // In two steps: first per currency and due date (a few hundred groups, hashed, off the covering index), then
  // each due date to its state — the same rules as stateSql for an open invoice.
  return sql`
    select state, currency, sum(n)::int as count, sum(total_minor)::text as total_minor,
      sum(due_minor)::text as due_minor, sum(broken)::int as broken, sum(stale)::int as stale
    from (
      select case when g.draft then 'draft' when g.due_date > ${today}::date then 'sent'
                  when g.due_date = ${today}::date then 'due' else 'overdue' end as state,
        g.currency, g.n, g.total_minor, g.due_minor, g.broken, g.stale
      from (
        select i.currency, i.due_date, i.sent_at is null as draft, count(*) as n,
          sum(i.total_minor) as total_minor, sum(${DUE_MINOR}) as due_minor,
          count(*) filter (where ${promiseBrokenSql(today)}) as broken,
          count(*) filter (where ${staleSql(today, stale)}) as stale
        from invoices i
        where i.team_id = ${team} and ${OPEN} ${client}
        group by i.currency, i.due_date, i.sent_at is null
      ) g
      union all
      select case when ${CREDITED} then 'credited' else 'paid' end, i.currency, count(*), sum(i.total_minor), 0, 0, 0
      from invoices i
      where i.team_id = ${team} and ${CLOSED} and i.paid_on >= ${paidSince}::date ${client}
      group by i.currency, ${CREDITED}
    ) t
    group by state, currency
    order by ${STATE_RANK}, currency`;
}

/** Live invoices grouped by state (paid and credited ones for RECENTLY_PAID_DAYS), most urgent first. */
export async function getOverview(db: DatabaseOrTransaction, params: OverviewParams): Promise<Overview> {
  const { workspace, today } = params;
  const limit = params.limit ?? 20;
  const team = workspace.teamId;
  const paidSince = addDays(today, -RECENTLY_PAID_DAYS);
  const client = params.clientId ? sql`and i.client_id = ${params.clientId}::uuid` : sql``;
  const stale = staleBefore(workspace, today);

  // Totals: off the running totals (a few hundred rows) for the whole book; a client's recounted from its invoices.
  const totalsQuery = params.clientId
    ? recountTotalsSql(team, today, paidSince, stale, client)
    : runningTotalsSql(team, today, paidSince);

  const totalsRows = await queryPrepared<Record<string, string | number>>(db, totalsQuery);

  // Lists: each state's most urgent invoices, each read straight off an index with its own limit, and only for the
  // states the totals say hold any (an empty state costs nothing, however many closed invoices share its index).
  // Each arm cuts to the limit on the invoices alone, then joins only the rows kept to their clients.
  const arm = (state: InvoiceState, where: SQL, order: SQL) => sql`
    (select ${sql.raw(`'${state}'`)} as state, ${INVOICE_COLUMNS}
      from (select * from invoices i where i.team_id = ${team} and ${where} ${client} order by ${order} limit ${limit}) i
      join clients c on c.team_id = i.team_id and c.id = i.client_id
      order by ${order})`;
  const arms: Record<InvoiceState, SQL> = {
    overdue: arm(
      'overdue',
      sql`${OPEN} and i.sent_at is not null and i.due_date < ${today}::date`,
      sql`i.due_date, i.number`,
    ),
    due: arm(
      'due',
      sql`${OPEN} and i.sent_at is not null and i.due_date = ${today}::date`,
      sql`${DUE_MINOR} desc, i.number`,
    ),
    sent: arm(
      'sent',
      sql`${OPEN} and i.sent_at is not null and i.due_date > ${today}::date`,
      sql`i.due_date, i.number`,
    ),
    draft: arm('draft', sql`${OPEN} and i.sent_at is null`, sql`i.issue_date, i.number`),
    paid: arm(
      'paid',
      sql`${CLOSED} and not ${CREDITED} and i.paid_on >= ${paidSince}::date`,
      sql`i.paid_on desc, i.number`,
    ),
    credited: arm(
      'credited',
      sql`${CLOSED} and ${CREDITED} and i.paid_on >= ${paidSince}::date`,
      sql`i.paid_on desc, i.number`,
    ),
  };
  const held = new Set(totalsRows.filter((r) => Number(r.count) > 0).map((r) => String(r.state)));
  const wanted = STATES.filter((state) => held.has(state)).map((state) => arms[state]);
  const listRows = wanted.length > 0 ? await queryPrepared<RawInvoice>(db, sql.join(wanted, sql` union all `)) : [];

  const counts: Record<InvoiceState, number> = { overdue: 0, due: 0, sent: 0, draft: 0, paid: 0, credited: 0 };
  const needsAction = { overdue: 0, due: 0, promisesBroken: 0, stale: 0 };
  const totals: StateTotal[] = [];
  for (const r of totalsRows) {
    needsAction.promisesBroken += Number(r.broken);
    needsAction.stale += Number(r.stale);
    if (r.state === NEEDS_ACTION) continue;
    const state = r.state as InvoiceState;
    counts[state] += Number(r.count);
    totals.push({
      state,
      currency: String(r.currency),
      count: Number(r.count),
      totalMinor: BigInt(String(r.total_minor)),
      dueMinor: BigInt(String(r.due_minor)),
    });
  }
  needsAction.overdue = counts.overdue;
  needsAction.due = counts.due;
  const invoices: Record<InvoiceState, InvoiceView[]> = {
    overdue: [],
    due: [],
    sent: [],
    draft: [],
    paid: [],
    credited: [],
  };
  for (const view of views(listRows, workspace, params.now)) {
    const state = view.status.state;
    if (state) invoices[state].push(view);
  }
  return { totals, invoices, counts, needsAction };
}

export interface AgingRow {
  currency: string;
  bucket: 'current' | '1-30' | '31-60' | '61-90' | '90+';
  count: number;
  dueMinor: bigint;
}

/**
 * What is owed by how late it is, per currency: sent, unpaid, not void. Drafts are not yet receivable. Off the
 * running totals of the open, sent book by due date (invoice_totals), each due date to its bucket.
 */
export async function getAging(db: DatabaseOrTransaction, params: ViewParams): Promise<AgingRow[]> {
  const { today } = params;
  const rows = await queryPrepared<Record<string, string | number>>(
    db,
    sql`select currency, bucket, sum(count)::int as count, sum(due_minor)::text as due_minor from (
        select t.currency, t.count, t.due_minor,
          case when t.day >= ${today}::date then 'current'
               when ${today}::date - t.day <= 30 then '1-30'
               when ${today}::date - t.day <= 60 then '31-60'
               when ${today}::date - t.day <= 90 then '61-90'
               else '90+' end as bucket
        from invoice_totals t
        where t.team_id = ${params.workspace.teamId} and t.kind = 'sent'
      ) t
      group by currency, bucket
      having sum(count) <> 0
      order by currency, case bucket when 'current' then 0 when '1-30' then 1 when '31-60' then 2
        when '61-90' then 3 else 4 end`,
  );
  return rows.map((r) => ({
    currency: String(r.currency),
    bucket: r.bucket as AgingRow['bucket'],
    count: Number(r.count),
    dueMinor: BigInt(String(r.due_minor)),
  }));
}

export interface ClientRecord {
  client: {
    id: string;
    name: string;
    contactName: string | null;
    contactEmail: string | null;
    terms: string;
    notes: string | null;
    archived: boolean;
  };
  /** Per currency: what they owe (sent, unpaid) and how much of it is overdue. */
  balances: { currency: string; outstandingMinor: bigint; overdueMinor: bigint; openCount: number }[];
  /** Their invoices: open ones first by due date, then the rest newest first; at most `limit`. */
  invoices: InvoiceView[];
  invoiceCount: number;
  /** How they pay: over invoices paid in full (not those closed by credit notes alone). */
  payment: { paidCount: number; averageDaysLate: number | null; averageDaysToPay: number | null };
  /** The most recent events, oldest first. */
  history: HistoryEvent[];
}

export interface ClientStats {
  invoiceCount: number;
  /** How they pay: over invoices paid in full. */
  payment: ClientRecord['payment'];
}

/** A client's invoice count and paying habit, in one query (the record shows it; alerts quote it). */
export async function getClientStats(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string },
): Promise<ClientStats> {
  const [stats] = await queryPrepared<Record<string, string | number | null>>(
    db,
    sql`select count(*)::int as invoice_count,
          count(*) filter (where ${PAID_IN_FULL})::int as paid_count,
          avg(i.paid_on - i.due_date) filter (where ${PAID_IN_FULL})::float8 as days_late,
          avg(i.paid_on - i.issue_date) filter (where ${PAID_IN_FULL})::float8 as days_to_pay
        from invoices i where i.team_id = ${params.teamId} and i.client_id = ${params.clientId}::uuid`,
  );
  // Days are whole: a fraction of a day late means nothing to a person.
  const days = (value: string | number | null | undefined) =>
    value === null || value === undefined ? null : Math.round(Number(value));
  return {
    invoiceCount: Number(stats?.invoice_count ?? 0),
    payment: {
      paidCount: Number(stats?.paid_count ?? 0),
      averageDaysLate: days(stats?.days_late),
      averageDaysToPay: days(stats?.days_to_pay),
    },
  };
}

/** Settled by a payment (a credit may have taken part of it), not closed by credit notes alone, not void. */
const PAID_IN_FULL = sql.raw('i.paid_on is not null and i.voided_at is null and i.credited_minor < i.total_minor');

const CLIENT_INVOICE_ORDER = sql.raw(`(i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor) desc,
  case when i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor then i.due_date end,
  i.issue_date desc, i.number`);

export async function getClientRecord(
  db: DatabaseOrTransaction,
  params: ViewParams & { clientId: string; limit?: number; historyLimit?: number },
): Promise<ClientRecord | undefined> {
  const team = params.workspace.teamId;
  const { today } = params;
  const [client] = await queryPrepared<Record<string, string | number | boolean | null>>(
    db,
    sql`select id::text as id, name, contact_name, contact_email, terms_kind, terms_days, notes, archived
        from clients where team_id = ${team} and id = ${params.clientId}::uuid`,
  );
  if (!client) return undefined;
  const balances = await queryPrepared<Record<string, string | number>>(
    db,
    sql`select i.currency, count(*)::int as open_count,
          sum(${DUE_MINOR})::text as outstanding,
          coalesce(sum(${DUE_MINOR}) filter (where i.due_date < ${today}::date), 0)::text as overdue
        from invoices i
        where i.team_id = ${team} and i.client_id = ${params.clientId}::uuid and ${OPEN} and i.sent_at is not null
        group by i.currency order by i.currency`,
  );
  const invoiceRows = await queryPrepared<RawInvoice>(
    db,
    // Sort and cut on the raw columns first; convert only the rows that are kept.
    sql`select ${INVOICE_COLUMNS} from (
          select * from invoices i
          where i.team_id = ${team} and i.client_id = ${params.clientId}::uuid
          order by ${CLIENT_INVOICE_ORDER}
          limit ${params.limit ?? 50}
        ) i join clients c on c.team_id = i.team_id and c.id = i.client_id
        order by ${CLIENT_INVOICE_ORDER}`,
  );
  const stats = await getClientStats(db, { teamId: team, clientId: params.clientId });
  const history = await getHistory(db, {
    teamId: team,
    clientId: params.clientId,
    latest: params.historyLimit ?? 20,
  });
  const termsDays = Number(client.terms_days);
  return {
    client: {
      id: String(client.id),
      name: String(client.name),
      contactName: (client.contact_name as string | null) ?? null,
      contactEmail: (client.contact_email as string | null) ?? null,
      terms: describeTerms(
        client.terms_kind === 'receipt'
          ? { kind: 'receipt' }
          : { kind: client.terms_kind === 'eom' ? 'eom' : 'net', days: termsDays },
      ),
      notes: (client.notes as string | null) ?? null,
      archived: Boolean(client.archived),
    },
    balances: balances.map((b) => ({
      currency: String(b.currency),
      outstandingMinor: BigInt(String(b.outstanding)),
      overdueMinor: BigInt(String(b.overdue)),
      openCount: Number(b.open_count),
    })),
    invoices: views(invoiceRows, params.workspace, params.now),
    invoiceCount: stats.invoiceCount,
    payment: stats.payment,
    history,
  };
}

export interface DayChanges {
  date: LocalDate;
  becameDue: InvoiceView[];
  becameOverdue: InvoiceView[];
  promisesBroken: InvoiceView[];
  wentStale: InvoiceView[];
}

/**
 * What changed on a date: invoices that became Due or Overdue, promises that broke (the day after the
 * promised date, still unpaid) and chases that went stale. Only invoices still open and not on hold.
 * The status of each is as of `date` (pass `now` within that day).
 */
export async function getDayChanges(db: DatabaseOrTransaction, params: ViewParams): Promise<DayChanges> {
  const { workspace, today } = params;
  // Each arm reads its invoices in full and joins their clients itself: no second lookup of each row by id.
  const rows = await queryPrepared<RawInvoice & { change: string }>(
    db,
    sql`select * from ${dayChangesSql(workspace, today, sql`${INVOICE_COLUMNS}, i.due_date as sort_due, i.number as sort_number`, sql`join clients c on c.team_id = i.team_id and c.id = i.client_id`)} t
      order by t.change, t.sort_due, t.sort_number`,
  );
  const result: DayChanges = { date: today, becameDue: [], becameOverdue: [], promisesBroken: [], wentStale: [] };
  const asOf = todayIn(workspace.timeZone, params.now);
  for (const row of rows) {
    const view = toInvoiceView(invoiceFromRaw(row), String(row.client_name), workspace, params.now, asOf);
    if (row.change === 'due') result.becameDue.push(view);
    else if (row.change === 'overdue') result.becameOverdue.push(view);
    else if (row.change === 'broken') result.promisesBroken.push(view);
    else result.wentStale.push(view);
  }
  return result;
}

export type DayChangeKind = 'due' | 'overdue' | 'broken' | 'stale';

/**
 * The same changes as getDayChanges, for the jobs: only which invoice changed how and whose it is, for
 * several dates in one query (no rows to read in full, nothing to render: alerts render when posted).
 */
export async function getDayChangeIds(
  db: DatabaseOrTransaction,
  params: { workspace: Workspace; dates: readonly LocalDate[] },
): Promise<{ date: LocalDate; change: DayChangeKind; id: string; ownerUserId: string | null }[]> {
  const { workspace, dates } = params;
  if (dates.length === 0) return [];
  const parts = dates.map(
    (date) =>
      sql`select ${date}::text as day, t.change, t.id, t.owner_user_id
        from ${dayChangesSql(workspace, date, sql`i.id::text as id, i.owner_user_id`, sql``)} t`,
  );
  const rows = await queryPrepared<{ day: string; change: DayChangeKind; id: string; owner_user_id: string | null }>(
    db,
    sql`select c.day, c.change, c.id, c.owner_user_id from (${sql.join(parts, sql` union all `)}) c
        order by c.day, c.change, c.id::uuid`,
  );
  return rows.map((r) => ({ date: String(r.day), change: r.change, id: r.id, ownerUserId: r.owner_user_id }));
}

/**
 * The day's changes as a subquery of (change, columns…): the one definition both readers share, each arm reading
 * `columns` of its invoices `i` (joined to what `join` adds) straight off its index.
 */
function dayChangesSql(workspace: Workspace, today: LocalDate, columns: SQL, join: SQL): SQL {
  const team = workspace.teamId;
  const yesterday = addDays(today, -1);
  const staleDay = addDays(today, -workspace.staleDays);
  const staleFrom = startOfLocalDay(staleDay, workspace.timeZone).toISOString();
  const staleTo = startOfLocalDay(addDays(staleDay, 1), workspace.timeZone).toISOString();
  const arm = (change: string) =>
    sql`select ${sql.raw(`'${change}'`)} as change, ${columns} from invoices i ${join}
          where i.team_id = ${team} and ${OPEN} and i.sent_at is not null and i.hold_kind is null`;
  return sql`(
        ${arm('due')} and i.due_date = ${today}::date
        union all
        ${arm('overdue')} and i.due_date = ${yesterday}::date
        union all
        ${arm('broken')} and i.promised_date = ${yesterday}::date
        union all
        ${arm('stale')}
            and i.due_date <= ${today}::date
            and (i.promised_date is null or i.promised_date < ${today}::date)
            and (i.last_action_at is null or i.last_action_at < ${staleTo}::timestamptz)
            -- it was not stale yesterday: it became due today, its promise broke today, or its last action just aged out
            and (i.due_date = ${today}::date or i.promised_date = ${yesterday}::date
              or (i.last_action_at >= ${staleFrom}::timestamptz and i.last_action_at < ${staleTo}::timestamptz))
      )`;
}

export interface HistoryEvent {
  id: bigint;
  invoiceId: string | null;
  invoiceNumber: string | null;
  clientId: string | null;
  clientName: string | null;
  kind: string;
  actorType: 'user' | 'contact' | 'system';
  actorId: string;
  at: Date;
  details: Record<string, unknown>;
  visibility: 'internal' | 'shared';
}

export interface HistoryParams {
  teamId: string;
  invoiceId?: string;
  clientId?: string;
  /** Only events of these kinds. */
  kinds?: readonly string[];
  /** A period: events at or after `from`, before `to`. */
  from?: Date;
  to?: Date;
  /** Page on: events after this id. */
  afterId?: bigint;
  /** At most this many, oldest first (default 500). */
  limit?: number;
  /** Instead of the first page, the most recent N (still returned oldest first). */
  latest?: number;
}

/** The invoice's most recent chase, so the next one starts from it. */
export async function getLastChase(
  db: DatabaseOrTransaction,
  params: { teamId: string; invoiceId: string },
): Promise<HistoryEvent | undefined> {
  const [last] = await getHistory(db, { ...params, kinds: ['chased'], latest: 1 });
  return last;
}

/** Events for an invoice, a client or a period, oldest first. */
export async function getHistory(db: DatabaseOrTransaction, params: HistoryParams): Promise<HistoryEvent[]> {
  const filters: SQL[] = [sql`e.team_id = ${params.teamId}`];
  if (params.invoiceId) filters.push(sql`e.invoice_id = ${params.invoiceId}::uuid`);
  // A client's history includes the events of its invoices.
  if (params.clientId) filters.push(sql`e.client_id = ${params.clientId}::uuid`);
  if (params.kinds)
    filters.push(
      sql`e.kind in (${sql.join(
        params.kinds.map((k) => sql`${k}`),
        sql`, `,
      )})`,
    );
  if (params.from) filters.push(sql`e.at >= ${params.from.toISOString()}::timestamptz`);
  if (params.to) filters.push(sql`e.at < ${params.to.toISOString()}::timestamptz`);
  if (params.afterId !== undefined) filters.push(sql`e.id > ${params.afterId.toString()}::int8`);
  const where = sql.join(filters, sql` and `);
  const order = params.latest ? sql`e.id desc limit ${params.latest}` : sql`e.id limit ${params.limit ?? 500}`;
  const rows = await queryPrepared<Record<string, unknown>>(
    db,
    sql`select e.id::text as id, e.invoice_id::text as invoice_id, i.number as invoice_number,
          e.client_id::text as client_id, c.name as client_name, e.kind, e.actor_type, e.actor_id,
          floor(extract(epoch from e.at) * 1000)::int8::text as at, e.details, e.visibility
        from events e
        left join invoices i on i.team_id = e.team_id and i.id = e.invoice_id
        left join clients c on c.team_id = e.team_id and c.id = e.client_id
        where ${where}
        order by ${order}`,
  );
  const events = rows.map((r) => ({
    id: BigInt(String(r.id)),
    invoiceId: (r.invoice_id as string | null) ?? null,
    invoiceNumber: (r.invoice_number as string | null) ?? null,
    clientId: (r.client_id as string | null) ?? null,
    clientName: (r.client_name as string | null) ?? null,
    kind: String(r.kind),
    actorType: r.actor_type as HistoryEvent['actorType'],
    actorId: String(r.actor_id),
    at: new Date(Number(r.at)),
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
    visibility: r.visibility as HistoryEvent['visibility'],
  }));
  return params.latest ? events.reverse() : events;
}
