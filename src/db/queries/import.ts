// The import's batched reads: every invoice of a file by number and every client by name, a few statements for a
// whole file rather than one per line. Keys are lower case in JavaScript, as the file's reader groups numbers.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../client.js';
import { type ClientRow, clients, type InvoiceRow, invoices } from '../schema.js';

/** Values per statement. */
const PER_QUERY = 5_000;

export interface FindInvoicesByNumbersParams {
  teamId: string;
  numbers: readonly string[];
}

/** The workspace's invoices with these numbers (any case), with their client's name, by lower-case number. */
export async function findInvoicesByNumbers(
  db: DatabaseOrTransaction,
  params: FindInvoicesByNumbersParams,
): Promise<Map<string, { invoice: InvoiceRow; clientName: string }>> {
  const found = new Map<string, { invoice: InvoiceRow; clientName: string }>();
  for (const chunk of chunks(unique(params.numbers))) {
    const rows = await db
      .select({ invoice: invoices, clientName: clients.name })
      .from(invoices)
      .innerJoin(clients, and(eq(clients.teamId, invoices.teamId), eq(clients.id, invoices.clientId)))
      // The unique index on (team_id, lower(number)) answers each.
      .where(and(eq(invoices.teamId, params.teamId), sql`lower(${invoices.number}) in (${lowered(chunk)})`));
    for (const row of rows) found.set(row.invoice.number.toLowerCase(), row);
  }
  return found;
}

export interface FindClientsByNamesParams {
  teamId: string;
  names: readonly string[];
}

/** The workspace's clients with these names (any case), by lower-case name. */
export async function findClientsByNames(
  db: DatabaseOrTransaction,
  params: FindClientsByNamesParams,
): Promise<Map<string, ClientRow>> {
  const found = new Map<string, ClientRow>();
  for (const chunk of chunks(unique(params.names))) {
    const rows = await db
      .select()
      .from(clients)
      // The unique index on (team_id, lower(name)) answers each.
      .where(and(eq(clients.teamId, params.teamId), sql`lower(${clients.name}) in (${lowered(chunk)})`));
    for (const row of rows) found.set(row.name.toLowerCase(), row);
  }
  return found;
}

function unique(values: readonly string[]): string[] {
  return [...new Map(values.map((v) => [v.toLowerCase(), v])).values()];
}

function chunks(values: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < values.length; i += PER_QUERY) out.push(values.slice(i, i + PER_QUERY));
  return out;
}

/**
 * The values lower-cased by the database, from one JSON parameter: a list of 5,000 parameters took PGlite 4 s to
 * read for a 20,000-invoice file, this a fraction of that.
 */
function lowered(values: readonly string[]): SQL {
  return sql`select lower(value) from json_array_elements_text(${JSON.stringify(values)}::json)`;
}
