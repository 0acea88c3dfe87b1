// The embedded database's lock across real processes: a crash as PID 1 in a pid namespace (how the
// Docker image runs node) and a restart that is PID 1 again opens the database; a live holder is still
// refused; processes starting at once never both win. Needs `unshare` (util-linux) and root for the pid
// namespaces; without them the namespace case is skipped with a warning, unless REQUIRE_UNSHARE=1 (CI).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/db/lock.js';

const CHILD = path.resolve(import.meta.dirname, 'lock-child.ts');
const NODE = [process.execPath, '--import', 'tsx', CHILD];

function unshareWorks(): boolean {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

const canUnshare = unshareWorks();
if (!canUnshare) {
  const message =
    'lock-process.test.ts: `unshare --pid --fork --mount-proc` is not available here (util-linux, run as root): ' +
    'the PID-reuse restart is not tested.';
  if (process.env.REQUIRE_UNSHARE === '1') throw new Error(`${message} REQUIRE_UNSHARE=1 makes that a failure.`);
  console.warn(`WARNING ${message}`);
}

interface Child {
  process: ChildProcess;
  /** Resolves with the next line the child prints. */
  line(): Promise<string>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

function start(command: string[]): Child {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: path.resolve(import.meta.dirname, '../..'),
  });
  started.push(child);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  return {
    process: child,
    line: () => {
      const ready = lines.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    // 'close' comes once every holder of the child's stdout is gone: the namespaced node included.
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
}

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const dirs: string[] = [];
function dataFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rb-lock-proc-'));
  dirs.push(dir);
  return path.join(dir, 'data');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canUnshare)('a crash as PID 1 and a restart as PID 1 (the Docker image)', () => {
  it('opens the database again, while a live holder in another namespace is still refused', async () => {
    const data = dataFolder();
    // --kill-child: when unshare dies, the kernel SIGKILLs the namespace's PID 1 (which ignores a SIGKILL
    // it sends itself).
    const first = start(['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', ...NODE, data, 'crash']);
    expect(await first.line()).toBe('OPENED pid=1 rows=1');
    first.process.kill('SIGKILL');
    await first.exited;
    expect(JSON.parse(readFileSync(path.join(data, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 1 });

    const second = start(['unshare', '--pid', '--fork', '--kill-child=SIGKILL', ...NODE, data, 'hold']);
    expect(await second.line()).toBe('OPENED pid=1 rows=2');

    const intruder = start([...NODE, data, 'hold']);
    expect(await intruder.line()).toMatch(
      /^REFUSED The embedded database in .* is in use by process 1 in another pid namespace .* stop that process first, or set DATABASE_URL/,
    );
    expect(await intruder.exited).toBe(1);

    second.process.stdin?.end();
    expect(await second.exited).toBe(0);
    expect(existsSync(path.join(data, LOCK_FILE))).toBe(false);
  });
});

describe('processes starting at once', () => {
  async function race(data: string, count: number): Promise<string[]> {
    const children = Array.from({ length: count }, () => start([...NODE, data, 'race']));
    for (const child of children) expect(await child.line()).toBe('READY');
    for (const child of children) child.process.stdin?.write('go\n');
    const outcomes = await Promise.all(children.map((child) => child.line()));
    for (const child of children) child.process.stdin?.end();
    await Promise.all(children.map((child) => child.exited));
    return outcomes;
  }

  it('never both win, on a fresh folder or over a stale lock; the losers name the winner', async () => {
    const data = dataFolder();
    mkdirSync(data, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number.parseInt(gone.stdout, 10);
    for (const stale of [false, true]) {
      if (stale) writeFileSync(path.join(data, LOCK_FILE), JSON.stringify({ pid: deadPid, instance: 'gone' }));
      const outcomes = await race(data, 4);
      const winners = outcomes.filter((line) => line.startsWith('LOCKED'));
      expect(winners, outcomes.join('\n')).toHaveLength(1);
      const winnerPid = (winners[0] as string).replace('LOCKED pid=', '');
      const losers = outcomes.filter((line) => !line.startsWith('LOCKED'));
      for (const loser of losers) expect(loser).toContain(`is in use by another process (pid ${winnerPid})`);
      expect(existsSync(path.join(data, LOCK_FILE))).toBe(false);
    }
  });
});
