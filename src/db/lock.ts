// PGlite takes no lock on its data folder, and two processes on one folder corrupt it.
// The app takes its own: a lockfile holding the owner's pid, taken over only if that pid is gone.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface DataDirLock {
  release(): void;
}

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
}

export function lockDataDir(dir: string): DataDirLock {
  const file = path.join(dir, '.receivables-bot.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(
          `The embedded database in ${dir} is in use by another process (pid ${owner}). ` +
            'Stop it first, or set DATABASE_URL to share a PostgreSQL database between processes.',
        );
      }
      if (owner === process.pid) {
        throw new DataDirLockedError(`The embedded database in ${dir} is already open in this process.`);
      }
      rmSync(file, { force: true }); // the owner is gone: a stale lock from a crash
    }
  }
  throw new DataDirLockedError(`Could not lock the embedded database in ${dir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
