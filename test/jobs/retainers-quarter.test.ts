// A simulated quarter of retainers in two workspaces, Auckland and New York, from 15 September to 31 December 2026:
// across Auckland's spring-forward (27 September), New York's fall-back (1 November) and every month's end. The
// injected clock jumps to the decision points — on each day an invoice is due, a minute before and after its local
// midnight and its alert time — and the jobs' hook runs there. Each invoice is made once, on its own local day (never
// the evening before, as a UTC date would in New York, nor the day after, as it would in Auckland), and its owner
// hears of it once, that morning. Between the points nothing is due, so a tick there would change nothing.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { addDays, instantAt, localDateOf, startOfLocalDay } from '../../src/domain/dates.js';
import { deliverDue } from '../../src/jobs/post.js';
import { recordRetainers } from '../../src/jobs/retainers.js';
import { createClient } from '../../src/services/clients.js';
import { type CreateRetainerInput, createRetainer } from '../../src/services/retainers.js';
import { ensureWorkspace, getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const ZONES = [
  { teamId: 'T0AKL', timeZone: 'Pacific/Auckland', owner: 'U0AKL' },
  { teamId: 'T0NYC', timeZone: 'America/New_York', owner: 'U0NYC' },
] as const;

const FIRST = '2026-09-15';
const LAST = '2026-12-31';

/** The schedules, and their occurrences worked out by hand from a calendar (weekdays Monday to Friday). */
const RETAINERS: { prefix: string; input: Partial<CreateRetainerInput>; expected: string[] }[] = [
  // The 31st: the last day of September and November.
  { prefix: 'R31', input: { dayOfMonth: 31 }, expected: ['2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31'] },
  // Last working day: 31 October is a Saturday.
  { prefix: 'LWD', input: { dayOfMonth: null }, expected: ['2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31'] },
  // Quarterly on the 29th from September.
  { prefix: 'Q29', input: { cadence: 'quarterly', dayOfMonth: 29 }, expected: ['2026-09-29', '2026-12-29'] },
  // The 1st, two invoices: 1 November is New York's fall-back day.
  { prefix: 'D01', input: { dayOfMonth: 1, maxCount: 2 }, expected: ['2026-10-01', '2026-11-01'] },
  // The 27th until 26 November: 27 September is Auckland's spring-forward day.
  { prefix: 'D27', input: { dayOfMonth: 27, endDate: '2026-11-26' }, expected: ['2026-09-27', '2026-10-27'] },
];

async function setUp(ctx: TestLedger['ctx']) {
  ctx.clock.set('2026-09-14T12:00:00Z'); // 15 September 00:00 in Auckland, the 14th in New York
  for (const zone of ZONES) {
    await ensureWorkspace(ctx, { teamId: zone.teamId, name: zone.timeZone, timeZone: zone.timeZone });
    const admin = asAdmin({ type: 'user', id: zone.owner }, zone.teamId);
    const { result: client } = await createClient(ctx, zone.teamId, admin, { name: 'Acme Corp' });
    for (const r of RETAINERS) {
      await createRetainer(ctx, zone.teamId, admin, {
        clientId: client.id,
        currency: 'NZD',
        amount: '1,000',
        cadence: 'monthly',
        dayOfMonth: 1,
        startDate: FIRST,
        numberPrefix: `${r.prefix}`,
        ...r.input,
      });
    }
  }
}

interface Made {
  team_id: string;
  number: string;
  issue_date: string;
  created_at: Date | string;
}

describeEachDatabase('a quarter of retainers in Auckland and New York', '2026-09-14T12:00:00Z', (get) => {
  it('makes each invoice once, on its local day, and tells its owner once that morning', async () => {
    const { ctx, handle } = get();
    await setUp(ctx);
    const poster = posterEnv(ctx, fake);

    // The decision points, in time order across both zones.
    type Step = { at: Date; zone: (typeof ZONES)[number]; day: string; what: 'before' | 'after' | 'alert' };
    const steps: Step[] = [];
    const dueDays = new Set(RETAINERS.flatMap((r) => r.expected));
    for (const zone of ZONES) {
      for (const day of [...dueDays, addDays(LAST, 1)]) {
        const midnight = startOfLocalDay(day, zone.timeZone).getTime();
        steps.push({ at: new Date(midnight - 60_000), zone, day, what: 'before' });
        steps.push({ at: new Date(midnight + 60_000), zone, day, what: 'after' });
        steps.push({ at: instantAt(day, '09:01', zone.timeZone), zone, day, what: 'alert' });
      }
    }
    steps.sort((a, b) => a.at.getTime() - b.at.getTime());

    const workspaces = new Map(
      await Promise.all(ZONES.map(async (z) => [z.teamId, await getWorkspace(ctx, z.teamId)] as const)),
    );
    const made = async (teamId: string) =>
      (await handle.raw('select number from invoices where team_id = $1 order by number', [teamId])).map((r) =>
        String(r.number),
      );
    const expectedBy = (through: string, inclusive: boolean) =>
      RETAINERS.flatMap((r) =>
        r.expected.filter((d) => (inclusive ? d <= through : d < through)).map((d) => `${r.prefix}-${d}`),
      ).sort();

    for (const step of steps) {
      ctx.clock.set(step.at);
      // The jobs' hook, as each minute's tick runs it for the workspace.
      const workspace = workspaces.get(step.zone.teamId);
      if (!workspace) throw new Error(`no workspace ${step.zone.teamId}`);
      await recordRetainers(ctx, workspace, step.at);
      if (step.what === 'alert') await deliverDue(poster, { teamId: step.zone.teamId });
      const expected = expectedBy(step.day, step.what !== 'before');
      expect(await made(step.zone.teamId), `${step.zone.timeZone} ${step.what} ${step.day}`).toEqual(expected);
    }

    // Every invoice was made on its own local day (created after its local midnight, before the next).
    for (const zone of ZONES) {
      const rows = (await handle.raw(
        'select team_id, number, issue_date::text as issue_date, created_at from invoices where team_id = $1',
        [zone.teamId],
      )) as unknown as Made[];
      expect(rows).toHaveLength(14);
      for (const row of rows) {
        expect(localDateOf(new Date(row.created_at), zone.timeZone), `${zone.timeZone} ${row.number}`).toBe(
          row.issue_date,
        );
      }
      // One notice each, in the owner's DM, posted on the invoice's local day, at or after 09:00 there.
      const notices = fake.calls('chat.postMessage').filter((c) => c.args.channel === `D${zone.owner}`);
      expect(notices).toHaveLength(14);
      const delivered = (await handle.raw(
        "select key, local_date::text as local_date, delivered_at from deliveries where team_id = $1 and kind = 'retainer_invoice' and status = 'delivered'",
        [zone.teamId],
      )) as unknown as { key: string; local_date: string; delivered_at: Date | string }[];
      expect(delivered).toHaveLength(14);
      for (const d of delivered) {
        const at = new Date(d.delivered_at);
        expect(localDateOf(at, zone.timeZone)).toBe(d.local_date);
        expect(at.getTime()).toBeGreaterThanOrEqual(instantAt(d.local_date, '09:00', zone.timeZone).getTime());
      }
    }
    expect(new Set(fake.calls('chat.postMessage').map((c) => String(c.args.text).split(' ')[1])).size).toBe(14);
  });
});
