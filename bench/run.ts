// The views against the best hand-written SQL for the same answer, on PGlite and PostgreSQL; and, with --suite,
// the Slack round trip (bench/slack.ts), the daily jobs (bench/jobs.ts), the client's status page (bench/page.ts),
// reading instants as local dates (bench/dates.ts, no database) and a first Xero sync of up to 5,000 invoices
// within Xero's limits (bench/books.ts), and a first import of 20,000 invoices beside a multi-row insert of the same
// rows (bench/import.ts, on both databases unless --db says).
//
//   npm run bench -- [--suite views|slack|jobs|page|dates|books|import|all] [--invoices N | --million | --quick] [--db pglite|postgres|both]
//                    [--iterations N] [--explain] [--keep] [--reuse] [--sql STATEMENT]…
//                    [--concurrency 1,50] [--fake-in app|client] [--warmup N] [--pool N] [--work-concurrency N]
//
// --suite (default all) picks what runs. The views run on both databases unless --db says; the slack, jobs and page
// suites run on PostgreSQL unless --db says, each in its own database (receivables_bench_slack, _jobs, _page).
//
// For each database: open it (migrations applied), seed a book of N invoices (bench/seed.ts), check that each
// view and its baseline give the same answer, then time both, interleaved, after a warm-up, and print p50/p99.
// PostgreSQL gets a fresh database `receivables_bench` on the server at BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres), dropped at the end unless --keep (or --reuse) is given.
// --explain prints EXPLAIN (ANALYZE, BUFFERS) for every query each view sends. --sql runs a statement after seeding
// (repeatable; e.g. a candidate index, or `alter database receivables_bench set jit = off`), then VACUUM ANALYZE,
// and reconnects, so a proposed change can be timed against the same book. Nothing is written to disk.

import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { type Database, type DatabaseHandle, openDatabase, redact } from '../src/db/client.js';
import type { InvoiceView } from '../src/db/queries/invoices.js';
import {
  type AgingRow,
  type ClientRecord,
  type DayChanges,
  getAging,
  getClientRecord,
  getDayChanges,
  getOverview,
  type Overview,
  RECENTLY_PAID_DAYS,
  staleBefore,
  type ViewParams,
} from '../src/db/queries/views.js';
import { addDays, startOfLocalDay } from '../src/domain/dates.js';
import type { InvoiceState } from '../src/domain/status.js';
import {
  BENCH_TEAM,
  BENCH_WORKSPACE,
  bigClients,
  countRows,
  NOW,
  readSeedMarker,
  type SeedResult,
  seedBook,
  TODAY,
  writeSeedMarker,
} from './seed.js';
import { formatMs, formatRatio, type Summary, summarize } from './stats.js';

export type DatabaseKind = 'pglite' | 'postgres';

export const SUITES = ['views', 'slack', 'jobs', 'page', 'dates', 'books', 'import', 'many'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchOptions {
  invoices: number;
  iterations: number;
  warmup: number;
  databases: DatabaseKind[];
  /** Print EXPLAIN (ANALYZE, BUFFERS) of each view's queries (PostgreSQL only). */
  explain: boolean;
  /** Leave the PostgreSQL database in place at the end. */
  keep: boolean;
  /** Use an existing, already seeded `receivables_bench` of the same size (implies keep). */
  reuse: boolean;
  /** Statements to run after seeding and before timing (candidate indexes, database settings). */
  sql: string[];
  /** What runs (--suite). */
  suites: Suite[];
  /** The databases of the slack, jobs and page suites: PostgreSQL unless --db says. */
  suiteDatabases: DatabaseKind[];
  /** Rounds of the slack suite per concurrency level and app (--iterations sets it too). */
  slackIterations: number;
  /** Iterations of the jobs suite (--iterations sets it too). */
  jobsIterations: number;
  /** Rounds of the page suite at 1 request at once; a tenth of it at more (--iterations sets it too). */
  pageIterations: number;
  /** Requests sent at once, per level of the slack and page suites. */
  concurrency: number[];
  /** Where the fake Slack runs: in the app's process (and event loop), or in the load generator's. */
  fakeIn: 'app' | 'client';
  /** Connections in the PostgreSQL pool (the app's default, 10, when unset). */
  pool?: number | undefined;
  /** The slack suite's app: work after an ack at most this many at once (the app's default when unset). */
  workConcurrency?: number | undefined;
  /** The PostgreSQL database of the views suite (the many suite uses it with a `_many` suffix). */
  database?: string | undefined;
  /** Workspaces in the many-workspace book (--workspaces), and invoices in each (--per-workspace). */
  workspaces: number;
  perWorkspace: number;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  invoices: 100_000,
  iterations: 200,
  warmup: 10,
  databases: ['pglite', 'postgres'],
  explain: false,
  keep: false,
  reuse: false,
  sql: [],
  suites: [...SUITES],
  suiteDatabases: ['postgres'],
  slackIterations: 300,
  jobsIterations: 50,
  pageIterations: 200,
  concurrency: [1, 50],
  fakeIn: 'app',
  workspaces: 5_000,
  perWorkspace: 300,
};

export const QUICK_OPTIONS: Partial<BenchOptions> = {
  invoices: 2_000,
  iterations: 20,
  slackIterations: 20,
  jobsIterations: 20,
  pageIterations: 20,
  workspaces: 50,
  perWorkspace: 100,
};

const USAGE = `usage: tsx bench/run.ts [--suite views|slack|jobs|page|dates|books|import|many|all] [--invoices N | --million | --quick]
                        [--db pglite|postgres|both] [--iterations N] [--explain] [--keep] [--reuse] [--database NAME]
                        [--workspaces N] [--per-workspace N]
                        [--sql STATEMENT]… [--concurrency 1,50] [--fake-in app|client] [--warmup N] [--pool N] [--work-concurrency N]`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    ...DEFAULT_OPTIONS,
    sql: [],
    suites: [...DEFAULT_OPTIONS.suites],
    suiteDatabases: [...DEFAULT_OPTIONS.suiteDatabases],
    concurrency: [...DEFAULT_OPTIONS.concurrency],
  };
  if (argv.includes('--quick')) Object.assign(options, QUICK_OPTIONS);
  const count = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') continue;
    else if (arg === '--million') options.invoices = 1_000_000;
    else if (arg === '--invoices') options.invoices = count(arg, argv[++i]);
    else if (arg === '--iterations') {
      options.iterations = count(arg, argv[++i]);
      options.slackIterations = options.jobsIterations = options.pageIterations = options.iterations;
    } else if (arg === '--db') {
      const value = argv[++i];
      if (value === 'both') options.databases = ['pglite', 'postgres'];
      else if (value === 'pglite' || value === 'postgres') options.databases = [value];
      else throw new Error(`--db takes pglite, postgres or both\n${USAGE}`);
      options.suiteDatabases = [...options.databases];
    } else if (arg === '--pool') options.pool = count(arg, argv[++i]);
    else if (arg === '--work-concurrency') options.workConcurrency = count(arg, argv[++i]);
    else if (arg === '--workspaces') options.workspaces = count(arg, argv[++i]);
    else if (arg === '--per-workspace') options.perWorkspace = count(arg, argv[++i]);
    else if (arg === '--database') {
      const value = argv[++i];
      if (!value || !/^[a-z_][a-z0-9_]*$/.test(value)) throw new Error(`--database needs a plain name\n${USAGE}`);
      options.database = value;
    } else if (arg === '--warmup') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`--warmup needs a whole number\n${USAGE}`);
      options.warmup = value;
    } else if (arg === '--suite') {
      const value = argv[++i];
      if (value === 'all') options.suites = [...SUITES];
      else if (SUITES.includes(value as Suite)) options.suites = [value as Suite];
      else throw new Error(`--suite takes views, slack, jobs, page, dates, books, import, many or all\n${USAGE}`);
    } else if (arg === '--concurrency') {
      const value = argv[++i] ?? '';
      options.concurrency = value.split(',').map((n) => count(arg, n));
    } else if (arg === '--fake-in') {
      const value = argv[++i];
      if (value !== 'app' && value !== 'client') throw new Error(`--fake-in takes app or client\n${USAGE}`);
      options.fakeIn = value;
    } else if (arg === '--explain') options.explain = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--reuse') options.reuse = options.keep = true;
    else if (arg === '--sql') {
      const statement = argv[++i];
      if (!statement) throw new Error(`--sql needs a statement\n${USAGE}`);
      options.sql.push(statement);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------
// The fixture: a seeded database, the view parameters, and a db whose execute() is timed (and can be recorded).

export interface Fixture {
  handle: DatabaseHandle;
  /** handle.db, with execute() timed: `sqlMs` is the time spent in it since last reset. */
  db: Database;
  probe: Probe;
  params: ViewParams;
  /** The clients the client-record view cycles through (the 20 with most invoices). */
  clients: string[];
}

export interface Probe {
  sqlMs: number;
  /** When set, every query executed is appended here as text + parameters. */
  recording: { sql: string; params: unknown[] }[] | null;
}

function instrument(db: Database): { db: Database; probe: Probe } {
  const dialect = new PgDialect();
  const probe: Probe = { sqlMs: 0, recording: null };
  type Prepared = { execute(...args: unknown[]): Promise<unknown> };
  type Session = { prepareQuery(built: { sql: string; params: unknown[] }, ...rest: unknown[]): Prepared };
  // Prepared statements (queryPrepared) go through the session, not execute(): timed and recorded likewise.
  const timedSession = (session: Session) =>
    new Proxy(session, {
      get(target, property, receiver) {
        if (property !== 'prepareQuery') return Reflect.get(target, property, receiver);
        return (built: { sql: string; params: unknown[] }, ...rest: unknown[]) => {
          const prepared = target.prepareQuery(built, ...rest);
          return new Proxy(prepared, {
            get(p, key, r) {
              if (key !== 'execute') return Reflect.get(p, key, r);
              return async (...args: unknown[]) => {
                if (probe.recording) probe.recording.push({ sql: built.sql, params: built.params });
                const started = performance.now();
                try {
                  return await p.execute(...args);
                } finally {
                  probe.sqlMs += performance.now() - started;
                }
              };
            },
          });
        };
      },
    });
  const proxied = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'session') return timedSession(Reflect.get(target, property, receiver) as Session);
      if (property !== 'execute') return Reflect.get(target, property, receiver);
      return async (query: SQL) => {
        if (probe.recording) probe.recording.push(dialect.sqlToQuery(query));
        const started = performance.now();
        try {
          return await target.execute(query);
        } finally {
          probe.sqlMs += performance.now() - started;
        }
      };
    },
  });
  return { db: proxied, probe };
}

export function makeFixture(handle: DatabaseHandle, clients: string[]): Fixture {
  const { db, probe } = instrument(handle.db);
  return { handle, db, probe, params: { workspace: { ...BENCH_WORKSPACE }, today: TODAY, now: NOW }, clients };
}

function clientFor(f: Fixture, iteration: number): string {
  const id = f.clients[iteration % f.clients.length];
  if (!id) throw new Error('the fixture has no clients');
  return id;
}

// ---------------------------------------------------------------------------------------------------------
// Answers in a common, driver-independent form, so a view and its baseline can be compared exactly.

type Row = Record<string, unknown>;

const int = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const day = (v: unknown): string | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
const instant = (v: unknown): number | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.getTime() : new Date(String(v)).getTime();

/** What identifies a listed invoice and what a person reads off it. */
function viewKey(v: InvoiceView): string {
  return [
    v.id,
    v.number,
    v.clientName,
    v.currency,
    v.totalMinor,
    v.paidMinor,
    v.issueDate,
    v.dueDate,
    v.promisedDate,
    v.paidOn,
    v.sentAt?.getTime(),
    v.status.lastAction?.at.getTime(),
  ].join('|');
}

function rowKey(r: Row, clientName?: string): string {
  return [
    r.id,
    r.number,
    clientName ?? r.client_name,
    r.currency,
    int(r.total_minor),
    int(r.paid_minor),
    day(r.issue_date),
    day(r.due_date),
    day(r.promised_date),
    day(r.paid_on),
    instant(r.sent_at),
    r.last_action_kind ? instant(r.last_action_at) : null,
  ].join('|');
}

const STATES: readonly InvoiceState[] = ['overdue', 'due', 'sent', 'draft', 'paid', 'credited'];

interface OverviewAnswer {
  totals: { state: string; currency: string; count: number; totalMinor: string; dueMinor: string }[];
  counts: Record<string, number>;
  needsAction: Overview['needsAction'];
  lists: Record<string, string[]>;
}

function overviewFromView(o: Overview): OverviewAnswer {
  const lists: Record<string, string[]> = {};
  for (const state of STATES) lists[state] = o.invoices[state].map(viewKey);
  return {
    totals: o.totals.map((t) => ({
      state: t.state,
      currency: t.currency,
      count: t.count,
      totalMinor: String(t.totalMinor),
      dueMinor: String(t.dueMinor),
    })),
    counts: { ...o.counts },
    needsAction: { ...o.needsAction },
    lists,
  };
}

function overviewFromRows([totals, listed]: Row[][]): OverviewAnswer {
  const counts: Record<string, number> = { overdue: 0, due: 0, sent: 0, draft: 0, paid: 0, credited: 0 };
  const needsAction = { overdue: 0, due: 0, promisesBroken: 0, stale: 0 };
  for (const r of totals ?? []) {
    counts[String(r.state)] = (counts[String(r.state)] ?? 0) + Number(r.count);
    needsAction.promisesBroken += Number(r.broken);
    needsAction.stale += Number(r.stale);
  }
  needsAction.overdue = counts.overdue ?? 0;
  needsAction.due = counts.due ?? 0;
  const lists: Record<string, string[]> = {};
  for (const state of STATES) lists[state] = [];
  for (const r of listed ?? []) lists[String(r.list)]?.push(rowKey(r));
  return {
    totals: (totals ?? []).map((r) => ({
      state: String(r.state),
      currency: String(r.currency),
      count: Number(r.count),
      totalMinor: String(r.total_minor),
      dueMinor: String(r.due_minor),
    })),
    counts,
    needsAction,
    lists,
  };
}

const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;

interface AgingAnswer {
  currency: string;
  bucket: string;
  count: number;
  dueMinor: string;
}

interface ClientAnswer {
  client: { id: string; name: string; archived: boolean } | null;
  balances: { currency: string; outstandingMinor: string; overdueMinor: string; openCount: number }[];
  invoices: string[];
  invoiceCount: number;
  payment: { paidCount: number; averageDaysLate: number | null; averageDaysToPay: number | null };
  history: string[];
}

function clientFromView(r: ClientRecord | undefined): ClientAnswer | null {
  if (!r) return null;
  return {
    client: { id: r.client.id, name: r.client.name, archived: r.client.archived },
    balances: r.balances.map((b) => ({
      currency: b.currency,
      outstandingMinor: String(b.outstandingMinor),
      overdueMinor: String(b.overdueMinor),
      openCount: b.openCount,
    })),
    invoices: r.invoices.map(viewKey),
    invoiceCount: r.invoiceCount,
    payment: { ...r.payment },
    history: r.history.map((e) => [e.id, e.invoiceId, e.invoiceNumber, e.clientName, e.kind, e.at.getTime()].join('|')),
  };
}

interface ClientRows {
  client: Row[];
  balances: Row[];
  invoices: Row[];
  stats: Row[];
  history: Row[];
}

function clientFromRows(r: ClientRows): ClientAnswer | null {
  const [client] = r.client;
  if (!client) return null;
  const name = String(client.name);
  const [stats] = r.stats;
  const average = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));
  return {
    client: { id: String(client.id), name, archived: Boolean(client.archived) },
    balances: r.balances.map((b) => ({
      currency: String(b.currency),
      outstandingMinor: String(b.outstanding),
      overdueMinor: String(b.overdue),
      openCount: Number(b.open_count),
    })),
    invoices: r.invoices.map((row) => rowKey(row, name)),
    invoiceCount: Number(stats?.invoice_count ?? 0),
    payment: {
      paidCount: Number(stats?.paid_count ?? 0),
      averageDaysLate: average(stats?.days_late),
      averageDaysToPay: average(stats?.days_to_pay),
    },
    // Newest first from the query; the record lists them oldest first.
    history: [...r.history]
      .reverse()
      .map((e) =>
        [e.id, e.invoice_id ?? '', e.invoice_number ?? '', name, e.kind, instant(e.at)].map((x) => String(x)).join('|'),
      ),
  };
}

interface DayAnswer {
  due: string[];
  overdue: string[];
  broken: string[];
  stale: string[];
}

// ---------------------------------------------------------------------------------------------------------
// The baselines: the best hand-written SQL for each view's answer, run on the driver itself (handle.raw).

// Open and closed as the partial indexes say them: payments and credit notes both count.
const OPEN = 'i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor';
const CLOSED = 'i.voided_at is null and i.paid_minor + i.credited_minor >= i.total_minor';
const WITH_CLIENT = 'from invoices i join clients c on c.team_id = i.team_id and c.id = i.client_id';

// $1 team, $2 today, $3 paid since, $4 stale before (instant)
const OVERVIEW_TOTALS_SQL = `
select state, currency, count(*)::int as count, sum(total_minor)::text as total_minor, sum(due_minor)::text as due_minor,
  count(*) filter (where broken)::int as broken, count(*) filter (where stale)::int as stale
from (
  select case when i.sent_at is null then 'draft' when i.due_date > $2::date then 'sent'
      when i.due_date = $2::date then 'due' else 'overdue' end as state,
    i.currency, i.total_minor, i.total_minor - i.paid_minor - i.credited_minor as due_minor,
    i.sent_at is not null and i.promised_date < $2::date as broken,
    i.sent_at is not null and i.due_date <= $2::date and i.hold_kind is null
      and (i.promised_date is null or i.promised_date < $2::date)
      and (i.last_action_at is null or i.last_action_at < $4::timestamptz) as stale
  from invoices i
  where i.team_id = $1 and ${OPEN}
  union all
  select case when i.credited_minor >= i.total_minor then 'credited' else 'paid' end, i.currency, i.total_minor, 0,
    false, false
  from invoices i
  where i.team_id = $1 and i.paid_on >= $3::date and ${CLOSED}
) t
group by state, currency
order by array_position(array['overdue', 'due', 'sent', 'draft', 'paid', 'credited'], state), currency`;

// $1 team, $2 today, $3 paid since, $4 limit. Each list is cut to the limit on invoices alone, and only the
// rows kept are joined to their clients (joining first costs a client lookup per candidate row).
const listArm = (list: string, where: string, order: string) => `
(select '${list}' as list, i.*, c.name as client_name
  from (select * from invoices i where i.team_id = $1 and ${where} order by ${order} limit $4) i
  join clients c on c.team_id = i.team_id and c.id = i.client_id
  order by ${order})`;
const OVERVIEW_LISTS_SQL = [
  listArm('overdue', `${OPEN} and i.sent_at is not null and i.due_date < $2::date`, 'i.due_date, i.number'),
  listArm(
    'due',
    `${OPEN} and i.sent_at is not null and i.due_date = $2::date`,
    'i.total_minor - i.paid_minor - i.credited_minor desc, i.number',
  ),
  listArm('sent', `${OPEN} and i.sent_at is not null and i.due_date > $2::date`, 'i.due_date, i.number'),
  listArm('draft', `${OPEN} and i.sent_at is null`, 'i.issue_date, i.number'),
  listArm(
    'paid',
    `i.paid_on >= $3::date and ${CLOSED} and i.credited_minor < i.total_minor`,
    'i.paid_on desc, i.number',
  ),
  listArm(
    'credited',
    `i.paid_on >= $3::date and ${CLOSED} and i.credited_minor >= i.total_minor`,
    'i.paid_on desc, i.number',
  ),
].join('\nunion all');

// $1 team, $2 today
export const AGING_SQL = `
select currency, bucket, count(*)::int as count, sum(due_minor)::text as due_minor
from (
  select i.currency, i.total_minor - i.paid_minor - i.credited_minor as due_minor,
    case when i.due_date >= $2::date then 0 when i.due_date >= $2::date - 30 then 1
      when i.due_date >= $2::date - 60 then 2 when i.due_date >= $2::date - 90 then 3 else 4 end as bucket
  from invoices i
  where i.team_id = $1 and ${OPEN} and i.sent_at is not null
) t
group by currency, bucket
order by currency, bucket`;

// $1 team, $2 client
const CLIENT_SQL = `
select id::text as id, name, contact_name, contact_email, terms_kind, terms_days, notes, archived
from clients where team_id = $1 and id = $2::uuid`;

// $1 team, $2 client, $3 today
const CLIENT_BALANCES_SQL = `
select i.currency, count(*)::int as open_count, sum(i.total_minor - i.paid_minor - i.credited_minor)::text as outstanding,
  coalesce(sum(i.total_minor - i.paid_minor - i.credited_minor) filter (where i.due_date < $3::date), 0)::text as overdue
from invoices i
where i.team_id = $1 and i.client_id = $2::uuid and ${OPEN} and i.sent_at is not null
group by i.currency order by i.currency`;

// $1 team, $2 client, $3 limit (the client's name comes from CLIENT_SQL: no join needed)
const CLIENT_INVOICES_SQL = `
select i.* from invoices i
where i.team_id = $1 and i.client_id = $2::uuid
order by (${OPEN}) desc, case when ${OPEN} then i.due_date end, i.issue_date desc, i.number
limit $3`;

// $1 team, $2 client
const CLIENT_STATS_SQL = `
select count(*)::int as invoice_count,
  count(*) filter (where i.paid_on is not null and i.voided_at is null)::int as paid_count,
  avg(i.paid_on - i.due_date) filter (where i.paid_on is not null and i.voided_at is null) as days_late,
  avg(i.paid_on - i.issue_date) filter (where i.paid_on is not null and i.voided_at is null) as days_to_pay
from invoices i where i.team_id = $1 and i.client_id = $2::uuid`;

// $1 team, $2 client, $3 limit
const CLIENT_HISTORY_SQL = `
select e.id, e.invoice_id::text as invoice_id, i.number as invoice_number, e.kind, e.actor_type, e.actor_id, e.at,
  e.details, e.visibility
from events e left join invoices i on i.team_id = e.team_id and i.id = e.invoice_id
where e.team_id = $1 and e.client_id = $2::uuid
order by e.id desc limit $3`;

// $1 team, $2 today, $3 yesterday, $4 stale window from, $5 stale window to
const DAY_ARM = `i.*, c.name as client_name ${WITH_CLIENT}
  where i.team_id = $1 and ${OPEN} and i.sent_at is not null and i.hold_kind is null`;
const DAY_CHANGES_SQL = `
select * from (
  select 'due' as change, ${DAY_ARM} and i.due_date = $2::date
  union all
  select 'overdue', ${DAY_ARM} and i.due_date = $3::date
  union all
  select 'broken', ${DAY_ARM} and i.promised_date = $3::date
  union all
  select 'stale', ${DAY_ARM} and i.due_date <= $2::date
    and (i.promised_date is null or i.promised_date < $2::date)
    and (i.last_action_at is null or i.last_action_at < $5::timestamptz)
    -- the window's upper bound is implied by the line above; stating it lets an index on last_action_at serve it
    and (i.due_date = $2::date or i.promised_date = $3::date
      or (i.last_action_at >= $4::timestamptz and i.last_action_at < $5::timestamptz))
) t
order by change, due_date, number`;

// ---------------------------------------------------------------------------------------------------------
// The cases: each view beside its baseline.

export interface BenchCase {
  name: string;
  /** How many distinct inputs the case cycles through (each is checked for equal answers). */
  variants(f: Fixture): number;
  view(f: Fixture, iteration: number): Promise<unknown>;
  baseline(f: Fixture, iteration: number): Promise<unknown>;
  viewAnswer(result: unknown): unknown;
  baselineAnswer(result: unknown): unknown;
}

function defineCase<V, B>(c: {
  name: string;
  variants?: (f: Fixture) => number;
  view: (f: Fixture, iteration: number) => Promise<V>;
  baseline: (f: Fixture, iteration: number) => Promise<B>;
  viewAnswer: (result: V) => unknown;
  baselineAnswer: (result: B) => unknown;
}): BenchCase {
  return { variants: () => 1, ...c } as unknown as BenchCase;
}

const OVERVIEW_LIMIT = 20;

export const CASES: readonly BenchCase[] = [
  defineCase({
    name: 'getOverview',
    view: (f) => getOverview(f.db, { ...f.params, limit: OVERVIEW_LIMIT }),
    baseline: async (f) => {
      const { workspace, today } = f.params;
      const paidSince = addDays(today, -RECENTLY_PAID_DAYS);
      const stale = staleBefore(workspace, today).toISOString();
      const totals = await f.handle.raw(OVERVIEW_TOTALS_SQL, [workspace.teamId, today, paidSince, stale]);
      const lists = await f.handle.raw(OVERVIEW_LISTS_SQL, [workspace.teamId, today, paidSince, OVERVIEW_LIMIT]);
      return [totals, lists];
    },
    viewAnswer: overviewFromView,
    baselineAnswer: overviewFromRows,
  }),
  defineCase({
    name: 'getAging',
    view: (f) => getAging(f.db, f.params),
    baseline: (f) => f.handle.raw(AGING_SQL, [f.params.workspace.teamId, f.params.today]),
    viewAnswer: (rows: AgingRow[]): AgingAnswer[] =>
      rows.map((r) => ({ currency: r.currency, bucket: r.bucket, count: r.count, dueMinor: String(r.dueMinor) })),
    baselineAnswer: (rows: Row[]): AgingAnswer[] =>
      rows.map((r) => ({
        currency: String(r.currency),
        bucket: BUCKETS[Number(r.bucket)] ?? '?',
        count: Number(r.count),
        dueMinor: String(r.due_minor),
      })),
  }),
  defineCase({
    name: 'getClientRecord',
    variants: (f) => f.clients.length,
    view: (f, i) => getClientRecord(f.db, { ...f.params, clientId: clientFor(f, i) }),
    baseline: async (f, i): Promise<ClientRows> => {
      const team = f.params.workspace.teamId;
      const id = clientFor(f, i);
      const client = await f.handle.raw(CLIENT_SQL, [team, id]);
      if (client.length === 0) return { client, balances: [], invoices: [], stats: [], history: [] };
      const balances = await f.handle.raw(CLIENT_BALANCES_SQL, [team, id, f.params.today]);
      const invoices = await f.handle.raw(CLIENT_INVOICES_SQL, [team, id, 50]);
      const stats = await f.handle.raw(CLIENT_STATS_SQL, [team, id]);
      const history = await f.handle.raw(CLIENT_HISTORY_SQL, [team, id, 20]);
      return { client, balances, invoices, stats, history };
    },
    viewAnswer: clientFromView,
    baselineAnswer: clientFromRows,
  }),
  defineCase({
    name: 'getDayChanges',
    view: (f) => getDayChanges(f.db, f.params),
    baseline: (f) => {
      const { workspace, today } = f.params;
      const staleDay = addDays(today, -workspace.staleDays);
      return f.handle.raw(DAY_CHANGES_SQL, [
        workspace.teamId,
        today,
        addDays(today, -1),
        startOfLocalDay(staleDay, workspace.timeZone).toISOString(),
        startOfLocalDay(addDays(staleDay, 1), workspace.timeZone).toISOString(),
      ]);
    },
    viewAnswer: (d: DayChanges): DayAnswer => ({
      due: d.becameDue.map(viewKey),
      overdue: d.becameOverdue.map(viewKey),
      broken: d.promisesBroken.map(viewKey),
      stale: d.wentStale.map(viewKey),
    }),
    baselineAnswer: (rows: Row[]): DayAnswer => {
      const answer: DayAnswer = { due: [], overdue: [], broken: [], stale: [] };
      for (const r of rows) answer[r.change as keyof DayAnswer].push(rowKey(r));
      return answer;
    },
  }),
];

export interface AnswerPair {
  name: string;
  variant: number;
  view: unknown;
  baseline: unknown;
}

/** Each view's answer beside its baseline's, for every input the benchmark uses. */
export async function collectAnswers(f: Fixture): Promise<AnswerPair[]> {
  const pairs: AnswerPair[] = [];
  for (const c of CASES) {
    for (let variant = 0; variant < c.variants(f); variant++) {
      pairs.push({
        name: c.name,
        variant,
        view: c.viewAnswer(await c.view(f, variant)),
        baseline: c.baselineAnswer(await c.baseline(f, variant)),
      });
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------
// Timing.

export interface CaseResult {
  name: string;
  database: DatabaseKind;
  view: Summary;
  baseline: Summary;
  /** Of the view's time, the part spent in db.execute (driver + server), and the rest (mapping in JS). */
  viewSql: Summary;
  viewJs: Summary;
}

export async function measure(f: Fixture, options: Pick<BenchOptions, 'iterations' | 'warmup'>): Promise<CaseResult[]> {
  const samples = CASES.map(() => ({ view: [] as number[], baseline: [] as number[], sql: [] as number[] }));
  for (let iteration = 0; iteration < options.warmup + options.iterations; iteration++) {
    const recording = iteration >= options.warmup;
    for (const [index, c] of CASES.entries()) {
      const bucket = samples[index];
      if (!bucket) continue;
      // Alternate which goes first, so neither always runs on a cache the other warmed.
      const order = iteration % 2 === 0 ? (['view', 'baseline'] as const) : (['baseline', 'view'] as const);
      for (const which of order) {
        f.probe.sqlMs = 0;
        const started = performance.now();
        await (which === 'view' ? c.view(f, iteration) : c.baseline(f, iteration));
        const elapsed = performance.now() - started;
        if (!recording) continue;
        bucket[which].push(elapsed);
        if (which === 'view') bucket.sql.push(f.probe.sqlMs);
      }
    }
  }
  return CASES.map((c, index) => {
    const bucket = samples[index] ?? { view: [], baseline: [], sql: [] };
    return {
      name: c.name,
      database: f.handle.kind,
      view: summarize(bucket.view),
      baseline: summarize(bucket.baseline),
      viewSql: summarize(bucket.sql),
      viewJs: summarize(bucket.view.map((v, i) => v - (bucket.sql[i] ?? 0))),
    };
  });
}

/** EXPLAIN (ANALYZE, BUFFERS) of every query each view sends, for its first input. */
export async function explainViews(f: Fixture, log: (line: string) => void): Promise<void> {
  for (const c of CASES) {
    f.probe.recording = [];
    await c.view(f, 0);
    const queries = f.probe.recording;
    f.probe.recording = null;
    for (const [index, q] of queries.entries()) {
      const plan = await f.handle.raw(`explain (analyze, buffers) ${q.sql}`, q.params);
      log(`\n### ${c.name} – query ${index + 1} of ${queries.length} (${f.handle.kind})\n`);
      log('```');
      for (const row of plan) log(String(Object.values(row)[0]));
      log('```');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Databases.

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_DATABASE = 'receivables_bench';

function benchDatabaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withServer<T>(serverUrl: string, work: (admin: DatabaseHandle) => Promise<T>): Promise<T> {
  const admin = await openDatabase({ url: serverUrl, migrate: false, maxConnections: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

export interface OpenedBench {
  handle: DatabaseHandle;
  seed: SeedResult | null;
  /** An existing database whose seed marker matched (--reuse). */
  reused?: boolean;
  /** Opens a fresh connection pool, so settings changed with ALTER DATABASE apply (PostgreSQL). */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A migrated database for a benchmark: PGlite in memory, or a fresh PostgreSQL database `name` (each suite has
 * its own, so suites run at the same time do not drop each other's).
 */
export async function openBenchDatabase(
  kind: DatabaseKind,
  options: Pick<BenchOptions, 'invoices' | 'keep' | 'reuse'> &
    Partial<Pick<BenchOptions, 'workspaces' | 'perWorkspace'>> & { pool?: number | undefined },
  log: Logger,
  name: string = BENCH_DATABASE,
  /** Whose seed marker --reuse checks: the views suite's book (the default) or the many-workspace book. */
  suite: 'views' | 'many' = 'views',
): Promise<OpenedBench> {
  if (kind === 'pglite') {
    const handle = await openDatabase({});
    return { handle, seed: null, reconnect: async () => {}, close: () => handle.close() };
  }
  const serverUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const url = benchDatabaseUrl(serverUrl, name);
  const exists = await withServer(serverUrl, async (admin) => {
    const found = await admin.raw('select 1 from pg_database where datname = $1', [name]);
    if (found.length > 0 && options.reuse) return true;
    await admin.raw(`drop database if exists ${name} with (force)`, []);
    await admin.raw(`create database ${name}`, []);
    return false;
  });
  log(`PostgreSQL: ${redact(url)}${exists ? ' (reused)' : ' (fresh)'}`);
  const opened: OpenedBench = {
    handle: await openDatabase({ url, ...(options.pool ? { maxConnections: options.pool } : {}) }),
    seed: null,
    reconnect: async () => {
      await opened.handle.close();
      opened.handle = await openDatabase({
        url,
        migrate: false,
        ...(options.pool ? { maxConnections: options.pool } : {}),
      });
    },
    close: async () => {
      await opened.handle.close();
      if (options.keep) return log(`kept ${redact(url)}`);
      await withServer(serverUrl, (admin) => admin.raw(`drop database if exists ${name} with (force)`, []));
    },
  };
  if (!exists) return opened;
  // What was seeded says itself (bench_seed): a book of another size, or one whose seeding never finished, is refused.
  const marker = await readSeedMarker(opened.handle, suite);
  const wanted =
    suite === 'many'
      ? { invoices: options.perWorkspace ?? 0, workspaces: options.workspaces ?? 0 }
      : { invoices: options.invoices, workspaces: 2 };
  if (!marker || !isDeepStrictEqual(marker, wanted)) {
    await opened.close();
    throw new Error(
      `${name} ${marker ? `was seeded with ${JSON.stringify(marker)}, not ${JSON.stringify(wanted)}` : 'has no finished seed'}: drop --reuse`,
    );
  }
  opened.reused = true;
  if (suite !== 'views') return opened;
  const counts = await countRows(opened.handle);
  if (counts.benchInvoices !== options.invoices) {
    await opened.close();
    throw new Error(`${name} holds ${counts.benchInvoices} invoices, not ${options.invoices}: drop --reuse`);
  }
  opened.seed = { seconds: 0, analyzeSeconds: 0, counts, bigClients: await bigClients(opened.handle) };
  return opened;
}

export type Logger = (line: string) => void;

export interface DatabaseResult {
  database: DatabaseKind;
  seed: SeedResult;
  reused: boolean;
  /** Every view's answer beside its baseline's, as checked before timing. */
  answers: AnswerPair[];
  cases: CaseResult[];
  /** The machine's 1-minute load average as timing began and ended (others' work skews the figures). */
  load: { before: number; after: number };
}

/** Throws unless every view gave the same answer as its hand-written SQL. */
export function assertSameAnswers(kind: DatabaseKind, pairs: readonly AnswerPair[]): void {
  const wrong = pairs.filter((p) => !isDeepStrictEqual(p.view, p.baseline));
  const first = wrong[0];
  if (!first) return;
  throw new Error(
    `${kind}: ${wrong.length} view answer(s) differ from the hand-written SQL's, first ${first.name} #${first.variant}:\n` +
      `view:     ${JSON.stringify(first.view).slice(0, 2000)}\nbaseline: ${JSON.stringify(first.baseline).slice(0, 2000)}`,
  );
}

/** Opens, seeds, checks and times one database, and closes (drops) it. */
export async function benchDatabase(
  kind: DatabaseKind,
  options: BenchOptions,
  log: Logger = () => {},
  verify: (kind: DatabaseKind, pairs: readonly AnswerPair[]) => void = assertSameAnswers,
): Promise<DatabaseResult> {
  const opened = await openBenchDatabase(kind, options, log, options.database ?? BENCH_DATABASE);
  try {
    const reused = opened.seed !== null;
    log(`${kind}: ${reused ? 'reusing' : 'seeding'} ${options.invoices.toLocaleString('en-US')} invoices…`);
    const seed = opened.seed ?? (await seedBook(opened.handle, { invoices: options.invoices }));
    if (!reused) await writeSeedMarker(opened.handle, 'views', { invoices: options.invoices, workspaces: 2 });
    if (!reused) log(`${kind}: seeded in ${seed.seconds.toFixed(1)} s`);
    if (options.sql.length > 0) {
      for (const statement of options.sql) {
        log(`${kind}: ${statement}`);
        await opened.handle.raw(statement, []);
      }
      await opened.handle.raw('vacuum analyze', []);
      await opened.reconnect();
    }
    const fixture = makeFixture(opened.handle, seed.bigClients);
    const answers = await collectAnswers(fixture);
    verify(kind, answers);
    log(`${kind}: ${answers.length} answers checked, each view equals its baseline; timing…`);
    if (options.explain && kind === 'postgres') await explainViews(fixture, log);
    const before = loadavg()[0] ?? Number.NaN;
    const cases = await measure(fixture, options);
    return { database: kind, seed, reused, answers, cases, load: { before, after: loadavg()[0] ?? Number.NaN } };
  } finally {
    await opened.close();
  }
}

export async function runBench(options: BenchOptions, log: Logger = () => {}): Promise<DatabaseResult[]> {
  const results: DatabaseResult[] = [];
  for (const kind of options.databases) results.push(await benchDatabase(kind, options, log));
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// Report.

/** Every view within 1.5× of its baseline, and under 50 ms (the PostgreSQL target at 1,000,000 invoices). */
export const TARGET = { ratio: 1.5, ms: 50 } as const;

export function formatReport(results: readonly DatabaseResult[], options: BenchOptions): string {
  const lines: string[] = [];
  lines.push(
    `\n## Seed (${options.invoices.toLocaleString('en-US')} invoices, today ${TODAY}, workspace ${BENCH_TEAM} ` +
      `${BENCH_WORKSPACE.timeZone})\n`,
  );
  lines.push(
    '| database | seed s | of which vacuum analyze s | invoices (all) | workspace | open | paid | void | drafts | clients | events |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    const c = r.seed.counts;
    const n = (x: number) => x.toLocaleString('en-US');
    lines.push(
      `| ${r.database} | ${r.reused ? 'reused' : r.seed.seconds.toFixed(1)} | ${r.reused ? '–' : r.seed.analyzeSeconds.toFixed(1)} | ` +
        `${n(c.invoices)} | ${n(c.benchInvoices)} | ${n(c.openInvoices)} | ${n(c.paidInvoices)} | ${n(c.voidInvoices)} | ` +
        `${n(c.draftInvoices)} | ${n(c.clients)} | ${n(c.events)} |`,
    );
  }
  if (options.sql.length > 0) {
    lines.push('\nApplied after seeding, before timing:\n');
    for (const statement of options.sql) lines.push(`- \`${statement}\``);
  }
  const load = results.map((r) => `${r.database} ${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)}`);
  lines.push(
    `\n## Views against hand-written SQL (ms; ${options.iterations} iterations after ${options.warmup} warm-up; ` +
      `load average while timing on ${cpus().length} CPUs: ${load.join(', ')})\n`,
  );
  lines.push('| view | database | p50 | p99 | baseline p50 | baseline p99 | ratio p50 | ratio p99 | target |');
  lines.push('|---|---|--:|--:|--:|--:|--:|--:|---|');
  for (const r of results) {
    for (const c of r.cases) {
      const ratio50 = c.view.p50 / c.baseline.p50;
      const ratio99 = c.view.p99 / c.baseline.p99;
      const misses = [
        ratio50 > TARGET.ratio ? `p50 > ${TARGET.ratio}×` : '',
        c.view.p50 > TARGET.ms ? `p50 > ${TARGET.ms} ms` : '',
      ].filter(Boolean);
      lines.push(
        `| ${c.name} | ${c.database} | ${formatMs(c.view.p50)} | ${formatMs(c.view.p99)} | ${formatMs(c.baseline.p50)} | ` +
          `${formatMs(c.baseline.p99)} | ${formatRatio(ratio50)} | ${formatRatio(ratio99)} | ${misses.join(', ') || 'ok'} |`,
      );
    }
  }
  lines.push('\n## Where the view time goes (p50, ms): in db.execute (driver + server) vs the rest (mapping in JS)\n');
  lines.push('| view | database | view p50 | in db.execute p50 | rest p50 |');
  lines.push('|---|---|--:|--:|--:|');
  for (const r of results) {
    for (const c of r.cases) {
      lines.push(
        `| ${c.name} | ${c.database} | ${formatMs(c.view.p50)} | ${formatMs(c.viewSql.p50)} | ${formatMs(c.viewJs.p50)} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const pglite = [
    ...(options.suites.includes('views') ? options.databases : []),
    ...(options.suites.some((s) => s !== 'views' && s !== 'dates') ? options.suiteDatabases : []),
  ].includes('pglite');
  if (options.invoices > 200_000 && pglite) {
    console.warn(
      `warning: ${options.invoices.toLocaleString('en-US')} invoices in PGlite (in memory) is slow and large`,
    );
  }
  if (options.suites.includes('views')) {
    const results = await runBench(options, log);
    console.log(formatReport(results, options));
  }
  // Loaded only when asked for (and no import cycle: both import this module).
  if (options.suites.includes('slack')) {
    const { runSlackSuite, formatSlackReport } = await import('./slack.js');
    console.log(formatSlackReport(await runSlackSuite(options, log), options));
  }
  if (options.suites.includes('jobs')) {
    const { runJobsSuite, formatJobsReport } = await import('./jobs.js');
    console.log(formatJobsReport(await runJobsSuite(options, log), options));
  }
  if (options.suites.includes('page')) {
    const { runPageSuite, formatPageReport } = await import('./page.js');
    console.log(formatPageReport(await runPageSuite(options, log), options));
  }
  if (options.suites.includes('dates')) {
    const { runDatesSuite, formatDatesReport } = await import('./dates.js');
    console.log(formatDatesReport(runDatesSuite(options), options));
  }
  // The many-workspace book is a hosted install's: PostgreSQL only.
  if (options.suites.includes('many') && !options.suiteDatabases.includes('postgres')) {
    log('many: skipped (PostgreSQL only; --db pglite was given)');
  } else if (options.suites.includes('many')) {
    const { runManySuite, formatManyReport } = await import('./many.js');
    console.log(formatManyReport(await runManySuite(options, log), options));
  }
  if (options.suites.includes('books')) {
    const { runBooksSuite, formatBooksReport } = await import('./books.js');
    console.log(formatBooksReport(await runBooksSuite(options, log)));
  }
  if (options.suites.includes('import')) {
    const { runImportSuite, formatImportReport } = await import('./import.js');
    console.log(formatImportReport(await runImportSuite(options, log)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
