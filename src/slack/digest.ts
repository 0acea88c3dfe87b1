// The weekly digest as Slack messages, decided once per key: its parent and thread replies are rendered when
// decided and stored with the decision, so every replica posts the same messages, once. The jobs decide the
// scheduled one (src/jobs/digest.ts); "post the digest now" and the CLI's preview use these too.

import { decide, findDelivery, lastDigestAt } from '../db/deliveries.js';
import { getDigestData } from '../db/queries/digest.js';
import { getNumbersData } from '../db/queries/numbers.js';
import type { WorkspaceRow } from '../db/schema.js';
import { todayIn } from '../domain/dates.js';
import { type DigestSummary, summariseDigest } from '../domain/digest.js';
import { computeNumbers } from '../domain/numbers.js';
import type { LedgerContext } from '../services/context.js';
import { type DigestMessages, digestMessages } from './ui/digest.js';

const WEEK_MS = 7 * 86_400_000;

/** The digest's content as of now: what changed since the last one that went out (or the last seven days). */
export async function digestSummary(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<DigestSummary> {
  const today = todayIn(workspace.timeZone, now);
  const since = (await lastDigestAt(ledger.db, workspace.teamId)) ?? new Date(now.getTime() - WEEK_MS);
  const data = await getDigestData(ledger.db, { workspace, today, now, since });
  const numbers = computeNumbers(await getNumbersData(ledger.db, { workspace, today }));
  return { ...summariseDigest(data, { today, timeZone: workspace.timeZone }), numbers };
}

export async function buildDigest(
  ledger: LedgerContext,
  workspace: WorkspaceRow,
  now: Date,
  weekLabel: string,
): Promise<DigestMessages> {
  const summary = await digestSummary(ledger, workspace, now);
  return digestMessages(summary, { today: summary.today, timeZone: workspace.timeZone, weekLabel });
}

/** Decides the digest under `key` (parent, then its replies in order). Returns how many messages it queued. */
export async function queueDigest(
  ledger: LedgerContext,
  workspace: WorkspaceRow,
  now: Date,
  key: string,
  weekLabel: string,
): Promise<number> {
  if (!workspace.financeChannel) return 0;
  const channelId = workspace.financeChannel;
  if (await findDelivery(ledger.db, workspace.teamId, key)) return 0;
  const { parent, replies } = await buildDigest(ledger, workspace, now, weekLabel);
  const localDate = todayIn(workspace.timeZone, now);
  return ledger.db.transaction(async (tx) => {
    // Another replica deciding the same digest waits on this key, then finds it taken and adds nothing.
    const taken = await decide(
      tx,
      [{ teamId: workspace.teamId, key, kind: 'digest', localDate, channelId, payload: { ...parent } }],
      now,
    );
    if (taken === 0) return 0;
    await decide(
      tx,
      replies.map((reply, i) => ({
        teamId: workspace.teamId,
        key: `${key}:reply:${String(i + 1).padStart(4, '0')}`,
        kind: 'digest_reply' as const,
        localDate,
        channelId,
        parentKey: key,
        payload: { ...reply },
      })),
      now,
    );
    return 1 + replies.length;
  });
}
