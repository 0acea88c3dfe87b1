// `npm run db:migrate`: brings the configured database (DATABASE_URL, else PGlite in DATA_DIR) up to date.

import { runMigrations } from '../db/client.js';
import { countAppliedMigrations } from '../db/queries/lookups.js';
import { openConfiguredDatabase, runScript } from './database.js';

await runScript(async () => {
  const { handle, description } = await openConfiguredDatabase({ migrate: false });
  try {
    const before = await countAppliedMigrations(handle);
    await runMigrations(handle);
    const applied = (await countAppliedMigrations(handle)) - before;
    const what = applied === 0 ? 'nothing to apply' : `applied ${applied} migration${applied === 1 ? '' : 's'}`;
    process.stdout.write(`${capitalize(description)} is up to date (${what}).\n`);
    return 0;
  } finally {
    await handle.close();
  }
});

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
