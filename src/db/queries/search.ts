// Look-ups for forms and "did you mean": client type-ahead, invoice-number suggestions.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../client.js';
import { clients, invoices } from '../schema.js';

/** Clients whose name contains the query (any case), names starting with it first. */
export async function searchClients(
  db: DatabaseOrTransaction,
  params: { teamId: string; query: string; limit?: number },
): Promise<{ id: string; name: string }[]> {
  const q = params.query
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`);
  return db
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(
      and(eq(clients.teamId, params.teamId), eq(clients.archived, false), sql`lower(${clients.name}) like ${`%${q}%`}`),
    )
    .orderBy(sql`lower(${clients.name}) like ${`${q}%`} desc`, asc(sql`lower(${clients.name})`))
    .limit(params.limit ?? 50);
}

/** Candidate invoice numbers to suggest for one that does not exist: the same prefix, most recent first. */
export async function invoiceNumbersLike(
  db: DatabaseOrTransaction,
  params: { teamId: string; text: string; limit?: number },
): Promise<string[]> {
  const prefix = params.text
    .trim()
    .toLowerCase()
    .slice(0, 2)
    .replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .select({ number: invoices.number })
    .from(invoices)
    .where(and(eq(invoices.teamId, params.teamId), sql`lower(${invoices.number}) like ${`${prefix}%`}`))
    .orderBy(desc(invoices.createdAt))
    .limit(params.limit ?? 2000);
  return rows.map((r) => r.number);
}

export async function clientNames(db: DatabaseOrTransaction, teamId: string): Promise<string[]> {
  const rows = await db.select({ name: clients.name }).from(clients).where(eq(clients.teamId, teamId)).limit(5000);
  return rows.map((r) => r.name);
}

/** The next invoice number after the most recent one: INV-0041 → INV-0042; INV-0001 for the first. */
export async function suggestInvoiceNumber(db: DatabaseOrTransaction, teamId: string): Promise<string> {
  const [latest] = await db
    .select({ number: invoices.number })
    .from(invoices)
    .where(eq(invoices.teamId, teamId))
    .orderBy(desc(invoices.createdAt), desc(invoices.number))
    .limit(1);
  if (!latest) return 'INV-0001';
  const match = /^(.*?)(\d+)(\D*)$/.exec(latest.number);
  if (!match) return `${latest.number}-2`;
  const [, head = '', digits = '', tail = ''] = match;
  const next = (BigInt(digits) + 1n).toString().padStart(digits.length, '0');
  const candidate = `${head}${next}${tail}`;
  const [taken] = await db
    .select({ number: invoices.number })
    .from(invoices)
    .where(and(eq(invoices.teamId, teamId), sql`lower(${invoices.number}) = lower(${candidate})`));
  return taken ? `${candidate}-2` : candidate;
}
