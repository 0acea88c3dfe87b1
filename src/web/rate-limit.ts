// A fixed-window counter per key (a link, or an address that guessed at links), in memory.
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

  /** The seconds to wait when the key is already over its limit, else 0; counts nothing. */
  check(key: string, limit: RateLimit): number {
    const now = this.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= limit.windowMs || window.count <= limit.max) return 0;
    return Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000));
  }

  /** Forgets windows older than the longest one used (an hour), so the map does not grow without end. */
  private sweep(now: number) {
    for (const [key, window] of this.windows) if (now - window.start >= MAX_WINDOW_MS) this.windows.delete(key);
  }
}

/**
 * The key an address is counted under: an IPv4 address as it is (also when the socket shows it IPv4-mapped,
 * ::ffff:1.2.3.4), an IPv6 address by its /64 — one host usually holds a whole /64, and counting each of its
 * 2^64 addresses apart would let it guess without end.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
