// The jobs' world for tests: a ledger on a test database, a fake Slack, and a poster env per "replica".
import { LogLevel } from '@slack/bolt';
import { type ClaimHolder, transientHolder } from '../../src/db/holder.js';
import type { PosterEnv } from '../../src/jobs/post.js';
import type { Timers } from '../../src/jobs/scheduler.js';
import type { LedgerContext } from '../../src/services/context.js';
import { singleToken, slackClients, type TokenSource } from '../../src/slack/clients.js';
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

/** A "replica": its own Slack client, and its own claim holder (a fresh boot of `holder`'s instance when given). */
export function posterEnv(
  ledger: LedgerContext,
  fake: FakeSlack,
  options: { timeoutMs?: number; holder?: ClaimHolder; tokens?: TokenSource } = {},
): PosterEnv {
  const poster = slackClients(options.tokens ?? singleToken('xoxb-test'), {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Real milliseconds: a test that wants a timeout gives its own; the default only has to outlast a loaded
    // machine (2 s did not: posts answered late were taken for timeouts and the counts came out wrong).
    timeout: options.timeoutMs ?? 10_000,
  });
  const deps = { ledger, background: poster, logger: quiet };
  return {
    ...deps,
    poster,
    live: createLive(deps),
    sleep: async () => {},
    holder: options.holder ?? transientHolder(),
  };
}

/**
 * Timers on the test's clock: `advance` moves the clock to each timer that falls due in turn, runs it and waits
 * for the pass it started (which sets the next timers), so a scheduler's waking is deterministic.
 */
export function manualTimers(clock: { now(): Date; set(at: string | Date): void }) {
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => Promise<unknown> }>();
  const timers: Timers & { advance(ms: number): Promise<void>; dueTimes(): Date[] } = {
    setTimeout(fn, ms) {
      seq += 1;
      pending.set(seq, { at: clock.now().getTime() + ms, fn });
      return seq;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    async advance(ms) {
      const until = clock.now().getTime() + ms;
      for (;;) {
        const next = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        pending.delete(next[0]);
        clock.set(new Date(next[1].at));
        await next[1].fn();
      }
      clock.set(new Date(until));
    },
    dueTimes() {
      return [...pending.values()].map((t) => new Date(t.at)).sort((a, b) => a.getTime() - b.getTime());
    },
  };
  return timers;
}
