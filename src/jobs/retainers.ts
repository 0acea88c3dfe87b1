// The retainers' part of every tick: each workspace's occurrences due by today (in its time zone) are made, once,
// with the owner's notice decided in the same transaction and posted by the deliveries like every alert.
import type { WorkspaceRow } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';
import { type MadeInvoice, makeDueRetainerInvoices } from '../services/retainers.js';

export function recordRetainers(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<MadeInvoice[]> {
  return makeDueRetainerInvoices(ledger, workspace, now);
}
