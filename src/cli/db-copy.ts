// `npm run db:copy -- --to postgres://…`: moves the whole book to another database — the embedded one to
// PostgreSQL when a team outgrows it (or back, `--to ./folder`) — then checks the copy table by table and says
// what to change in .env. The source is the configured database unless `--from` names another.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, loadEnvFile } from '../config.js';
import { type DatabaseHandle, openDatabase, redact } from '../db/client.js';
import { copyBook } from '../db/copy.js';
import { runScript } from './database.js';

const USAGE = `Usage: npm run db:copy -- --to <postgres://… | folder> [--from <postgres://… | folder>]

Copies every table of the book (events with their ids and times, deliveries, links, webhook cursors) into
an empty database, in one transaction, then checks each table's row count and checksum on both sides.
--from defaults to the configured database (DATABASE_URL, else the embedded one in DATA_DIR).
Stop the bot first: the embedded database belongs to one process at a time.`;

interface Place {
  url?: string;
  dataDir?: string;
  description: string;
}

function place(value: string): Place {
  if (/^postgres(ql)?:\/\//.test(value)) return { url: value, description: `PostgreSQL at ${redact(value)}` };
  return { dataDir: value, description: `the embedded database in ${path.resolve(value)}` };
}

await runScript(async () => {
  const { values } = parseArgs({
    options: { to: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: false,
  });
  if (values.help || !values.to) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  loadEnvFile();
  let from: Place;
  if (values.from) from = place(values.from);
  else {
    const config = loadConfig();
    from = config.DATABASE_URL ? place(config.DATABASE_URL) : place(config.DATA_DIR);
  }
  const to = place(values.to);
  if ((from.url ?? path.resolve(from.dataDir ?? '')) === (to.url ?? path.resolve(to.dataDir ?? ''))) {
    process.stderr.write('--from and --to are the same database.\n');
    return 2;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const source = await openDatabase({ ...from, maxConnections: 2 });
  let target: DatabaseHandle | undefined;
  try {
    target = await openDatabase({ ...to, maxConnections: 2 });
    say(`Copying from ${from.description} to ${to.description}…`);
    const report = await copyBook(source, target, { progress: (table, rows) => say(`  ${table}: ${rows} rows`) });
    for (const t of report.tables.filter((x) => !x.matches)) {
      say(`  ${t.table}: ${t.rows} rows here, ${t.targetRows} there, checksums ${t.checksum} and ${t.targetChecksum}`);
    }
    if (!report.ok) {
      say('The copy does not match its source (above). Nothing in the source was changed.');
      return 1;
    }
    const rows = report.tables.reduce((n, t) => n + t.rows, 0);
    say(
      `Checked: ${report.tables.length} tables, ${rows} rows, each table's count and checksum the same on both sides.`,
    );
    say(
      to.url
        ? `Now set DATABASE_URL=${redact(to.url)} in .env (with its password) and start the bot. Keep ${from.description} until you are sure.`
        : `Now remove DATABASE_URL from .env and set DATA_DIR=${to.dataDir}, then start the bot.`,
    );
    return 0;
  } finally {
    await target?.close();
    await source.close();
  }
});
