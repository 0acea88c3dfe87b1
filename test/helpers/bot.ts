// The real Bolt app in HTTP mode on a free port, its Web API pointed at a local fake Slack, on a test
// database with a clock the test can move.
import { LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import type { Network } from '../../src/domain/webhook-address.js';
import { type AppServer, createApp } from '../../src/http.js';
import { fixedClock } from '../../src/services/context.js';
import { ensureWorkspace, updateWorkspaceSettings, type WorkspaceSettings } from '../../src/services/workspaces.js';
import type { ClientPageLimits } from '../../src/web/client-page.js';
import { emptyDatabase, testDatabase } from './db.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { OPERATOR } from './ledger.js';
import { SLACK_DEFAULTS, type SlackClient, slackClient } from './signed.js';

export const SECRET = 'test-signing-secret';
/** Monday 23 November 2026, 10:00 in New York: where the clock starts, and where each test puts it back. */
export const TEST_NOW = '2026-11-23T15:00:00Z';

export interface TestBot {
  fake: FakeSlack;
  bot: AppServer;
  handle: DatabaseHandle;
  clock: ReturnType<typeof fixedClock>;
  ledger: { db: DatabaseHandle['db']; clock: ReturnType<typeof fixedClock>; webhookNetworks?: readonly Network[] };
  baseUrl: string;
  /** Requests signed as Slack signs them, from a person in T0TEAM. */
  as(userId: string, teamId?: string): SlackClient;
  close(): Promise<void>;
}

export async function startTestBot(
  options: { now?: string; pageLimits?: Partial<ClientPageLimits>; webhookNetworks?: readonly Network[] } = {},
): Promise<TestBot> {
  const fake = await startFakeSlack();
  const handle = await testDatabase('pglite');
  await emptyDatabase(handle);
  const clock = fixedClock(options.now ?? TEST_NOW);
  const ledger = {
    db: handle.db,
    clock,
    ...(options.webhookNetworks ? { webhookNetworks: options.webhookNetworks } : {}),
  };
  const bot = createApp({
    settings: { botToken: 'xoxb-test', signingSecret: SECRET, appToken: undefined, mode: 'http' },
    ledger,
    apiUrl: fake.apiUrl,
    port: 0,
    logLevel: LogLevel.ERROR,
    ...(options.pageLimits ? { pageLimits: options.pageLimits } : {}),
    databaseHealthy: async () => {
      await handle.raw('select 1', []);
      return true;
    },
  });
  await bot.start();
  const baseUrl = `http://127.0.0.1:${bot.port()}`;
  return {
    fake,
    bot,
    handle,
    clock,
    ledger,
    baseUrl,
    as: (userId, teamId = SLACK_DEFAULTS.team_id) =>
      slackClient(baseUrl, SECRET, { fake, team_id: teamId, user_id: userId }),
    async close() {
      await bot.stop();
      await fake.close();
    },
  };
}

export interface UseTestBotOptions {
  /** Where the clock starts, and where it is put back before each test. */
  now?: string;
  pageLimits?: Partial<ClientPageLimits>;
  /** Networks ledger webhooks may reach besides public ones (WEBHOOK_ALLOW_NETWORKS); unset, none. */
  webhookNetworks?: readonly Network[];
  /** Once, after the bot has started: e.g. wire in the jobs. */
  onStart?: (t: TestBot) => void | Promise<void>;
  /** Before each test, once the bot is idle and before the database is emptied: more to wait for. */
  settle?: (t: TestBot) => Promise<unknown>;
  /** Made before each test, once the database is empty; without it each test makes its own. */
  workspace?: Parameters<typeof ensureWorkspace>[1];
  /** The workspace's settings, set right after it is made. */
  settings?: WorkspaceSettings;
}

/**
 * One TestBot for the file (or the describe block it is called in): started before all its tests, closed after
 * them, and before each test idle, on an empty database, with the fake Slack forgotten, the clock put back and
 * (when given) the workspace made with its settings. The caller's own beforeAll and beforeEach hooks, registered
 * after this call, run after these; its afterAll hooks run before the bot is closed.
 * What it returns reads through to the running TestBot, so use it only inside hooks and tests.
 */
export function useTestBot(options: UseTestBotOptions = {}): TestBot {
  const { now = TEST_NOW, pageLimits, webhookNetworks, onStart, settle, workspace, settings } = options;
  let started: TestBot | undefined;
  const current = (): TestBot => {
    if (!started) throw new Error('The test bot is not running: use it inside hooks and tests.');
    return started;
  };

  beforeAll(async () => {
    started = await startTestBot({
      now,
      ...(pageLimits ? { pageLimits } : {}),
      ...(webhookNetworks ? { webhookNetworks } : {}),
    });
    await onStart?.(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(async () => {
    const t = current();
    await t.bot.idle();
    await settle?.(t);
    await emptyDatabase(t.handle);
    t.fake.reset();
    t.clock.set(now);
    if (workspace) {
      await ensureWorkspace(t.ledger, workspace);
      if (settings) await updateWorkspaceSettings(t.ledger, workspace.teamId, OPERATOR, settings);
    }
  });

  // Every property is read from the bot running at the time it is read.
  return new Proxy({} as TestBot, { get: (_target, key) => Reflect.get(current(), key) });
}
