// The scheduled weekly digest: once per workspace and week, at its day and time (src/slack/digest.ts renders it).
import type { WorkspaceRow } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';
import { queueDigest } from '../slack/digest.js';
import { planDigest } from './plan.js';

/** The scheduled digest: at the workspace's digest day and time, or at the first tick after it. */
export async function recordDigest(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<number> {
  const plan = planDigest(workspace, now);
  if (!plan) return 0;
  return queueDigest(ledger, workspace, now, plan.key, `Week of ${plan.date}`);
}
