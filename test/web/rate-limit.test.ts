// The page's rate limiter: a fixed window per key, the wait it answers, and windows that start again.
import { describe, expect, it } from 'vitest';
import { addressKey, RateLimiter } from '../../src/web/rate-limit.js';

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

describe('RateLimiter.check', () => {
  it('says whether a key is over its limit without counting a request', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { max: 1, windowMs: 10_000 };
    expect(limiter.check('a', limit)).toBe(0);
    limiter.take('a', limit);
    expect([limiter.check('a', limit), limiter.check('a', limit)]).toEqual([0, 0]);
    limiter.take('a', limit);
    now += 4_000;
    expect(limiter.check('a', limit)).toBe(6);
    now += 6_000;
    expect(limiter.check('a', limit)).toBe(0);
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('counts %s under %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
