// The one way the ledger code reaches the network: only the configured hosts, no redirects, a timeout, and a
// per-connection limiter (calls a minute, calls at once, the day's calls left) that waits out 429s with their
// Retry-After.
import { ProviderError } from './provider.js';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** Origins (scheme://host:port) requests may go to; anything else is refused before it is sent. */
  allowedOrigins: readonly string[];
  fetch?: FetchLike;
  timeoutMs?: number;
}

export type Http = (url: string, init: RequestInit) => Promise<HttpAnswer>;

export function createHttp(options: HttpOptions): Http {
  const allowed = new Set(options.allowedOrigins.map((u) => new URL(u).origin));
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async (url, init) => {
    const target = new URL(url);
    if (!allowed.has(target.origin)) {
      throw new ProviderError('HOST_NOT_ALLOWED', `Refused to call ${target.origin}: not a configured ledger host.`);
    }
    let response: Response;
    try {
      response = await doFetch(target.toString(), {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string; code?: string } }).cause;
      const reason = [error instanceof Error ? error.message : String(error), cause?.code ?? cause?.message]
        .filter(Boolean)
        .join(': ');
      throw new ProviderError('UNAVAILABLE', `No answer from ${target.host}: ${reason}`);
    }
    const text = await response.text();
    if (response.status >= 300 && response.status < 400) {
      throw new ProviderError(
        'UNAVAILABLE',
        `${target.host} answered with a redirect (${response.status}); not followed.`,
      );
    }
    return { status: response.status, headers: response.headers, text };
  };
}

export interface LimiterOptions {
  perMinute: number;
  concurrent: number;
  /** Waits longer than this (a day limit's Retry-After) are not waited out: the caller stops and resumes later. */
  maxWaitMs: number;
  /**
   * Calls of the day to leave unused: once the ledger says (X-DayLimit-Remaining) that no more than these are left,
   * calls are refused here for DAY_PAUSE_MS (RATE_LIMITED) instead of spending the last ones, or being refused there
   * for hours. Unset: the day is not watched.
   */
  dayReserve?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Xero: 60 calls a minute, 5 at once and 5,000 a day per organisation (per app and organisation: each connection has
 * its own), each answer saying what is left of the day in X-DayLimit-Remaining (developer.xero.com/faq/limits).
 * With 100 of the day's calls left, calls stop for an hour; then one goes, and its answer says again what is left.
 * So a runaway (a webhook storm, a loop) never spends the organisation's whole day, and Xero never refuses us for hours.
 */
export const XERO_LIMITS = { perMinute: 60, concurrent: 5, maxWaitMs: 60_000, dayReserve: 100 };
/** How long calls stay refused once the day's reserve is reached (the next answer tells again). */
export const DAY_PAUSE_MS = 60 * 60_000;

/**
 * QuickBooks Online: 500 calls a minute and 10 at once per company (realm) and app (Intuit's "API call limits and
 * throttles"); a 429 asks for 60 s, which is also what a 429 without Retry-After waits here.
 */
export const QUICKBOOKS_LIMITS = { perMinute: 500, concurrent: 10, maxWaitMs: 60_000 };

export interface Limiter {
  /** Runs a call inside the limits; on 429 waits Retry-After (when short enough) and tries again, up to 3 times. */
  run(call: () => Promise<HttpAnswer>): Promise<HttpAnswer>;
  /** The day's calls left as the ledger last said (X-DayLimit-Remaining), when it has said. */
  dayRemaining(): number | undefined;
}

export function createLimiter(options: LimiterOptions): Limiter {
  const started: number[] = [];
  let active = 0;
  const waiting: (() => void)[] = [];
  let day: { remaining: number; at: number } | undefined;

  async function slot(): Promise<void> {
    while (active >= options.concurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    for (;;) {
      const now = options.now();
      while (started.length > 0 && (started[0] as number) <= now - 60_000) started.shift();
      if (started.length < options.perMinute) break;
      await options.sleep((started[0] as number) + 60_000 - now);
    }
    started.push(options.now());
  }

  function release() {
    active -= 1;
    waiting.shift()?.();
  }

  return {
    dayRemaining: () => day?.remaining,
    async run(call) {
      if (options.dayReserve !== undefined && day && day.remaining <= options.dayReserve) {
        const waitMs = day.at + DAY_PAUSE_MS - options.now();
        if (waitMs > 0) {
          throw new ProviderError(
            'RATE_LIMITED',
            `Only ${day.remaining} of the day's calls are left; the sync carries on in ${Math.ceil(waitMs / 60_000)} min.`,
            waitMs,
          );
        }
      }
      for (let attempt = 0; ; attempt++) {
        await slot();
        let answer: HttpAnswer;
        try {
          answer = await call();
        } finally {
          release();
        }
        const left = answer.headers.get('x-daylimit-remaining');
        if (left !== null && /^\d+$/.test(left)) day = { remaining: Number(left), at: options.now() };
        if (answer.status !== 429) return answer;
        const waitMs = retryAfterMs(answer.headers.get('retry-after'), options.now());
        if (attempt >= 3 || waitMs > options.maxWaitMs) {
          throw new ProviderError(
            'RATE_LIMITED',
            `The ledger asks us to wait ${Math.ceil(waitMs / 1000)} s (${answer.headers.get('x-rate-limit-problem') ?? 'rate limit'}).`,
            waitMs,
          );
        }
        await options.sleep(waitMs);
      }
    },
  };
}

/** Retry-After in seconds (or an HTTP date); a missing or odd one counts as a minute. */
function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 60_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 60_000 : Math.max(0, at - now);
}
