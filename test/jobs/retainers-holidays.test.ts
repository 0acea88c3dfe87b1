// A retainer billed on the last working day counts the workspace's public holidays, on both databases: Scotland takes
// St Andrew's Day (Monday 30 November 2026) off, so its November invoice is made on Friday the 27th, while England's
// is made on the 30th; the list says so beforehand, and the day itself makes nothing more.
import { expect, it } from 'vitest';
import { recordRetainers } from '../../src/jobs/retainers.js';
import { createRetainer, listRetainers } from '../../src/services/retainers.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

async function place(
  ctx: TestLedger['ctx'],
  teamId: string,
  holidays: { holidayCountry: string; holidayRegion?: string },
) {
  const { client } = await workspaceWithClient(ctx, { teamId, timeZone: 'Europe/London' });
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, {
    financeChannel: 'C0FIN',
    financeAdmins: [ALICE.id],
    ...holidays,
  });
  await createRetainer(ctx, teamId, asAdmin(ALICE, teamId), {
    clientId: client.id,
    currency: 'GBP',
    amount: '2,000',
    cadence: 'monthly',
    dayOfMonth: null,
    startDate: '2026-11-20',
    numberPrefix: teamId,
  });
}

describeEachDatabase('retainers on the last working day, with public holidays', '2026-11-20T10:00:00Z', (get) => {
  it("makes Scotland's November invoice on the 27th (St Andrew's Day is the 30th), England's on the 30th", async () => {
    const { ctx, handle } = get();
    await place(ctx, 'T0SCOT', { holidayCountry: 'GB', holidayRegion: 'SCT' });
    await place(ctx, 'T0ENG', { holidayCountry: 'GB' });
    expect((await listRetainers(ctx, 'T0SCOT')).map((r) => r.next)).toEqual(['2026-11-27']);
    expect((await listRetainers(ctx, 'T0ENG')).map((r) => r.next)).toEqual(['2026-11-30']);

    const tick = async (at: string) => {
      ctx.clock.set(at);
      const made: string[] = [];
      for (const teamId of ['T0SCOT', 'T0ENG']) {
        const workspace = await getWorkspace(ctx, teamId);
        made.push(...(await recordRetainers(ctx, workspace, ctx.clock.now())).map((m) => m.number));
      }
      return made;
    };
    expect(await tick('2026-11-26T23:59:00Z')).toEqual([]);
    expect(await tick('2026-11-27T00:01:00Z')).toEqual(['T0SCOT-2026-11-27']);
    expect(await tick('2026-11-30T00:01:00Z')).toEqual(['T0ENG-2026-11-30']);
    expect(await tick('2026-11-30T12:00:00Z')).toEqual([]);
    // December's last working day is the 31st, a Thursday, in both.
    expect(await tick('2026-12-31T00:01:00Z')).toEqual(['T0SCOT-2026-12-31', 'T0ENG-2026-12-31']);
    expect(
      await handle.raw('select team_id, issue_date::text as issue_date from invoices order by team_id, issue_date', []),
    ).toEqual([
      { team_id: 'T0ENG', issue_date: '2026-11-30' },
      { team_id: 'T0ENG', issue_date: '2026-12-31' },
      { team_id: 'T0SCOT', issue_date: '2026-11-27' },
      { team_id: 'T0SCOT', issue_date: '2026-12-31' },
    ]);
  });

  it('catches up after downtime on the same days the holidays give', async () => {
    const { ctx } = get();
    await place(ctx, 'T0SCOT', { holidayCountry: 'GB', holidayRegion: 'SCT' });
    ctx.clock.set('2027-01-05T12:00:00Z');
    const made = await recordRetainers(ctx, await getWorkspace(ctx, 'T0SCOT'), ctx.clock.now());
    expect(made.map((m) => [m.occurrenceDate, m.caughtUp])).toEqual([
      ['2026-11-27', true],
      ['2026-12-31', true],
    ]);
  });
});
