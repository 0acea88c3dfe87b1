import { describe, expect, it } from 'vitest';
import {
  describeEnd,
  describeSchedule,
  dueOccurrences,
  isClamped,
  lastWorkingDayOf,
  nextOccurrence,
  occurrenceInMonth,
  occurrences,
  type RetainerSchedule,
  resumeAfterScheduleEdit,
} from '../../src/domain/retainers.js';
import { holidaysOn } from '../../src/domain/schedule.js';

const WEEKDAYS = [1, 2, 3, 4, 5];
const monthly = (dayOfMonth: number | null, more: Partial<RetainerSchedule> = {}): RetainerSchedule => ({
  cadence: 'monthly',
  dayOfMonth,
  startDate: '2026-01-01',
  endDate: null,
  maxCount: null,
  ...more,
});
const take = (schedule: RetainerSchedule, n: number, workingDays = WEEKDAYS) => {
  const out: string[] = [];
  for (const d of occurrences(schedule, workingDays)) {
    out.push(d);
    if (out.length === n) break;
  }
  return out;
};

describe('when a retainer bills', () => {
  it('bills the 31st on the last day of shorter months, February of a leap year included', () => {
    expect(take(monthly(31), 6)).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
    ]);
    expect(occurrenceInMonth({ dayOfMonth: 30 }, 2028, 2, WEEKDAYS)).toBe('2028-02-29');
    expect(isClamped({ dayOfMonth: 31 }, '2026-04-30')).toBe(true);
    expect(isClamped({ dayOfMonth: 31 }, '2026-03-31')).toBe(false);
    expect(isClamped({ dayOfMonth: null }, '2026-04-30')).toBe(false);
  });

  it('finds the last working day of a month ending on a weekend, and the last day with no working days named', () => {
    expect(lastWorkingDayOf(2026, 1, WEEKDAYS)).toBe('2026-01-30'); // the 31st is a Saturday
    expect(lastWorkingDayOf(2026, 5, WEEKDAYS)).toBe('2026-05-29'); // the 31st is a Sunday
    expect(lastWorkingDayOf(2026, 3, WEEKDAYS)).toBe('2026-03-31'); // a Tuesday
    expect(lastWorkingDayOf(2026, 1, [0, 1, 2, 3, 4, 5, 6])).toBe('2026-01-31');
    expect(lastWorkingDayOf(2026, 1, [0, 1, 2, 3, 4])).toBe('2026-01-29'); // Sunday to Thursday: the 29th, a Thursday
    expect(lastWorkingDayOf(2026, 1, [])).toBe('2026-01-31');
    expect(take(monthly(null), 3)).toEqual(['2026-01-30', '2026-02-27', '2026-03-31']);
  });

  it('bills quarterly from the start’s month, and skips a month’s day that falls before the start', () => {
    expect(take({ ...monthly(31), cadence: 'quarterly', startDate: '2026-01-15' }, 4)).toEqual([
      '2026-01-31',
      '2026-04-30',
      '2026-07-31',
      '2026-10-31',
    ]);
    // The 1st of the start's month is before the start: the first is a quarter later.
    expect(take({ ...monthly(1), cadence: 'quarterly', startDate: '2026-02-10' }, 2)).toEqual([
      '2026-05-01',
      '2026-08-01',
    ]);
    expect(take({ ...monthly(null), cadence: 'quarterly', startDate: '2026-11-01' }, 2)).toEqual([
      '2026-11-30',
      '2027-02-26',
    ]);
  });

  it('stops at the end date, and at the count of invoices made', () => {
    const ending = monthly(15, { endDate: '2026-03-15' });
    expect(take(ending, 10)).toEqual(['2026-01-15', '2026-02-15', '2026-03-15']);
    expect(nextOccurrence(ending, WEEKDAYS, { from: '2026-03-16', made: 3 })).toBeUndefined();
    const counted = monthly(15, { maxCount: 2 });
    expect(dueOccurrences(counted, WEEKDAYS, { from: '2026-01-01', through: '2026-12-31', made: 0 })).toEqual([
      '2026-01-15',
      '2026-02-15',
    ]);
    expect(dueOccurrences(counted, WEEKDAYS, { from: '2026-02-01', through: '2026-12-31', made: 1 })).toEqual([
      '2026-02-15',
    ]);
    expect(nextOccurrence(counted, WEEKDAYS, { from: '2026-02-16', made: 2 })).toBeUndefined();
    expect(nextOccurrence(counted, WEEKDAYS, { from: '2026-01-16', made: 1 })).toBe('2026-02-15');
  });

  it('catches up every missed occurrence once, oldest first, and nothing before where it resumes', () => {
    const schedule = monthly(1);
    expect(dueOccurrences(schedule, WEEKDAYS, { from: '2026-02-02', through: '2026-05-01', made: 1 })).toEqual([
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
    ]);
    expect(dueOccurrences(schedule, WEEKDAYS, { from: '2026-05-02', through: '2026-05-31', made: 4 })).toEqual([]);
    expect(dueOccurrences(schedule, WEEKDAYS, { from: '2026-06-01', through: '2026-05-31', made: 4 })).toEqual([]);
  });

  it('says the schedule in words', () => {
    expect(describeSchedule({ cadence: 'monthly', dayOfMonth: 31 })).toBe(
      'monthly on the 31st, or the last day of a shorter month',
    );
    expect(describeSchedule({ cadence: 'monthly', dayOfMonth: 2 })).toBe('monthly on the 2nd');
    expect(describeSchedule({ cadence: 'quarterly', dayOfMonth: 13 })).toBe('quarterly on the 13th');
    expect(describeSchedule({ cadence: 'quarterly', dayOfMonth: null })).toBe('quarterly on the last working day');
    expect(describeEnd({ endDate: '2027-06-30', maxCount: 12 })).toBe('until 2027-06-30 or 12 invoices');
    expect(describeEnd({ endDate: null, maxCount: 1 })).toBe('1 invoice');
    expect(describeEnd({ endDate: null, maxCount: null })).toBe('');
  });
});

describe('the last working day with public holidays', () => {
  // 2026-12-31 is a Thursday; 2027-04-30 a Friday; 2027-05-31 a Monday (Spring bank holiday in England).
  const holidays = holidaysOn({
    '2026-12-31': 'New Year’s Eve (a made-up holiday)',
    '2027-04-30': 'A holiday',
    '2027-04-29': 'Another holiday',
    '2027-05-31': 'Spring bank holiday',
  });

  it('moves a last working day that is a public holiday to the working day before it', () => {
    expect(lastWorkingDayOf(2026, 12, WEEKDAYS)).toBe('2026-12-31');
    expect(lastWorkingDayOf(2026, 12, WEEKDAYS, holidays)).toBe('2026-12-30');
    // Two holidays in a row: back past both.
    expect(lastWorkingDayOf(2027, 4, WEEKDAYS, holidays)).toBe('2027-04-28');
    // A holiday on a Monday, then the weekend: back to Friday the 28th.
    expect(lastWorkingDayOf(2027, 5, WEEKDAYS, holidays)).toBe('2027-05-28');
  });

  it('leaves a day of the month alone: a 31st is billed on the 31st, holiday or not', () => {
    expect(occurrenceInMonth({ dayOfMonth: 31 }, 2026, 12, WEEKDAYS, holidays)).toBe('2026-12-31');
  });

  it('counts the holidays in the occurrences, the due ones and the next one', () => {
    const schedule = monthly(null, { startDate: '2026-12-01' });
    const out: string[] = [];
    for (const d of occurrences(schedule, WEEKDAYS, 6, holidays)) out.push(d);
    expect(out).toEqual(['2026-12-30', '2027-01-29', '2027-02-26', '2027-03-31', '2027-04-28', '2027-05-28']);
    expect(
      dueOccurrences(schedule, WEEKDAYS, { from: '2026-12-01', through: '2026-12-31', made: 0, holidays }),
    ).toEqual(['2026-12-30']);
    expect(nextOccurrence(schedule, WEEKDAYS, { from: '2026-12-31', made: 1, holidays })).toBe('2027-01-29');
  });

  it('gives the month’s last weekday when a calendar gone wrong makes every day of it a holiday', () => {
    const everyDay = { holidayOn: (d: string) => (d.startsWith('2027-02') ? 'all month' : undefined) };
    expect(lastWorkingDayOf(2027, 2, WEEKDAYS, everyDay)).toBe('2027-02-26');
  });
});

describe('where a retainer resumes after its schedule is edited', () => {
  it('never inside the period the last invoice covers, never before today, never before where it resumed', () => {
    const at = (p: Partial<Parameters<typeof resumeAfterScheduleEdit>[0]>) =>
      resumeAfterScheduleEdit({
        today: '2026-12-03',
        resumeFrom: '2026-11-20',
        lastOccurrence: null,
        lastCadence: 'monthly',
        ...p,
      });
    expect(at({})).toBe('2026-12-03');
    expect(at({ lastOccurrence: '2026-12-01' })).toBe('2027-01-01');
    expect(at({ lastOccurrence: '2026-11-30' })).toBe('2026-12-03');
    expect(at({ lastOccurrence: '2026-11-30', lastCadence: 'quarterly' })).toBe('2027-02-01');
    expect(at({ lastOccurrence: '2026-12-31', lastCadence: 'quarterly' })).toBe('2027-03-01');
    expect(at({ resumeFrom: '2027-05-01', lastOccurrence: '2026-12-01' })).toBe('2027-05-01');
  });
});
