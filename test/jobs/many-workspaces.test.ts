// Many workspaces over the world's zones, on the simulated clock: each one's alerts start within a minute of its
// alert time, and a tick plans only the workspaces whose time has come (not every workspace, every minute).
// 200 workspaces here; LONG_SIMULATION=1 runs 5,000.

import { expect, it } from 'vitest';
import { addDays, instantAt } from '../../src/domain/dates.js';
import { nextPlanAt } from '../../src/jobs/plan.js';
import { planDue } from '../../src/jobs/scheduler.js';
import { describeEachDatabase } from '../helpers/db.js';

const WORKSPACES = process.env.LONG_SIMULATION ? 5_000 : 200;
/** From UTC+13 (Auckland in November) to UTC-10 (Honolulu): alert times span more than a day of UTC. */
const ZONES = [
  'Pacific/Auckland',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/Moscow',
  'Africa/Johannesburg',
  'Europe/Berlin',
  'Europe/London',
  'UTC',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
];
/** Tuesday: every workspace's one invoice becomes due on it, announced at its alert time that day. */
const DAY = '2026-11-24';
const MINUTE = 60_000;

/** A timestamptz as either driver returns it. */
function instant(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

describeEachDatabase('the scheduler with many workspaces', '2026-11-23T16:00:00Z', (get) => {
  it('starts each workspace’s alerts within a minute of its alert time, planning only the workspaces whose time came', async () => {
    const { handle, ctx } = get();
    // Set-based: the workspaces (zone and alert time by number), a client and one sent invoice due on DAY each.
    await handle.raw(
      `insert into workspaces (team_id, name, time_zone, alert_time, finance_channel)
       select 'T' || lpad(g::text, 5, '0'), 'Team ' || g, ($2::text[])[1 + g % array_length($2::text[], 1)],
         lpad((6 + g % 6)::text, 2, '0') || ':' || lpad(((g * 7) % 60)::text, 2, '0'), 'C_FIN'
       from generate_series(1, $1::int) g`,
      [WORKSPACES, ZONES],
    );
    await handle.raw(`insert into clients (team_id, name) select team_id, 'Acme' from workspaces`, []);
    await handle.raw(
      `insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind,
         terms_basis_date, due_date, sent_at, owner_user_id)
       select c.team_id, 'INV-1', c.id, 'USD', 10000, $1::date - 30, 'net', $1::date - 30, $1::date,
         '2026-10-25T12:00:00Z', null
       from clients c`,
      [DAY],
    );
    const workspaces = await handle.raw('select team_id, time_zone, alert_time from workspaces', []);
    const alertAt = new Map(
      workspaces.map((w) => [String(w.team_id), instantAt(DAY, String(w.alert_time), String(w.time_zone))]),
    );
    const first = Math.min(...[...alertAt.values()].map((d) => d.getTime()));
    const last = Math.max(...[...alertAt.values()].map((d) => d.getTime()));

    // Ticks at every alert minute and the minute after, and every hour between, from an hour before the first
    // alert time (the minutes in between would plan nothing: the quiet tick's cost is in the bench).
    const started = Math.floor((first - 60 * MINUTE) / MINUTE) * MINUTE;
    const minutes = new Set<number>();
    for (const at of alertAt.values()) minutes.add(at.getTime()).add(at.getTime() + MINUTE);
    for (let at = started; at <= last + MINUTE; at += 60 * MINUTE) minutes.add(at);
    const announced = new Map<string, Date>();
    let planned = 0;
    let busiestTick = 0;
    for (const at of [...minutes].sort((a, b) => a - b)) {
      const now = new Date(at);
      ctx.clock.set(now);
      const n = await planDue(ctx, now);
      planned += n;
      busiestTick = Math.max(busiestTick, n);
      if (n === 0) continue;
      const rows = await handle.raw(
        `select team_id from deliveries where kind = 'became_due' and local_date = $1::date`,
        [DAY],
      );
      for (const row of rows) if (!announced.has(String(row.team_id))) announced.set(String(row.team_id), now);
    }

    expect(announced.size).toBe(WORKSPACES);
    const late = [...alertAt].filter(([team, at]) => {
      const when = announced.get(team);
      return !when || when < at || when.getTime() - at.getTime() >= MINUTE;
    });
    expect(late).toEqual([]);
    // Every workspace once to catch up at the start, then at its alert times (the day before and DAY) and its
    // Monday digest time: at most four plans each over the ~30 hours, never every workspace at every tick.
    expect(planned).toBeLessThanOrEqual(4 * WORKSPACES);
    expect(busiestTick).toBe(WORKSPACES); // the first, catch-up tick
  }, 300_000);

  it('plans again at the next tick when a setting or an invoice changes, and not otherwise', async () => {
    const { handle, ctx } = get();
    await handle.raw(
      `insert into workspaces (team_id, name, time_zone, alert_time, finance_channel)
       values ('T_ONE', 'One', 'Europe/London', '09:00', 'C_FIN')`,
      [],
    );
    await handle.raw(`insert into clients (team_id, name) values ('T_ONE', 'Acme')`, []);
    const now = new Date('2026-11-24T10:00:00Z');
    expect(await planDue(ctx, now)).toBe(1);
    // Next at tomorrow's alert time.
    const [plan] = await handle.raw(`select next_plan_at from workspace_plans where team_id = 'T_ONE'`, []);
    expect(instant(plan?.next_plan_at)).toEqual(instantAt(addDays('2026-11-24', 1), '09:00', 'Europe/London'));
    expect(await planDue(ctx, new Date(now.getTime() + MINUTE))).toBe(0);

    // An invoice that becomes due today is created after the alert time: planned and announced at the next tick.
    await handle.raw(
      `insert into invoices (team_id, number, client_id, currency, total_minor, issue_date, terms_kind,
         terms_basis_date, due_date, sent_at)
       select 'T_ONE', 'INV-9', id, 'GBP', 5000, '2026-10-25', 'net', '2026-10-25', '2026-11-24', '2026-10-25T12:00:00Z'
       from clients where team_id = 'T_ONE'`,
      [],
    );
    expect(await planDue(ctx, new Date(now.getTime() + 2 * MINUTE))).toBe(1);
    const due = await handle.raw(`select key from deliveries where team_id = 'T_ONE' and kind = 'became_due'`, []);
    expect(due).toHaveLength(1);
    // A description is not something the plan reads.
    await handle.raw(`update invoices set description = 'Design work' where team_id = 'T_ONE'`, []);
    expect(await planDue(ctx, new Date(now.getTime() + 3 * MINUTE))).toBe(0);
    // A new alert time is.
    await handle.raw(`update workspaces set alert_time = '11:00' where team_id = 'T_ONE'`, []);
    expect(await planDue(ctx, new Date(now.getTime() + 4 * MINUTE))).toBe(1);
    const [moved] = await handle.raw(`select next_plan_at from workspace_plans where team_id = 'T_ONE'`, []);
    const next = nextPlanAt(
      { timeZone: 'Europe/London', alertTime: '11:00', digestWeekday: 1, digestTime: '09:00' },
      new Date(now.getTime() + 4 * MINUTE),
    );
    expect(next).toEqual(instantAt('2026-11-24', '11:00', 'Europe/London'));
    expect(instant(moved?.next_plan_at)).toEqual(next);
  });
});
