import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addYears,
  compareDates,
  daysBetween,
  endOfMonth,
  isLocalDate,
  isPlausibleDate,
  isValidTimeZone,
  localDateOf,
  localTimeOf,
  startOfLocalDay,
  todayIn,
  weekdayOf,
} from '../../src/domain/dates.js';

const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

/** Calendar dates 1900–2199, built with Date.UTC so they do not depend on the code under test. */
const anyDate = fc
  .integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2199, 11, 31) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
const anyInstant = fc.date({
  min: new Date('1971-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const ZONES = [
  'UTC',
  'Pacific/Honolulu',
  'Pacific/Auckland',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Tokyo',
] as const;
const anyZone = fc.constantFrom(...ZONES);

describe('isLocalDate', () => {
  it('accepts real calendar dates written YYYY-MM-DD', () => {
    expect(isLocalDate('2026-11-23')).toBe(true);
    expect(isLocalDate('2026-12-31')).toBe(true);
    expect(isLocalDate('0001-01-01')).toBe(true);
  });

  it('accepts 29 February only in leap years', () => {
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2000-02-29')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('1900-02-29')).toBe(false);
  });

  it('refuses impossible days, months and other spellings', () => {
    for (const s of ['2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '2026-1-5', '26-01-05']) {
      expect(isLocalDate(s), s).toBe(false);
    }
    for (const s of ['2026-01-05T00:00:00Z', ' 2026-01-05', '2026/01/05', '', 'today']) {
      expect(isLocalDate(s), s).toBe(false);
    }
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zone names', () => {
    for (const tz of ['UTC', 'Europe/London', 'Pacific/Auckland', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) {
      expect(isValidTimeZone(tz), tz).toBe(true);
    }
  });

  it('refuses unknown names, empty strings and bare offsets', () => {
    for (const tz of ['Mars/Olympus_Mons', 'Europe/Londres', '', '   ', '+01:00', '-05:00']) {
      expect(isValidTimeZone(tz), tz).toBe(false);
    }
  });
});

describe('localDateOf', () => {
  it('is still the 22nd in Honolulu when it is already the 23rd in Auckland', () => {
    const instant = at('2026-11-23T09:30:00Z'); // 23:30 on the 22nd in Honolulu, 22:30 on the 23rd in Auckland
    expect(localDateOf(instant, 'Pacific/Honolulu')).toBe('2026-11-22');
    expect(localDateOf(instant, 'UTC')).toBe('2026-11-23');
    expect(localDateOf(instant, 'Pacific/Auckland')).toBe('2026-11-23');
  });

  it('is already the 24th in Auckland two hours later, while Honolulu has reached the 23rd', () => {
    const instant = at('2026-11-23T11:30:00Z'); // 01:30 in Honolulu, 00:30 the next day in Auckland
    expect(localDateOf(instant, 'Pacific/Honolulu')).toBe('2026-11-23');
    expect(localDateOf(instant, 'UTC')).toBe('2026-11-23');
    expect(localDateOf(instant, 'Pacific/Auckland')).toBe('2026-11-24');
  });

  it('gives yesterday, today and tomorrow for one instant at the edges of the date line', () => {
    const instant = at('2026-11-23T10:30:00Z');
    expect(localDateOf(instant, 'Pacific/Pago_Pago')).toBe('2026-11-22'); // UTC−11
    expect(localDateOf(instant, 'UTC')).toBe('2026-11-23');
    expect(localDateOf(instant, 'Pacific/Kiritimati')).toBe('2026-11-24'); // UTC+14
  });

  it('changes date at local midnight in New York around the spring change (2026-03-08)', () => {
    expect(localDateOf(at('2026-03-08T04:59:59.999Z'), 'America/New_York')).toBe('2026-03-07');
    expect(localDateOf(at('2026-03-08T05:00:00Z'), 'America/New_York')).toBe('2026-03-08'); // midnight EST
    expect(localDateOf(at('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDateOf(at('2026-03-09T04:00:00Z'), 'America/New_York')).toBe('2026-03-09'); // midnight EDT
  });

  it('changes date at local midnight in New York around the autumn change (2026-11-01)', () => {
    expect(localDateOf(at('2026-11-01T03:59:59.999Z'), 'America/New_York')).toBe('2026-10-31');
    expect(localDateOf(at('2026-11-01T04:00:00Z'), 'America/New_York')).toBe('2026-11-01'); // midnight EDT
    expect(localDateOf(at('2026-11-02T04:59:59.999Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDateOf(at('2026-11-02T05:00:00Z'), 'America/New_York')).toBe('2026-11-02'); // midnight EST
  });

  it('changes date at local midnight in London around the spring change (2026-03-29)', () => {
    expect(localDateOf(at('2026-03-28T23:59:59.999Z'), 'Europe/London')).toBe('2026-03-28');
    expect(localDateOf(at('2026-03-29T00:00:00Z'), 'Europe/London')).toBe('2026-03-29'); // midnight GMT
    expect(localDateOf(at('2026-03-29T22:59:59.999Z'), 'Europe/London')).toBe('2026-03-29');
    expect(localDateOf(at('2026-03-29T23:00:00Z'), 'Europe/London')).toBe('2026-03-30'); // midnight BST
  });

  it('changes date at local midnight in London around the autumn change (2026-10-25)', () => {
    expect(localDateOf(at('2026-10-24T22:59:59.999Z'), 'Europe/London')).toBe('2026-10-24');
    expect(localDateOf(at('2026-10-24T23:00:00Z'), 'Europe/London')).toBe('2026-10-25'); // midnight BST
    expect(localDateOf(at('2026-10-25T23:59:59.999Z'), 'Europe/London')).toBe('2026-10-25');
    expect(localDateOf(at('2026-10-26T00:00:00Z'), 'Europe/London')).toBe('2026-10-26'); // midnight GMT
  });

  it('throws a RangeError for an unknown zone or an invalid Date', () => {
    expect(() => localDateOf(at('2026-11-23T10:30:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localDateOf(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});

describe('todayIn', () => {
  it('is the calendar date in the zone at the instant it is given', () => {
    const now = at('2026-11-23T11:30:00Z');
    expect(todayIn('Pacific/Auckland', now)).toBe('2026-11-24');
    expect(todayIn('Pacific/Honolulu', now)).toBe('2026-11-23');
  });
});

describe('startOfLocalDay', () => {
  it('is local midnight on an ordinary day', () => {
    expect(startOfLocalDay('2026-11-23', 'UTC').toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'Asia/Tokyo').toISOString()).toBe('2026-11-22T15:00:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'Asia/Kolkata').toISOString()).toBe('2026-11-22T18:30:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'Pacific/Honolulu').toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('makes the day the clocks go forward in New York 23 hours long', () => {
    const start = startOfLocalDay('2026-03-08', 'America/New_York');
    const next = startOfLocalDay('2026-03-09', 'America/New_York');
    expect(start.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(next.getTime() - start.getTime()).toBe(23 * HOUR);
  });

  it('makes the day the clocks go back in New York 25 hours long', () => {
    const start = startOfLocalDay('2026-11-01', 'America/New_York');
    const next = startOfLocalDay('2026-11-02', 'America/New_York');
    expect(start.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(next.getTime() - start.getTime()).toBe(25 * HOUR);
  });

  it('makes the day the clocks go forward in London 23 hours long', () => {
    const start = startOfLocalDay('2026-03-29', 'Europe/London');
    expect(start.toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(startOfLocalDay('2026-03-30', 'Europe/London').getTime() - start.getTime()).toBe(23 * HOUR);
  });

  it('makes the day the clocks go back in London 25 hours long', () => {
    const start = startOfLocalDay('2026-10-25', 'Europe/London');
    expect(start.toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(startOfLocalDay('2026-10-26', 'Europe/London').getTime() - start.getTime()).toBe(25 * HOUR);
  });

  it('is 01:00 in Santiago on the day midnight is skipped (2026-09-06)', () => {
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(localDateOf(new Date(start.getTime() - 1), 'America/Santiago')).toBe('2026-09-05');
  });

  it('is 01:00 in Beirut on the day midnight is skipped (2026-03-29)', () => {
    const start = startOfLocalDay('2026-03-29', 'Asia/Beirut');
    expect(start.toISOString()).toBe('2026-03-28T22:00:00.000Z'); // 01:00 EEST
    expect(localDateOf(new Date(start.getTime() - 1), 'Asia/Beirut')).toBe('2026-03-28');
  });

  it('is midnight after the repeated hour when clocks go back from midnight to 23:00', () => {
    expect(startOfLocalDay('2026-04-05', 'America/Santiago').toISOString()).toBe('2026-04-05T04:00:00.000Z');
    expect(startOfLocalDay('2026-10-25', 'Asia/Beirut').toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });

  it('is midnight NZDT on the day Auckland goes back an hour, and midnight NZST on the day it goes forward', () => {
    const start = startOfLocalDay('2026-04-05', 'Pacific/Auckland');
    expect(start.toISOString()).toBe('2026-04-04T11:00:00.000Z');
    expect(startOfLocalDay('2026-04-06', 'Pacific/Auckland').getTime() - start.getTime()).toBe(25 * HOUR);
    expect(startOfLocalDay('2026-09-27', 'Pacific/Auckland').toISOString()).toBe('2026-09-26T12:00:00.000Z');
  });

  it('is the first of two midnights when the clocks go back from 01:00 to 00:00 (Amman, 2014-10-31)', () => {
    const start = startOfLocalDay('2014-10-31', 'Asia/Amman');
    expect(start.toISOString()).toBe('2014-10-30T21:00:00.000Z'); // 00:00 EEST; 00:00 EET comes an hour later
    expect(localDateOf(new Date(start.getTime() - 1), 'Asia/Amman')).toBe('2014-10-30');
  });

  it('is the first instant of the following day for a date a zone skipped entirely (Samoa, 2011-12-30)', () => {
    expect(startOfLocalDay('2011-12-30', 'Pacific/Apia').toISOString()).toBe('2011-12-30T10:00:00.000Z');
    expect(localDateOf(startOfLocalDay('2011-12-30', 'Pacific/Apia'), 'Pacific/Apia')).toBe('2011-12-31');
  });

  it('is the first instant of the day and on that day, for any instant in any of the zones', () => {
    fc.assert(
      fc.property(anyInstant, anyZone, (t, zone) => {
        const day = localDateOf(t, zone);
        const start = startOfLocalDay(day, zone);
        expect(start.getTime()).toBeLessThanOrEqual(t.getTime());
        expect(localDateOf(start, zone)).toBe(day);
        expect(localDateOf(new Date(start.getTime() - 1), zone)).toBe(addDays(day, -1));
      }),
      { numRuns: 500 },
    );
  });

  it('falls on the date it was asked for, for any date in any of the zones', () => {
    fc.assert(
      fc.property(anyDate, anyZone, (d, zone) => {
        expect(localDateOf(startOfLocalDay(d, zone), zone)).toBe(d);
      }),
      { numRuns: 500 },
    );
  });
});

describe('addDays', () => {
  it('crosses month ends, year ends and 29 February', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2028-02-29', 30)).toBe('2028-03-30');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-23', 0)).toBe('2026-11-23');
  });

  it('refuses a fractional number of days or a date that does not exist', () => {
    expect(() => addDays('2026-11-23', 1.5)).toThrow(RangeError);
    expect(() => addDays('2026-02-29', 1)).toThrow(RangeError);
  });

  it('agrees with Date.UTC arithmetic for any date and any number of days', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -3650, max: 3650 }), (d, n) => {
        const expected = new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(addDays(d, n)).toBe(expected);
      }),
    );
  });
});

describe('daysBetween', () => {
  it('counts whole calendar days across both New York DST changes', () => {
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
    expect(daysBetween('2026-03-08', '2026-03-09')).toBe(1);
    expect(daysBetween('2026-10-31', '2026-11-02')).toBe(2);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
  });

  it('counts whole calendar days across both London DST changes', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-03-29', '2026-10-25')).toBe(210);
  });

  it('is negative when the second date is earlier, and counts 29 February', () => {
    expect(daysBetween('2026-11-23', '2026-11-20')).toBe(-3);
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2027-02-01', '2027-03-01')).toBe(28);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
  });

  it('undoes addDays for any date and any n from 0 to 3650', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 3650 }), (d, n) => {
        expect(daysBetween(d, addDays(d, n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('endOfMonth', () => {
  it('is 29 February in a leap year and 28 February otherwise', () => {
    expect(endOfMonth('2028-02-10')).toBe('2028-02-29');
    expect(endOfMonth('2028-02-29')).toBe('2028-02-29');
    expect(endOfMonth('2027-02-10')).toBe('2027-02-28');
    expect(endOfMonth('2100-02-01')).toBe('2100-02-28');
    expect(endOfMonth('2000-02-01')).toBe('2000-02-29');
  });

  it('is the 30th or 31st in other months', () => {
    expect(endOfMonth('2026-04-01')).toBe('2026-04-30');
    expect(endOfMonth('2026-12-15')).toBe('2026-12-31');
  });
});

describe('weekdayOf', () => {
  it('numbers days from Sunday = 0 to Saturday = 6', () => {
    expect(weekdayOf('2026-11-22')).toBe(0); // Sunday
    expect(weekdayOf('2026-11-23')).toBe(1); // Monday
    expect(weekdayOf('2026-11-28')).toBe(6); // Saturday
    expect(weekdayOf('1970-01-01')).toBe(4); // Thursday
    expect(weekdayOf('1969-12-28')).toBe(0); // Sunday, before day 0
    expect(weekdayOf('2028-02-29')).toBe(2); // Tuesday
  });

  it('agrees with Date.getUTCDay for any date', () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        expect(weekdayOf(d)).toBe(new Date(`${d}T00:00:00Z`).getUTCDay());
      }),
    );
  });
});

describe('compareDates', () => {
  it('orders dates', () => {
    expect(compareDates('2026-11-22', '2026-11-23')).toBe(-1);
    expect(compareDates('2026-11-23', '2026-11-23')).toBe(0);
    expect(compareDates('2027-01-01', '2026-12-31')).toBe(1);
  });

  it('refuses something that is not a date', () => {
    expect(() => compareDates('2026-11-23', 'tomorrow')).toThrow(RangeError);
  });
});

describe('the wall clock, read through a per-day offset cache', () => {
  // The reference: Intl straight, without the cache.
  const reference = (instant: Date, timeZone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(instant)
        .map((p) => [p.type, p.value]),
    );
    return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
  };
  // Zones with DST both ways, half and three-quarter hour offsets, a skipped day (Apia 2011-12-30), a
  // midnight change (Santiago) and 30-minute DST (Lord Howe).
  const TRICKY = [
    ...ZONES,
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'Pacific/Apia',
    'America/St_Johns',
    'Europe/Dublin',
    'Asia/Beirut',
  ];

  it('agrees with Intl for any instant in any zone', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...TRICKY),
        (t, zone) => {
          const want = reference(t, zone);
          expect(localDateOf(t, zone)).toBe(want.date);
          expect(localTimeOf(t, zone)).toBe(want.time);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with Intl minute by minute across DST changes and a skipped day', () => {
    const spans: [string, string][] = [
      ['2026-03-08T05:00:00Z', 'America/New_York'],
      ['2026-11-01T04:00:00Z', 'America/New_York'],
      ['2026-03-29T00:00:00Z', 'Europe/London'],
      ['2026-04-05T02:00:00Z', 'America/Santiago'],
      ['2026-09-06T03:00:00Z', 'America/Santiago'],
      ['2026-04-04T14:00:00Z', 'Australia/Lord_Howe'],
      ['2011-12-29T09:00:00Z', 'Pacific/Apia'],
    ];
    for (const [start, zone] of spans) {
      for (let minute = 0; minute < 6 * 60; minute += 1) {
        const t = new Date(new Date(start).getTime() + minute * 60_000);
        const want = reference(t, zone);
        expect(`${localDateOf(t, zone)} ${localTimeOf(t, zone)}`).toBe(`${want.date} ${want.time}`);
      }
    }
  });
});

describe('years and plausible dates', () => {
  it('adds whole years, making 29 February the 28th in a year without one', () => {
    expect(addYears('2026-09-10', -10)).toBe('2016-09-10');
    expect(addYears('2026-09-10', 1)).toBe('2027-09-10');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
    expect(() => addYears('9999-01-01', 1)).toThrow(RangeError);
  });

  it('takes dates from 1900 to 2199 as plausible, and year 1 or 9999 as a slip', () => {
    expect(isPlausibleDate('1900-01-01')).toBe(true);
    expect(isPlausibleDate('2199-12-31')).toBe(true);
    expect(isPlausibleDate('1899-12-31')).toBe(false);
    expect(isPlausibleDate('2200-01-01')).toBe(false);
    expect(isPlausibleDate('0001-01-01')).toBe(false);
    expect(isPlausibleDate('9999-12-31')).toBe(false);
    expect(isPlausibleDate('2026-02-29')).toBe(false);
  });
});
