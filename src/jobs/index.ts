// The jobs' own Slack client and scheduler. Its client never retries by itself: a retried timeout could
// post twice, so the delivery ledger retries, after looking whether the first attempt went through.
import type { Logger } from '@slack/bolt';
import { LogLevel as WebLogLevel } from '@slack/web-api';
import type { ClaimHolder } from '../db/holder.js';
import type { LedgerContext } from '../services/context.js';
import { slackClients, type TokenSource } from '../slack/clients.js';
import { createLive } from '../slack/live.js';
import type { PosterEnv } from './post.js';
import { createScheduler, type Scheduler } from './scheduler.js';

export function createJobs(options: {
  /** Each workspace's bot token (SLACK_BOT_TOKEN, or its installation). */
  tokens: TokenSource;
  apiUrl?: string | undefined;
  ledger: LedgerContext;
  logger: Logger;
  /** Who this process is, for its claims (see db/holder.ts). */
  holder: ClaimHolder;
  /** The ledger syncs, started on each tick (src/books). */
  books?: { kick(): void };
}): { scheduler: Scheduler; env: PosterEnv } {
  const poster = slackClients(options.tokens, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    timeout: 10_000,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: WebLogLevel.ERROR,
  });
  const deps = { ledger: options.ledger, background: poster, logger: options.logger };
  const env: PosterEnv = {
    ...deps,
    poster,
    live: createLive(deps),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    holder: options.holder,
  };
  const books = options.books;
  return { scheduler: createScheduler(env, books ? { alsoOnTick: () => books.kick() } : {}), env };
}
