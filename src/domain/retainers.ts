// When a retainer bills: monthly or quarterly, on a day of the month (a day the month lacks means its last day) or
// on the month's last working day (weekly days off and the workspace's public holidays both count), from a start date
// until an end date or a count. Pure: dates in, dates out; the holiday calendar is passed in.
import { addDays, compareDates, endOfMonth, isLocalDate, type LocalDate } from './dates.js';
import { type HolidayCalendar, isWorkingDay, NO_HOLIDAYS } from './schedule.js';

export type Cadence = 'monthly' | 'quarterly';

export interface RetainerSchedule {
  cadence: Cadence;
  /** 1–31; a day past the month's end is its last day (the 31st in April is the 30th). Null: the last working day. */
  dayOfMonth: number | null;
  /** The first occurrence is on or after this date; quarters run from its month. */
  startDate: LocalDate;
  /** No occurrence after this date. */
  endDate: LocalDate | null;
  /** At most this many invoices in all. */
  maxCount: number | null;
}

const MONTHS: Readonly<Record<Cadence, number>> = { monthly: 1, quarterly: 3 };

function ymOf(d: LocalDate): { year: number; month: number } {
  return { year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)) };
}

function firstOfMonth(year: number, month: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}

/** The month `n` months after (year, month). */
function addMonths(year: number, month: number, n: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + n;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/**
 * The last working day of the month (0 = Sunday … 6 = Saturday are the working days), a public holiday being a day
 * off: 31 December on a Thursday that is a holiday makes it the 30th. A workspace that names no working day at all
 * gets the month's last day; a month with no working day at all (a calendar gone wrong) gets its last weekday.
 */
export function lastWorkingDayOf(
  year: number,
  month: number,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): LocalDate {
  const first = firstOfMonth(year, month);
  const last = endOfMonth(first);
  if (workingDays.length === 0) return last;
  for (let d = last; compareDates(d, first) >= 0; d = addDays(d, -1)) {
    if (isWorkingDay(d, workingDays, holidays)) return d;
  }
  return lastWorkingDayOf(year, month, workingDays);
}

/** The schedule's day in a month: the day of the month (clamped to the month's last day), or its last working day. */
export function occurrenceInMonth(
  schedule: Pick<RetainerSchedule, 'dayOfMonth'>,
  year: number,
  month: number,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): LocalDate {
  if (schedule.dayOfMonth === null) return lastWorkingDayOf(year, month, workingDays, holidays);
  const last = endOfMonth(firstOfMonth(year, month));
  const day = Math.min(schedule.dayOfMonth, Number(last.slice(8, 10)));
  return `${firstOfMonth(year, month).slice(0, 8)}${String(day).padStart(2, '0')}`;
}

/** Whether the schedule's day in some month falls on a day the month lacks (a 31st in a 30-day month). */
export function isClamped(schedule: Pick<RetainerSchedule, 'dayOfMonth'>, occurrence: LocalDate): boolean {
  return schedule.dayOfMonth !== null && Number(occurrence.slice(8, 10)) < schedule.dayOfMonth;
}

/**
 * Every occurrence from the start, in order, ignoring the count (which counts what was made, not the calendar):
 * stops after the end date, or after `limit` occurrences as a guard for an endless schedule.
 */
export function* occurrences(
  schedule: RetainerSchedule,
  workingDays: readonly number[],
  limit = 1200,
  holidays: HolidayCalendar = NO_HOLIDAYS,
): Generator<LocalDate> {
  const start = ymOf(schedule.startDate);
  const step = MONTHS[schedule.cadence];
  for (let i = 0, yielded = 0; yielded < limit; i++) {
    const { year, month } = addMonths(start.year, start.month, i * step);
    const d = occurrenceInMonth(schedule, year, month, workingDays, holidays);
    if (schedule.endDate !== null && compareDates(d, schedule.endDate) > 0) return;
    if (compareDates(d, schedule.startDate) < 0) continue;
    yielded += 1;
    yield d;
  }
}

/**
 * The occurrences to make now: those from `from` through `through` (both included), at most what the count leaves
 * after `made` invoices, oldest first. `from` is where making resumes (the start, a resume, the day after the last
 * one made); `through` is today in the workspace's time zone, so the days missed while the app was down come too.
 */
export function dueOccurrences(
  schedule: RetainerSchedule,
  workingDays: readonly number[],
  params: { from: LocalDate; through: LocalDate; made: number; holidays?: HolidayCalendar },
): LocalDate[] {
  const left = schedule.maxCount === null ? Number.POSITIVE_INFINITY : schedule.maxCount - params.made;
  const due: LocalDate[] = [];
  if (left <= 0 || compareDates(params.from, params.through) > 0) return due;
  for (const d of occurrences(schedule, workingDays, undefined, params.holidays)) {
    if (compareDates(d, params.through) > 0) break;
    if (compareDates(d, params.from) < 0) continue;
    due.push(d);
    if (due.length >= left) break;
  }
  return due;
}

/** The next occurrence on or after `from`, or undefined when the schedule is finished (end date or count reached). */
export function nextOccurrence(
  schedule: RetainerSchedule,
  workingDays: readonly number[],
  params: { from: LocalDate; made: number; holidays?: HolidayCalendar },
): LocalDate | undefined {
  if (schedule.maxCount !== null && params.made >= schedule.maxCount) return undefined;
  for (const d of occurrences(schedule, workingDays, undefined, params.holidays)) {
    if (compareDates(d, params.from) >= 0) return d;
  }
  return undefined;
}

/** "monthly on the 31st, or the last day of a shorter month", "quarterly on the last working day". */
export function describeSchedule(schedule: Pick<RetainerSchedule, 'cadence' | 'dayOfMonth'>): string {
  const when =
    schedule.dayOfMonth === null
      ? 'on the last working day'
      : `on the ${ordinal(schedule.dayOfMonth)}${schedule.dayOfMonth > 28 ? ', or the last day of a shorter month' : ''}`;
  return `${schedule.cadence} ${when}`;
}

/** "until 2027-06-30", "12 invoices", "until 2027-06-30 or 12 invoices", or "" when it runs until ended. */
export function describeEnd(schedule: Pick<RetainerSchedule, 'endDate' | 'maxCount'>): string {
  const parts = [
    schedule.endDate ? `until ${schedule.endDate}` : null,
    schedule.maxCount !== null ? `${schedule.maxCount} invoice${schedule.maxCount === 1 ? '' : 's'}` : null,
  ].filter((p): p is string => p !== null);
  return parts.join(' or ');
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** A valid schedule's own checks, beyond the types: a real start, an end not before it. */
export function scheduleProblems(schedule: RetainerSchedule): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!isLocalDate(schedule.startDate)) problems.push({ field: 'startDate', message: 'must be a date' });
  if (schedule.endDate !== null && compareDates(schedule.endDate, schedule.startDate) < 0) {
    problems.push({ field: 'endDate', message: `must be on or after the start (${schedule.startDate})` });
  }
  return problems;
}

/**
 * Where a retainer resumes after its schedule (cadence or day) is edited — the rule that an edit never bills a
 * period twice, never back-dates, and never drops what was due before it:
 * - what the old schedule had due through the day of the edit is made first (the service does it, under the old
 *   dates), so nothing that was due before the edit is skipped;
 * - the new schedule then applies from the day of the edit (today included, never before), and never within the
 *   period the last invoice made already covers: a month, or three for a quarterly one. Moving the 1st to the 15th
 *   after the 1st's invoice was made makes the next one on the 15th of next month, not a second one this month.
 * The later of: where it resumed already, today, and the first day after the last invoice's period.
 */
export function resumeAfterScheduleEdit(p: {
  today: LocalDate;
  resumeFrom: LocalDate;
  /** The latest occurrence made, if any (after the old schedule's due ones were made). */
  lastOccurrence: LocalDate | null;
  /** The cadence it was made under: the period it covers. */
  lastCadence: Cadence;
}): LocalDate {
  let from = compareDates(p.today, p.resumeFrom) > 0 ? p.today : p.resumeFrom;
  if (p.lastOccurrence !== null) {
    const { year, month } = ymOf(p.lastOccurrence);
    const next = addMonths(year, month, MONTHS[p.lastCadence]);
    const afterPeriod = firstOfMonth(next.year, next.month);
    if (compareDates(afterPeriod, from) > 0) from = afterPeriod;
  }
  return from;
}
