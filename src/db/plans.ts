// When each workspace is next planned (workspace_plans, migration 0018): the scheduler's tick reads only the
// workspaces whose time has come, so it costs in proportion to them, not to every workspace in the database.
import { sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from './client.js';
import type { WorkspaceRow } from './schema.js';

export interface DuePlan {
  workspace: WorkspaceRow;
  /** The planning row's version as read (xmin): the next time is written only if nothing changed it since. */
  seen: string;
}

/**
 * The workspaces to plan at `now`: those whose next planning time has come, and those a change asked for (their
 * settings or any of their invoices: the requests the triggers append, taken here in the same statement that makes
 * their planning due, so a request is never lost between the two; the row is rewritten even when already due, so a
 * run under way elsewhere sees it changed). Soonest first, at most `limit`.
 */
export async function takeDuePlans(db: DatabaseOrTransaction, now: Date, limit = 10_000): Promise<DuePlan[]> {
  await queryRows(
    db,
    sql`with taken as (delete from workspace_plan_requests returning team_id)
        update workspace_plans p set next_plan_at = '-infinity'
        where p.team_id in (select team_id from taken)`,
  );
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select p.xmin::text as seen, w.team_id from workspace_plans p
        join workspaces w on w.team_id = p.team_id
        where p.next_plan_at <= ${now.toISOString()}::timestamptz
        order by p.next_plan_at, p.team_id
        limit ${limit}`,
  );
  if (rows.length === 0) return [];
  const seen = new Map(rows.map((r) => [String(r.team_id), String(r.seen)]));
  const workspaces = await db.query.workspaces.findMany({
    where: (w, { inArray }) => inArray(w.teamId, [...seen.keys()]),
  });
  const byTeam = new Map(workspaces.map((w) => [w.teamId, w]));
  return rows.flatMap((r) => {
    const workspace = byTeam.get(String(r.team_id));
    return workspace ? [{ workspace, seen: String(r.seen) }] : [];
  });
}

/**
 * Writes when the workspace is next planned, unless its planning row changed since it was read (a change asked
 * for a new plan meanwhile): then it stays due, for the next tick. Returns whether it was written.
 */
export async function setNextPlan(
  db: DatabaseOrTransaction,
  plan: { teamId: string; seen: string },
  next: Date,
): Promise<boolean> {
  const rows = await queryRows<{ team_id: string }>(
    db,
    sql`update workspace_plans set next_plan_at = ${next.toISOString()}::timestamptz
        where team_id = ${plan.teamId} and xmin::text = ${plan.seen}
        returning team_id`,
  );
  return rows.length > 0;
}
