// The many-workspace book: thousands of small workspaces in one PostgreSQL database, as a hosted install holds
// them. Times the per-workspace views (each beside its hand-written SQL, bench/run.ts CASES) over a rotating sample
// of workspaces, and the scheduler's minute tick (src/jobs/scheduler.ts planDue), which must cost in proportion to
// the workspaces whose time has come.
//
//   npm run bench -- --suite many [--workspaces 5000] [--per-workspace 300] [--database NAME] [--reuse] [--iterations N]
//
// Seeded set-based in three statements (workspaces, clients, invoices: generate_series, every draw a hash of the
// row), marked in bench_seed when finished, so --reuse takes the same book again without seeding.

import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { DatabaseHandle } from '../src/db/client.js';
import { addDays, instantAt, todayIn } from '../src/domain/dates.js';
import { recordDigest } from '../src/jobs/digest.js';
import { recordAlerts } from '../src/jobs/plan.js';
import { planDue } from '../src/jobs/scheduler.js';
import { type BenchOptions, CASES, type Logger, makeFixture, openBenchDatabase } from './run.js';
import { NOW, TODAY, writeSeedMarker } from './seed.js';
import { formatMs, formatRatio, type Summary, summarize } from './stats.js';

const ZONES = [
  'Pacific/Auckland',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/Istanbul',
  'Europe/Berlin',
  'Europe/London',
  'UTC',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Pacific/Honolulu',
];
const CLIENTS_PER_WORKSPACE = 15;
const SAMPLE = 200;
/** Workspaces the old, plan-everything tick is timed on (then scaled to all). */
const OLD_TICK_SAMPLE = 500;

const draw = (stream: number) =>
  `((hashint8extended(w.n::int8 * 100000 + g, ${stream}) & 4503599627370495)::float8 / 4503599627370496.0)`;

// $1 workspaces, $2 zones
const INSERT_WORKSPACES = `
insert into workspaces (team_id, name, time_zone, stale_days, alert_time, finance_channel)
select 'TM' || lpad(n::text, 6, '0'), 'Many ' || n, ($2::text[])[1 + n % array_length($2::text[], 1)], 7,
  lpad((6 + n % 6)::text, 2, '0') || ':' || lpad(((n * 7) % 60)::text, 2, '0'), 'C_FIN'
from generate_series(1, $1::int) n`;

const INSERT_CLIENTS = `
insert into clients (id, team_id, name, created_at)
select md5(w.team_id || ':client:' || c)::uuid, w.team_id, 'Client ' || c, '2024-01-01T00:00:00Z'
from workspaces w cross join generate_series(0, ${CLIENTS_PER_WORKSPACE - 1}) c
where w.team_id like 'TM%'`;

// $1 invoices per workspace, $2 today, $3 now. Per workspace: ~70% paid over the past year, 3% void, 2% drafts,
// the rest open and sent (due from 120 days ago to 60 ahead; 20% part paid, 15% promised, 5% held, 90% chased).
const INSERT_INVOICES = `
insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind, terms_days,
  terms_basis_date, due_date, sent_at, voided_at, void_reason, hold_kind, hold_reason, hold_since, paid_minor,
  paid_on, promised_date, last_action_kind, last_action_at, owner_user_id)
select team_id, 'INV-' || lpad(g::text, 5, '0'), md5(team_id || ':client:' || floor(u_client * u_client * ${CLIENTS_PER_WORKSPACE})::int)::uuid,
  currency, total, due - 30, 'net', 30, due - 30, due,
  case when kind in ('open', 'paid') then (due - 30 + time '15:00') at time zone 'UTC' end,
  case when kind = 'void' then (due - 28 + time '16:00') at time zone 'UTC' end,
  case when kind = 'void' then 'Raised in error' end,
  case when kind = 'open' and u_hold < 0.05 then 'hold' end,
  case when kind = 'open' and u_hold < 0.05 then 'Waiting on PO' end,
  case when kind = 'open' and u_hold < 0.05 then $3::timestamptz - interval '3 days' end,
  case when kind = 'paid' then total when kind = 'open' and u_part < 0.2 then total / 2 else 0 end,
  case when kind = 'paid' then due + floor(u_pay * 40)::int - 10 end,
  case when kind = 'open' and u_promise < 0.15 then $2::date - 10 + floor(u_promise / 0.15 * 21)::int end,
  case when kind = 'open' and u_action < 0.9 then 'chased' end,
  case when kind = 'open' and u_action < 0.9
    then date_trunc('milliseconds', $3::timestamptz - (u_action / 0.9) * interval '60 days') end,
  'U_OWNER_' || (g % 5)::text
from (
  select w.team_id, g,
    case when u_kind < 0.70 then 'paid' when u_kind < 0.73 then 'void' when u_kind < 0.75 then 'draft' else 'open' end
      as kind,
    case when u_kind < 0.70 then $2::date - 10 - floor(u_date * 355)::int
      when u_kind < 0.73 then $2::date - floor(u_date * 365)::int
      when u_kind < 0.75 then $2::date + floor(u_date * 30)::int
      else $2::date - 120 + floor(u_date * 181)::int end as due,
    case when u_cur < 0.7 then 'USD' when u_cur < 0.9 then 'EUR' else 'GBP' end as currency,
    10000 + floor(990000 * u_amount * u_amount)::int8 as total,
    u_client, u_pay, u_part, u_promise, u_hold, u_action
  from (
    select w.team_id, w.n, g, ${draw(1)} as u_kind, ${draw(2)} as u_date, ${draw(3)} as u_cur, ${draw(4)} as u_amount,
      ${draw(5)} as u_client, ${draw(6)} as u_pay, ${draw(7)} as u_part, ${draw(8)} as u_promise,
      ${draw(9)} as u_hold, ${draw(10)} as u_action
    from (select team_id, substr(team_id, 3)::int as n from workspaces where team_id like 'TM%') w
    cross join generate_series(1, $1::int) g
  ) w
) s
order by team_id, g`;

export interface ManyCase {
  name: string;
  view: Summary;
  baseline: Summary;
}

export interface ManyResult {
  seeded: { seconds: number; reused: boolean; workspaces: number; invoices: number };
  answersChecked: number;
  cases: ManyCase[];
  ticks: {
    /** planDue at a minute when no workspace is due, and the minutes of a busy window (ms per tick). */
    quiet: Summary;
    busy: Summary;
    /** Workspaces planned per tick in the busy window (max), and in all. */
    busiestTick: number;
    planned: number;
    /** Of the workspaces whose alert time fell in the window: how many were planned within a minute of it. */
    onTime: number;
    due: number;
    /** One tick the old way: every workspace planned (recordAlerts + recordDigest), ms. */
    everyWorkspaceMs: number;
  };
  load: { before: number; after: number };
}

async function seedMany(handle: DatabaseHandle, options: BenchOptions, log: Logger): Promise<number> {
  const started = performance.now();
  log(`many: seeding ${options.workspaces} workspaces × ${options.perWorkspace} invoices…`);
  await handle.raw(INSERT_WORKSPACES, [options.workspaces, ZONES]);
  await handle.raw(INSERT_CLIENTS, []);
  await handle.raw(INSERT_INVOICES, [options.perWorkspace, TODAY, NOW.toISOString()]);
  await handle.raw('delete from workspace_plan_requests', []);
  await handle.raw('vacuum analyze', []);
  await writeSeedMarker(handle, 'many', { invoices: options.perWorkspace, workspaces: options.workspaces });
  const seconds = (performance.now() - started) / 1000;
  log(`many: seeded in ${seconds.toFixed(1)} s`);
  return seconds;
}

export async function runManySuite(options: BenchOptions, log: Logger): Promise<ManyResult> {
  const name = `${options.database ?? 'receivables_bench'}_many`;
  const opened = await openBenchDatabase('postgres', { ...options, keep: true }, log, name, 'many');
  const { handle } = opened;
  try {
    const reused = opened.reused === true;
    const seconds = reused ? 0 : await seedMany(handle, options, log);
    const [counts] = await handle.raw(
      `select (select count(*) from workspaces where team_id like 'TM%')::int as workspaces,
         (select count(*) from invoices where team_id like 'TM%')::int as invoices`,
      [],
    );
    // A sample spread over the book, each with its three biggest clients for the client record.
    const sample = await handle.raw(
      `select w.team_id, w.time_zone, w.stale_days,
         array(select client_id::text from invoices i where i.team_id = w.team_id group by client_id
               order by count(*) desc, client_id limit 3) as clients
       from workspaces w where w.team_id like 'TM%'
       order by hashtext(w.team_id) limit ${SAMPLE}`,
      [],
    );
    const fixtures = sample.map((w) => {
      const f = makeFixture(handle, (w.clients as string[]).map(String));
      const timeZone = String(w.time_zone);
      f.params = {
        workspace: { teamId: String(w.team_id), timeZone, staleDays: Number(w.stale_days) },
        today: todayIn(timeZone, NOW),
        now: NOW,
      };
      return f;
    });

    // Every view's answer equals its baseline's, for every sampled workspace.
    let answersChecked = 0;
    for (const f of fixtures) {
      for (const c of CASES) {
        const view = c.viewAnswer(await c.view(f, 0));
        const baseline = c.baselineAnswer(await c.baseline(f, 0));
        if (!isDeepStrictEqual(view, baseline)) {
          throw new Error(
            `many: ${c.name} for ${f.params.workspace.teamId} differs from its hand-written SQL:\n` +
              `view:     ${JSON.stringify(view)}\nbaseline: ${JSON.stringify(baseline)}`,
          );
        }
        answersChecked += 1;
      }
    }
    log(`many: ${answersChecked} answers checked; timing…`);

    const before = loadavg()[0] ?? Number.NaN;
    const samples = CASES.map(() => ({ view: [] as number[], baseline: [] as number[] }));
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      const f = fixtures[i % fixtures.length];
      if (!f) break;
      for (const [index, c] of CASES.entries()) {
        const order = i % 2 === 0 ? (['view', 'baseline'] as const) : (['baseline', 'view'] as const);
        for (const which of order) {
          const started = performance.now();
          await (which === 'view' ? c.view(f, i) : c.baseline(f, i));
          if (i >= options.warmup) samples[index]?.[which].push(performance.now() - started);
        }
      }
    }
    const cases = CASES.map((c, index) => ({
      name: c.name,
      view: summarize(samples[index]?.view ?? []),
      baseline: summarize(samples[index]?.baseline ?? []),
    }));

    const ticks = await timeTicks(handle, log);
    return {
      seeded: { seconds, reused, workspaces: Number(counts?.workspaces), invoices: Number(counts?.invoices) },
      answersChecked,
      cases,
      ticks,
      load: { before, after: loadavg()[0] ?? Number.NaN },
    };
  } finally {
    await opened.close();
  }
}

/**
 * The scheduler's tick over the many workspaces: first every workspace planned once (the catch-up; its time is the
 * old tick's, which planned every workspace every minute), then quiet minutes, then a busy window of minute ticks
 * over the alert times of the day after TODAY in Europe. Deliveries planned here are removed afterwards, so --reuse
 * finds the same book.
 */
async function timeTicks(handle: DatabaseHandle, log: Logger): Promise<ManyResult['ticks']> {
  const ledger = { db: handle.db, clock: { now: () => NOW } };
  await handle.raw(`update workspace_plans set next_plan_at = '-infinity'`, []);
  await handle.raw('delete from deliveries', []);
  // The old tick: every workspace, every minute. Timed on the first OLD_TICK_SAMPLE and scaled to all of them.
  const all = await handle.db.query.workspaces.findMany();
  const oldSample = all.slice(0, OLD_TICK_SAMPLE);
  const everyStarted = performance.now();
  for (const workspace of oldSample) {
    await recordAlerts(ledger, workspace, NOW);
    await recordDigest(ledger, workspace, NOW);
  }
  const everyWorkspaceMs = ((performance.now() - everyStarted) * all.length) / Math.max(1, oldSample.length);
  log(`many: one tick planning all ${all.length} workspaces would take ${(everyWorkspaceMs / 1000).toFixed(1)} s`);
  // The new tick's catch-up (all due), then quiet minutes.
  await planDue(ledger, NOW);
  const quiet: number[] = [];
  for (let i = 1; i <= 30; i++) {
    const started = performance.now();
    await planDue(ledger, new Date(NOW.getTime() + i * 1000));
    quiet.push(performance.now() - started);
  }
  // The busy window: tomorrow 06:00–12:00 in Berlin and London (a sixth of the workspaces' alert times).
  const day = addDays(TODAY, 1);
  const from = instantAt(day, '05:59', 'Europe/Berlin').getTime();
  const to = instantAt(day, '12:01', 'Europe/London').getTime();
  const alertAt = new Map(
    all
      .map((w) => [w.teamId, instantAt(day, w.alertTime, w.timeZone).getTime()] as const)
      .filter(([, at]) => at >= from && at <= to - 60_000),
  );
  const firstPlanned = new Map<string, number>();
  const busy: number[] = [];
  let planned = 0;
  let busiestTick = 0;
  for (let at = from; at <= to; at += 60_000) {
    const started = performance.now();
    const n = await planDue({ db: handle.db, clock: { now: () => new Date(at) } }, new Date(at));
    busy.push(performance.now() - started);
    planned += n;
    busiestTick = Math.max(busiestTick, n);
    if (n === 0) continue;
    const rows = await handle.raw(
      `select team_id from workspace_plans where next_plan_at > $1::timestamptz + interval '1 hour'
         and team_id = any($2::text[])`,
      [new Date(at).toISOString(), [...alertAt.keys()].filter((t) => !firstPlanned.has(t))],
    );
    for (const r of rows) {
      const team = String(r.team_id);
      const due = alertAt.get(team);
      if (due !== undefined && at >= due) firstPlanned.set(team, at);
    }
  }
  const onTime = [...alertAt].filter(([team, due]) => {
    const at = firstPlanned.get(team);
    return at !== undefined && at - due < 60_000;
  }).length;
  await handle.raw('delete from deliveries', []);
  await handle.raw(`update workspace_plans set next_plan_at = '-infinity'`, []);
  return {
    quiet: summarize(quiet),
    busy: summarize(busy),
    busiestTick,
    planned,
    onTime,
    due: alertAt.size,
    everyWorkspaceMs,
  };
}

export function formatManyReport(result: ManyResult, options: BenchOptions): string {
  const lines: string[] = [];
  const s = result.seeded;
  lines.push(
    `\n## Many workspaces (${s.workspaces.toLocaleString('en-US')} workspaces, ${s.invoices.toLocaleString('en-US')} ` +
      `invoices; seed ${s.reused ? 'reused' : `${s.seconds.toFixed(1)} s`}; ${options.iterations} iterations over ${SAMPLE} ` +
      `workspaces; load ${result.load.before.toFixed(1)} → ${result.load.after.toFixed(1)} on ${cpus().length} CPUs)\n`,
  );
  lines.push(`${result.answersChecked} answers checked: each view equals its hand-written SQL.\n`);
  lines.push(
    '| view | p50 | p99 | baseline p50 | baseline p99 | ratio p50 | ratio p99 | target (p99 < 10 ms, ≤ 1.5×) |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|---|');
  for (const c of result.cases) {
    const r50 = c.view.p50 / c.baseline.p50;
    const r99 = c.view.p99 / c.baseline.p99;
    const misses = [c.view.p99 >= 10 ? 'p99 ≥ 10 ms' : '', r99 > 1.5 ? 'p99 > 1.5×' : ''].filter(Boolean);
    lines.push(
      `| ${c.name} | ${formatMs(c.view.p50)} | ${formatMs(c.view.p99)} | ${formatMs(c.baseline.p50)} | ` +
        `${formatMs(c.baseline.p99)} | ${formatRatio(r50)} | ${formatRatio(r99)} | ${misses.join(', ') || 'ok'} |`,
    );
  }
  const t = result.ticks;
  lines.push('\n## Scheduler tick over the many workspaces (planDue)\n');
  lines.push('| tick | p50 | p99 |');
  lines.push('|---|--:|--:|');
  lines.push(`| quiet minute (none due) | ${formatMs(t.quiet.p50)} | ${formatMs(t.quiet.p99)} |`);
  lines.push(`| busy window (alert times) | ${formatMs(t.busy.p50)} | ${formatMs(t.busy.p99)} |`);
  lines.push(
    `\nBusy window: ${t.planned} plans, at most ${t.busiestTick} in one tick; ${t.onTime} of ${t.due} workspaces ` +
      `whose alert time fell in it planned within a minute of it. One tick planning every workspace (before; timed on ${OLD_TICK_SAMPLE}, scaled): ` +
      `${(t.everyWorkspaceMs / 1000).toFixed(1)} s.`,
  );
  return lines.join('\n');
}
