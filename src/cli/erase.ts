// `workspace delete --team T… --yes`: a workspace's data deleted on request, every row of it in every table and
// nothing of any other workspace (services/installations.ts eraseWorkspace). Without --yes it only counts. Refused
// while the app is still installed there. Exit codes as elsewhere in the CLI: 0 done, 1 refused, 2 used wrongly.
import { countWorkspaceRows } from '../db/queries/lookups.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError } from '../services/errors.js';
import { eraseWorkspace, RETENTION_DAYS, WORKSPACE_TABLES } from '../services/installations.js';
import { operatorPrincipal } from '../services/policy.js';
import type { Out } from './commands.js';

export const WORKSPACE_DELETE_USAGE = 'workspace delete --team T0123ABCD [--yes]';

/** Deletes (with `yes`) or counts (without) every row of the workspace `teamId`. */
export async function workspaceDelete(
  ctx: LedgerContext,
  teamId: string | undefined,
  yes: boolean,
  out: Out,
): Promise<number> {
  if (!teamId || !/^[TE][A-Z0-9]{2,}$/.test(teamId)) {
    out('Delete which workspace? Give its Slack team id with --team T0123ABCD.');
    out(`Usage: npm run cli -- ${WORKSPACE_DELETE_USAGE}`);
    return 2;
  }
  if (!yes) {
    const counts = await countRows(ctx, teamId);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total === 0) {
      out(`No data of ${teamId} is kept here: there is nothing to delete.`);
      return 1;
    }
    out(`${teamId} has ${total} rows here:`);
    for (const [table, n] of Object.entries(counts)) if (n > 0) out(`  ${table}: ${n}`);
    out(`Nothing was deleted. To delete them all, for good: npm run cli -- workspace delete --team ${teamId} --yes`);
    out(`(Left alone, a workspace's data is deleted ${RETENTION_DAYS} days after the app is uninstalled there.)`);
    return 0;
  }
  try {
    const deleted = await eraseWorkspace(ctx, operatorPrincipal('cli'), teamId);
    const total = Object.values(deleted).reduce((a, b) => a + b, 0);
    out(`Deleted every row of ${teamId}: ${total} rows.`);
    for (const [table, n] of Object.entries(deleted)) if (n > 0) out(`  ${table}: ${n}`);
    return 0;
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    out(error.message);
    return 1;
  }
}

function countRows(ctx: LedgerContext, teamId: string): Promise<Record<string, number>> {
  return countWorkspaceRows(ctx.db, { teamId, tables: WORKSPACE_TABLES });
}
