// The real process (src/main.ts through tsx) on the embedded database, against a fake Slack that is slow to
// answer: SIGTERM mid-run exits within seconds and gives its claims back; after kill -9, the restarted process
// takes over its own dead predecessor's claim at once instead of waiting for it to lapse.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { deliveries } from '../../src/db/schema.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import { systemClock } from '../../src/services/context.js';
import { updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const FIN = 'C0FIN';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A data folder with a workspace whose alerts are due now: `count` invoices that became overdue today (UTC). */
async function dataDirWithAlertsDue(count: number): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rb-process-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const handle = await openDatabase({ dataDir: dir });
  try {
    const ctx = { db: handle.db, clock: systemClock };
    const { teamId, client } = await workspaceWithClient(ctx, { teamId: 'T0TEAM', timeZone: 'UTC' });
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, {
      financeChannel: FIN,
      financeAdmins: ['U0ALICE'],
      alertTime: '00:00',
      workingDays: [0, 1, 2, 3, 4, 5, 6],
    });
    const yesterday = addDays(todayIn('UTC', new Date()), -1);
    for (let n = 1; n <= count; n++) {
      await invoice(ctx, teamId, client.id, {
        number: `P-${n}`,
        issueDate: addDays(yesterday, -30),
        terms: { kind: 'fixed', dueDate: yesterday },
      });
    }
  } finally {
    await handle.close();
  }
  return dir;
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** When it said it was listening (Date.now()), once it has. */
  listeningAt: () => number | undefined;
}

function startApp(fake: FakeSlack, dataDir: string): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.apiUrl,
      CARD_SYNC_SECONDS: '3600',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let listeningAt: number | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (listeningAt === undefined && text.includes('is listening on port')) listeningAt = Date.now();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited, output: () => text, listeningAt: () => listeningAt };
}

async function deliveryRows(dataDir: string) {
  const handle = await openDatabase({ dataDir });
  try {
    return await handle.db.select().from(deliveries).orderBy(deliveries.key);
  } finally {
    await handle.close();
  }
}

function keyOf(args: { metadata?: { event_payload?: { key?: string } } }): string | undefined {
  return args.metadata?.event_payload?.key;
}

describe('the app as a process, with Slack slow to answer', () => {
  it('exits within seconds of SIGTERM mid-post, leaving the post uncertain and every claim given back', async () => {
    const dataDir = await dataDirWithAlertsDue(8);
    const fake = await startFakeSlack();
    let answer = () => {};
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    cleanups.push(async () => {
      answer();
      await fake.close();
    });
    fake.delay('chat.postMessage', () => held); // the post lands, Slack's answer never comes
    const app = startApp(fake, dataDir);
    await fake.waitFor('chat.postMessage', undefined, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- app output ---\n${app.output()}`);
    });

    const began = performance.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    const tookMs = performance.now() - began;
    console.info(`SIGTERM to exit: ${(tookMs / 1000).toFixed(2)} s`);
    expect(exit, app.output()).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(8_000);
    expect(app.output()).toMatch(/Stopped in \d+\.\d s\./);
    expect(existsSync(path.join(dataDir, '.receivables-bot.lock'))).toBe(false);

    const rows = await deliveryRows(dataDir);
    expect(rows).toHaveLength(9); // the summary and 8 cards in its thread
    expect(rows.every((r) => r.status === 'pending' && r.claimToken === null)).toBe(true);
    const postedKey = keyOf(fake.calls('chat.postMessage')[0]?.args ?? {});
    expect(rows.filter((r) => r.uncertain).map((r) => r.key)).toEqual([postedKey]);
  });

  it('after kill -9 mid-post, posts again as soon as it is restarted, and never the same alert twice', async () => {
    const dataDir = await dataDirWithAlertsDue(3);
    const fake = await startFakeSlack();
    let answer = () => {};
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    cleanups.push(async () => {
      answer();
      await fake.close();
    });
    fake.delay('chat.postMessage', () => held);
    const first = startApp(fake, dataDir);
    await fake.waitFor('chat.postMessage', undefined, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- app output ---\n${first.output()}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const [held1] = (await deliveryRows(dataDir)).filter((r) => r.status === 'posting');
    const lapsesAt = held1?.claimedUntil?.getTime() ?? 0;
    expect(lapsesAt).toBeGreaterThan(Date.now());

    fake.delay('chat.postMessage', undefined); // Slack answers again
    const restartedAt = Date.now();
    const second = startApp(fake, dataDir);
    const posts = await fake.waitForCount('chat.postMessage', 3, undefined, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- app output ---\n${second.output()}`);
    });
    const firstPostAt = posts[1]?.at ?? Number.POSITIVE_INFINITY;
    console.info(
      `restart to first post after kill -9: ${((firstPostAt - restartedAt) / 1000).toFixed(2)} s, ` +
        `${((firstPostAt - (second.listeningAt() ?? restartedAt)) / 1000).toFixed(2)} s after it was listening ` +
        `(the killed claim would have lapsed ${((lapsesAt - restartedAt) / 1000).toFixed(1)} s after the restart)`,
    );
    // Before the dead process's claim lapsed: the restart knew it was its own predecessor's and took it over.
    expect(firstPostAt).toBeLessThan(lapsesAt);
    // It looked for the post the killed process made, found it, and did not post it again.
    expect(fake.calls('conversations.history').length).toBeGreaterThanOrEqual(1);
    const keys = posts.map((c) => keyOf(c.args));
    expect(new Set(keys).size).toBe(3);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const rows = await deliveryRows(dataDir);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
  }, 120_000);
});
