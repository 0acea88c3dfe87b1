// Many rows into one table in a few statements: each chunk goes as one JSON parameter, expanded by the server
// (json_populate_recordset over the table's own row type), so the statement is short and the same for every size.
// A multi-row VALUES list sends a parameter per cell instead, which PGlite in particular parses slowly (measured:
// 10,000 rows of the import took 11 s as VALUES lists and under 1 s this way on PGlite, npm run bench -- --suite import).
import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DatabaseOrTransaction } from './client.js';

/** Rows per statement: a few MB of JSON at most. */
const ROWS_PER_STATEMENT = 5_000;

/**
 * Inserts rows (drizzle's insert shape: property names, bigint, Date, objects for jsonb) into the table. Columns a row
 * leaves out take their defaults only when every row leaves them out; give the same keys in every row.
 */
export async function insertMany<T extends PgTable>(
  db: DatabaseOrTransaction,
  table: T,
  rows: readonly T['$inferInsert'][],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) =>
    rows.some((row) => (row as Record<string, unknown>)[key] !== undefined),
  );
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  const tableName = sql.identifier(getTableName(table));
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, column] of columns) out[column.name] = plain((row as Record<string, unknown>)[key]);
      return out;
    });
    const query: SQL = sql`insert into ${tableName} (${names}) select ${names} from json_populate_recordset(null::${tableName}, ${JSON.stringify(chunk)}::json)`;
    await db.execute(query);
  }
}

/** A value as JSON gives it to PostgreSQL: bigint as its digits, a Date as its ISO instant. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}
