// The schedule-edit rule held over random edits, on both databases: a monthly retainer whose day is moved at random
// times (before or after the day's tick, to earlier or later days, to the last working day) while the jobs tick daily
// for eight months. Never two invoices in one month; a month goes unbilled only where the rule says it does — an edit
// in a month not billed yet moved the day to one already gone; and nothing due before an edit is ever dropped.
import { expect, it } from 'vitest';
import { addDays, instantAt } from '../../src/domain/dates.js';
import { occurrenceInMonth } from '../../src/domain/retainers.js';
import { createRetainer, editRetainer, makeDueRetainerInvoices } from '../../src/services/retainers.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const ZONE = 'America/New_York';
const WEEKDAYS = [1, 2, 3, 4, 5];

/** A small seeded generator (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeEachDatabase('the schedule-edit rule under random edits', '2026-11-20T15:00:00Z', (get) => {
  for (const seed of [7, 2026]) {
    it(`never bills a month twice and leaves a month unbilled only as the rule says (seed ${seed})`, async () => {
      const { ctx, handle } = get();
      const next = random(seed);
      const { teamId, client } = await workspaceWithClient(ctx); // America/New_York
      await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: 'C0FIN', financeAdmins: ['U0ALICE'] });
      const admin = asAdmin(ALICE, teamId);
      const { result: retainer } = await createRetainer(ctx, teamId, admin, {
        clientId: client.id,
        currency: 'USD',
        amount: '1,000',
        cadence: 'monthly',
        dayOfMonth: 1,
        startDate: '2026-11-20',
      });
      const workspace = await getWorkspace(ctx, teamId);
      const billedIn = async (month: string) =>
        (
          await handle.raw(
            "select count(*)::int as n from retainer_runs where to_char(occurrence_date, 'YYYY-MM') = $1",
            [month],
          )
        )[0]?.n as number;

      const gaps = new Set<string>();
      let edits = 0;
      for (let day = '2026-11-21'; day <= '2027-07-31'; day = addDays(day, 1)) {
        const month = day.slice(0, 7);
        if (next() < 0.1) {
          // 06:00 is before the day's tick, 18:00 after it.
          ctx.clock.set(instantAt(day, next() < 0.5 ? '06:00' : '18:00', ZONE));
          const pick = Math.floor(next() * 32);
          const dayOfMonth = pick === 0 ? null : pick;
          const before = await billedIn(month);
          await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth });
          edits += 1;
          const after = await billedIn(month);
          // Nothing due before the edit is dropped: the old day, if it came and was not billed, is billed now.
          expect(after, `${day}: billed ${before} then ${after}`).toBeGreaterThanOrEqual(before);
          const moved = occurrenceInMonth({ dayOfMonth }, Number(day.slice(0, 4)), Number(day.slice(5, 7)), WEEKDAYS);
          if (after === 0 && moved < day) gaps.add(month);
          else gaps.delete(month);
        }
        ctx.clock.set(instantAt(day, '12:00', ZONE));
        await makeDueRetainerInvoices(ctx, workspace, ctx.clock.now());
      }
      expect(edits).toBeGreaterThan(10);

      const perMonth = await handle.raw(
        "select to_char(occurrence_date, 'YYYY-MM') as month, count(*)::int as n from retainer_runs group by 1 order by 1",
        [],
      );
      expect(perMonth.every((row) => row.n === 1)).toBe(true);
      const billed = new Set(perMonth.map((row) => String(row.month)));
      for (let m = 0; m < 8; m++) {
        const month = monthAfter('2026-12', m);
        expect(billed.has(month), `${month} billed?`).toBe(!gaps.has(month));
      }
    });
  }
});

function monthAfter(start: string, n: number): string {
  const index = Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
