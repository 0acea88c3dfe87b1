// What the interfaces look up by what a person typed, and the counts they report: a workspace's client names and
// invoice numbers (for "did you mean"), every workspace, how many rows a workspace has, migrations applied.
import { asc, count, eq, sql } from 'drizzle-orm';
import type { DatabaseHandle, DatabaseOrTransaction } from '../client.js';
import { clients, invoices, type WorkspaceRow, workspaces } from '../schema.js';

/** The workspace's clients, by name. */
export async function getClientNames(
  db: DatabaseOrTransaction,
  params: { teamId: string },
): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(eq(clients.teamId, params.teamId))
    .orderBy(asc(clients.name));
}

/** The workspace's invoice numbers, in order. */
export async function getInvoiceNumbers(db: DatabaseOrTransaction, params: { teamId: string }): Promise<string[]> {
  const rows = await db
    .select({ number: invoices.number })
    .from(invoices)
    .where(eq(invoices.teamId, params.teamId))
    .orderBy(asc(invoices.number));
  return rows.map((row) => row.number);
}

/** Every workspace in this database by name, or the one with this team id. */
export async function getWorkspaces(
  db: DatabaseOrTransaction,
  params: { teamId?: string } = {},
): Promise<WorkspaceRow[]> {
  return db
    .select()
    .from(workspaces)
    .where(params.teamId === undefined ? undefined : eq(workspaces.teamId, params.teamId))
    .orderBy(asc(workspaces.name), asc(workspaces.teamId));
}

/** How many clients the workspace has, and its invoices' ids. */
export async function getBookSize(
  db: DatabaseOrTransaction,
  params: { teamId: string },
): Promise<{ clients: number; invoiceIds: string[] }> {
  const [clientCount] = await db.select({ n: count() }).from(clients).where(eq(clients.teamId, params.teamId));
  const ids = await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.teamId, params.teamId));
  return { clients: clientCount?.n ?? 0, invoiceIds: ids.map((row) => row.id) };
}

/** How many invoices the workspace has. */
export async function countInvoices(db: DatabaseOrTransaction, params: { teamId: string }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(invoices).where(eq(invoices.teamId, params.teamId));
  return row?.n ?? 0;
}

/** How many rows of the workspace each of these tables holds. */
export async function countWorkspaceRows(
  db: DatabaseOrTransaction,
  params: { teamId: string; tables: readonly string[] },
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of params.tables) {
    const result = await db.execute(
      sql`select count(*)::int as n from ${sql.identifier(table)} where team_id = ${params.teamId}`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/** Migrations drizzle has recorded; none before the first run (its table does not exist yet). */
export async function countAppliedMigrations(handle: DatabaseHandle): Promise<number> {
  try {
    const [row] = await handle.raw('select count(*)::int as n from drizzle.__drizzle_migrations', []);
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  }
}
