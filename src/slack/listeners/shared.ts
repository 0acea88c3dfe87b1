// What every listener does the same way: find the workspace, check who may act, explain failures.
import { randomUUID } from 'node:crypto';
import type { WorkspaceRow } from '../../db/schema.js';
import { isLedgerError } from '../../services/errors.js';
import { ensureWorkspace } from '../../services/workspaces.js';
import type { SlackDeps } from '../deps.js';
import type { ModalMetadata } from '../ui/ids.js';

export { GROUP_TTL_MS, groupMembers, mayHandle, principalOf } from '../principal.js';

export function newKey(): string {
  return randomUUID();
}

/**
 * A modal's metadata. Without a key of its own (a form we did not make), the submission's key is the view's id:
 * Slack submits a modal once, so a replayed submission still records once.
 */
export function readMetadata(raw: string | undefined, viewId?: string): ModalMetadata {
  const fallback = viewId ? `view:${viewId}` : newKey();
  try {
    const parsed = JSON.parse(raw ?? '{}') as Partial<ModalMetadata>;
    return { ...parsed, key: typeof parsed.key === 'string' ? parsed.key : fallback };
  } catch {
    return { key: fallback };
  }
}

/** The workspace the request came from; created with defaults on first contact. */
export function workspaceOf(deps: SlackDeps, teamId: string, teamName?: string): Promise<WorkspaceRow> {
  return ensureWorkspace(deps.ledger, { teamId, name: teamName || teamId });
}

/**
 * A person from another organisation (a shared channel) acts as a member of their own workspace, not
 * of the one whose card they are looking at: they may do nothing here.
 */
export function isForeignUser(body: { team?: { id?: string } | null; user?: { team_id?: string } }): boolean {
  const team = body.team?.id;
  const userTeam = body.user?.team_id;
  return Boolean(team && userTeam && team !== userTeam);
}

/** Words for a person: a ledger refusal as it is, anything else as our failure with nothing recorded. */
export function explain(deps: SlackDeps, error: unknown, doing: string): string {
  if (isLedgerError(error)) return error.message;
  deps.logger.error(`Failed while ${doing}:`, error);
  return `Something went wrong on our side while ${doing}, and nothing was recorded. Please try again in a minute.`;
}
