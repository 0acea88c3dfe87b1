// Calendar dates as 'YYYY-MM-DD' strings, and the bridge between them and instants in a time zone.
//
// Date arithmetic is done on day numbers (days since 1970-01-01, proleptic Gregorian), never on local
// Date objects, so nothing here depends on the process time zone or on DST. Instants are turned into
// calendar dates only through Intl with an explicit timeZone.

/** A calendar date, 'YYYY-MM-DD', year 0001–9999. */
export type LocalDate = string;

const MS_PER_DAY = 86_400_000;
const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Ymd {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function parseYmd(s: string): Ymd | null {
  const match = LOCAL_DATE_PATTERN.exec(s);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function toYmd(d: LocalDate): Ymd {
  const ymd = parseYmd(d);
  if (!ymd) throw new RangeError(`Not a calendar date (YYYY-MM-DD): "${d}"`);
  return ymd;
}

function formatYmd({ year, month, day }: Ymd): LocalDate {
  if (year < 1 || year > 9999) throw new RangeError(`Year ${year} is outside 0001–9999`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
function dayNumberOf({ year, month, day }: Ymd): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

// The inverse of dayNumberOf (H. Hinnant's civil_from_days).
function ymdOfDayNumber(n: number): Ymd {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * The years any date typed into the app may fall in, whatever the field: beyond them a date is a slip of the
 * keyboard (0001, 9999), and refusing it early keeps arithmetic on it (a due date, a window) in range.
 */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2199;

/** True for a real date in FIRST_YEAR–LAST_YEAR. */
export function isPlausibleDate(s: string): boolean {
  return isLocalDate(s) && s >= `${FIRST_YEAR}-01-01` && s <= `${LAST_YEAR}-12-31`;
}

/** True for a real calendar date written 'YYYY-MM-DD' (2026-02-29 is false, 2028-02-29 is true). */
export function isLocalDate(s: string): boolean {
  return parseYmd(s) !== null;
}

/**
 * True for a time zone name Intl knows (IANA names such as 'Europe/London', 'UTC'). Offsets such as
 * '+01:00' are refused even where the runtime accepts them: Postgres reads such strings with the POSIX
 * (inverted) sign, so they would mean different things here and in the database.
 */
export function isValidTimeZone(tz: string): boolean {
  if (tz.trim() === '' || /^[+-]/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

// One formatter per zone, reused: building one costs far more than formatting with it.
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone, which is what callers should see.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock extends Ymd {
  ms: number; // the wall-clock reading (to the second) taken as if it were UTC
}

// Reading the wall clock through Intl costs microseconds, and lists read it for every row. A zone's UTC
// offset is the same all through almost every UTC day: when it is the same at the first and the last second
// of the day (no zone changes its offset and back within one day), it holds for the whole day and is kept;
// an instant on such a day is then plain arithmetic. A day with a change is always read through Intl.
const DAY_OFFSETS_MAX = 20_000;
const dayOffsets = new Map<string, Map<number, number | null>>();
// Years the offsets are kept for; outside them (and before the common era) every reading goes through Intl.
const CACHED_FROM_MS = Date.UTC(1900, 0, 1);
const CACHED_UNTIL_MS = Date.UTC(2200, 0, 1);

function wallClockAt(ms: number, timeZone: string): WallClock {
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  if (ms < CACHED_FROM_MS || ms >= CACHED_UNTIL_MS) return readWallClock(ms, timeZone);
  const utcDay = Math.floor(ms / MS_PER_DAY);
  let days = dayOffsets.get(timeZone);
  if (!days) {
    days = new Map();
    dayOffsets.set(timeZone, days);
  }
  let offset = days.get(utcDay);
  if (offset === undefined) {
    const first = utcDay * MS_PER_DAY;
    const atStart = readWallClock(first, timeZone).ms - first;
    const last = first + MS_PER_DAY - 1000;
    const atEnd = readWallClock(last, timeZone).ms - last;
    offset = atStart === atEnd ? atStart : null;
    if (days.size >= DAY_OFFSETS_MAX) days.clear();
    days.set(utcDay, offset);
  }
  if (offset === null) return readWallClock(ms, timeZone);
  const wallMs = ms - (((ms % 1000) + 1000) % 1000) + offset;
  const ymd = ymdOfDayNumber(Math.floor(wallMs / MS_PER_DAY)) as WallClock;
  ymd.ms = wallMs;
  return ymd;
}

function readWallClock(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  let beforeCommonEra = false;
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type === 'era') beforeCommonEra = part.value === 'BC';
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const yearOfEra = fields.year ?? 1970;
  const ymd = { year: beforeCommonEra ? 1 - yearOfEra : yearOfEra, month: fields.month ?? 1, day: fields.day ?? 1 };
  const secondOfDay = (fields.hour ?? 0) * 3600 + (fields.minute ?? 0) * 60 + (fields.second ?? 0);
  return { ...ymd, ms: dayNumberOf(ymd) * MS_PER_DAY + secondOfDay * 1000 };
}

/** Minutes east of UTC on the wall clock of `timeZone` at `instant` (daylight saving included). */
export function utcOffsetMinutes(instant: Date, timeZone: string): number {
  const ms = instant.getTime();
  const second = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((wallClockAt(ms, timeZone).ms - second) / 60_000);
}

/** The calendar date in `timeZone` at `instant`, whatever the process time zone is. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const { year, month, day } = wallClockAt(instant.getTime(), timeZone);
  return formatYmd({ year, month, day });
}

/** Today's date in `timeZone`, given the current instant (the domain never reads the clock itself). */
export function todayIn(timeZone: string, now: Date): LocalDate {
  return localDateOf(now, timeZone);
}

/** The date `n` whole days after `d` (before it when `n` is negative). */
export function addDays(d: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Days must be a whole number, got ${n}`);
  return formatYmd(ymdOfDayNumber(dayNumberOf(toYmd(d)) + n));
}

/**
 * The same day `n` years after `d` (before it when `n` is negative); 29 February becomes the 28th in a
 * year without one. Years beyond 0001–9999 throw, as every date here does.
 */
export function addYears(d: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Years must be a whole number, got ${n}`);
  const { year, month, day } = toYmd(d);
  return formatYmd({ year: year + n, month, day: Math.min(day, daysInMonth(year + n, month)) });
}

/** `to` − `from` in whole calendar days; pure calendar arithmetic, so DST never makes it 23 or 25 hours. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return dayNumberOf(toYmd(to)) - dayNumberOf(toYmd(from));
}

/** The last day of the month `d` is in. */
export function endOfMonth(d: LocalDate): LocalDate {
  const { year, month } = toYmd(d);
  return formatYmd({ year, month, day: daysInMonth(year, month) });
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(d: LocalDate): number {
  // 1970-01-01 (day 0) was a Thursday.
  return (((dayNumberOf(toYmd(d)) + 4) % 7) + 7) % 7;
}

/** -1, 0 or 1 as `a` is before, the same as or after `b`. */
export function compareDates(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  const diff = daysBetween(b, a);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/**
 * The first instant of the local day `d` in `timeZone`. Usually local midnight; where a DST change
 * skips midnight (America/Santiago, Asia/Beirut) it is the first instant that exists on that day, and
 * for a date the zone skipped entirely (Pacific/Apia, 2011-12-30) it is the start of the next day.
 */
export function startOfLocalDay(d: LocalDate, timeZone: string): Date {
  const target = dayNumberOf(toYmd(d));
  const isOnOrAfter = (ms: number) => dayNumberOf(wallClockAt(ms, timeZone)) >= target;
  const isStart = (ms: number) => isOnOrAfter(ms) && !isOnOrAfter(ms - 1);

  // Fast path: local midnight, correcting the UTC offset twice to land on the right side of a change.
  const midnightAsUtc = target * MS_PER_DAY;
  const first = midnightAsUtc - offsetAt(midnightAsUtc, timeZone);
  if (isStart(first)) return new Date(first);
  const second = midnightAsUtc - offsetAt(first, timeZone);
  if (isStart(second)) return new Date(second);

  // Midnight was skipped or came twice (Amman once went back from 01:00 to 00:00): search for the
  // first instant of the day. Offsets stay well within ±26 hours, so the day starts in this window.
  let before = midnightAsUtc - 26 * 3_600_000; // not yet on the day
  let after = midnightAsUtc + 26 * 3_600_000; // on or past the day
  while (after - before > 1) {
    const middle = before + Math.floor((after - before) / 2);
    if (isOnOrAfter(middle)) after = middle;
    else before = middle;
  }
  return new Date(after);
}

// The zone's UTC offset in ms at an instant.
function offsetAt(ms: number, timeZone: string): number {
  return wallClockAt(ms, timeZone).ms - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The wall-clock time 'HH:MM' in `timeZone` at `instant`. */
export function localTimeOf(instant: Date, timeZone: string): string {
  const wall = wallClockAt(instant.getTime(), timeZone);
  const minuteOfDay = Math.floor((wall.ms - dayNumberOf(wall) * MS_PER_DAY) / 60_000);
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/**
 * The instant when the wall clock in `timeZone` shows `time` ('HH:MM') on `d`. A time skipped by a DST
 * change resolves to the same wall time after the change (02:30 on a spring-forward day → 03:30).
 */
export function instantAt(d: LocalDate, time: string, timeZone: string): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`Not a time (HH:MM): "${time}"`);
  const wallAsUtc = dayNumberOf(toYmd(d)) * MS_PER_DAY + (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  const first = wallAsUtc - offsetAt(wallAsUtc, timeZone);
  const second = wallAsUtc - offsetAt(first, timeZone);
  return new Date(wallClockAt(second, timeZone).ms === wallAsUtc ? second : first);
}
