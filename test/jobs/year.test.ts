// A simulated year, day by day, over two workspaces on opposite sides of the world: every alert is
// posted exactly once, on the right local day, across both DST changes and every month end.
//
// The whole year (2,200 ticks, about 200 s on this machine) runs with LONG_SIMULATION=1 (for CI). By default
// the same simulation runs over four seasons of the year, each from a fresh start: every day of them, every
// alert kind and both zones, across all four DST changes and the month ends of February, September and October.
import { expect, it } from 'vitest';
import { deliveries } from '../../src/db/schema.js';
import { addDays, instantAt, localDateOf, weekdayOf } from '../../src/domain/dates.js';
import { isWorkingDay } from '../../src/domain/schedule.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { fixedClock } from '../../src/services/context.js';
import { createInvoice } from '../../src/services/invoices.js';
import { ensureWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin, OPERATOR } from '../helpers/ledger.js';

const WORKSPACES = [
  { teamId: 'T0NEWYORK', timeZone: 'America/New_York', channel: 'C0NY', dst: ['2026-03-08', '2026-11-01'] },
  { teamId: 'T0AUCKLAND', timeZone: 'Pacific/Auckland', channel: 'C0AK', dst: ['2026-04-05', '2026-09-27'] },
];
const WEEKDAYS = [1, 2, 3, 4, 5];
const LONG = process.env.LONG_SIMULATION === '1';
/** First and last day simulated; each season starts on a Wednesday and ends on a Saturday (past that, Auckland's Monday would be half simulated). */
const SEASONS: [string, string][] = LONG
  ? [['2026-01-01', '2027-01-08']]
  : [
      ['2026-02-25', '2026-03-14'], // February's end, New York's spring forward
      ['2026-04-01', '2026-04-11'], // Auckland falls back
      ['2026-09-23', '2026-10-03'], // Auckland springs forward, September's end
      ['2026-10-28', '2026-11-07'], // October's end, New York falls back
    ];

/** Due dates worth testing: DST days and the days around them, month ends, weekends, a leap-free Feb. */
function dueDates(dst: string[]): string[] {
  const dates = new Set<string>();
  for (const d of dst) for (const n of [-1, 0, 1, 2]) dates.add(addDays(d, n));
  for (const end of [
    '2026-01-31',
    '2026-02-28',
    '2026-03-31',
    '2026-04-30',
    '2026-05-31',
    '2026-06-30',
    '2026-07-31',
    '2026-08-31',
    '2026-09-30',
    '2026-10-31',
    '2026-11-30',
    '2026-12-30',
  ]) {
    dates.add(end);
  }
  for (const d of ['2026-05-15', '2026-05-16', '2026-05-17', '2026-12-24', '2026-12-25']) dates.add(d);
  return [...dates].sort();
}

/** When a working-day team hears of an invoice due on `due`: its own day, and the first working day after. */
function expectedAlerts(due: string): [string, string][] {
  const alerts: [string, string][] = [];
  let next = addDays(due, 1);
  while (!isWorkingDay(next, WEEKDAYS)) next = addDays(next, 1);
  if (isWorkingDay(due, WEEKDAYS)) alerts.push(['became_due', due]);
  alerts.push(['became_overdue', next]);
  return alerts;
}

it.each(SEASONS)(
  'posts every alert exactly once, on the right local day, from %s to %s in New York and Auckland',
  async (first, last) => {
    const handle = await testDatabase('pglite');
    await emptyDatabase(handle);
    const fake = await startFakeSlack();
    const clock = fixedClock(`${first}T00:00:00Z`);
    const ledger = { db: handle.db, clock };
    const expected = new Set<string>();
    for (const w of WORKSPACES) {
      await ensureWorkspace(ledger, { teamId: w.teamId, name: w.teamId, timeZone: w.timeZone });
      await updateWorkspaceSettings(ledger, w.teamId, OPERATOR, {
        financeChannel: w.channel,
        financeAdmins: ['U0FIN'],
      });
      // The invoices whose alerts all fall in the days simulated.
      for (const due of dueDates(w.dst).filter(
        (d) => d >= first && expectedAlerts(d).every(([, day]) => day <= last),
      )) {
        const number = `${w.teamId.slice(3, 5)}-${due}`;
        await createInvoice(ledger, w.teamId, asAdmin({ type: 'user', id: 'U0FIN' }, w.teamId), {
          number,
          clientName: 'Year Client',
          currency: 'USD',
          total: '100',
          issueDate: '2025-12-15',
          terms: { kind: 'fixed', dueDate: due },
          status: 'sent',
        });
        for (const [kind, day] of expectedAlerts(due)) expected.add(`${w.teamId} ${number} ${kind} ${day}`);
      }
    }

    // Both alert kinds are expected in every season.
    expect(new Set([...expected].map((key) => key.split(' ')[2]))).toEqual(new Set(['became_due', 'became_overdue']));

    const scheduler = createScheduler(posterEnv(ledger, fake));
    for (let day = first; day <= last; day = addDays(day, 1)) {
      // Each workspace's morning (alert time 09:00, after the owner's 30-minute heads-up) and evening.
      const instants = WORKSPACES.flatMap((w) =>
        ['09:00', '09:45', '18:00'].map((time) => instantAt(day, time, w.timeZone)),
      ).sort((a, b) => a.getTime() - b.getTime());
      for (const at of instants) {
        clock.set(at);
        await scheduler.tick();
      }
    }

    const rows = await handle.db.select().from(deliveries);
    const numbers = new Map<string, string>();
    for (const row of await handle.raw('select id::text as id, number from invoices', [])) {
      numbers.set(String(row.id), String(row.number));
    }
    const alerts = rows.filter((r) => r.kind === 'became_due' || r.kind === 'became_overdue');
    const seen = new Set(alerts.map((r) => `${r.teamId} ${numbers.get(r.invoiceId ?? '')} ${r.kind} ${r.localDate}`));
    expect(seen).toEqual(expected);
    const zoneOf = new Map(WORKSPACES.map((w) => [w.teamId, w.timeZone]));
    for (const row of rows) {
      expect(row.status).toBe('delivered');
      // Posted on the local day it is about: never a day early or late.
      if (row.kind !== 'digest' && row.kind !== 'digest_reply') {
        expect(localDateOf(row.deliveredAt as Date, zoneOf.get(row.teamId) ?? 'UTC')).toBe(row.localDate);
        expect(isWorkingDay(row.localDate, WEEKDAYS)).toBe(true);
      }
    }
    // Exactly once: one message per delivery, none twice (keys are unique within a workspace's channels).
    const keys = fake
      .calls('chat.postMessage')
      .map((c) => `${c.args.channel} ${(c.args.metadata as { event_payload?: { key?: string } })?.event_payload?.key}`);
    expect(keys.length).toBe(rows.length);
    expect(new Set(keys).size).toBe(rows.length);
    // One digest a week per workspace, each on a Monday: every Monday simulated (53 in the whole year).
    const mondays: string[] = [];
    for (let day = first; day <= last; day = addDays(day, 1)) if (weekdayOf(day) === 1) mondays.push(day);
    if (LONG) expect(mondays).toHaveLength(53);
    const digests = rows.filter((r) => r.kind === 'digest');
    for (const w of WORKSPACES) {
      expect(
        digests
          .filter((r) => r.teamId === w.teamId)
          .map((r) => r.localDate)
          .sort(),
      ).toEqual(mondays);
    }
    await fake.close();
  },
  LONG ? 900_000 : 120_000,
);
