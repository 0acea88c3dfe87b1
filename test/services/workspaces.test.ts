// A workspace's time zone is chosen once by a person, never left as a silent UTC: until someone saves it in
// settings (changed, or kept as it was), it counts as not chosen and settings propose the person's own.
import { expect, it } from 'vitest';
import {
  claimSetupMessage,
  ensureWorkspace,
  getWorkspace,
  isSetUp,
  setupGaps,
  timeZoneChosen,
  updateWorkspaceSettings,
} from '../../src/services/workspaces.js';
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

  it('claims the first-minute setup message once, whichever of two replicas asks first', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    const claims = await Promise.all([claimSetupMessage(ctx, TEAM, 'U0ANA'), claimSetupMessage(ctx, TEAM, 'U0BOB')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimSetupMessage(ctx, TEAM, 'U0CAROL')).toBe(false);
    const rows = await handle.raw("select count(*)::int as n from events where kind = 'setup_started'", []);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('says what setup still lacks until the zone, the channel and an admin are chosen', async () => {
    const { ctx } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    expect(await setupGaps(ctx, await getWorkspace(ctx, TEAM))).toEqual({
      timeZone: true,
      financeChannel: true,
      financeAdmins: true,
    });
    await updateWorkspaceSettings(ctx, TEAM, OPERATOR, {
      timeZone: 'Asia/Kathmandu',
      financeChannel: 'C0FIN',
      financeAdmins: [ALICE.id],
    });
    expect(isSetUp(await setupGaps(ctx, await getWorkspace(ctx, TEAM)))).toBe(true);
  });
});
