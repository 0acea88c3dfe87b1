// A fixed-window counter per key (a link, or an address for links that do not exist), in memory.
// Each replica counts its own requests: the limit is per replica, which is enough to stop a page being
// hammered or a form being flooded; it is not a quota.

const MAX_WINDOW_MS = 60 * 60_000;

export interface RateLimit {
  /** Requests allowed per window. */
  max: number;
  /** At most an hour. */
  windowMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private checks = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request; returns 0 when it may go on, else the seconds to wait. */
  take(key: string, limit: RateLimit): number {
    const now = this.now();
    if (++this.checks % 1000 === 0) this.sweep(now);
    const window = this.windows.get(key);
    if (!window || now - window.start >= limit.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return 0;
    }
    window.count += 1;
    if (window.count <= limit.max) return 0;
    return Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000));
  }

  /** Forgets windows older than the longest one used (an hour), so the map does not grow without end. */
  private sweep(now: number) {
    for (const [key, window] of this.windows) if (now - window.start >= MAX_WINDOW_MS) this.windows.delete(key);
  }
}
