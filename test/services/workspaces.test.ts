// A workspace's time zone is chosen once by a person, never left as a silent UTC: until someone saves it in
// settings (changed, or kept as it was), it counts as not chosen and settings propose the person's own.
import { expect, it } from 'vitest';
import { ensureWorkspace, timeZoneChosen, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, OPERATOR } from '../helpers/ledger.js';

const TEAM = 'T0TEAM';

describeEachDatabase('choosing the time zone', '2026-11-23T15:00:00Z', (get) => {
  it('is not chosen in a new workspace, nor by a save that leaves the zone out', async () => {
    const { ctx } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await updateWorkspaceSettings(ctx, TEAM, OPERATOR, { financeAdmins: [ALICE.id] });
    expect(await timeZoneChosen(ctx.db, TEAM)).toBe(false);
  });

  it('is chosen by a save that keeps the zone it had, recorded once as the zone confirmed', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await updateWorkspaceSettings(ctx, TEAM, OPERATOR, { financeAdmins: [ALICE.id] });
    const admin = asAdmin(ALICE, TEAM);
    await updateWorkspaceSettings(ctx, TEAM, admin, { name: 'Acme', timeZone: 'UTC' });
    expect(await timeZoneChosen(ctx.db, TEAM)).toBe(true);
    await updateWorkspaceSettings(ctx, TEAM, admin, { name: 'Acme', timeZone: 'UTC' });
    const rows = await handle.raw(
      "select details from events where team_id = $1 and kind = 'settings_changed' order by id",
      [TEAM],
    );
    expect(rows.map((r) => r.details)).toEqual([
      { changes: { financeAdmins: { from: [], to: [ALICE.id] } } },
      { changes: {}, timeZoneConfirmed: 'UTC' },
    ]);
  });

  it('is chosen by a save that changes it', async () => {
    const { ctx } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await updateWorkspaceSettings(ctx, TEAM, OPERATOR, { timeZone: 'Asia/Kathmandu' });
    expect(await timeZoneChosen(ctx.db, TEAM)).toBe(true);
  });
});
