// Bulk seeding for the benchmark: a book of N invoices in one workspace (plus a small second workspace as
// tenant noise), written with set-based SQL (insert … select from generate_series), never row by row.
//
// Every "random" draw is a hash of the row number (hashint8extended), so the same N gives the same book on
// PGlite and on PostgreSQL, run after run; the invoices go in in creation order, as a real ledger fills up.
import type { DatabaseHandle } from '../src/db/client.js';
import { addDays, type LocalDate } from '../src/domain/dates.js';

/** The benchmark's fixed "today" in the workspace's time zone, and the instant it is run at (noon there). */
export const TODAY: LocalDate = '2026-11-23';
export const NOW = new Date('2026-11-23T17:00:00Z');
export const BENCH_TEAM = 'T_BENCH';
export const NOISE_TEAM = 'T_NOISE';
export const BENCH_WORKSPACE = { teamId: BENCH_TEAM, timeZone: 'America/New_York', staleDays: 7 } as const;

export interface SeedOptions {
  /** Invoices in the benchmarked workspace; clients are one per 20 invoices. */
  invoices: number;
}

export interface SeedCounts {
  workspaces: number;
  clients: number;
  invoices: number;
  benchInvoices: number;
  openInvoices: number;
  paidInvoices: number;
  voidInvoices: number;
  draftInvoices: number;
  events: number;
}

export interface SeedResult {
  seconds: number;
  /** Of which VACUUM ANALYZE / ANALYZE. */
  analyzeSeconds: number;
  counts: SeedCounts;
  /** The 20 clients with the most invoices in the benchmarked workspace, most first. */
  bigClients: string[];
}

/** A uniform draw in [0, 1) from the row number `g` and a stream number (different streams are independent). */
function draw(stream: number): string {
  return `((hashint8extended(g::int8, $7::int8 + ${stream}) & 4503599627370495)::float8 / 4503599627370496.0)`;
}

/** The client uuid for client number `expr` of team `$1`: derivable in SQL, so invoices need no lookup. */
const clientUuid = (team: string, expr: string) => `md5(${team} || ':client:' || (${expr})::text)::uuid`;

// One statement writes all of a team's invoices. Parameters: $1 team, $2 invoices, $3 clients, $4 today,
// $5 now, $6 number prefix, $7 draw salt.
//   ~75% paid (paid_on set, paid = total, paid on a day of the past two years), ~3% void, ~2% drafts, the rest open and sent: due from 200 days ago
//   to 90 days ahead, 20% of them part paid, 15% with a promised date (±20 days), 5% on hold or disputed,
//   90% chased at some point in the past 60 days. Clients are skewed (u² ⇒ a few large clients).
const INSERT_INVOICES = `
insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind, terms_days,
  terms_basis_date, due_date, owner_user_id, description, sent_at, voided_at, void_reason, hold_kind, hold_reason,
  hold_since, hold_by, paid_minor, paid_on, promised_date, last_action_kind, last_action_at, last_action_by, created_at)
select $1::text,
  $6::text || lpad(row_number() over (order by created_at, g)::text, 7, '0'),
  ${clientUuid('$1::text', 'client_no')}, currency, total, issue, 'net', terms, issue, due, owner, description,
  sent_at, voided_at, void_reason, hold_kind, hold_reason, hold_since, hold_by, paid, paid_on, promised,
  last_kind, last_at, last_by, created_at
from (
  select g, client_no, currency, total, issue, terms, due, owner, description, created_at,
    sent_at, voided_at, void_reason, paid, paid_on, promised,
    case when open_sent and u_hold < 0.05 then case when u_hold < 0.02 then 'dispute' else 'hold' end end as hold_kind,
    case when open_sent and u_hold < 0.05 then case when u_hold < 0.02 then 'Quantities disputed' else 'Waiting on PO' end end
      as hold_reason,
    case when open_sent and u_hold < 0.05 then least($5::timestamptz, sent_at + interval '10 days') end as hold_since,
    case when open_sent and u_hold < 0.05 then 'U_BENCH_FIN' end as hold_by,
    case when kind = 'paid' then 'paid' when kind = 'void' then 'voided' when open_sent and u_action < 0.9 then 'chased'
      end as last_kind,
    case when kind = 'paid' then (paid_on + time '14:00') at time zone 'UTC'
      when kind = 'void' then voided_at
      when open_sent and u_action < 0.9
        -- whole milliseconds, as the app writes them (JS Dates)
        then date_trunc('milliseconds', greatest(sent_at, $5::timestamptz - (u_action / 0.9) * interval '60 days'))
        end as last_at,
    case when kind in ('paid', 'void') or (open_sent and u_action < 0.9) then 'U_BENCH_AR' end as last_by
  from (
    select g, kind, client_no, currency, total, issue, terms, due, u_hold, u_action,
      kind = 'open' as open_sent,
      'U_OWNER_' || (g % 7)::text as owner,
      'Consulting services, batch ' || (g % 97)::text as description,
      (issue + time '14:00') at time zone 'UTC' as created_at,
      case when kind in ('open', 'paid') or (kind = 'void' and u_part < 0.5) then (issue + time '15:00') at time zone 'UTC'
        end as sent_at,
      case when kind = 'void' then least($5::timestamptz, (issue + 2 + time '16:00') at time zone 'UTC') end as voided_at,
      case when kind = 'void' then 'Raised in error' end as void_reason,
      case when kind = 'paid' then total
        when kind = 'open' and u_part < 0.2 then floor(total * (0.1 + 0.8 * u_part / 0.2))::int8
        else 0 end as paid,
      case when kind = 'paid' then $4::date - floor(u_date * 730)::int end as paid_on,
      case when kind = 'open' and u_promise < 0.15 then $4::date - 20 + floor(u_promise / 0.15 * 41)::int end as promised
    from (
      select g, kind, client_no, currency, total, u_date, u_part, u_pay, u_promise, u_hold, u_action, terms,
        due - terms as issue, due
      from (
        select g, kind, client_no, currency, total, u_date, u_part, u_pay, u_promise, u_hold, u_action, terms_pick,
          case kind
            when 'open' then case when due_open - $4::date > 60 then 90 when due_open - $4::date > 45 then 60
              when due_open - $4::date > 30 then 45 when terms_pick < 0.2 and due_open - $4::date <= 15 then 15
              when terms_pick < 0.8 then 30 else 45 end
            when 'paid' then case when terms_pick < 0.15 then 15 when terms_pick < 0.75 then 30
              when terms_pick < 0.9 then 45 else 60 end
            else 30 end as terms,
          case kind
            when 'open' then due_open
            -- paid on a day of the past two years, from 10 days early to 40 days late
            when 'paid' then $4::date - floor(u_date * 730)::int + 10 - floor(u_pay * 50)::int
            when 'void' then $4::date - floor(u_date * 730)::int + 30
            else $4::date - floor(u_date * 15)::int + 30 end as due
        from (
          select g,
            case when u_kind < 0.75 then 'paid' when u_kind < 0.78 then 'void' when u_kind < 0.80 then 'draft'
              else 'open' end as kind,
            least(floor($3::int * u_client * u_client)::int, $3::int - 1) as client_no,
            case when u_cur < 0.6 then 'USD' when u_cur < 0.9 then 'EUR' else 'JPY' end as currency,
            10000 + floor(4990000 * u_amount * u_amount)::int8 as total,
            $4::date - 200 + floor(u_date * 291)::int as due_open,
            u_date, u_part, u_pay, u_promise, u_hold, u_action, terms_pick
          from (
            select g, ${draw(1)} as u_kind, ${draw(2)} as u_client, ${draw(3)} as u_cur, ${draw(4)} as u_amount,
              ${draw(5)} as u_date, ${draw(6)} as terms_pick, ${draw(7)} as u_pay, ${draw(8)} as u_part,
              ${draw(9)} as u_promise, ${draw(10)} as u_hold, ${draw(11)} as u_action
            from generate_series(1, $2::int) g
          ) s0
        ) s1
      ) s2
    ) s3
  ) s4
) s5
order by created_at, g`;

const INSERT_CLIENTS = `
insert into clients (id, team_id, name, contact_name, contact_email, terms_kind, terms_days, created_at)
select ${clientUuid('$1::text', 'c')}, $1::text, $2::text || lpad(c::text, 6, '0'), 'Contact ' || c::text,
  'ap' || c::text || '@client' || c::text || '.example', 'net', 30, $4::timestamptz - interval '800 days'
from generate_series(0, $3::int - 1) c`;

// Two events per invoice for a sample of clients (the 20 largest, as bigClients() picks them, and every
// tenth), in time order so ids grow with time as they do in a live ledger.
const INSERT_EVENTS = `
with sample as (
  (select client_id from invoices where team_id = $1::text group by client_id order by count(*) desc, client_id limit 20)
  union
  select ${clientUuid('$1::text', 'c')} from generate_series(0, $2::int - 1) c where c % 10 = 0
)
insert into events (team_id, invoice_id, client_id, kind, actor_type, actor_id, at, details)
select i.team_id, i.id, i.client_id,
  case when k = 1 then 'created' when i.voided_at is not null then 'voided' when i.paid_on is not null then 'paid'
    when i.sent_at is null then 'edited' when i.last_action_at is not null then 'chased' else 'sent' end,
  'user', 'U_BENCH_AR',
  case when k = 1 then i.created_at else coalesce(i.last_action_at, i.sent_at, i.created_at + interval '1 hour') end,
  case when k = 1 then jsonb_build_object('number', i.number) else '{}'::jsonb end
from invoices i
join sample s on s.client_id = i.client_id
cross join generate_series(1, 2) k
where i.team_id = $1::text
order by 7, i.number, k`;

async function seedTeam(
  handle: DatabaseHandle,
  team: { id: string; name: string; timeZone: string; invoices: number; clients: number; prefix: string; salt: number },
): Promise<void> {
  await handle.raw(`insert into workspaces (team_id, name, time_zone, stale_days) values ($1, $2, $3, 7)`, [
    team.id,
    team.name,
    team.timeZone,
  ]);
  await handle.raw(INSERT_CLIENTS, [team.id, `${team.name} client `, team.clients, NOW.toISOString()]);
  await handle.raw(INSERT_INVOICES, [
    team.id,
    team.invoices,
    team.clients,
    TODAY,
    NOW.toISOString(),
    team.prefix,
    team.salt,
  ]);
  await handle.raw(INSERT_EVENTS, [team.id, team.clients]);
}

/** Seeds an empty, migrated database and analyzes it. */
export async function seedBook(handle: DatabaseHandle, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const n = Math.max(20, Math.floor(options.invoices));
  await seedTeam(handle, {
    id: BENCH_TEAM,
    name: 'Bench Co',
    timeZone: BENCH_WORKSPACE.timeZone,
    invoices: n,
    clients: Math.max(20, Math.floor(n / 20)),
    prefix: 'INV-',
    salt: 0,
  });
  // Tenant noise: another workspace with a small book of its own on the same dates.
  await seedTeam(handle, {
    id: NOISE_TEAM,
    name: 'Noise Ltd',
    timeZone: 'Europe/Berlin',
    invoices: Math.max(200, Math.floor(n / 50)),
    clients: 50,
    prefix: 'NZ-',
    salt: 1000,
  });
  const analyzeStarted = performance.now();
  // VACUUM sets the visibility map so index-only scans are possible; PGlite takes it too.
  await handle.raw('vacuum analyze', []);
  const finished = performance.now();
  return {
    seconds: (finished - started) / 1000,
    analyzeSeconds: (finished - analyzeStarted) / 1000,
    counts: await countRows(handle),
    bigClients: await bigClients(handle),
  };
}

export async function countRows(handle: DatabaseHandle): Promise<SeedCounts> {
  const [row] = await handle.raw(
    `select (select count(*) from workspaces)::int as workspaces, (select count(*) from clients)::int as clients,
      (select count(*) from invoices)::int as invoices, (select count(*) from events)::int as events,
      count(*)::int as bench_invoices,
      count(*) filter (where voided_at is null and paid_minor < total_minor and sent_at is not null)::int as open,
      count(*) filter (where voided_at is null and paid_minor >= total_minor)::int as paid,
      count(*) filter (where voided_at is not null)::int as void,
      count(*) filter (where voided_at is null and paid_minor < total_minor and sent_at is null)::int as draft
    from invoices where team_id = $1`,
    [BENCH_TEAM],
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    workspaces: n('workspaces'),
    clients: n('clients'),
    invoices: n('invoices'),
    benchInvoices: n('bench_invoices'),
    openInvoices: n('open'),
    paidInvoices: n('paid'),
    voidInvoices: n('void'),
    draftInvoices: n('draft'),
    events: n('events'),
  };
}

/** The 20 clients of the benchmarked workspace with the most invoices, most first. */
export async function bigClients(handle: DatabaseHandle): Promise<string[]> {
  const rows = await handle.raw(
    `select client_id::text as id from invoices where team_id = $1
     group by client_id order by count(*) desc, client_id limit 20`,
    [BENCH_TEAM],
  );
  return rows.map((r) => String(r.id));
}

/** Yesterday, for the day-change queries. */
export const YESTERDAY: LocalDate = addDays(TODAY, -1);

/** What a seeded benchmark database holds, written when its seeding finished (read by --reuse). */
export interface SeedMarker {
  invoices: number;
  workspaces: number;
}

const MARKER_TABLE = `create table if not exists bench_seed (suite text primary key, invoices int not null,
  workspaces int not null, seeded_at timestamptz not null default now())`;

export async function writeSeedMarker(handle: DatabaseHandle, suite: string, marker: SeedMarker): Promise<void> {
  await handle.raw(MARKER_TABLE, []);
  await handle.raw(
    `insert into bench_seed (suite, invoices, workspaces) values ($1, $2, $3)
     on conflict (suite) do update set invoices = excluded.invoices, workspaces = excluded.workspaces, seeded_at = now()`,
    [suite, marker.invoices, marker.workspaces],
  );
}

export async function readSeedMarker(handle: DatabaseHandle, suite: string): Promise<SeedMarker | undefined> {
  const [table] = await handle.raw(`select to_regclass('bench_seed') is not null as found`, []);
  if (!table?.found) return undefined;
  const [row] = await handle.raw('select invoices, workspaces from bench_seed where suite = $1', [suite]);
  return row ? { invoices: Number(row.invoices), workspaces: Number(row.workspaces) } : undefined;
}
