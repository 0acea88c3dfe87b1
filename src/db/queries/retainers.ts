// Reads of retainers: a workspace's (or one client's) with how many invoices each has made and its last occurrence.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../client.js';
import { clients, type RetainerRow, retainerRuns, retainers, type WorkspaceRow, workspaces } from '../schema.js';

export interface RetainerListRow {
  retainer: RetainerRow;
  clientName: string;
  /** Invoices made so far (what the count counts). */
  made: number;
  /** The latest occurrence made, if any. */
  lastOccurrence: string | null;
}

export interface GetRetainersParams {
  teamId: string;
  /** Only this client's. */
  clientId?: string;
  /** Only these states (all when absent). */
  statuses?: readonly RetainerRow['status'][];
  /** Only this one (by id). */
  id?: string;
}

export async function getRetainers(db: DatabaseOrTransaction, params: GetRetainersParams): Promise<RetainerListRow[]> {
  const filters = [
    // every query is scoped by the workspace
    eq(retainers.teamId, params.teamId),
    // one client's, for the client record
    params.clientId ? eq(retainers.clientId, params.clientId) : undefined,
    // the planner reads the active ones only
    params.statuses
      ? sql`${retainers.status} in (${sql.join(
          params.statuses.map((s) => sql`${s}`),
          sql`, `,
        )})`
      : undefined,
    params.id ? eq(retainers.id, params.id) : undefined,
  ];
  const rows = await db
    .select({
      retainer: retainers,
      clientName: clients.name,
      made: sql<number>`(select count(*)::int from ${retainerRuns} r
                          where r.team_id = ${retainers.teamId} and r.retainer_id = ${retainers.id})`,
      lastOccurrence: sql<string | null>`(select max(r.occurrence_date)::text from ${retainerRuns} r
                          where r.team_id = ${retainers.teamId} and r.retainer_id = ${retainers.id})`,
    })
    .from(retainers)
    .innerJoin(clients, and(eq(clients.teamId, retainers.teamId), eq(clients.id, retainers.clientId)))
    .where(and(...filters))
    .orderBy(asc(sql`lower(${clients.name})`), asc(retainers.createdAt), asc(retainers.id));
  return rows.map((r) => ({ ...r, made: Number(r.made) }));
}

/** The invoices a retainer made, by occurrence (oldest first). */
export async function getRetainerRuns(
  db: DatabaseOrTransaction,
  params: { teamId: string; retainerId: string },
): Promise<{ occurrenceDate: string; invoiceId: string; createdOn: string }[]> {
  return db
    .select({
      occurrenceDate: retainerRuns.occurrenceDate,
      invoiceId: retainerRuns.invoiceId,
      createdOn: retainerRuns.createdOn,
    })
    .from(retainerRuns)
    .where(and(eq(retainerRuns.teamId, params.teamId), eq(retainerRuns.retainerId, params.retainerId)))
    .orderBy(asc(retainerRuns.occurrenceDate));
}

/**
 * The workspaces with a running retainer: the scheduler's tick makes their due invoices, and reads no other
 * workspace for it (the partial index retainers_active_idx), so a tick costs in proportion to them.
 */
export async function workspacesWithActiveRetainers(db: DatabaseOrTransaction): Promise<WorkspaceRow[]> {
  return db
    .select()
    .from(workspaces)
    .where(
      sql`${workspaces.teamId} in (select distinct ${retainers.teamId} from ${retainers} where ${retainers.status} = 'active')`,
    )
    .orderBy(asc(workspaces.teamId));
}
