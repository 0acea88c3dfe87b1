// A workspace's data after the app leaves it: kept RETENTION_DAYS, then erased by itself; erased at once on request
// (the CLI's `workspace delete`); every row of that workspace, in every table, and nothing of another's.
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { events } from '../../src/db/schema.js';
import type { LedgerContext } from '../../src/services/context.js';
import {
  eraseExpiredWorkspaces,
  eraseWorkspace,
  RETENTION_DAYS,
  recordInstallation,
  recordUninstall,
  SLACK_PRINCIPAL,
  WORKSPACE_TABLES,
} from '../../src/services/installations.js';
import { recordPayment } from '../../src/services/invoices.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const A = 'T0AAA';
const B = 'T0BBB';
const DAY = 86_400_000;

async function installedBook(ctx: LedgerContext, teamId: string) {
  const { client } = await workspaceWithClient(ctx, { teamId });
  await recordInstallation(ctx, SLACK_PRINCIPAL, {
    teamId,
    botId: 'B0BOT',
    botUserId: 'U0BOT',
    botTokenEnc: 'v1.sealed',
    botScopes: ['chat:write'],
    installerUserId: 'U0ALICE',
  });
  await invoice(ctx, teamId, client.id, { number: 'INV-1' });
  await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1' });
}

async function rowsOf(ctx: LedgerContext, teamId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of WORKSPACE_TABLES) {
    const result = await ctx.db.execute(
      sql`select count(*)::int as n from ${sql.identifier(table)} where team_id = ${teamId}`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

describeEachDatabase('erasing a workspace', '2026-11-23T15:00:00Z', (get) => {
  it('names every table that holds a team_id, so an erasure leaves nothing behind', async () => {
    const { ctx } = get();
    const result = await ctx.db.execute(
      sql`select table_name as t from information_schema.columns where column_name = 'team_id' and table_schema = current_schema()`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { t: string }[];
    expect(rows.map((r) => r.t).sort()).toEqual([...WORKSPACE_TABLES].sort());
  });

  it('refuses while installed; once uninstalled deletes every row of that workspace and none of another', async () => {
    const { ctx } = get();
    await installedBook(ctx, A);
    await installedBook(ctx, B);
    const before = await rowsOf(ctx, B);
    await expect(eraseWorkspace(ctx, OPERATOR, A)).rejects.toMatchObject({ code: 'STILL_INSTALLED' });

    expect(await recordUninstall(ctx, SLACK_PRINCIPAL, A, 'app_uninstalled')).toBe(true);
    expect(await recordUninstall(ctx, SLACK_PRINCIPAL, A, 'tokens_revoked')).toBe(false); // the second says nothing new
    const deleted = await eraseWorkspace(ctx, OPERATOR, A);
    expect(deleted).toMatchObject({ workspaces: 1, slack_installations: 1, invoices: 1, payments: 1, clients: 1 });
    expect(deleted.events).toBeGreaterThanOrEqual(5); // installed, admin, client, invoice, payment, uninstalled
    expect(Object.values(await rowsOf(ctx, A)).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(ctx, B)).toEqual(before);
    // The other workspace's history is as append-only as ever.
    await expect(get().handle.raw('delete from events where team_id = $1', [B])).rejects.toThrow(/append-only: DELETE/);
    expect((await ctx.db.select().from(events).where(eq(events.teamId, B))).length).toBe(before.events);
  });

  it(`erases by itself ${RETENTION_DAYS} days after the uninstall, not a day sooner`, async () => {
    const { ctx } = get();
    await installedBook(ctx, A);
    await installedBook(ctx, B);
    await recordUninstall(ctx, SLACK_PRINCIPAL, A, 'app_uninstalled');
    ctx.clock.advance((RETENTION_DAYS - 1) * DAY);
    expect(await eraseExpiredWorkspaces(ctx)).toEqual([]);
    ctx.clock.advance(2 * DAY);
    expect(await eraseExpiredWorkspaces(ctx)).toEqual([A]);
    expect((await rowsOf(ctx, A)).workspaces).toBe(0);
    expect((await rowsOf(ctx, B)).workspaces).toBe(1);
  });

  it('does it from the command line: counts without --yes, deletes with it', async () => {
    const { ctx } = get();
    await installedBook(ctx, A);
    await installedBook(ctx, B);
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runCli(argv, {
        out: (l) => lines.push(l),
        open: async () => ({ ctx, close: async () => {} }),
      });
      return { code, text: lines.join('\n') };
    };
    const installed = await cli('workspace', 'delete', '--team', A, '--yes');
    expect(installed).toMatchObject({ code: 1 });
    expect(installed.text).toContain('still installed in T0AAA');
    await recordUninstall(ctx, SLACK_PRINCIPAL, A, 'app_uninstalled');
    const counted = await cli('workspace', 'delete', '--team', A);
    expect(counted.code).toBe(0);
    expect(counted.text).toContain('Nothing was deleted.');
    expect((await rowsOf(ctx, A)).invoices).toBe(1);
    const done = await cli('workspace', 'delete', `--team=${A}`, '--yes');
    expect(done.code).toBe(0);
    expect(done.text).toMatch(/Deleted every row of T0AAA: \d+ rows/);
    expect((await rowsOf(ctx, A)).invoices).toBe(0);
    expect((await rowsOf(ctx, B)).invoices).toBe(1);
    expect((await cli('workspace', 'delete')).code).toBe(2);
  });
});
