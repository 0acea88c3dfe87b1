// The jobs' world for tests: a ledger on a test database, a fake Slack, and a poster env per "replica".
import { LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { PosterEnv } from '../../src/jobs/post.js';
import type { LedgerContext } from '../../src/services/context.js';
import { createLive } from '../../src/slack/live.js';
import type { FakeSlack } from './fake-slack.js';

const quiet = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function posterEnv(ledger: LedgerContext, fake: FakeSlack, options: { timeoutMs?: number } = {}): PosterEnv {
  const poster = new WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 2_000,
  });
  const deps = { ledger, background: poster, logger: quiet };
  return { ...deps, poster, live: createLive(deps), sleep: async () => {} };
}
