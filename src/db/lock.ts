// PGlite takes no lock on its data folder, and two processes on one folder corrupt it. The app takes its
// own: a lockfile naming the process instance that holds it — pid, a random id of this process instance,
// the process's start time (/proc/<pid>/stat field 22), its pid namespace, the boot id and the host name —
// and a heartbeat (the holder touches the file every few seconds).
//
// A crash leaves the file behind. It is stale, and taken over at once, when the holder is provably gone:
// - its pid is ours but its instance id is not (a restart that got the dead process's pid: node as PID 1
//   in a container, on every restart — same host name, a new pid namespace), or
// - its pid is not running, or runs a process that started at another time (the pid was reused), or
// - the machine has rebooted since (another boot id on the same host).
// A holder on another host (a shared volume), or in another pid namespace with another pid, cannot be
// checked by pid: its lock is stale when its heartbeat stops. Anything else is a live holder, and the open is refused with a message saying so.
//
// Two processes starting at once never both win. On Linux the kernel decides it: before it looks at the
// lockfile a process binds an abstract unix socket named after the folder (its device and inode) and keeps
// it while it holds the lock. The kernel lets one process bind that name and frees it the moment the process
// dies, however it dies, so on one machine (one network namespace: the host, or one container) only one
// process at a time ever reads, judges, moves or writes the lockfile. Moving a stale file aside and linking
// a new one is then never interleaved with another process doing the same. (A file-only protocol cannot
// promise that: between reading a stale file and moving it aside, another process may have replaced it
// with its live lock, and putting that back leaves a window for a third.) The lockfile still names the
// holder, and still guards a folder shared with another machine or container (its heartbeat).
// Elsewhere (macOS, Windows: development machines) the lockfile alone guards the folder: creating it is
// atomic (a private file, then link(), which fails if the lockfile exists), a stale file is moved aside
// with rename() and checked to be the one judged stale before it is removed, and the new holder reads the
// file back.
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DataDirLock {
  release(): void;
}

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
}

export const LOCK_FILE = '.receivables-bot.lock';
/** How often the holder touches the lockfile. */
export const HEARTBEAT_MS = 5_000;
/** A lock from another host whose heartbeat is older than this is stale. */
export const STALE_AFTER_MS = 30_000;

/** What the lockfile says about its holder. Fields other than pid are absent in a lockfile from an older version. */
export interface LockRecord {
  pid: number;
  instance?: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  start?: string;
  boot?: string;
  host?: string;
  /** The pid namespace the pid belongs to (the link /proc/self/ns/pid: "pid:[4026531836]"). */
  pidns?: string;
}

/** This process, as the lockfile describes it. */
export interface Self {
  pid: number;
  instance: string;
  start: string | undefined;
  boot: string | undefined;
  host: string;
  pidns: string | undefined;
}

/** What can be asked about a pid in our own pid namespace. */
export interface Probe {
  isAlive(pid: number): boolean;
  /** The start time of a running pid, or undefined when /proc cannot tell (not Linux, another namespace's /proc). */
  startTime(pid: number): string | undefined;
}

export type Verdict = { kind: 'ours' } | { kind: 'held'; reason: string } | { kind: 'stale'; reason: string };

/** Decides whether a lockfile's holder is this process, another live process, or gone. Pure given its probe. */
export function judge(record: LockRecord, self: Self, probe: Probe, heartbeatAgeMs: number): Verdict {
  const heartbeat = (where: string): Verdict =>
    heartbeatAgeMs > STALE_AFTER_MS
      ? { kind: 'stale', reason: `its holder ${where} stopped its heartbeat` }
      : {
          kind: 'held',
          reason:
            `by process ${record.pid} ${where} (its heartbeat is ${Math.round(heartbeatAgeMs / 1000)} s old; ` +
            `it is taken over once that passes ${STALE_AFTER_MS / 1000} s)`,
        };
  // Another host (or a container with its own name) on a shared folder: its pids are not ours to ask.
  if (record.host !== undefined && record.host !== self.host) return heartbeat(`on host ${record.host}`);
  if (record.boot !== undefined && self.boot !== undefined && record.boot !== self.boot) {
    return { kind: 'stale', reason: 'the machine has restarted since it was taken' };
  }
  const samePidSpace = record.pidns === undefined || self.pidns === undefined || record.pidns === self.pidns;
  if (record.pid === self.pid) {
    if (record.instance === self.instance) return { kind: 'ours' };
    // Another process instance with our pid held it. In our pid namespace that process is gone (we have
    // its pid). In another one on this host it is the earlier start of this container: a restarted
    // container gets a new pid namespace and the same pid (node as PID 1).
    return { kind: 'stale', reason: `its holder had this process's pid ${self.pid} before a restart` };
  }
  if (!samePidSpace) return heartbeat('in another pid namespace');
  if (!probe.isAlive(record.pid)) return { kind: 'stale', reason: `its holder (pid ${record.pid}) is gone` };
  if (record.start !== undefined) {
    const start = probe.startTime(record.pid);
    if (start !== undefined && start !== record.start) {
      return { kind: 'stale', reason: `pid ${record.pid} now belongs to another process` };
    }
  }
  return { kind: 'held', reason: `by another process (pid ${record.pid})` };
}

export function parseRecord(text: string): LockRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number.parseInt(trimmed, 10) }; // an older version's lockfile
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid)) return undefined;
    const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
    const record: LockRecord = { pid: value.pid };
    for (const key of ['instance', 'start', 'boot', 'host', 'pidns'] as const) {
      const v = text(key);
      if (v !== undefined) record[key] = v;
    }
    return record;
  } catch {
    return undefined;
  }
}

const INSTANCE_KEY = Symbol.for('receivables-bot.process-instance');

/** One random id per process instance, shared by every copy of this module in the process. */
function processInstance(): string {
  const holder = globalThis as unknown as Record<symbol, string | undefined>;
  holder[INSTANCE_KEY] ??= randomBytes(12).toString('hex');
  return holder[INSTANCE_KEY];
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (start time), counted after the command name, which may hold spaces. */
export function startTimeFromStat(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** /proc answers for our pid namespace only when /proc/self names our own pid. */
function procIsOurs(): boolean {
  const stat = readOrUndefined('/proc/self/stat');
  return stat !== undefined && Number.parseInt(stat, 10) === process.pid;
}

export const systemProbe: Probe = {
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  startTime(pid) {
    if (!procIsOurs()) return undefined;
    const stat = readOrUndefined(`/proc/${pid}/stat`);
    return stat === undefined ? undefined : startTimeFromStat(stat);
  },
};

export function currentSelf(): Self {
  const stat = readOrUndefined('/proc/self/stat');
  return {
    pid: process.pid,
    instance: processInstance(),
    start: stat === undefined ? undefined : startTimeFromStat(stat),
    boot: readOrUndefined('/proc/sys/kernel/random/boot_id')?.trim(),
    host: hostname(),
    pidns: linkOrUndefined('/proc/self/ns/pid'),
  };
}

function linkOrUndefined(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

/** The name of the folder's abstract socket: its device and inode, so every path to it names one socket. */
export function socketName(dir: string): string {
  const { dev, ino } = statSync(dir, { bigint: true });
  return `\0receivables-bot-data-dir:${dev}:${ino}`;
}

/** Binds the folder's abstract socket; false when another live process (or this one) has it bound. */
async function bindFolderSocket(name: string): Promise<Server | false> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      server.close();
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen(name, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** How long a process that finds the folder's socket bound waits for the holder's lockfile to name it. */
const NAME_WAIT_MS = 2_000;

export async function lockDataDir(
  dir: string,
  self: Self = currentSelf(),
  probe: Probe = systemProbe,
  nameWaitMs = NAME_WAIT_MS,
): Promise<DataDirLock> {
  if (process.platform !== 'linux') return lockWithFile(dir, self, probe, undefined);
  const name = socketName(dir);
  const server = await bindFolderSocket(name);
  if (server === false) return refuseBoundFolder(dir, self, probe, nameWaitMs);
  try {
    return lockWithFile(dir, self, probe, server);
  } catch (error) {
    server.close();
    throw error;
  }
}

/**
 * Another process on this machine holds the folder's socket, so the lock is taken (and the lockfile being
 * stale or absent only means its holder has not written it yet): say who holds it, from the lockfile, once
 * it names a holder.
 */
async function refuseBoundFolder(dir: string, self: Self, probe: Probe, nameWaitMs: number): Promise<never> {
  const file = path.join(dir, LOCK_FILE);
  for (let waited = 0; ; waited += 20) {
    const text = readOrUndefined(file);
    const record = text === undefined ? undefined : parseRecord(text);
    if (record) {
      const verdict = judge(record, self, probe, 0);
      if (verdict.kind === 'ours') throw alreadyOpen(dir);
      if (verdict.kind === 'held') throw inUse(dir, verdict.reason);
    }
    if (waited >= nameWaitMs) throw inUse(dir, 'by another process on this machine');
    await sleep(20);
  }
}

function alreadyOpen(dir: string): DataDirLockedError {
  return new DataDirLockedError(`The embedded database in ${dir} is already open in this process.`);
}

function inUse(dir: string, reason: string): DataDirLockedError {
  return new DataDirLockedError(
    `The embedded database in ${dir} is in use ${reason}. It belongs to one process at a time: ` +
      'stop that process first, or set DATABASE_URL to share a PostgreSQL database between processes.',
  );
}

function lockWithFile(dir: string, self: Self, probe: Probe, server: Server | undefined): DataDirLock {
  const file = path.join(dir, LOCK_FILE);
  const mine = JSON.stringify({
    pid: self.pid,
    instance: self.instance,
    start: self.start,
    boot: self.boot,
    host: self.host,
    pidns: self.pidns,
  } satisfies LockRecord);
  const draft = `${file}.${self.instance}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, mine);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file); // atomic: fails when a lockfile is there
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        takeOverIfStale(dir, file, self, probe);
        continue;
      }
      // Re-check: the file under the name is the one we wrote.
      if (readOrUndefined(file) !== mine) continue;
      return holding(file, mine, server);
    }
  } finally {
    rmSync(draft, { force: true });
  }
  throw new DataDirLockedError(`Could not lock the embedded database in ${dir}: other processes keep taking it.`);
}

/** Moves a stale lockfile out of the way; throws when its holder is alive (or is this very process). */
function takeOverIfStale(dir: string, file: string, self: Self, probe: Probe): void {
  const text = readOrUndefined(file);
  if (text === undefined) return; // removed meanwhile: try again
  let age = 0;
  try {
    age = Date.now() - statSync(file).mtimeMs;
  } catch {
    return;
  }
  const record = parseRecord(text);
  // A file we cannot read as a lock is never written by a live holder (it links a complete file).
  const verdict: Verdict = record
    ? judge(record, self, probe, age)
    : { kind: 'stale', reason: 'the lockfile is not readable' };
  if (verdict.kind === 'ours') throw alreadyOpen(dir);
  if (verdict.kind === 'held') throw inUse(dir, verdict.reason);
  // Stale. Move it aside, atomically, and make sure what we moved is what we judged: another process
  // may have taken it over meanwhile, and then its live lock goes back.
  const aside = `${file}.stale.${self.instance}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it
  }
  if (readOrUndefined(aside) !== text) {
    try {
      linkSync(aside, file);
    } catch {
      // a third process linked its own meanwhile; it will read itself back and keep it
    }
  }
  rmSync(aside, { force: true });
}

function holding(file: string, mine: string, server: Server | undefined): DataDirLock {
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // the folder went away; nothing to keep alive
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Remove it only while it is still ours; the socket goes last, once the file is gone.
      if (readOrUndefined(file) === mine) rmSync(file, { force: true });
      server?.close();
    },
  };
}
