// Finding what a person typed: a client by name, an invoice by number, with "did you mean" when it is close.
import { findInvoiceRow } from '../db/queries/invoices.js';
import { getClientNames, getInvoiceNumbers } from '../db/queries/lookups.js';
import type { WorkspaceRow } from '../db/schema.js';
import { orList, suggest } from '../domain/suggest.js';
import type { LedgerContext } from '../services/context.js';

export type Lookup<T> = { found: T } | { found?: undefined; message: string };

/**
 * A client by its name in any case, or by the start of it when only one name starts that way
 * ('northwind' for Northwind Traders). Otherwise a message naming the close matches.
 */
export async function lookUpClient(
  ctx: LedgerContext,
  workspace: WorkspaceRow,
  typed: string,
): Promise<Lookup<{ id: string; name: string }>> {
  const all = await getClientNames(ctx.db, { teamId: workspace.teamId });
  const query = typed.trim().toLowerCase();
  const exact = all.find((c) => c.name.toLowerCase() === query);
  if (exact) return { found: exact };
  const starting = all.filter((c) => c.name.toLowerCase().startsWith(query));
  if (starting.length === 1 && starting[0]) return { found: starting[0] };
  const close =
    starting.length > 1
      ? starting.map((c) => c.name)
      : suggest(
          typed,
          all.map((c) => c.name),
        );
  const where = `in ${workspace.name}`;
  if (close.length > 0) {
    return { message: `There is no client "${typed}" ${where}. Did you mean ${orList(close.map(quote))}?` };
  }
  if (all.length === 0) return { message: `There are no clients ${where} yet.` };
  const names = all.length <= 20 ? ` Clients: ${all.map((c) => c.name).join(', ')}.` : '';
  return { message: `There is no client "${typed}" ${where}.${names}` };
}

/** An invoice by its number in any case (or its id); otherwise a message naming the close numbers. */
export async function lookUpInvoice(
  ctx: LedgerContext,
  workspace: WorkspaceRow,
  typed: string,
): Promise<Lookup<{ id: string; number: string; currency: string; clientName: string }>> {
  const row = await findInvoiceRow(ctx.db, { teamId: workspace.teamId, idOrNumber: typed });
  if (row) {
    const { id, number, currency } = row.invoice;
    return { found: { id, number, currency, clientName: row.clientName } };
  }
  const close = suggest(typed, await getInvoiceNumbers(ctx.db, { teamId: workspace.teamId }));
  const base = `There is no invoice ${typed} in ${workspace.name}.`;
  if (close.length > 0) return { message: `${base} Did you mean ${orList(close)}?` };
  return { message: `${base} The overview lists them: npm run cli -- overview` };
}

function quote(name: string): string {
  return `"${name}"`;
}
