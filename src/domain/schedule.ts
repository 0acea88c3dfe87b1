// When the jobs speak: working days (weekly days off and public holidays), the alert dates a working day covers,
// the week's digest. Pure: the holiday calendar is passed in.
import { addDays, instantAt, type LocalDate, weekdayOf } from './dates.js';

/**
 * The public holidays a workspace takes off, as the domain sees them: a question about a date. Built outside
 * the domain (services/holidays.ts, from a holidays library); tests pass a set of dates.
 */
export interface HolidayCalendar {
  /** The holiday's name when `d` is a public holiday, else undefined. */
  holidayOn(d: LocalDate): string | undefined;
}

/** No public holidays: weekly days off only. */
export const NO_HOLIDAYS: HolidayCalendar = { holidayOn: () => undefined };

/** A calendar from a fixed list of dates (tests, or holidays kept elsewhere). */
export function holidaysOn(dates: Readonly<Record<LocalDate, string>>): HolidayCalendar {
  return { holidayOn: (d) => dates[d] };
}

/**
 * How far back a working day looks for days off to cover: a long weekend with holidays on both sides (Christmas,
 * Boxing Day and their substitutes) is still covered, and a misconfigured calendar cannot make it look forever.
 */
const MAX_COVERED_DAYS = 14;

/** Whether `d` is a working day: one of the workspace's weekdays (0 = Sunday … 6 = Saturday) and not a holiday. */
export function isWorkingDay(
  d: LocalDate,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): boolean {
  return workingDays.includes(weekdayOf(d)) && holidays.holidayOn(d) === undefined;
}

/**
 * The dates whose changes a working day announces: itself and the days off just before it (weekends and public
 * holidays), so what flips on a weekend or a holiday is announced on the next working day, as of that day. Empty
 * on a day off.
 */
export function alertDatesFor(
  today: LocalDate,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): LocalDate[] {
  if (!isWorkingDay(today, workingDays, holidays)) return [];
  const dates = [today];
  for (
    let d = addDays(today, -1);
    dates.length < MAX_COVERED_DAYS && !isWorkingDay(d, workingDays, holidays);
    d = addDays(d, -1)
  ) {
    dates.unshift(d);
  }
  return dates;
}

/** The first working day on or after `d` (`d` itself when it is one); at most a few weeks on. */
export function nextWorkingDay(
  d: LocalDate,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): LocalDate {
  let day = d;
  for (let i = 0; i < 31 && !isWorkingDay(day, workingDays, holidays); i++) day = addDays(day, 1);
  return day;
}

/**
 * The date of the most recent scheduled digest at or before `now`: the latest `weekday` on or before
 * today whose `time` has come. `undefined` never happens for a valid weekday; returned as a date.
 */
export function latestDigestDate(
  today: LocalDate,
  localTime: string,
  schedule: { weekday: number; time: string },
): LocalDate {
  const back = (weekdayOf(today) - schedule.weekday + 7) % 7;
  if (back === 0 && localTime < schedule.time) return addDays(today, -7);
  return addDays(today, -back);
}

/** The instant a workspace's digest for `date` is due. */
export function digestInstant(date: LocalDate, time: string, timeZone: string): Date {
  return instantAt(date, time, timeZone);
}
