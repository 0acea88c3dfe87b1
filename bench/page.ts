// The client's status page end to end: GET /c/<token> (the page) and POST /c/<token> (an answer), sent over HTTP
// to the real Bolt app (HTTP mode, its fake Slack beside it) by a load generator in a child process, at 1 and at
// more requests at once, for a big client (the most invoices) and a typical one (the median). Two baselines are
// measured in the same run, their batches interleaved with the app's:
//
// - bare: a bare Bolt app (the same HTTPReceiver, a custom route on the same path) that answers GET with the very
//   page the app served, as a static string (same bytes, same headers), and POST by reading the form and
//   redirecting. This is the floor any page served by this receiver pays: routing, the TCP connection, writing and
//   reading the bytes. /healthz would be the unfairer floor: it answers ~40 bytes of JSON while the big client's
//   page is hundreds of kilobytes, so a ratio against it would charge the page for moving its own bytes.
// - sql: the page's data fetched by hand on the driver (handle.raw): the link by its hash, then the same invoices,
//   payments and shared events as getClientPage, in the same four round trips as the app; for POST, the answer
//   recorded by one hand-written statement (link, row lock, idempotency key, event, invoice, channel decision).
//
// Before timing, the page's data (getClientPage) and the page's HTML (invoice numbers, amounts, payments, history)
// are checked against the hand-written SQL's rows. Rate limits: the bench passes limits no run can reach
// (pageLimits), so it measures the work and not the limiter (whose window, on the bench's fixed clock, would never
// end). The load generator is this file again, forked with --page-load-client.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import {
  type ClientPageData,
  getClientPage,
  HISTORY_SHOWN,
  MAX_INVOICES,
  PAID_SHOWN_DAYS,
  type PageEvent,
} from '../src/db/queries/client-page.js';
import { addDays, startOfLocalDay, todayIn } from '../src/domain/dates.js';
import { type AppServer, createApp } from '../src/http.js';
import { fixedClock } from '../src/services/context.js';
import { formToken, hashToken, openClientLink, shareClient } from '../src/services/sharing.js';
import { localDateTime, money } from '../src/slack/ui/text.js';
import { CLIENT_PAGE_PATH, type ClientPageLimits, DEFAULT_LIMITS, PAGE_HEADERS } from '../src/web/client-page.js';
import { html, pageEventText, renderClientPage } from '../src/web/page.js';
import { type FakeSlack, startFakeSlack } from '../test/helpers/fake-slack.js';
import {
  type BenchOptions,
  type DatabaseKind,
  type Fixture,
  type Logger,
  makeFixture,
  type OpenedBench,
  openBenchDatabase,
} from './run.js';
import { BENCH_TEAM, NOW, type SeedResult, seedBook, TODAY } from './seed.js';
import { formatMs, formatRatio, type Summary, summarize } from './stats.js';

export const PAGE_DATABASE = 'receivables_bench_page';
export const PAGE_FINANCE_CHANNEL = 'C_BENCH_FINANCE';
const SECRET = 'bench-signing-secret';
const SHARED_BY = { type: 'user', id: 'U_BENCH_FIN' } as const;
const REQUEST_TIMEOUT_MS = 60_000;
const LOAD_CLIENT_ARG = '--page-load-client';

/**
 * Limits no run reaches: the bench measures the page, not the limiter. The real ones (DEFAULT_LIMITS) are 120 views a
 * minute and 20 answers in 10 minutes per link, which the first rounds would exhaust.
 */
export const BENCH_PAGE_LIMITS: ClientPageLimits = {
  views: { max: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
  answers: { max: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
  misses: { max: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
};

export type PageTarget = 'app' | 'bare' | 'sql';
export type PageMethod = 'GET' | 'POST';
export type ClientRole = 'big' | 'typical';
export const TARGETS: readonly PageTarget[] = ['app', 'bare', 'sql'];

/** Rounds per level: `iterations` at 1 at once; at more, fewer rounds (each sends that many requests at once). */
export function pageRounds(iterations: number, concurrency: number): number {
  return concurrency === 1 ? iterations : Math.max(2, Math.ceil(iterations / 10));
}

// ---------------------------------------------------------------------------------------------------------
// The load generator (a child process: reading a large page 50 times at once never runs on the app's event loop).

interface LoadRequest {
  id: string;
  method: PageMethod;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

type ToLoad =
  | { type: 'batch'; batch: number; base: string; requests: LoadRequest[]; returnBodies: boolean; timeoutMs: number }
  | { type: 'stop' };

interface LoadTiming {
  id: string;
  sentAt: number;
  /** Response headers read. */
  firstByteAt: number;
  /** Last byte of the body read. */
  doneAt: number;
  status: number;
  bytes: number;
  location?: string | undefined;
  body?: string;
  error?: string;
}

type FromLoad =
  | { type: 'ready' }
  | { type: 'batch-done'; batch: number; timings: LoadTiming[] }
  | { type: 'failed'; message: string };

const epochNow = (): number => performance.timeOrigin + performance.now();

/** One request on a new connection (agent: false), timed to its headers and to its last byte. */
function timedRequest(base: string, r: LoadRequest, timeoutMs: number, keepBody: boolean): Promise<LoadTiming> {
  return new Promise((resolve) => {
    let settled = false;
    const sentAt = epochNow();
    let firstByteAt = Number.NaN;
    const finish = (t: Omit<LoadTiming, 'id' | 'sentAt' | 'firstByteAt' | 'doneAt'>) => {
      if (settled) return;
      settled = true;
      resolve({ id: r.id, sentAt, firstByteAt, doneAt: epochNow(), ...t });
    };
    const body = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
    const req = httpRequest(
      new URL(r.path, base),
      {
        method: r.method,
        agent: false,
        timeout: timeoutMs,
        headers: { ...r.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res: IncomingMessage) => {
        firstByteAt = epochNow();
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () =>
          finish({
            status: res.statusCode ?? 0,
            bytes,
            location: res.headers.location,
            ...(keepBody ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
          }),
        );
        res.on('error', (error) => finish({ status: 0, bytes, error: String(error) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => finish({ status: 0, bytes: 0, error: String(error) }));
    req.end(body);
  });
}

function loadClientMain(): void {
  const send = (m: FromLoad) => process.send?.(m);
  process.on('message', (m: ToLoad) => {
    if (m.type === 'stop') {
      process.disconnect?.();
      return;
    }
    // All at once: the burst of the level.
    Promise.all(m.requests.map((r) => timedRequest(m.base, r, m.timeoutMs, m.returnBodies)))
      .then((timings) => send({ type: 'batch-done', batch: m.batch, timings }))
      .catch((error: unknown) => send({ type: 'failed', message: String(error) }));
  });
  send({ type: 'ready' });
}

interface LoadClient {
  batch(base: string, requests: LoadRequest[], returnBodies: boolean): Promise<LoadTiming[]>;
  close(): Promise<void>;
}

const THIS_SCRIPT = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function startLoadClient(): Promise<LoadClient> {
  // tsx as a loader, whoever started us (tsx, vitest): the child is a TypeScript file.
  const child: ChildProcess = fork(THIS_SCRIPT, [LOAD_CLIENT_ARG], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (t: LoadTiming[]) => void; reject: (e: Error) => void }>();
  let ready: (() => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  const fail = (error: Error) => {
    failed?.(error);
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  child.on('message', (m: FromLoad) => {
    if (m.type === 'ready') ready?.();
    else if (m.type === 'failed') fail(new Error(`load generator: ${m.message}`));
    else {
      waiting.get(m.batch)?.resolve(m.timings);
      waiting.delete(m.batch);
    }
  });
  child.on('exit', (code) => fail(new Error(`load generator exited (${code})`)));
  await new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  let seq = 0;
  return {
    batch(base, requests, returnBodies) {
      const batch = ++seq;
      const done = new Promise<LoadTiming[]>((resolve, reject) => waiting.set(batch, { resolve, reject }));
      child.send({
        type: 'batch',
        batch,
        base,
        requests,
        returnBodies,
        timeoutMs: REQUEST_TIMEOUT_MS,
      } satisfies ToLoad);
      return done;
    },
    async close() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies ToLoad);
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The bare Bolt app: the same receiver and route, a static page of the same bytes.

interface BareApp {
  url: string;
  /** token → the page to serve for it. */
  pages: Map<string, string>;
  stop(): Promise<void>;
}

async function startBareApp(apiUrl: string): Promise<BareApp> {
  const pages = new Map<string, string>();
  const handler = (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) => {
    const param = req.params?.token;
    const token = typeof param === 'string' ? param : '';
    if (req.method === 'GET') {
      const page = pages.get(token);
      res.writeHead(page === undefined ? 404 : 200, PAGE_HEADERS);
      res.end(page ?? '');
      return;
    }
    // POST: read the form as the page does, and redirect back to the page (post/redirect/get).
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const invoice = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('invoice') ?? '';
      const location = `/c/${encodeURIComponent(token)}?answered=question&invoice=${invoice}#inv-${invoice}`;
      res.writeHead(303, { ...PAGE_HEADERS, location });
      res.end('');
    });
  };
  const app = new App({
    receiver: new HTTPReceiver({
      signingSecret: SECRET,
      port: 0,
      logLevel: LogLevel.ERROR,
      customRoutes: [{ path: CLIENT_PAGE_PATH, method: ['GET', 'POST'], handler }],
    }),
    token: 'xoxb-bench',
    // Given, so Bolt never calls auth.test.
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: apiUrl },
  });
  const server = (await app.start(0)) as Server;
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the bare app has no port');
  return { url: `http://127.0.0.1:${address.port}`, pages, stop: () => app.stop().then(() => {}) };
}

// ---------------------------------------------------------------------------------------------------------
// The page's history: the seed has no payments and no shared events, so the page would show neither.

// $1 team, $2 today. One payment per paid invoice (on its paid_on) and per part-paid one (20 days after its date).
const INSERT_PAYMENTS = `
insert into payments (team_id, invoice_id, amount_minor, received_on, reference, method, recorded_by, created_at)
select i.team_id, i.id, i.paid_minor, r.received_on, 'BACS ' || i.number, 'bank transfer', 'U_BENCH_AR',
  (r.received_on + time '14:00') at time zone 'UTC'
from invoices i
cross join lateral (select coalesce(i.paid_on, least($2::date, i.issue_date + 20)) as received_on) r
where i.team_id = $1 and i.voided_at is null and i.paid_minor > 0
order by r.received_on, i.number`;

// $1 team, $2 clients (array literal). For their invoices, the events the app marks shared beyond the seed's own
// sends (which the page reads as shared): each payment, and on a third of the chased open invoices a chase someone
// chose to show the client. In time order, as a ledger fills.
const INSERT_SHARED_EVENTS = `
insert into events (team_id, invoice_id, client_id, kind, actor_type, actor_id, at, details, visibility)
select team_id, invoice_id, client_id, kind, 'user', 'U_BENCH_AR', at, details, 'shared'
from (
  select i.team_id, i.id as invoice_id, i.client_id,
    case when i.paid_minor >= i.total_minor then 'paid' else 'part_paid' end as kind,
    p.created_at as at,
    jsonb_build_object('paymentId', p.id::text, 'amountMinor', jsonb_build_object('$bigint', p.amount_minor::text),
      'currency', i.currency, 'receivedOn', p.received_on::text, 'reference', p.reference, 'method', p.method,
      'amountDueAfterMinor', jsonb_build_object('$bigint', (i.total_minor - i.paid_minor)::text),
      'overpaidMinor', jsonb_build_object('$bigint', '0')) as details,
    i.number, 1 as k
  from payments p join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
  where p.team_id = $1 and i.client_id = any($2::uuid[])
  union all
  select i.team_id, i.id, i.client_id, 'chased', i.last_action_at,
    jsonb_build_object('method', 'email', 'note', 'Sent a reminder with our bank details'), i.number, 2
  from invoices i
  where i.team_id = $1 and i.client_id = any($2::uuid[]) and i.last_action_kind = 'chased' and i.voided_at is null
    and hashtext(i.number) % 3 = 0
) e
order by at, number, k`;

/** The typical client: the median by invoices in the book, among clients whose page shows something. */
const TYPICAL_CLIENT_SQL = `
with counts as (
  select client_id, count(*) as n,
    count(*) filter (where sent_at is not null and voided_at is null
      and (paid_minor < total_minor or paid_on >= $2::date)) as shown
  from invoices where team_id = $1 group by client_id
)
select client_id::text as id from counts where shown > 0 order by n, client_id
offset (select count(*) / 2 from counts where shown > 0) limit 1`;

const arrayLiteral = (items: readonly string[]) => `{${items.map((x) => `"${x}"`).join(',')}}`;

async function seedPageHistory(f: Fixture, clients: readonly string[]): Promise<void> {
  await f.handle.raw(INSERT_PAYMENTS, [BENCH_TEAM, TODAY]);
  // The seed's sample of clients with a history (the 20 largest and every tenth), and the ones timed here.
  const sample = await f.handle.raw(
    'select distinct client_id::text as id from events where team_id = $1 and client_id is not null',
    [BENCH_TEAM],
  );
  const ids = [...new Set([...sample.map((r) => String(r.id)), ...clients])];
  await f.handle.raw(INSERT_SHARED_EVENTS, [BENCH_TEAM, arrayLiteral(ids)]);
  await f.handle.raw('vacuum analyze', []);
}

// ---------------------------------------------------------------------------------------------------------
// The baselines.

type Row = Record<string, unknown>;

// $1 token hash
const LINK_SQL = `
select l.team_id, l.id::text as link_id, l.client_id::text as client_id, c.name as client_name,
  c.contact_email, c.contact_name, w.name as workspace_name, w.time_zone, w.finance_channel
from client_links l
join clients c on c.team_id = l.team_id and c.id = l.client_id
join workspaces w on w.team_id = l.team_id
where l.token_hash = $1 and l.revoked_at is null and not c.archived`;

// $1 team, $2 client, $3 paid since, $4 cancelled since (an instant). The page's invoices (the first 200 by due
// date, counting the recently cancelled ones, which are not compared), open first, then the paid ones, most
// recently paid first.
const PAGE_INVOICES_SQL = `
select * from (
  select i.id::text as id, i.number, i.currency, i.total_minor::text as total_minor,
    i.paid_minor::text as paid_minor, i.issue_date::text as issue_date, i.due_date::text as due_date,
    i.terms_kind, i.terms_days, i.terms_basis_date::text as terms_basis_date, i.terms_basis_label, i.description,
    i.sent_at, i.hold_kind, i.hold_reason, i.promised_date::text as promised_date, i.paid_on::text as paid_on,
    i.last_action_kind, i.last_action_at, i.voided_at is not null as voided
  from invoices i
  where i.team_id = $1 and i.client_id = $2::uuid and i.sent_at is not null
    and ((i.voided_at is null and (i.paid_minor < i.total_minor or i.paid_on >= $3::date))
      or i.voided_at >= $4::timestamptz)
  order by i.due_date, i.number
  limit ${MAX_INVOICES}
) t
where not t.voided
order by t.paid_minor::int8 >= t.total_minor::int8, t.paid_on desc, t.due_date, t.number`;

// $1 team, $2 invoice ids (array literal)
const PAGE_PAYMENTS_SQL = `
select p.invoice_id::text as invoice_id, p.amount_minor::text as amount_minor, p.received_on::text as received_on,
  p.reference
from payments p where p.team_id = $1 and p.invoice_id = any($2::uuid[])
order by p.received_on, p.created_at`;

// $1 team, $2 invoice ids (array literal)
const PAGE_EVENTS_SQL = `
select id::text as id, invoice_id::text as invoice_id, kind, actor_type, at, details
from (
  select e.*, row_number() over (partition by e.invoice_id order by e.id desc) as rank
  from events e where e.team_id = $1 and e.invoice_id = any($2::uuid[])
    and (e.visibility = 'shared' or e.kind in ('sent', 'paid', 'part_paid'))
) e
where rank <= ${HISTORY_SHOWN}
order by id`;

interface PageRows {
  link: Row | undefined;
  invoices: Row[];
  payments: Row[];
  events: Row[];
}

async function pageBaseline(f: Fixture, token: string): Promise<PageRows> {
  const [link] = await f.handle.raw(LINK_SQL, [hashToken(token)]);
  if (!link) return { link, invoices: [], payments: [], events: [] };
  const today = todayIn(String(link.time_zone), NOW);
  const invoices = await f.handle.raw(PAGE_INVOICES_SQL, [
    link.team_id,
    link.client_id,
    addDays(today, -PAID_SHOWN_DAYS),
    startOfLocalDay(addDays(today, -PAID_SHOWN_DAYS), String(link.time_zone)).toISOString(),
  ]);
  if (invoices.length === 0) return { link, invoices, payments: [], events: [] };
  const ids = arrayLiteral(invoices.map((r) => String(r.id)));
  const payments = await f.handle.raw(PAGE_PAYMENTS_SQL, [link.team_id, ids]);
  const events = await f.handle.raw(PAGE_EVENTS_SQL, [link.team_id, ids]);
  return { link, invoices, payments, events };
}

// The answer as one statement: find the live link, lock the client's open invoice, claim the idempotency key,
// append the shared event, make it the invoice's last action (and a new version), and decide the finance
// channel's message. $1 token hash, $2 invoice, $3 key, $4 now, $5 today, $6 reason, $7 answer id.
const ANSWER_SQL = `
with link as (
  select l.team_id, l.id as link_id, l.client_id, c.name as client_name,
    coalesce(c.contact_email, coalesce(c.contact_name, c.name) || ' (client)') as contact, w.finance_channel
  from client_links l
  join clients c on c.team_id = l.team_id and c.id = l.client_id
  join workspaces w on w.team_id = l.team_id
  where l.token_hash = $1 and l.revoked_at is null and not c.archived
), inv as (
  select i.id, i.number from invoices i join link on i.team_id = link.team_id and i.client_id = link.client_id
  where i.id = $2::uuid and i.sent_at is not null and i.voided_at is null and i.paid_minor < i.total_minor
  for update of i
), details as (
  select jsonb_build_object('answerId', $7::text, 'via', 'bench baseline', 'linkId', link.link_id::text,
    'name', null, 'reason', $6::text) as d
  from link
), claimed as (
  insert into idempotency_keys (team_id, key, operation, result)
  select link.team_id, $3, 'answerAsClient', jsonb_build_object('invoiceId', inv.id::text, 'invoiceNumber', inv.number)
  from link, inv
  on conflict do nothing
  returning team_id
), event as (
  insert into events (team_id, invoice_id, client_id, kind, actor_type, actor_id, at, details, visibility)
  select link.team_id, inv.id, link.client_id, 'client_question', 'contact', link.contact, $4::timestamptz, details.d,
    'shared'
  from link, inv, details, claimed
  returning id
), changed as (
  update invoices i set version = i.version + 1, last_action_kind = 'client_question', last_action_at = $4::timestamptz,
    last_action_by = link.contact
  from link, inv, claimed
  where i.team_id = link.team_id and i.id = inv.id
  returning i.id
), decided as (
  insert into deliveries (team_id, key, kind, invoice_id, local_date, channel_id, payload, next_attempt_at, created_at)
  select link.team_id, 'client_answer:' || $7::text, 'client_answer', inv.id, $5::date, link.finance_channel,
    details.d || jsonb_build_object('kind', 'question', 'clientName', link.client_name, 'contact', link.contact),
    $4::timestamptz, $4::timestamptz
  from link, inv, details, claimed
  where link.finance_channel is not null
  on conflict do nothing
  returning key
)
select inv.id::text as invoice_id, inv.number, (select count(*) from event)::int as events,
  (select count(*) from changed)::int as changed, (select count(*) from decided)::int as decided
from inv`;

async function answerBaseline(f: Fixture, token: string, invoiceId: string, reason: string): Promise<Row[]> {
  const answerId = randomUUID();
  return f.handle.raw(ANSWER_SQL, [
    hashToken(token),
    invoiceId,
    `bench:${answerId}`,
    NOW.toISOString(),
    TODAY,
    reason,
    answerId,
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// Answers in one form, to compare the app's with the baseline's.

const instantMs = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The page's data, invoice by invoice (open first): what it is, its payments and its shared events. */
function dataFromView(d: ClientPageData): string[] {
  return [...d.open, ...d.paid].map((v) =>
    [
      v.id,
      v.number,
      v.currency,
      v.totalMinor,
      v.paidMinor,
      v.dueDate,
      str(v.paidOn),
      (d.payments.get(v.id) ?? []).map((p) => `${p.amountMinor}@${p.receivedOn}@${str(p.reference)}`).join(','),
      (d.events.get(v.id) ?? []).map((e) => `${e.id}:${e.kind}:${e.at.getTime()}`).join(','),
    ].join('|'),
  );
}

function byInvoice(rows: readonly Row[]): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const r of rows) {
    const id = String(r.invoice_id);
    map.set(id, [...(map.get(id) ?? []), r]);
  }
  return map;
}

function dataFromRows(r: PageRows): string[] {
  const payments = byInvoice(r.payments);
  const events = byInvoice(r.events);
  return r.invoices.map((i) =>
    [
      i.id,
      i.number,
      i.currency,
      i.total_minor,
      i.paid_minor,
      i.due_date,
      str(i.paid_on),
      (payments.get(String(i.id)) ?? []).map((p) => `${p.amount_minor}@${p.received_on}@${str(p.reference)}`).join(','),
      (events.get(String(i.id)) ?? []).map((e) => `${e.id}:${e.kind}:${instantMs(e.at)}`).join(','),
    ].join('|'),
  );
}

/**
 * What the page's HTML says of each invoice, in its order: id, number, open or paid, amount due, total, each payment
 * line and each history line. Read off the served HTML (already escaped).
 */
export function invoicesFromHtml(body: string): string[] {
  return body
    .split('<article class="invoice ')
    .slice(1)
    .filter((chunk) => !chunk.startsWith('state-void'))
    .map((chunk) => {
      const a = chunk.slice(0, chunk.indexOf('</article>'));
      const open = a.includes('<h3>Answer on ');
      const dd = (label: string) => a.match(new RegExp(`<dt>${label}</dt><dd>(.*?)</dd>`))?.[1] ?? '';
      const amount = (cell: string) => cell.match(/<span class="amount">(.*?)<\/span>/)?.[1] ?? cell;
      const list = (title: string, tag: 'ul' | 'ol') => {
        const items = a.match(new RegExp(`<h3>${title}</h3><${tag}>(.*?)</${tag}>`))?.[1] ?? '';
        return [...items.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]).join(';');
      };
      return [
        a.match(/ id="inv-([^"]+)"/)?.[1] ?? '?',
        a.match(/<h2>(.*?) <span class="badge">/)?.[1] ?? '?',
        open ? 'open' : 'paid',
        open ? amount(dd('Amount due')) : '',
        open ? dd('Total') : amount(dd('Total')),
        list('Payments received', 'ul'),
        list('History', 'ol'),
      ].join('|');
    });
}

/** The same, from the baseline's rows: the numbers and amounts as the page writes them. */
function htmlFromRows(r: PageRows): string[] {
  const payments = byInvoice(r.payments);
  const events = byInvoice(r.events);
  const timeZone = String(r.link?.time_zone);
  const workspaceName = String(r.link?.workspace_name);
  return r.invoices.map((i) => {
    const currency = String(i.currency);
    const total = BigInt(String(i.total_minor));
    const paid = BigInt(String(i.paid_minor));
    const open = paid < total;
    const paymentLines = (payments.get(String(i.id)) ?? []).map(
      (p) =>
        `${html(money(BigInt(String(p.amount_minor)), currency))} received ${html(String(p.received_on))}` +
        (p.reference ? ` · ref ${html(String(p.reference))}` : ''),
    );
    const historyLines = (events.get(String(i.id)) ?? []).map((e) => {
      const event: PageEvent = {
        id: BigInt(String(e.id)),
        kind: String(e.kind),
        actorType: String(e.actor_type) as PageEvent['actorType'],
        at: new Date(instantMs(e.at)),
        details: (typeof e.details === 'string' ? JSON.parse(e.details) : e.details) as Record<string, unknown>,
      };
      return `${html(localDateTime(event.at, timeZone))} · ${html(pageEventText(event, workspaceName))}`;
    });
    return [
      i.id,
      html(String(i.number)),
      open ? 'open' : 'paid',
      open ? html(money(total - paid, currency)) : '',
      html(money(total, currency)),
      paymentLines.join(';'),
      historyLines.join(';'),
    ].join('|');
  });
}

export interface PageAnswer {
  name: string;
  view: unknown;
  baseline: unknown;
}

export function assertPageAnswers(kind: DatabaseKind, answers: readonly PageAnswer[]): void {
  const wrong = answers.find((a) => !isDeepStrictEqual(a.view, a.baseline));
  if (!wrong) return;
  throw new Error(
    `page ${kind}: ${wrong.name} differs from the hand-written SQL's:\n` +
      `page:     ${JSON.stringify(wrong.view).slice(0, 2000)}\nbaseline: ${JSON.stringify(wrong.baseline).slice(0, 2000)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// The run.

export interface PageClientInfo {
  role: ClientRole;
  id: string;
  name: string;
  /** The client's invoices in the book (all states). */
  bookInvoices: number;
  open: number;
  paid: number;
  payments: number;
  events: number;
  /** The page the app served, in bytes. */
  pageBytes: number;
}

export interface PageLevel {
  method: PageMethod;
  client: ClientRole;
  concurrency: number;
  target: PageTarget;
  requests: number;
  /** End to end: sent → last byte read (HTTP); the calls' own time (sql). */
  time: Summary;
  /** Sent → response headers read (HTTP only). */
  firstByte: Summary | null;
  /** Event-loop utilisation of this process (the app, the bare app, the driver) over the level's batches. */
  utilisation: number;
  failures: string[];
}

export interface PageResult {
  database: DatabaseKind;
  seed: SeedResult;
  reused: boolean;
  iterations: number;
  /** Warm-up rounds per level, e.g. '10 at 1, 2 at 50'. */
  warmup: string;
  clients: PageClientInfo[];
  answers: PageAnswer[];
  levels: PageLevel[];
  /** The app's steps for one GET, one at a time in this process (no HTTP). */
  steps: { client: ClientRole; steps: { name: string; time: Summary }[] }[];
  /** Answers posted (warm-up included) and the events they recorded, by the app and by the baseline. */
  recorded: { app: { posted: number; events: number }; sql: { posted: number; events: number } };
  load: { before: number; after: number };
}

interface Shared {
  role: ClientRole;
  token: string;
  info: PageClientInfo;
  /** The page as served before timing (the bare app serves it). */
  page: string;
  /** The open invoices the page offers forms for, and the form token it carries. */
  openIds: string[];
  form: string;
}

async function clientInfo(f: Fixture, role: ClientRole, id: string, rows: PageRows, page: string) {
  const [book] = await f.handle.raw(
    'select count(*)::int as n from invoices where team_id = $1 and client_id = $2::uuid',
    [BENCH_TEAM, id],
  );
  const open = rows.invoices.filter((r) => BigInt(String(r.paid_minor)) < BigInt(String(r.total_minor))).length;
  return {
    role,
    id,
    name: String(rows.link?.client_name),
    bookInvoices: Number(book?.n ?? 0),
    open,
    paid: rows.invoices.length - open,
    payments: rows.payments.length,
    events: rows.events.length,
    pageBytes: Buffer.byteLength(page, 'utf8'),
  };
}

export async function benchPage(
  kind: DatabaseKind,
  options: BenchOptions,
  log: Logger = () => {},
  verify: (kind: DatabaseKind, answers: readonly PageAnswer[]) => void = assertPageAnswers,
): Promise<PageResult> {
  const opened: OpenedBench = await openBenchDatabase(kind, options, log, PAGE_DATABASE);
  const cleanup: (() => Promise<void>)[] = [() => opened.close()];
  try {
    const reused = opened.seed !== null;
    log(`page ${kind}: ${reused ? 'reusing' : 'seeding'} ${options.invoices.toLocaleString('en-US')} invoices…`);
    const seed = opened.seed ?? (await seedBook(opened.handle, { invoices: options.invoices }));
    const f = makeFixture(opened.handle, seed.bigClients);
    const [big] = seed.bigClients;
    const [typical] = await f.handle.raw(TYPICAL_CLIENT_SQL, [BENCH_TEAM, addDays(TODAY, -PAID_SHOWN_DAYS)]);
    if (!big || !typical) throw new Error('the seeded book has no clients to show');
    const [paymentsSeeded] = await f.handle.raw('select count(*)::int as n from payments where team_id = $1', [
      BENCH_TEAM,
    ]);
    if (Number(paymentsSeeded?.n ?? 0) === 0) await seedPageHistory(f, [big, String(typical.id)]);
    if (!reused) log(`page ${kind}: seeded in ${seed.seconds.toFixed(1)} s, payments and shared events added`);
    // The answers decide the finance channel's message in their transaction, as in a configured workspace.
    await f.handle.raw('update workspaces set finance_channel = $2 where team_id = $1', [
      BENCH_TEAM,
      PAGE_FINANCE_CHANNEL,
    ]);
    const ledger = { db: f.db, clock: fixedClock(NOW) };

    const fake: FakeSlack = await startFakeSlack();
    cleanup.unshift(() => fake.close());
    const bot: AppServer = createApp({
      settings: { botToken: 'xoxb-bench', signingSecret: SECRET, appToken: undefined, mode: 'http' },
      ledger,
      apiUrl: fake.apiUrl,
      port: 0,
      logLevel: LogLevel.ERROR,
      databaseHealthy: async () => true,
      pageLimits: BENCH_PAGE_LIMITS,
    });
    const started = await bot.start();
    if (started.slack !== 'ok') throw new Error(`the app cannot reach the fake Slack: ${started.slack}`);
    cleanup.unshift(() => bot.stop());
    const bare = await startBareApp(fake.apiUrl);
    cleanup.unshift(() => bare.stop());
    const client = await startLoadClient();
    cleanup.unshift(() => client.close());
    const urls: Record<Exclude<PageTarget, 'sql'>, string> = { app: `http://127.0.0.1:${bot.port()}`, bare: bare.url };

    // Share each client's link, read its page once over HTTP, and check it against the hand-written SQL.
    const answers: PageAnswer[] = [];
    const shared: Shared[] = [];
    for (const [role, id] of [
      ['big', big],
      ['typical', String(typical.id)],
    ] as const) {
      // By name, as /invoice share takes it (the seed's md5-made ids are not RFC uuids, which the lookup wants).
      const [named] = await f.handle.raw('select name from clients where team_id = $1 and id = $2::uuid', [
        BENCH_TEAM,
        id,
      ]);
      const { token } = await shareClient(
        ledger,
        BENCH_TEAM,
        { ...SHARED_BY, teamId: BENCH_TEAM, role: 'finance_admin' },
        { client: String(named?.name) },
      );
      const [got] = await client.batch(urls.app, [getRequest(`check-${role}`, token)], true);
      if (got?.status !== 200 || !got.body) {
        throw new Error(`page ${kind}: GET of the ${role} client's page: ${got?.status} ${got?.error ?? ''}`);
      }
      const rows = await pageBaseline(f, token);
      const link = await openClientLink(ledger, token);
      if (!link) throw new Error(`page ${kind}: the ${role} client's link does not open`);
      const data = await getClientPage(ledger.db, { workspace: link.workspace, client: link.client, now: NOW });
      answers.push({ name: `getClientPage (${role} client)`, view: dataFromView(data), baseline: dataFromRows(rows) });
      answers.push({
        name: `GET /c/<token> HTML (${role} client)`,
        view: invoicesFromHtml(got.body),
        baseline: htmlFromRows(rows),
      });
      bare.pages.set(token, got.body);
      const openIds = invoicesFromHtml(got.body)
        .filter((line) => line.split('|')[2] === 'open')
        .map((line) => line.split('|')[0] ?? '');
      const form = got.body.match(/name="form" value="([^"]*)"/)?.[1] ?? '';
      const info = await clientInfo(f, role, id, rows, got.body);
      shared.push({ role, token, info, page: got.body, openIds, form });
    }
    verify(kind, answers);
    log(`page ${kind}: ${answers.length} answers checked, the page equals its baseline; timing…`);

    const levels: PageLevel[] = [];
    const warmups = new Set<string>();
    const recorded = { app: { posted: 0, events: 0 }, sql: { posted: 0, events: 0 } };
    let seq = 0;
    // Only this run's answers are counted (a --reuse'd database keeps earlier runs').
    const [last] = await f.handle.raw('select coalesce(max(id), 0)::text as id from events', []);
    const before = loadavg()[0] ?? Number.NaN;

    const runLevel = async (method: PageMethod, s: Shared, concurrency: number) => {
      const rounds = pageRounds(options.pageIterations, concurrency);
      const warmup = concurrency === 1 ? options.warmup : Math.min(2, options.warmup);
      warmups.add(`${warmup} at ${concurrency}`);
      log(`page ${kind}: ${method} ${s.role} client, ${rounds} rounds of ${concurrency} at once…`);
      const acc = Object.fromEntries(
        TARGETS.map((t) => [
          t,
          { time: [] as number[], first: [] as number[], active: 0, idle: 0, failures: [] as string[] },
        ]),
      ) as Record<PageTarget, { time: number[]; first: number[]; active: number; idle: number; failures: string[] }>;
      const expectedBytes = Buffer.byteLength(s.page, 'utf8');
      for (let round = 0; round < warmup + rounds; round++) {
        const recording = round >= warmup;
        // Rotate which goes first, so none always runs on what another warmed.
        const order = [0, 1, 2].map((i) => TARGETS[(round + i) % TARGETS.length] as PageTarget);
        for (const target of order) {
          const a = acc[target];
          const elu = performance.eventLoopUtilization();
          const invoices = Array.from({ length: concurrency }, () => {
            const invoiceId = s.openIds[seq % s.openIds.length] ?? '';
            seq += 1;
            return { invoiceId, reason: `Which PO does this go against? (bench ${seq})` };
          });
          if (target === 'sql') {
            const times = await Promise.all(
              invoices.map(async ({ invoiceId, reason }) => {
                const t0 = performance.now();
                const result =
                  method === 'GET'
                    ? (await pageBaseline(f, s.token)).invoices.length === s.info.open + s.info.paid
                    : (await answerBaseline(f, s.token, invoiceId, reason))[0]?.events === 1;
                return { ms: performance.now() - t0, ok: result };
              }),
            );
            if (method === 'POST') recorded.sql.posted += concurrency;
            const used = performance.eventLoopUtilization(elu);
            if (!recording) continue;
            a.active += used.active;
            a.idle += used.idle;
            for (const t of times) {
              a.time.push(t.ms);
              if (!t.ok) a.failures.push(`sql: ${method} did not return the expected rows`);
            }
            continue;
          }
          const requests = invoices.map(({ invoiceId, reason }, i) =>
            method === 'GET'
              ? getRequest(`${target}-${round}-${i}`, s.token)
              : // The app takes forms from its public URL's origin only (the bare app checks none).
                postRequest(`${target}-${round}-${i}`, target === 'app' ? bot.publicUrl() : urls[target], s.token, {
                  invoice: invoiceId,
                  kind: 'question',
                  form: s.form,
                  // A fresh nonce each time: a new answer, never a replay of an earlier one.
                  nonce: randomUUID(),
                  reason,
                  name: '',
                }),
          );
          const timings = await client.batch(urls[target], requests, false);
          if (target === 'app') {
            // The work after an answer (cards, homes) runs after the response: let it finish before the next batch.
            await bot.idle();
            if (method === 'POST') recorded.app.posted += concurrency;
          }
          const used = performance.eventLoopUtilization(elu);
          if (!recording) continue;
          a.active += used.active;
          a.idle += used.idle;
          for (const t of timings) {
            a.time.push(t.doneAt - t.sentAt);
            a.first.push(t.firstByteAt - t.sentAt);
            const wrong =
              t.error ??
              (method === 'GET'
                ? t.status !== 200 || t.bytes !== expectedBytes
                  ? `${t.status}, ${t.bytes} bytes (expected 200, ${expectedBytes})`
                  : undefined
                : t.status !== 303 || !t.location?.startsWith(`/c/${s.token}?answered=question&invoice=`)
                  ? `${t.status} → ${t.location}`
                  : undefined);
            if (wrong) a.failures.push(`${t.id}: ${wrong}`);
          }
        }
      }
      for (const target of TARGETS) {
        const a = acc[target];
        levels.push({
          method,
          client: s.role,
          concurrency,
          target,
          requests: a.time.length,
          time: summarize(a.time),
          firstByte: target === 'sql' ? null : summarize(a.first),
          utilisation: a.active / (a.active + a.idle),
          failures: a.failures,
        });
      }
    };

    // Every GET first, on the book as seeded; then the answers (which add to the pages' history).
    for (const s of shared) for (const concurrency of options.concurrency) await runLevel('GET', s, concurrency);
    // Where a page's time goes, on the same pages (before the answers add to them).
    log(`page ${kind}: the app's steps for one page, one at a time…`);
    const steps = [];
    for (const s of shared) {
      steps.push({ client: s.role, steps: await pageSteps(f, ledger, s, Math.min(options.pageIterations, 50)) });
    }
    const poster = shared.find((s) => s.role === 'big');
    if (!poster || poster.openIds.length === 0) throw new Error(`page ${kind}: the big client has no open invoice`);
    for (const concurrency of options.concurrency) await runLevel('POST', poster, concurrency);
    const after = loadavg()[0] ?? Number.NaN;

    const [counted] = await f.handle.raw(
      `select count(*) filter (where details->>'via' = 'status page')::int as app,
        count(*) filter (where details->>'via' = 'bench baseline')::int as sql
      from events where team_id = $1 and kind = 'client_question' and id > $2::int8`,
      [BENCH_TEAM, String(last?.id ?? '0')],
    );
    recorded.app.events = Number(counted?.app ?? 0);
    recorded.sql.events = Number(counted?.sql ?? 0);

    return {
      database: kind,
      seed,
      reused,
      iterations: options.pageIterations,
      warmup: [...warmups].join(', '),
      clients: shared.map((s) => s.info),
      answers,
      levels,
      steps,
      recorded,
      load: { before, after },
    };
  } finally {
    for (const step of cleanup) await step();
  }
}

function getRequest(id: string, token: string): LoadRequest {
  return { id, method: 'GET', path: `/c/${token}`, headers: { accept: 'text/html' } };
}

function postRequest(id: string, base: string, token: string, fields: Record<string, string>): LoadRequest {
  return {
    id,
    method: 'POST',
    path: `/c/${token}`,
    // As a browser posts the page's form: from the page's own origin.
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(base).origin },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Where a page's time goes: the handler's steps, one by one in this process, beside the raw SQL. */
async function pageSteps(
  f: Fixture,
  ledger: { db: Fixture['db']; clock: ReturnType<typeof fixedClock> },
  s: Shared,
  iterations: number,
): Promise<{ name: string; time: Summary }[]> {
  const names = [
    'openClientLink',
    'getClientPage',
    'renderClientPage',
    'the three, in a row',
    'raw SQL (the baseline)',
  ] as const;
  const times: Record<(typeof names)[number], number[]> = {
    openClientLink: [],
    getClientPage: [],
    renderClientPage: [],
    'the three, in a row': [],
    'raw SQL (the baseline)': [],
  };
  for (let i = 0; i < iterations + 3; i++) {
    const t0 = performance.now();
    const link = await openClientLink(ledger, s.token);
    if (!link) throw new Error('the link does not open');
    const t1 = performance.now();
    const data = await getClientPage(ledger.db, { workspace: link.workspace, client: link.client, now: NOW });
    const t2 = performance.now();
    renderClientPage(data, {
      workspaceName: link.workspace.name,
      clientName: link.client.name,
      timeZone: link.workspace.timeZone,
      now: NOW,
      formToken: formToken(link.link, NOW),
      nonce: () => randomUUID(),
    });
    const t3 = performance.now();
    await pageBaseline(f, s.token);
    const t4 = performance.now();
    if (i < 3) continue;
    times.openClientLink.push(t1 - t0);
    times.getClientPage.push(t2 - t1);
    times.renderClientPage.push(t3 - t2);
    times['the three, in a row'].push(t3 - t0);
    times['raw SQL (the baseline)'].push(t4 - t3);
  }
  return names.map((name) => ({ name, time: summarize(times[name]) }));
}

export async function runPageSuite(options: BenchOptions, log: Logger = () => {}): Promise<PageResult[]> {
  const results: PageResult[] = [];
  for (const kind of options.suiteDatabases) results.push(await benchPage(kind, options, log));
  return results;
}

/** Throws unless every request got its expected answer and every answer posted was recorded once. */
export function assertPageRun(result: PageResult): void {
  const failures = result.levels.flatMap((l) => l.failures);
  if (failures.length > 0) throw new Error(`page ${result.database}: ${failures.length} failed: ${failures[0]}`);
  const { app, sql } = result.recorded;
  if (app.events !== app.posted || sql.events !== sql.posted) {
    throw new Error(
      `page ${result.database}: answers recorded ≠ posted (app ${app.events}/${app.posted}, sql ${sql.events}/${sql.posted})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report.

const TARGET_NAME: Record<PageTarget, string> = {
  app: 'receivables-bot',
  bare: 'bare Bolt, same bytes',
  sql: 'raw SQL',
};

export function formatPageReport(results: readonly PageResult[], options: BenchOptions): string {
  const lines: string[] = [];
  for (const r of results) {
    assertPageRun(r);
    const n = r.seed.counts.benchInvoices.toLocaleString('en-US');
    lines.push(
      `\n## Client page: GET /c/<token> and POST an answer, end to end over HTTP (${n} invoices, ${r.database})\n`,
    );
    lines.push(
      `${r.iterations} rounds at 1 at once, ${pageRounds(r.iterations, 2)} at more (each round sends that many requests ` +
        `at once) after warm-up rounds (${r.warmup}); app, bare app and raw SQL interleaved. Load average on ` +
        `${cpus().length} CPUs: ${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)}. Answers checked: ` +
        `${r.answers.length}, all equal to the hand-written SQL's. Answers posted and recorded: app ` +
        `${r.recorded.app.events}/${r.recorded.app.posted}, baseline ${r.recorded.sql.events}/${r.recorded.sql.posted}.\n`,
    );
    lines.push(
      '| client | invoices in the book | on the page: open | paid (90 days) | payments | shared events | page |',
    );
    lines.push('|---|--:|--:|--:|--:|--:|--:|');
    for (const c of r.clients) {
      lines.push(
        `| ${c.role} (${c.name}) | ${c.bookInvoices.toLocaleString('en-US')} | ${c.open} | ${c.paid} | ${c.payments} | ` +
          `${c.events} | ${(c.pageBytes / 1024).toFixed(1)} KB |`,
      );
    }
    lines.push(
      '\n| request | client | at once | against | requests | p50 | p99 | first byte p50 | first byte p99 | process ELU |',
    );
    lines.push('|---|---|--:|---|--:|--:|--:|--:|--:|--:|');
    for (const l of r.levels) {
      lines.push(
        `| ${l.method} | ${l.client} | ${l.concurrency} | ${TARGET_NAME[l.target]} | ${l.requests} | ` +
          `${formatMs(l.time.p50)} | ${formatMs(l.time.p99)} | ${l.firstByte ? formatMs(l.firstByte.p50) : '–'} | ` +
          `${l.firstByte ? formatMs(l.firstByte.p99) : '–'} | ${(l.utilisation * 100).toFixed(0)}% |`,
      );
    }
    lines.push('\nRatios, the page over each baseline (end to end):\n');
    lines.push('| request | client | at once | vs bare p50 | vs bare p99 | vs raw SQL p50 | vs raw SQL p99 |');
    lines.push('|---|---|--:|--:|--:|--:|--:|');
    const groups = new Map<string, PageLevel[]>();
    for (const l of r.levels) {
      const key = `${l.method}|${l.client}|${l.concurrency}`;
      groups.set(key, [...(groups.get(key) ?? []), l]);
    }
    for (const group of groups.values()) {
      const of = (t: PageTarget) => group.find((l) => l.target === t);
      const app = of('app');
      const bare = of('bare');
      const sql = of('sql');
      if (!app || !bare || !sql) continue;
      lines.push(
        `| ${app.method} | ${app.client} | ${app.concurrency} | ${formatRatio(app.time.p50 / bare.time.p50)} | ` +
          `${formatRatio(app.time.p99 / bare.time.p99)} | ${formatRatio(app.time.p50 / sql.time.p50)} | ` +
          `${formatRatio(app.time.p99 / sql.time.p99)} |`,
      );
    }
    for (const s of r.steps) {
      lines.push(
        `\nOne GET of the ${s.client} client's page, step by step in the app's process (no HTTP; ms, ${s.steps[0]?.time.n ?? 0} runs):\n`,
      );
      lines.push('| step | p50 | p99 |');
      lines.push('|---|--:|--:|');
      for (const step of s.steps)
        lines.push(`| ${step.name} | ${formatMs(step.time.p50)} | ${formatMs(step.time.p99)} |`);
    }
    lines.push('\nNotes:');
    lines.push(
      '- HTTP times run from just before the load generator (a child process) sends the request on a new connection ' +
        '(agent: false) to the last byte of the response read; POST times end at the 303 (the answer recorded), ' +
        'not at the page the browser loads next. Raw SQL times are the calls themselves, as many at once as the level.',
    );
    lines.push(
      '- The bare baseline is a bare Bolt app (same HTTPReceiver, a custom route on /c/:token) serving the very page ' +
        'the app served as a static string with the same headers, and answering POST by reading the form and ' +
        'redirecting: the cost of the receiver and of moving the bytes, which /healthz (40 bytes) would leave out.',
    );
    lines.push(
      `- Rate limits: the bench passes pageLimits no run reaches (the defaults are ${DEFAULT_LIMITS.views.max} views ` +
        `a minute and ${DEFAULT_LIMITS.answers.max} answers in ${DEFAULT_LIMITS.answers.windowMs / 60_000} minutes per link), ` +
        'so these figures are the work, not the limiter: at the defaults, most of these requests would get a 429.',
    );
    lines.push(
      `- POST: answers (\`question\`) from the big client, each with a fresh nonce and the form token read off its page, ` +
        `spread over its ${r.clients.find((c) => c.role === 'big')?.open ?? 0} open invoices (answers on one invoice ` +
        'queue on its row lock). The workspace has a finance channel, so each answer also decides its channel message ' +
        "in its transaction; the jobs that post it are not running, and the cards' update after the 303 is waited for " +
        'between batches. The raw SQL baseline records the same answer with one statement.',
    );
    lines.push(
      `- The app, the bare app and ${r.database === 'pglite' ? 'PGlite (in the same thread)' : "PostgreSQL's driver"} ` +
        'share one Node process (its ELU is in the table); ' +
        `${r.database === 'postgres' ? `PostgreSQL runs on the same machine; ${options.pool ?? 10} connections; ` : ''}` +
        `the fake Slack is in the app's process and idle here.`,
    );
  }
  return lines.join('\n');
}

if (process.argv.includes(LOAD_CLIENT_ARG)) loadClientMain();
