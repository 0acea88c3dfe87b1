// The pieces of a replicated deployment on this machine, for replicas.test.ts: app processes (`node --import
// tsx src/main.ts`, as `npm start` runs it, without tsx's wrapper so a SIGKILL reaches the app itself), Debian's
// nginx in front of them, a webhook receiver, free ports, and the sender of a TCP connection. Every process
// started here is killed by stopAll(), also when the test fails.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const running = new Set<ChildProcess>();

/** SIGKILLs every process started here that is still running. */
export function stopAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}
process.once('exit', stopAll);

/** A port nothing listens on now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves when `child` has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface Replica {
  readonly name: string;
  readonly port: number;
  /** The bot token it uses: the fake Slack tells its calls apart by it. */
  readonly token: string;
  readonly pid: number | undefined;
  /** Last lines it printed (stdout and stderr), for a failure's message. */
  readonly log: string[];
  /** Starts it and resolves once it listens (its catch-up tick starts then). */
  start(): Promise<void>;
  /** SIGKILL, then resolves once it is gone. */
  kill(): Promise<void>;
}

export function replica(name: string, port: number, env: Record<string, string>, timeoutMs = 60_000): Replica {
  let child: ChildProcess | undefined;
  const log: string[] = [];
  const token = `xoxb-${name}`;
  return {
    name,
    port,
    token,
    log,
    get pid() {
      return child?.pid;
    },
    start() {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env, PORT: String(port), SLACK_BOT_TOKEN: token, REPLICA_ID: name },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      running.add(proc);
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${log.slice(-20).join('\n')}`)),
          timeoutMs,
        );
        const onLine = (line: string) => {
          log.push(line);
          if (log.length > 200) log.shift();
          if (line.includes('is listening on port')) {
            clearTimeout(timer);
            resolve();
          }
        };
        createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', onLine);
        createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', onLine);
        proc.once('exit', (code, signal) => {
          clearTimeout(timer);
          running.delete(proc);
          reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${log.slice(-20).join('\n')}`));
        });
      });
    },
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
      running.delete(child);
    },
  };
}

export interface LoadBalancer {
  readonly url: string;
  /** Requests per upstream address, from its access log. */
  spread(): Record<string, number>;
  stop(): Promise<void>;
}

/** Debian's nginx in the foreground with its own config and prefix: round robin over `ports`. */
export async function startNginx(dir: string, ports: number[]): Promise<LoadBalancer> {
  const port = await freePort();
  const temp = path.join(dir, 'tmp');
  mkdirSync(temp, { recursive: true });
  chmodSync(temp, 0o777);
  const config = `
# One process, no workers: a SIGKILL (stopAll, a crashed test) leaves nothing behind.
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 512; }
http {
  log_format upstream '$upstream_addr $status $request_time';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  upstream replicas {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 1s;
      proxy_read_timeout 10s;
      # A replica that refuses the connection (down, restarting) passes the request to the next one; a POST
      # already sent to a replica that dies is not sent again (nginx's default for non-idempotent requests).
      proxy_next_upstream error timeout;
      # Which replica answered, for the test to tell a request lost to a kill from one left unanswered.
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const proc = spawn('nginx', ['-c', file, '-p', dir, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(proc);
  const errors: string[] = [];
  createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (line) => errors.push(line));
  // Ready when it accepts connections: nginx writes its pid file once its sockets are bound.
  const pidFile = path.join(dir, 'nginx.pid');
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(dir, () => {
      if (existsSync(pidFile)) done();
    });
    const timer = setTimeout(() => done(new Error(`nginx did not start: ${errors.join('\n')}`)), 15_000);
    const onExit = () => done(new Error(`nginx exited: ${errors.join('\n')}`));
    proc.once('exit', onExit);
    function done(error?: Error) {
      watcher.close();
      clearTimeout(timer);
      proc.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    if (existsSync(pidFile)) done();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    spread() {
      const counts: Record<string, number> = {};
      const text = readFileSync(path.join(dir, 'access.log'), 'utf8');
      for (const line of text.split('\n')) {
        const upstream = line.split(' ')[0];
        if (!upstream || upstream === '-') continue; // answered by nginx itself
        // "127.0.0.1:A, 127.0.0.1:B" when the first was down: the one that answered is the last.
        const last = upstream.split(',').at(-1)?.trim() ?? upstream;
        counts[last] = (counts[last] ?? 0) + 1;
      }
      return counts;
    },
    async stop() {
      proc.kill('SIGQUIT');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
      await exited(proc);
      clearTimeout(killer);
      running.delete(proc);
    },
  };
}

export interface Hook {
  eventId: string;
  path: string;
  at: number;
  body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: Hook[];
  /** Called on each request before it is answered (the answer waits `delayMs` after it). */
  onRequest: ((req: IncomingMessage) => void) | undefined;
  /** Resolves once `predicate` holds, checked on every request; rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that answers 200 after `delayMs` (slow enough to be killed mid-request). */
export async function startReceiver(delayMs: number): Promise<Receiver> {
  const received: Hook[] = [];
  const waiters = new Set<() => void>();
  const open = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received,
    onRequest: undefined,
    until(predicate, timeoutMs, what) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Received is delivered as far as the receiver knows: it has the event, whether or not the sender
      // lives to read the answer (then the event comes again, with the same id).
      received.push({
        eventId: String(req.headers['x-receivables-event-id'] ?? ''),
        path: req.url ?? '',
        at: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      receiver.onRequest?.(req);
      for (const waiter of [...waiters]) waiter();
      open.add(res);
      setTimeout(() => {
        open.delete(res);
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** The pid of the local process whose TCP connection has source port `port` (ss from iproute2), if any. */
export function pidOfConnection(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
