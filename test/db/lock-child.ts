// A process that takes the embedded database's lock the way the app does, for lock-process.test.ts.
//   lock-child.ts DIR crash  opens the database (openDatabase on the folder), then dies without releasing
//   lock-child.ts DIR hold   opens the database, holds it until its stdin closes, then closes it
//   lock-child.ts DIR race   takes only the folder's lock when a line arrives on stdin (many start at once)
// It prints OPENED pid=N rows=R (R: rows the data folder has seen opened, its own included), LOCKED
// pid=N, or REFUSED <message>.
import { createInterface } from 'node:readline';
import { openDatabase } from '../../src/db/client.js';
import { lockDataDir } from '../../src/db/lock.js';

const [dir, mode] = process.argv.slice(2);
if (!dir || !['crash', 'hold', 'race'].includes(mode ?? '')) {
  console.error('usage: lock-child.ts DATA_DIR crash|hold|race');
  process.exit(2);
}

function refused(error: unknown): never {
  console.log(`REFUSED ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

if (mode === 'race') {
  console.log('READY');
  const lines = createInterface({ input: process.stdin });
  let lock: Awaited<ReturnType<typeof lockDataDir>> | undefined;
  lines.once('line', async () => {
    try {
      lock = await lockDataDir(dir);
      console.log(`LOCKED pid=${process.pid}`);
    } catch (error) {
      refused(error);
    }
  });
  lines.on('close', () => {
    lock?.release();
    process.exit(0);
  });
} else {
  try {
    const handle = await openDatabase({ dataDir: dir });
    await handle.raw('create table if not exists opened (pid int)', []);
    await handle.raw('insert into opened (pid) values ($1)', [process.pid]);
    const [row] = await handle.raw('select count(*)::int as n from opened', []);
    console.log(`OPENED pid=${process.pid} rows=${row?.n}`);
    if (mode === 'crash') {
      // Dies on the spot: no close, no release, the lockfile stays. As PID 1 of a pid namespace the
      // kernel ignores a SIGKILL sent from inside it; the test then kills it from outside.
      process.kill(process.pid, 'SIGKILL');
    } else {
      process.stdin.resume();
      process.stdin.on('end', async () => {
        await handle.close();
        process.exit(0);
      });
    }
  } catch (error) {
    refused(error);
  }
}
