// The page's rate limiter: a fixed window per key, the wait it answers, and windows that start again.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/web/rate-limit.js';

describe('RateLimiter', () => {
  it('lets max requests through per window and key, then says how many seconds to wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const limit = { max: 2, windowMs: 60_000 };
    expect([limiter.take('a', limit), limiter.take('a', limit), limiter.take('a', limit)]).toEqual([0, 0, 60]);
    expect(limiter.take('b', limit)).toBe(0);
    now += 45_500;
    expect(limiter.take('a', limit)).toBe(15);
    now += 14_500;
    expect(limiter.take('a', limit)).toBe(0);
  });

  it('forgets old windows as it goes, so the map does not grow without end', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { max: 1, windowMs: 1_000 };
    for (let i = 0; i < 999; i++) limiter.take(`key-${i}`, limit);
    now += 2 * 60 * 60_000;
    limiter.take('sweep', limit); // the 1,000th take sweeps
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
