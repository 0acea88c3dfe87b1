// `totals check` and `totals rebuild`: the running totals the overview and aging read, against a full recount
// of the invoices (src/db/totals.ts). One workspace, or every one with --all.
import { checkTotals, rebuildTotals } from '../db/totals.js';
import type { LedgerContext } from '../services/context.js';
import type { Out } from './commands.js';

const USAGE = 'totals check|rebuild [--all]';

/** Runs the command for one workspace (`teamId`) or, when undefined, for all. */
export async function totalsCommand(
  ctx: LedgerContext,
  teamId: string | undefined,
  args: readonly string[],
  out: Out,
): Promise<number> {
  const [action, ...rest] = args.filter((a) => a !== '--all');
  const scope = teamId === undefined ? 'every workspace' : teamId;
  if (rest.length > 0) return usage(out, `Too many arguments: ${args.join(' ')}`);
  if (action === 'check') {
    const { rows, differences } = await checkTotals(ctx.db, teamId);
    if (differences.length === 0) {
      out(`The running totals of ${scope} equal a full recount (${rows} rows).`);
      return 0;
    }
    out(`${differences.length} of ${rows} running totals of ${scope} differ from a recount of the invoices:`);
    for (const d of differences.slice(0, 50)) {
      out(
        `  ${d.teamId} ${d.kind} ${d.currency} ${d.day}: stored ${d.stored.count} / ${d.stored.totalMinor} / ` +
          `${d.stored.dueMinor}, counted ${d.counted.count} / ${d.counted.totalMinor} / ${d.counted.dueMinor}`,
      );
    }
    if (differences.length > 50) out(`  … and ${differences.length - 50} more`);
    out('Run `npm run cli -- totals rebuild` to rewrite them from the invoices.');
    return 1;
  }
  if (action === 'rebuild') {
    const started = performance.now();
    const { rows, removed } = await rebuildTotals(ctx.db, teamId);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out(
      `Rebuilt the running totals of ${scope}: ${removed} rows removed, ${rows} written from the invoices (${seconds} s).`,
    );
    return 0;
  }
  return usage(out, action === undefined ? 'totals needs check or rebuild.' : `Unknown totals action "${action}".`);
}

function usage(out: Out, why: string): number {
  out(why);
  out(`Usage: npm run cli -- ${USAGE}`);
  return 2;
}
