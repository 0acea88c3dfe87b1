// The real Bolt app in HTTP mode on a free port, its Web API pointed at a local fake Slack, on a test
// database with a clock the test can move.
import { LogLevel } from '@slack/bolt';
import type { DatabaseHandle } from '../../src/db/client.js';
import { fixedClock } from '../../src/services/context.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import type { ClientPageLimits } from '../../src/web/client-page.js';
import { emptyDatabase, testDatabase } from './db.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { SLACK_DEFAULTS, type SlackClient, slackClient } from './signed.js';

export const SECRET = 'test-signing-secret';

export interface TestBot {
  fake: FakeSlack;
  bot: SlackApp;
  handle: DatabaseHandle;
  clock: ReturnType<typeof fixedClock>;
  ledger: { db: DatabaseHandle['db']; clock: ReturnType<typeof fixedClock> };
  baseUrl: string;
  /** Requests signed as Slack signs them, from a person in T0TEAM. */
  as(userId: string, teamId?: string): SlackClient;
  close(): Promise<void>;
}

export async function startTestBot(
  options: { now?: string; pageLimits?: Partial<ClientPageLimits> } = {},
): Promise<TestBot> {
  const fake = await startFakeSlack();
  const handle = await testDatabase('pglite');
  await emptyDatabase(handle);
  const clock = fixedClock(options.now ?? '2026-11-23T15:00:00Z');
  const ledger = { db: handle.db, clock };
  const bot = createSlackApp({
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
