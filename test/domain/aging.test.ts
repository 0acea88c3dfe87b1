import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGING_BUCKETS, agingBucket } from '../../src/domain/aging.js';

describe('agingBucket', () => {
  it.each([
    [-30, 'current'],
    [0, 'current'],
    [1, '1-30'],
    [30, '1-30'],
    [31, '31-60'],
    [60, '31-60'],
    [61, '61-90'],
    [90, '61-90'],
    [91, '90+'],
    [365, '90+'],
  ])('puts %i days overdue in %s', (days, bucket) => {
    expect(agingBucket(days)).toBe(bucket);
  });

  it('refuses a number of days that is not whole', () => {
    expect(() => agingBucket(1.5)).toThrow(RangeError);
    expect(() => agingBucket(Number.NaN)).toThrow(RangeError);
  });

  it('never moves an older debt into a younger bucket', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (days, more) => {
        expect(AGING_BUCKETS.indexOf(agingBucket(days + more))).toBeGreaterThanOrEqual(
          AGING_BUCKETS.indexOf(agingBucket(days)),
        );
      }),
    );
  });
});

describe('AGING_BUCKETS', () => {
  it('lists the buckets youngest first', () => {
    expect(AGING_BUCKETS).toEqual(['current', '1-30', '31-60', '61-90', '90+']);
  });
});
