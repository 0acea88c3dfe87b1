import { describe, expect, it } from 'vitest';
import { instantAt, localTimeOf } from '../../src/domain/dates.js';
import { alertDatesFor, isWorkingDay, latestDigestDate } from '../../src/domain/schedule.js';

const WEEKDAYS = [1, 2, 3, 4, 5];

describe('when the jobs speak', () => {
  it('announces on Monday what flipped over the weekend, and nothing on a day off', () => {
    expect(alertDatesFor('2026-11-23', WEEKDAYS)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']); // Monday
    expect(alertDatesFor('2026-11-24', WEEKDAYS)).toEqual(['2026-11-24']);
    expect(alertDatesFor('2026-11-22', WEEKDAYS)).toEqual([]); // Sunday
    expect(alertDatesFor('2026-11-22', [0, 1, 2, 3, 4, 5, 6])).toEqual(['2026-11-22']);
    expect(isWorkingDay('2026-11-28', WEEKDAYS)).toBe(false);
  });

  it('finds the latest digest that is due', () => {
    const monday9 = { weekday: 1, time: '09:00' };
    expect(latestDigestDate('2026-11-23', '08:59', monday9)).toBe('2026-11-16');
    expect(latestDigestDate('2026-11-23', '09:00', monday9)).toBe('2026-11-23');
    expect(latestDigestDate('2026-11-26', '07:00', monday9)).toBe('2026-11-23');
    expect(latestDigestDate('2026-11-22', '23:00', monday9)).toBe('2026-11-16');
  });

  it('turns a local date and time into the right instant across DST changes', () => {
    expect(instantAt('2026-03-08', '09:00', 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(instantAt('2026-03-07', '09:00', 'America/New_York').toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(instantAt('2026-11-01', '09:00', 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(instantAt('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(instantAt('2026-04-05', '09:00', 'Pacific/Auckland').toISOString()).toBe('2026-04-04T21:00:00.000Z');
    expect(instantAt('2026-09-27', '09:00', 'Pacific/Auckland').toISOString()).toBe('2026-09-26T20:00:00.000Z'); // NZDT, UTC+13
    expect(localTimeOf(new Date('2026-03-08T13:00:00Z'), 'America/New_York')).toBe('09:00');
    expect(localTimeOf(new Date('2026-11-23T10:30:00Z'), 'Pacific/Auckland')).toBe('23:30');
  });
});
