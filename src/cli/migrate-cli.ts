// `npm run db:migrate`: brings the configured database (DATABASE_URL, else PGlite in DATA_DIR) up to date.

import { type DatabaseHandle, runMigrations } from '../db/client.js';
import { openConfiguredDatabase, runScript } from './database.js';

await runScript(async () => {
  const { handle, description } = await openConfiguredDatabase({ migrate: false });
  try {
    const before = await appliedCount(handle);
    await runMigrations(handle);
    const applied = (await appliedCount(handle)) - before;
    const what = applied === 0 ? 'nothing to apply' : `applied ${applied} migration${applied === 1 ? '' : 's'}`;
    process.stdout.write(`${capitalize(description)} is up to date (${what}).\n`);
    return 0;
  } finally {
    await handle.close();
  }
});

/** Migrations drizzle has recorded; none before the first run (its table does not exist yet). */
async function appliedCount(handle: DatabaseHandle): Promise<number> {
  try {
    const [row] = await handle.raw('select count(*)::int as n from drizzle.__drizzle_migrations', []);
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
