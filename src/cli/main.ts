// `npm run cli -- <command>`: the ledger in a terminal. See run.ts for the commands.
import { systemClock } from '../services/context.js';
import { openConfiguredDatabase, runScript } from './database.js';
import { runCli } from './run.js';
import { styleFor } from './table.js';

// `npm run cli -- overview | head` closes the pipe early: stop writing quietly, still close the database.
let readerGone = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  readerGone = true;
});

await runScript(() =>
  runCli(process.argv.slice(2), {
    out: (line) => {
      if (!readerGone) process.stdout.write(`${line}\n`);
    },
    style: styleFor(process.stdout),
    open: async () => {
      const { handle, config } = await openConfiguredDatabase();
      const ctx = { db: handle.db, clock: systemClock, webhookNetworks: config.WEBHOOK_ALLOW_NETWORKS };
      return { ctx, close: () => handle.close() };
    },
  }),
);
