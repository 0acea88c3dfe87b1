// `npm run db:seed`: puts the demo book into the configured database, dated around today.

import { STATE_LABEL } from '../domain/status.js';
import { systemClock } from '../services/context.js';
import { openConfiguredDatabase, runScript } from './database.js';
import { seedDemoBook } from './seed.js';

const ORDER = ['overdue', 'due', 'sent', 'draft', 'paid', 'void'] as const;

await runScript(async () => {
  const { handle, description } = await openConfiguredDatabase();
  try {
    const result = await seedDemoBook({ db: handle.db, clock: systemClock });
    const states = ORDER.map((state) => `${result.byState[state]} ${STATE_LABEL[state].toLowerCase()}`).join(', ');
    const where = `${result.workspaceName} (${result.teamId}) in ${description}`;
    const say = (line: string) => process.stdout.write(`${line}\n`);
    if (result.seeded) {
      say(`Seeded ${where}: ${result.clients} clients, ${result.invoices} invoices dated around ${result.today}.`);
    } else {
      say(`${where} already has ${result.invoices} invoices; nothing was added.`);
    }
    say(`By state today: ${states}.`);
    say('See it with: npm run cli -- overview');
    return 0;
  } finally {
    await handle.close();
  }
});
