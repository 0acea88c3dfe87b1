// When the jobs speak: working days, the alert dates a working day covers, the week's digest. Pure.
import { addDays, instantAt, type LocalDate, weekdayOf } from './dates.js';

/** Whether `d` is one of the workspace's working days (0 = Sunday … 6 = Saturday). */
export function isWorkingDay(d: LocalDate, workingDays: readonly number[]): boolean {
  return workingDays.includes(weekdayOf(d));
}

/**
 * The dates whose changes a working day announces: itself and the days off just before it, so what
 * flips on a weekend is announced on Monday, as of Monday. Empty on a day off.
 */
export function alertDatesFor(today: LocalDate, workingDays: readonly number[]): LocalDate[] {
  if (!isWorkingDay(today, workingDays)) return [];
  const dates = [today];
  for (let d = addDays(today, -1); dates.length < 7 && !isWorkingDay(d, workingDays); d = addDays(d, -1)) {
    dates.unshift(d);
  }
  return dates;
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
