// Who is asking, for the Slack layer: the principal of a Slack user, resolved once per request from the workspace's
// settings and (within a bound) the finance user group's membership.
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../db/schema.js';
import { type Principal, slackPrincipal } from '../services/policy.js';
import type { SlackDeps } from './deps.js';

/**
 * How long a finance user group's membership is trusted: a person removed from the group loses the finance
 * admin's rights within this bound (per replica), for every action, money included. usergroups.users.list is
 * Slack's tier 2 (20+ calls a minute per workspace): one call per group per replica per 30 s stays far below it.
 */
export const GROUP_TTL_MS = 30_000;

type GroupCache = Map<string, { at: number; users: Promise<readonly string[]> }>;
/** One cache per running app (its deps), timed by the ledger's clock, so tests move time instead of sleeping. */
const groupCaches = new WeakMap<SlackDeps, GroupCache>();

/** The members of a user group, from Slack at most GROUP_TTL_MS ago; concurrent lookups share one call. */
export async function groupMembers(
  deps: SlackDeps,
  client: WebClient,
  teamId: string,
  group: string,
): Promise<readonly string[]> {
  const cache = groupCaches.get(deps) ?? new Map();
  groupCaches.set(deps, cache);
  const now = deps.ledger.clock.now().getTime();
  const key = `${teamId}/${group}`;
  const hit = cache.get(key);
  // A clock that went back (a test's, or a corrected one) trusts nothing it cached "in the future".
  if (hit && now >= hit.at && now - hit.at <= GROUP_TTL_MS) return hit.users;
  const entry = {
    at: now,
    users: client.usergroups.users.list({ usergroup: group }).then((result) => result.users ?? []),
  };
  cache.set(key, entry);
  // A failed lookup is not remembered: the next request asks again (and is refused meanwhile).
  entry.users.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return entry.users;
}

/**
 * Who is asking, resolved once per request: a finance admin when named in settings or (checked within
 * GROUP_TTL_MS) in the finance user group; otherwise a member. The services decide what the principal may do.
 */
export async function principalOf(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
): Promise<Principal> {
  const group = workspace.financeAdminGroup;
  if (workspace.financeAdmins.includes(userId) || !group) return slackPrincipal(workspace, userId);
  let members: readonly string[];
  try {
    members = await groupMembers(deps, client, workspace.teamId, group);
  } catch (error) {
    // Slack would not say who is in the group: a member's rights only, until it does.
    deps.logger.warn(`Could not read the finance user group ${group}; treating ${userId} as a member:`, error);
    members = [];
  }
  return slackPrincipal(workspace, userId, members.includes(userId) ? [group] : []);
}

/**
 * Whether the person is a finance admin: for the interface's early refusals only (not opening a form the
 * person could not submit). The services check again, and decide.
 */
export async function mayHandle(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
): Promise<boolean> {
  return (await principalOf(deps, client, workspace, userId)).role === 'finance_admin';
}
