// The demo book: every state whenever it is seeded, a history that reads forward in time, and nothing twice.
import { expect, it } from 'vitest';
import { DEMO_TEAM_ID, seedDemoBook } from '../../src/cli/seed.js';
import { getOverview } from '../../src/db/queries/views.js';
import { todayIn } from '../../src/domain/dates.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';

// The demo book credits nothing (credit notes are a correction, shown in their own tests).
const EVERY_STATE = { overdue: 10, due: 2, sent: 8, draft: 4, paid: 15, credited: 0, void: 2 };
const DAY = 86_400_000;

describeEachDatabase('the demo book', '2026-11-23T15:00:00Z', (get) => {
  it.each([
    ['a Monday morning', '2026-11-23T15:00:00Z'],
    ['half past midnight in New York', '2026-11-23T05:30:00Z'],
    ['the last day of a month', '2027-01-31T20:00:00Z'],
    ['the day the clocks go forward', '2027-03-14T12:00:00Z'],
    ['a leap day', '2028-02-29T15:00:00Z'],
  ])('has invoices in every state when seeded on %s', async (_when, now) => {
    const { ctx } = get();
    ctx.clock.set(now);
    const result = await seedDemoBook(ctx);
    expect(result).toMatchObject({ seeded: true, teamId: DEMO_TEAM_ID, clients: 12, invoices: 41 });
    expect(result.byState).toEqual(EVERY_STATE);
  });

  it('writes a history that moves forward in time, from about 200 days ago to now, and never past it', async () => {
    const { ctx, handle } = get();
    ctx.clock.set('2026-11-23T05:30:00Z');
    await seedDemoBook(ctx);
    const rows = await handle.raw(
      `select (extract(epoch from at) * 1000)::int8::text as at, actor_id from events order by id`,
      [],
    );
    const times = rows.map((r) => Number(r.at));
    const now = Date.parse('2026-11-23T05:30:00Z');
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    expect(Math.min(...times)).toBeGreaterThan(now - 201 * DAY);
    expect(new Set(rows.map((r) => r.actor_id))).toEqual(new Set(['U0MARCUS', 'U0ELENA', 'U0PRIYA']));
  });

  it('agrees with the overview: the counts it reports are what the views see', async () => {
    const { ctx } = get();
    const result = await seedDemoBook(ctx);
    const workspace = await getWorkspace(ctx, DEMO_TEAM_ID);
    const now = ctx.clock.now();
    const today = todayIn(workspace.timeZone, now);
    const overview = await getOverview(ctx.db, { workspace, today, now, limit: 100 });
    const { overdue, due, sent, draft } = result.byState;
    expect(overview.counts).toMatchObject({ overdue, due, sent, draft });
    expect(overview.needsAction).toEqual({ overdue: 10, due: 2, promisesBroken: 2, stale: 6 });
    expect(workspace).toMatchObject({ name: 'Demo Studio', timeZone: 'America/New_York', staleDays: 7 });
    expect(workspace.financeAdmins).toEqual(['U0PRIYA']);
  });

  it('seeds another team in another time zone when asked', async () => {
    const { ctx } = get();
    const result = await seedDemoBook(ctx, { teamId: 'T0KIWI', timeZone: 'Pacific/Auckland' });
    expect(result).toMatchObject({ seeded: true, teamId: 'T0KIWI', today: '2026-11-24' });
    expect(result.byState).toEqual(EVERY_STATE);
    expect((await getWorkspace(ctx, 'T0KIWI')).timeZone).toBe('Pacific/Auckland');
  });

  it('adds nothing to a workspace that already has invoices', async () => {
    const { ctx, handle } = get();
    await seedDemoBook(ctx);
    ctx.clock.advance(3 * DAY);
    const count = async () => (await handle.raw('select count(*)::int as n from events', []))[0]?.n;
    const before = await count();
    const again = await seedDemoBook(ctx);
    expect(again).toMatchObject({ seeded: false, invoices: 41, today: '2026-11-26' });
    expect(await count()).toBe(before);
  });
});
