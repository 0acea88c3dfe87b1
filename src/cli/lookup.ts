// Finding what a person typed: a client by name, an invoice by number, with "did you mean" when it is close.
import { asc, eq } from 'drizzle-orm';
import { findInvoiceRow } from '../db/queries/invoices.js';
import { clients, invoices, type WorkspaceRow } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';

// Characters people mistake for each other when reading a number off a page cost half a typo. A different
// digit is a different invoice, not a typo: INV-009 is no suggestion for INV-999.
const LOOKALIKES = new Set(['o0', '0o', 'l1', '1l', 'i1', '1i']);
const isDigit = (c: string) => c >= '0' && c <= '9';
const indel = (c: string) => (isDigit(c) ? 1.5 : 1);

function substitution(x: string, y: string): number {
  if (x === y) return 0;
  if (LOOKALIKES.has(x + y)) return 0.5;
  return isDigit(x) && isDigit(y) ? 3 : 1;
}

/** Edit distance, case-insensitive, weighted for what people mistype (see above). */
export function editDistance(a: string, b: string): number {
  const s = [...a.toLowerCase()];
  const t = [...b.toLowerCase()];
  let previous = [0];
  for (let j = 1; j <= t.length; j++) previous[j] = (previous[j - 1] ?? 0) + indel(t[j - 1] ?? '');
  for (let i = 1; i <= s.length; i++) {
    const x = s[i - 1] ?? '';
    const current = [(previous[0] ?? 0) + indel(x)];
    for (let j = 1; j <= t.length; j++) {
      const y = t[j - 1] ?? '';
      current[j] = Math.min(
        (previous[j] ?? 0) + indel(x),
        (current[j - 1] ?? 0) + indel(y),
        (previous[j - 1] ?? 0) + substitution(x, y),
      );
    }
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/** A number as written without its punctuation and padding: 'INV-007' and 'inv 7' both read 'inv7'. */
function bare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/(^|[^0-9])0+(?=[0-9])/g, '$1');
}

/**
 * The candidates close to `typed`, best first (at most `max`): the same once punctuation and zero padding
 * are ignored, a few typos away from the whole name or from its start, or starting one of its words.
 */
export function suggest(typed: string, candidates: readonly string[], max = 3): string[] {
  const query = typed.trim().toLowerCase();
  if (query === '') return [];
  const allowed = Math.max(1, Math.floor(query.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const whole = editDistance(query, lower);
    const start = editDistance(query, lower.slice(0, query.length)) + 0.5;
    const word = lower.split(/[\s&,.-]+/).some((w) => w.length > 0 && w.startsWith(query))
      ? 1
      : Number.POSITIVE_INFINITY;
    const same = bare(query) !== '' && bare(query) === bare(lower) ? 0.25 : Number.POSITIVE_INFINITY;
    const score = Math.min(same, whole, start, word);
    if (score <= allowed) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  // Only the closest: INV-0O2 suggests INV-002, not every number one typo away.
  const best = scored[0]?.score ?? 0;
  return scored
    .filter((s) => s.score <= best)
    .slice(0, max)
    .map((s) => s.name);
}

/** 'A', 'A or B', 'A, B or C'. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

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
  const all = await ctx.db
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(eq(clients.teamId, workspace.teamId))
    .orderBy(asc(clients.name));
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
  const numbers = await ctx.db
    .select({ number: invoices.number })
    .from(invoices)
    .where(eq(invoices.teamId, workspace.teamId))
    .orderBy(asc(invoices.number));
  const close = suggest(
    typed,
    numbers.map((n) => n.number),
  );
  const base = `There is no invoice ${typed} in ${workspace.name}.`;
  if (close.length > 0) return { message: `${base} Did you mean ${orList(close)}?` };
  return { message: `${base} The overview lists them: npm run cli -- overview` };
}

function quote(name: string): string {
  return `"${name}"`;
}
