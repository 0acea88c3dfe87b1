// The daily jobs at scale: deciding the day's alerts (planAlerts) and building the weekly digest (buildDigest)
// for a seeded book, each beside the hand-written SQL that returns the same data, interleaved, in the same run.
//
// planAlerts is timed on a Tuesday (one alert date) and on a Monday (Saturday, Sunday and Monday); its baseline
// is one statement returning the four day-change id lists for every date. buildDigest is timed against the same
// data fetched by hand: the open-invoice lines, the totals, the aging, the changes, the money received, the
// payments and the owners (and the last digest's time).
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { Decision } from '../src/db/deliveries.js';
import { lastDigestAt } from '../src/db/deliveries.js';
import { getDigestData } from '../src/db/queries/digest.js';
import { staleBefore } from '../src/db/queries/views.js';
import type { WorkspaceRow } from '../src/db/schema.js';
import { addDays, type LocalDate, localDateOf, startOfLocalDay, todayIn } from '../src/domain/dates.js';
import { type DigestData, type DigestInvoice, type OpenState, summariseDigest } from '../src/domain/digest.js';
import { alertDatesFor } from '../src/domain/schedule.js';
import { planAlerts, SUMMARY_THRESHOLD } from '../src/jobs/plan.js';
import { fixedClock } from '../src/services/context.js';
import { getWorkspace } from '../src/services/workspaces.js';
import { buildDigest } from '../src/slack/digest.js';
import { digestMessages } from '../src/slack/ui/digest.js';
import {
  AGING_SQL,
  type BenchOptions,
  type DatabaseKind,
  type Fixture,
  type Logger,
  makeFixture,
  openBenchDatabase,
} from './run.js';
import { BENCH_TEAM, NOW, type SeedResult, seedBook, TODAY } from './seed.js';
import { formatMs, formatRatio, type Summary, summarize } from './stats.js';

export const JOBS_DATABASE = 'receivables_bench_jobs';
export const FINANCE_CHANNEL = 'C_BENCH_FINANCE';
/** The aim from the issue: both jobs under 100 ms on PostgreSQL at 1,000,000 invoices. */
export const JOBS_TARGET_MS = 100;

/** TODAY (2026-11-23) is a Monday: its alerts cover the weekend too. The Tuesday after covers one date. */
export const MONDAY_NOW = NOW;
export const TUESDAY_NOW = new Date(NOW.getTime() + 86_400_000);
const WEEK_LABEL = `Week of ${TODAY}`;

type Row = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// Baselines.

const OPEN = 'i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor';
const ALERTABLE = `i.team_id = $1 and ${OPEN} and i.sent_at is not null and i.hold_kind is null`;

// $1 team, $2 dates, $3 stale windows' starts, $4 their ends (one each per date, as array literals). Only what
// a decision needs: the invoice and its owner.
const ALERTS_SQL = `
select d.day::text as day, t.change, t.id::text as id, t.owner_user_id
from unnest($2::date[], $3::timestamptz[], $4::timestamptz[]) as d(day, stale_from, stale_to)
cross join lateral (
  select 'due' as change, i.id, i.owner_user_id from invoices i where ${ALERTABLE} and i.due_date = d.day
  union all
  select 'overdue', i.id, i.owner_user_id from invoices i where ${ALERTABLE} and i.due_date = d.day - 1
  union all
  select 'broken', i.id, i.owner_user_id from invoices i where ${ALERTABLE} and i.promised_date = d.day - 1
  union all
  select 'stale', i.id, i.owner_user_id from invoices i where ${ALERTABLE} and i.due_date <= d.day
    and (i.promised_date is null or i.promised_date < d.day)
    and (i.last_action_at is null or i.last_action_at < d.stale_to)
    and (i.due_date = d.day or i.promised_date = d.day - 1
      or (i.last_action_at >= d.stale_from and i.last_action_at < d.stale_to))
) t
order by d.day`;

const KIND_OF_CHANGE: Record<string, Decision['kind']> = {
  overdue: 'became_overdue',
  due: 'became_due',
  broken: 'promise_broken',
  stale: 'stale_chase',
};
const SEVERITY: Decision['kind'][] = ['became_overdue', 'became_due', 'promise_broken', 'stale_chase'];

const arrayLiteral = (items: readonly string[]) => `{${items.map((x) => `"${x}"`).join(',')}}`;

async function alertsBaseline(f: Fixture, workspace: WorkspaceRow, now: Date): Promise<Row[]> {
  const today = todayIn(workspace.timeZone, now);
  const dates = alertDatesFor(today, workspace.workingDays);
  const staleFrom = dates.map((d) => startOfLocalDay(addDays(d, -workspace.staleDays), workspace.timeZone));
  const staleTo = dates.map((d) => startOfLocalDay(addDays(d, 1 - workspace.staleDays), workspace.timeZone));
  return f.handle.raw(ALERTS_SQL, [
    workspace.teamId,
    arrayLiteral(dates),
    arrayLiteral(staleFrom.map((x) => x.toISOString())),
    arrayLiteral(staleTo.map((x) => x.toISOString())),
  ]);
}

/** What planAlerts decides, as sorted lines: each alert, each owner's paid-check, and the summary. */
function alertsFromDecisions(decisions: readonly Decision[]): string[] {
  return decisions
    .map((d) =>
      d.kind === 'paid_check'
        ? `paid_check:${d.invoiceId}:${d.channelId}`
        : d.kind === 'summary'
          ? 'summary'
          : `${d.kind}:${d.invoiceId}`,
    )
    .sort();
}

/** The same lines from the baseline's rows: each invoice once, with its most severe change over the dates. */
function alertsFromRows(rows: readonly Row[]): string[] {
  const chosen = new Map<string, { kind: Decision['kind']; owner: string | null }>();
  for (const r of rows) {
    const kind = KIND_OF_CHANGE[String(r.change)];
    if (!kind) continue;
    const id = String(r.id);
    const previous = chosen.get(id);
    if (!previous || SEVERITY.indexOf(kind) < SEVERITY.indexOf(previous.kind)) {
      chosen.set(id, { kind, owner: r.owner_user_id === null ? null : String(r.owner_user_id) });
    }
  }
  const lines: string[] = chosen.size > SUMMARY_THRESHOLD ? ['summary'] : [];
  for (const [id, { kind, owner }] of chosen) {
    lines.push(`${kind}:${id}`);
    if (kind === 'became_due' && owner !== null) lines.push(`paid_check:${id}:${owner}`);
  }
  return lines.sort();
}

const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::int8::text`;
const STATE = `case when i.sent_at is null then 'draft' when i.due_date > $2::date then 'sent'
  when i.due_date = $2::date then 'due' else 'overdue' end`;
const BROKEN = 'i.sent_at is not null and i.promised_date < $2::date';
const STALE = `i.sent_at is not null and i.due_date <= $2::date and i.hold_kind is null
  and (i.promised_date is null or i.promised_date < $2::date)
  and (i.last_action_at is null or i.last_action_at < $3::timestamptz)`;

// $1 team, $2 today, $3 stale before
const DIGEST_LINES_SQL = `
select i.id::text as id, i.number, c.name as client_name, i.currency, (i.total_minor - i.paid_minor - i.credited_minor)::text as due_minor,
  i.due_date::text as due_date, ${STATE} as state,
  case when i.sent_at is not null and i.due_date < $2::date then $2::date - i.due_date else 0 end as days_overdue,
  i.owner_user_id, i.last_action_kind, ${ms('i.last_action_at')} as last_action_at, i.hold_kind, i.hold_reason,
  i.promised_date::text as promised_date, coalesce(${BROKEN}, false) as broken, coalesce(${STALE}, false) as stale
from invoices i join clients c on c.team_id = i.team_id and c.id = i.client_id
where i.team_id = $1 and ${OPEN}
order by case when i.sent_at is null then 3 when i.due_date > $2::date then 2 when i.due_date = $2::date then 1 else 0 end,
  i.due_date, i.number, i.id::text`;

// $1 team, $2 today
const DIGEST_TOTALS_SQL = `
select i.currency,
  count(*) filter (where i.sent_at is not null)::int as outstanding_count,
  coalesce(sum(i.total_minor - i.paid_minor - i.credited_minor) filter (where i.sent_at is not null), 0)::text as outstanding_minor,
  count(*) filter (where i.sent_at is not null and i.due_date < $2::date)::int as overdue_count,
  coalesce(sum(i.total_minor - i.paid_minor - i.credited_minor) filter (where i.sent_at is not null and i.due_date < $2::date), 0)::text
    as overdue_minor,
  count(*) filter (where i.sent_at is not null and i.due_date = $2::date)::int as due_count,
  coalesce(sum(i.total_minor - i.paid_minor - i.credited_minor) filter (where i.sent_at is not null and i.due_date = $2::date), 0)::text
    as due_minor,
  count(*) filter (where i.sent_at is null)::int as draft_count,
  coalesce(sum(i.total_minor - i.paid_minor - i.credited_minor) filter (where i.sent_at is null), 0)::text as draft_minor
from invoices i where i.team_id = $1 and ${OPEN}
group by i.currency order by i.currency`;

// $1 team, $2 today, $3 since (instant), $4 since (local date)
const DIGEST_CHANGES_SQL = `
select t.change, t.on_date, i.id::text as invoice_id, i.number, c.name as client_name, i.currency,
  (case when t.change = 'new' then i.total_minor else i.total_minor - i.paid_minor - i.credited_minor end)::text as amount_minor,
  i.owner_user_id
from (
  select case e.kind when 'created' then 'new' when 'chased' then 'promise_made'
      when 'disputed' then 'dispute_opened' else 'dispute_closed' end as change,
    e.invoice_id, case when e.kind = 'chased' then e.details->>'promisedDate' end as on_date, e.id as ord
  from events e
  where e.team_id = $1 and e.at >= $3::timestamptz and e.invoice_id is not null
    and (e.kind in ('created', 'disputed')
      or (e.kind = 'chased' and e.details->>'promisedDate' is not null)
      or (e.kind = 'released' and e.details->>'was' = 'dispute'))
  union all
  select 'newly_overdue', i.id, i.due_date::text, null::int8 from invoices i
    where i.team_id = $1 and ${OPEN} and i.sent_at is not null and i.due_date >= $4::date and i.due_date < $2::date
  union all
  select 'promise_broken', i.id, i.promised_date::text, null::int8 from invoices i
    where i.team_id = $1 and ${OPEN} and i.sent_at is not null
      and i.promised_date >= $4::date and i.promised_date < $2::date
) t
join invoices i on i.team_id = $1 and i.id = t.invoice_id
join clients c on c.team_id = i.team_id and c.id = i.client_id
where not (t.change = 'new' and i.voided_at is not null)
order by t.change, t.ord nulls first, t.on_date, i.number`;

// $1 team, $2 since (instant)
const DIGEST_RECEIVED_SQL = `
select e.details->>'currency' as currency, count(*)::int as count,
  coalesce(sum((e.details->'amountMinor'->>'$bigint')::int8), 0)::text as amount_minor
from events e
where e.team_id = $1 and e.at >= $2::timestamptz and e.kind in ('paid', 'part_paid') and e.details->>'currency' is not null
group by 1 order by 1`;

// $1 team, $2 since (instant)
const DIGEST_PAYMENTS_SQL = `
select p.id::text as payment_id, i.id::text as invoice_id, i.number, c.name as client_name, i.currency,
  p.amount_minor::text as amount_minor, p.received_on::text as received_on, p.recorded_by, ${ms('e.at')} as recorded_at
from events e
join payments p on p.team_id = e.team_id
  and p.id = case when e.details->>'paymentId' ~ '^[0-9a-fA-F-]{36}$' then (e.details->>'paymentId')::uuid end
join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
join clients c on c.team_id = i.team_id and c.id = i.client_id
where e.team_id = $1 and e.at >= $2::timestamptz and e.kind in ('paid', 'part_paid')
order by p.received_on, e.id`;

// $1 team, $2 today, $3 stale before
const DIGEST_OWNERS_SQL = `
select owner_user_id, count(*) filter (where state = 'overdue')::int as overdue,
  count(*) filter (where state = 'due')::int as due, count(*) filter (where broken)::int as broken,
  count(*) filter (where stale)::int as stale,
  count(*) filter (where state in ('overdue', 'due') or broken or stale)::int as needs_action
from (
  select i.owner_user_id, ${STATE} as state, coalesce(${BROKEN}, false) as broken, coalesce(${STALE}, false) as stale
  from invoices i where i.team_id = $1 and ${OPEN}
) t
group by owner_user_id
having count(*) filter (where state in ('overdue', 'due') or broken or stale) > 0
order by needs_action desc, owner_user_id nulls last`;

// $1 team
const LAST_DIGEST_SQL = `
select ${ms('created_at')} as at from deliveries where team_id = $1 and kind = 'digest' order by created_at desc limit 1`;

interface DigestRows {
  lines: Row[];
  totals: Row[];
  aging: Row[];
  changes: Row[];
  received: Row[];
  payments: Row[];
  owners: Row[];
}

const WEEK_MS = 7 * 86_400_000;

async function digestBaseline(f: Fixture, workspace: WorkspaceRow, now: Date): Promise<DigestRows> {
  const team = workspace.teamId;
  const today = todayIn(workspace.timeZone, now);
  const [last] = await f.handle.raw(LAST_DIGEST_SQL, [team]);
  const since = last ? new Date(Number(last.at)) : new Date(now.getTime() - WEEK_MS);
  const sinceAt = since.toISOString();
  const stale = staleBefore(workspace, today).toISOString();
  return {
    lines: await f.handle.raw(DIGEST_LINES_SQL, [team, today, stale]),
    totals: await f.handle.raw(DIGEST_TOTALS_SQL, [team, today]),
    aging: await f.handle.raw(AGING_SQL, [team, today]),
    changes: await f.handle.raw(DIGEST_CHANGES_SQL, [team, today, sinceAt, localDateOf(since, workspace.timeZone)]),
    received: await f.handle.raw(DIGEST_RECEIVED_SQL, [team, sinceAt]),
    payments: await f.handle.raw(DIGEST_PAYMENTS_SQL, [team, sinceAt]),
    owners: await f.handle.raw(DIGEST_OWNERS_SQL, [team, today, stale]),
  };
}

// The digest's data in one driver-independent form, to compare the view's with the baseline's.
interface DigestAnswer {
  lines: string[];
  totals: string[];
  aging: string[];
  changes: string[];
  received: string[];
  payments: string[];
  owners: string[];
}

const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
const nul = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const bool = (v: unknown) => (v === true || v === 1 || v === '1' || v === 't' ? 'y' : 'n');

const holdKind = (v: unknown) => (v === 'hold' || v === 'dispute' ? v : null);

/** One of the baseline's open-book rows as the digest's line. */
function lineFromRow(l: Row): DigestInvoice {
  const acted = l.last_action_kind !== null && l.last_action_at !== null;
  const hold = holdKind(l.hold_kind);
  return {
    id: String(l.id),
    number: String(l.number),
    clientName: String(l.client_name),
    currency: String(l.currency),
    amountDueMinor: BigInt(String(l.due_minor)),
    dueDate: String(l.due_date),
    state: String(l.state) as OpenState,
    daysOverdue: Number(l.days_overdue),
    ownerUserId: l.owner_user_id === null ? null : String(l.owner_user_id),
    lastAction: acted ? { kind: String(l.last_action_kind), at: new Date(Number(l.last_action_at)) } : null,
    hold: hold ? { kind: hold, reason: String(l.hold_reason ?? '') } : null,
    promisedDate: l.promised_date === null ? null : String(l.promised_date),
    promiseBroken: bool(l.broken) === 'y',
    stale: bool(l.stale) === 'y',
  };
}

/**
 * What the digest's thread says per state — the invoices it names (every field) and what it counts — as the
 * person reading it sees it: from the view's candidates (with its tallies), or from the baseline's whole open
 * book. The two must agree line for line.
 */
function sectionsOf(today: LocalDate, invoices: DigestInvoice[], from?: DigestData): string[] {
  const data: DigestData = from ?? {
    today,
    since: MONDAY_NOW,
    sinceDate: today,
    invoices,
    totals: [],
    aging: [],
    changes: {
      newInvoices: [],
      received: [],
      newlyOverdue: [],
      promisesMade: [],
      promisesBroken: [],
      disputesOpened: [],
      disputesClosed: [],
    },
    payments: [],
    owners: [],
  };
  const summary = summariseDigest(data, { today, timeZone: 'UTC' });
  const amounts = (c: { count: number; amounts: { currency: string; minor: bigint }[] }) =>
    [c.count, ...c.amounts.map((a) => `${a.currency}:${a.minor}`)].join(' ');
  return summary.sections.flatMap((s) => [
    `${s.state} ${amounts(s)}; more ${amounts(s.more)}`,
    ...s.invoices.map((l) =>
      [
        l.id,
        l.number,
        l.clientName,
        l.currency,
        l.amountDueMinor,
        l.dueDate,
        l.state,
        l.daysOverdue,
        nul(l.ownerUserId),
        nul(l.lastAction?.kind),
        nul(l.lastAction?.at.getTime()),
        nul(l.hold?.kind),
        nul(l.hold?.reason),
        nul(l.promisedDate),
        l.promiseBroken ? 'y' : 'n',
        l.stale ? 'y' : 'n',
      ].join('|'),
    ),
  ]);
}

function digestFromData(d: Awaited<ReturnType<typeof getDigestData>>): DigestAnswer {
  const changes: string[] = [];
  const lists: [string, typeof d.changes.newInvoices][] = [
    ['dispute_closed', d.changes.disputesClosed],
    ['dispute_opened', d.changes.disputesOpened],
    ['new', d.changes.newInvoices],
    ['newly_overdue', d.changes.newlyOverdue],
    ['promise_broken', d.changes.promisesBroken],
    ['promise_made', d.changes.promisesMade],
  ];
  for (const [change, list] of lists) {
    for (const c of list)
      changes.push(
        [change, c.invoiceId, c.number, c.clientName, c.currency, c.amountMinor, nul(c.date), nul(c.ownerUserId)].join(
          '|',
        ),
      );
  }
  return {
    lines: sectionsOf(d.today, d.invoices, d),
    totals: d.totals.map((t) =>
      [
        t.currency,
        t.outstandingCount,
        t.outstandingMinor,
        t.overdueCount,
        t.overdueMinor,
        t.dueTodayCount,
        t.dueTodayMinor,
        t.draftCount,
        t.draftMinor,
      ].join('|'),
    ),
    aging: d.aging.map((a) => [a.currency, a.bucket, a.count, a.dueMinor].join('|')),
    changes,
    received: d.changes.received.map((r) => [r.currency, r.count, r.amountMinor].join('|')),
    payments: d.payments.map((p) =>
      [
        p.paymentId,
        p.invoiceId,
        p.number,
        p.clientName,
        p.currency,
        p.amountMinor,
        p.receivedOn,
        p.recordedBy,
        p.recordedAt.getTime(),
      ].join('|'),
    ),
    owners: d.owners.map((o) =>
      [nul(o.ownerUserId), o.overdue, o.due, o.promisesBroken, o.stale, o.needsAction].join('|'),
    ),
  };
}

function digestFromRows(r: DigestRows, today: LocalDate): DigestAnswer {
  return {
    lines: sectionsOf(today, r.lines.map(lineFromRow)),
    totals: r.totals.map((t) =>
      [
        t.currency,
        t.outstanding_count,
        t.outstanding_minor,
        t.overdue_count,
        t.overdue_minor,
        t.due_count,
        t.due_minor,
        t.draft_count,
        t.draft_minor,
      ].join('|'),
    ),
    aging: r.aging.map((a) => [a.currency, BUCKETS[Number(a.bucket)] ?? '?', a.count, a.due_minor].join('|')),
    changes: r.changes.map((c) =>
      [
        c.change,
        c.invoice_id,
        c.number,
        c.client_name,
        c.currency,
        c.amount_minor,
        nul(c.on_date),
        nul(c.owner_user_id),
      ].join('|'),
    ),
    received: r.received.map((x) => [x.currency, x.count, x.amount_minor].join('|')),
    payments: r.payments.map((p) =>
      [
        p.payment_id,
        p.invoice_id,
        p.number,
        p.client_name,
        p.currency,
        p.amount_minor,
        p.received_on,
        p.recorded_by,
        Number(p.recorded_at),
      ].join('|'),
    ),
    owners: r.owners.map((o) => [nul(o.owner_user_id), o.overdue, o.due, o.broken, o.stale, o.needs_action].join('|')),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The cases.

interface JobContext {
  f: Fixture;
  ledger: { db: Fixture['db']; clock: ReturnType<typeof fixedClock> };
  workspace: WorkspaceRow;
}

export interface JobCase {
  name: string;
  view(c: JobContext): Promise<unknown>;
  baseline(c: JobContext): Promise<unknown>;
  /** The answer the case checks: the same from both sides. */
  viewAnswer(c: JobContext): Promise<unknown>;
  baselineAnswer(result: unknown): unknown;
}

export const JOB_CASES: readonly JobCase[] = [
  {
    name: 'planAlerts (Tuesday: 1 date)',
    view: (c) => planAlerts(c.ledger, c.workspace, TUESDAY_NOW),
    baseline: (c) => alertsBaseline(c.f, c.workspace, TUESDAY_NOW),
    viewAnswer: async (c) => alertsFromDecisions(await planAlerts(c.ledger, c.workspace, TUESDAY_NOW)),
    baselineAnswer: (rows) => alertsFromRows(rows as Row[]),
  },
  {
    name: 'planAlerts (Monday: 3 dates)',
    view: (c) => planAlerts(c.ledger, c.workspace, MONDAY_NOW),
    baseline: (c) => alertsBaseline(c.f, c.workspace, MONDAY_NOW),
    viewAnswer: async (c) => alertsFromDecisions(await planAlerts(c.ledger, c.workspace, MONDAY_NOW)),
    baselineAnswer: (rows) => alertsFromRows(rows as Row[]),
  },
  {
    name: 'buildDigest',
    view: (c) => buildDigest(c.ledger, c.workspace, MONDAY_NOW, WEEK_LABEL),
    baseline: (c) => digestBaseline(c.f, c.workspace, MONDAY_NOW),
    viewAnswer: async (c) => {
      const today = todayIn(c.workspace.timeZone, MONDAY_NOW);
      const since = (await lastDigestAt(c.ledger.db, c.workspace.teamId)) ?? new Date(MONDAY_NOW.getTime() - WEEK_MS);
      return digestFromData(
        await getDigestData(c.ledger.db, { workspace: c.workspace, today, now: MONDAY_NOW, since }),
      );
    },
    baselineAnswer: (rows) => digestFromRows(rows as DigestRows, TODAY),
  },
];

export interface JobAnswer {
  name: string;
  view: unknown;
  baseline: unknown;
}

export interface JobTiming {
  name: string;
  view: Summary;
  baseline: Summary;
  /** Of the view's time, the part in db.execute (driver + server); drizzle query builders are not counted. */
  viewSql: Summary;
}

/** buildDigest's steps, one by one, and what it produced. */
export interface DigestBreakdown {
  steps: { name: string; time: Summary }[];
  openLines: number;
  replies: number;
  /** Characters of block text over the parent and the replies. */
  chars: number;
  /** Lines listed over the replies (at most the list cap per state, and of the payments). */
  listedLines: number;
  /** Open invoices and payments not listed but counted ("…and 475 more"): listed + counted = every one. */
  countedLines: number;
}

export interface JobsResult {
  database: DatabaseKind;
  seed: SeedResult;
  reused: boolean;
  iterations: number;
  warmup: number;
  answers: JobAnswer[];
  cases: JobTiming[];
  /** Rows the alerts' baseline returned per case (the changes found, over the dates). */
  alertRows: Record<string, number>;
  digest: DigestBreakdown;
  load: { before: number; after: number };
}

export function assertJobAnswers(kind: DatabaseKind, answers: readonly JobAnswer[]): void {
  const wrong = answers.find((a) => !isDeepStrictEqual(a.view, a.baseline));
  if (!wrong) return;
  throw new Error(
    `jobs ${kind}: ${wrong.name} differs from its hand-written SQL:\n` +
      `view:     ${JSON.stringify(wrong.view).slice(0, 2000)}\nbaseline: ${JSON.stringify(wrong.baseline).slice(0, 2000)}`,
  );
}

function digestLineCount(messages: Awaited<ReturnType<typeof buildDigest>>): { lines: number; chars: number } {
  let lines = 0;
  let chars = messages.parent.text.length;
  for (const block of messages.parent.blocks ?? []) chars += JSON.stringify(block).length;
  for (const reply of messages.replies) {
    // The first block is the reply's title; every other section holds lines, one per row.
    const [, ...sections] = (reply.blocks ?? []) as { text?: { text?: string } }[];
    // A capped list ends with "…and N more" (italic), which counts what it does not list: not a line.
    for (const s of sections) lines += (s.text?.text ?? '').split('\n').filter((l) => !l.startsWith('_…and ')).length;
    for (const block of reply.blocks ?? []) chars += JSON.stringify(block).length;
  }
  return { lines, chars };
}

async function digestSteps(c: JobContext, iterations: number): Promise<DigestBreakdown> {
  const names = [
    'lastDigestAt',
    'getDigestData',
    '… of which in db.execute',
    'summariseDigest',
    'digestMessages (Block Kit)',
  ] as const;
  const times: Record<(typeof names)[number], number[]> = {
    lastDigestAt: [],
    getDigestData: [],
    '… of which in db.execute': [],
    summariseDigest: [],
    'digestMessages (Block Kit)': [],
  };
  let produced = { openLines: 0, replies: 0, chars: 0, listedLines: 0, countedLines: 0 };
  for (let i = 0; i < iterations + 1; i++) {
    const t0 = performance.now();
    const today = todayIn(c.workspace.timeZone, MONDAY_NOW);
    const since = (await lastDigestAt(c.ledger.db, c.workspace.teamId)) ?? new Date(MONDAY_NOW.getTime() - WEEK_MS);
    const t1 = performance.now();
    c.f.probe.sqlMs = 0;
    const data = await getDigestData(c.ledger.db, { workspace: c.workspace, today, now: MONDAY_NOW, since });
    const t2 = performance.now();
    const sqlMs = c.f.probe.sqlMs;
    const summary = summariseDigest(data, { today, timeZone: c.workspace.timeZone });
    const t3 = performance.now();
    const messages = digestMessages(summary, { today, timeZone: c.workspace.timeZone, weekLabel: WEEK_LABEL });
    const t4 = performance.now();
    if (i === 0) {
      const counted = digestLineCount(messages);
      produced = {
        openLines: summary.openCount,
        replies: messages.replies.length,
        chars: counted.chars,
        listedLines: counted.lines,
        countedLines: summary.sections.reduce((n, section) => n + section.more.count, 0) + summary.payments.more.count,
      };
      continue;
    }
    times.lastDigestAt.push(t1 - t0);
    times.getDigestData.push(t2 - t1);
    times['… of which in db.execute'].push(sqlMs);
    times.summariseDigest.push(t3 - t2);
    times['digestMessages (Block Kit)'].push(t4 - t3);
  }
  return { steps: names.map((name) => ({ name, time: summarize(times[name]) })), ...produced };
}

// ---------------------------------------------------------------------------------------------------------
// The run.

export async function benchJobs(
  kind: DatabaseKind,
  options: BenchOptions,
  log: Logger = () => {},
  verify: (kind: DatabaseKind, answers: readonly JobAnswer[]) => void = assertJobAnswers,
): Promise<JobsResult> {
  const opened = await openBenchDatabase(kind, options, log, JOBS_DATABASE);
  try {
    const reused = opened.seed !== null;
    log(`jobs ${kind}: ${reused ? 'reusing' : 'seeding'} ${options.invoices.toLocaleString('en-US')} invoices…`);
    const seed = opened.seed ?? (await seedBook(opened.handle, { invoices: options.invoices }));
    if (!reused) log(`jobs ${kind}: seeded in ${seed.seconds.toFixed(1)} s`);
    // The alerts need a finance channel; the seeded workspace already keeps New York time.
    await opened.handle.raw(`update workspaces set finance_channel = $2, time_zone = $3 where team_id = $1`, [
      BENCH_TEAM,
      FINANCE_CHANNEL,
      'America/New_York',
    ]);
    const f = makeFixture(opened.handle, seed.bigClients);
    const ledger = { db: f.db, clock: fixedClock(NOW) };
    const c: JobContext = { f, ledger, workspace: await getWorkspace(ledger, BENCH_TEAM) };

    const answers: JobAnswer[] = [];
    const alertRows: Record<string, number> = {};
    for (const job of JOB_CASES) {
      const raw = await job.baseline(c);
      if (Array.isArray(raw)) alertRows[job.name] = raw.length;
      answers.push({ name: job.name, view: await job.viewAnswer(c), baseline: job.baselineAnswer(raw) });
    }
    verify(kind, answers);
    log(`jobs ${kind}: ${answers.length} answers checked, each job's data equals its baseline's; timing…`);

    const iterations = options.jobsIterations;
    const warmup = Math.min(options.warmup, 3);
    const samples = JOB_CASES.map(() => ({ view: [] as number[], baseline: [] as number[], sql: [] as number[] }));
    const before = loadavg()[0] ?? Number.NaN;
    for (let iteration = 0; iteration < warmup + iterations; iteration++) {
      for (const [index, job] of JOB_CASES.entries()) {
        const bucket = samples[index];
        if (!bucket) continue;
        const order = iteration % 2 === 0 ? (['view', 'baseline'] as const) : (['baseline', 'view'] as const);
        for (const which of order) {
          f.probe.sqlMs = 0;
          const started = performance.now();
          await (which === 'view' ? job.view(c) : job.baseline(c));
          const elapsed = performance.now() - started;
          if (iteration < warmup) continue;
          bucket[which].push(elapsed);
          if (which === 'view') bucket.sql.push(f.probe.sqlMs);
        }
      }
    }
    const after = loadavg()[0] ?? Number.NaN;
    log(`jobs ${kind}: buildDigest step by step…`);
    const digest = await digestSteps(c, Math.min(iterations, 20));
    return {
      database: kind,
      seed,
      reused,
      iterations,
      warmup,
      answers,
      cases: JOB_CASES.map((job, index) => {
        const b = samples[index] ?? { view: [], baseline: [], sql: [] };
        return { name: job.name, view: summarize(b.view), baseline: summarize(b.baseline), viewSql: summarize(b.sql) };
      }),
      alertRows,
      digest,
      load: { before, after },
    };
  } finally {
    await opened.close();
  }
}

export async function runJobsSuite(options: BenchOptions, log: Logger = () => {}): Promise<JobsResult[]> {
  const results: JobsResult[] = [];
  for (const kind of options.suiteDatabases) results.push(await benchJobs(kind, options, log));
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Report.

export function formatJobsReport(results: readonly JobsResult[], _options: BenchOptions): string {
  const lines: string[] = [];
  for (const r of results) {
    const n = r.seed.counts.benchInvoices.toLocaleString('en-US');
    lines.push(`\n## Jobs: planAlerts and buildDigest against hand-written SQL (${n} invoices, ${r.database})\n`);
    lines.push(
      `ms; ${r.iterations} iterations after ${r.warmup} warm-up, view and baseline interleaved; workspace in ` +
        `America/New_York with a finance channel; load average on ${cpus().length} CPUs while timing: ` +
        `${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)}. Answers checked: ${r.answers.length}, all equal.\n`,
    );
    lines.push(
      '| job | p50 | p99 | in db.execute p50 | baseline p50 | baseline p99 | ratio p50 | ratio p99 | aim < 100 ms |',
    );
    lines.push('|---|--:|--:|--:|--:|--:|--:|--:|---|');
    for (const c of r.cases) {
      lines.push(
        `| ${c.name} | ${formatMs(c.view.p50)} | ${formatMs(c.view.p99)} | ${formatMs(c.viewSql.p50)} | ` +
          `${formatMs(c.baseline.p50)} | ${formatMs(c.baseline.p99)} | ${formatRatio(c.view.p50 / c.baseline.p50)} | ` +
          `${formatRatio(c.view.p99 / c.baseline.p99)} | ${c.view.p99 < JOBS_TARGET_MS ? 'ok' : `p99 ≥ ${JOBS_TARGET_MS} ms`} |`,
      );
    }
    const rows = Object.entries(r.alertRows)
      .map(([name, count]) => `${name}: ${count.toLocaleString('en-US')}`)
      .join('; ');
    lines.push(`\nDay changes found (rows of the alerts' baseline): ${rows}.`);
    const d = r.digest;
    lines.push(
      `\nbuildDigest step by step (ms, ${d.steps[0]?.time.n ?? 0} runs): ${d.openLines.toLocaleString('en-US')} open ` +
        `invoices in ${d.replies.toLocaleString('en-US')} thread replies (${d.replies + 1} messages), ` +
        `${(d.chars / 1e6).toFixed(2)} MB of blocks: ${d.listedLines.toLocaleString('en-US')} lines listed, ${d.countedLines.toLocaleString('en-US')} counted in "…and N more". ` +
        'getDigestData reads only the candidates for naming, and counts the rest in SQL.\n',
    );
    lines.push('| step | p50 | p99 |');
    lines.push('|---|--:|--:|');
    for (const s of d.steps) lines.push(`| ${s.name} | ${formatMs(s.time.p50)} | ${formatMs(s.time.p99)} |`);
  }
  return lines.join('\n');
}
