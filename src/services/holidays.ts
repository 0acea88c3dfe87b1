// Public holidays from date-holidays (its data ships in the package: no network), behind the domain's
// HolidayCalendar so schedule.ts stays pure. A workspace names a country and optionally a region ('GB' + 'SCT'):
// its public and bank holidays are days off like weekends. Computed once per place and year, then cached.
// The library (its rules for every country) takes a while to load, so it is loaded on first use, not at start.
import type HolidaysClass from 'date-holidays';
import type { LocalDate } from '../domain/dates.js';
import { type HolidayCalendar, NO_HOLIDAYS } from '../domain/schedule.js';

/** What counts as a day off: holidays by law and bank holidays, not observances, optional or school days. */
const DAYS_OFF = new Set(['public', 'bank']);

/** A place whose holidays the settings can choose: a country, or one of its regions (states, provinces…). */
export interface HolidayPlace {
  country: string;
  region: string | null;
  /** 'United Kingdom — Scotland'. */
  label: string;
}

interface Library {
  Holidays: typeof HolidaysClass;
  countries: Readonly<Record<string, string>>;
  regions(country: string): Readonly<Record<string, string>>;
  /** Every country and each of its regions, by label: about 570 places. */
  places: readonly HolidayPlace[];
}

let library: Promise<Library> | undefined;

function load(): Promise<Library> {
  library ??= import('date-holidays').then(({ default: Holidays }) => {
    const names = new Holidays();
    const countries: Record<string, string> = names.getCountries('en');
    const regionCache = new Map<string, Readonly<Record<string, string>>>();
    const regions = (country: string) => {
      let found = regionCache.get(country);
      if (!found) {
        found = names.getStates(country, 'en') ?? {};
        regionCache.set(country, found);
      }
      return found;
    };
    const lib: Library = { Holidays, countries, regions, places: [] };
    lib.places = Object.keys(countries)
      .flatMap((country) => [
        { country, region: null, label: labelIn(lib, country) },
        ...Object.keys(regions(country)).map((region) => ({ country, region, label: labelIn(lib, country, region) })),
      ])
      .sort((a, b) => a.label.localeCompare(b.label, 'en'));
    return lib;
  });
  return library;
}

function labelIn(lib: Library, country: string, region?: string | null): string {
  const name = lib.countries[country] ?? country;
  const regionName = region ? (lib.regions(country)[region] ?? region) : undefined;
  return regionName ? `${name} — ${regionName}` : name;
}

function knownIn(lib: Library, country: string, region?: string | null): boolean {
  if (!Object.hasOwn(lib.countries, country)) return false;
  return region === undefined || region === null || Object.hasOwn(lib.regions(country), region);
}

/** Whether date-holidays knows this country (and region, when given). */
export async function isHolidayPlace(country: string, region?: string | null): Promise<boolean> {
  return knownIn(await load(), country, region);
}

/** 'United Kingdom — Scotland', 'United States of America'. */
export async function holidayPlaceLabel(country: string, region?: string | null): Promise<string> {
  return labelIn(await load(), country, region);
}

function folded(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim();
}

/**
 * The places matching what was typed: by name ('scot', 'united states'), by code ('GB', 'US-CA', 'gb sct').
 * Countries before regions, and names starting with the text first.
 */
export async function searchHolidayPlaces(query: string, limit = 100): Promise<HolidayPlace[]> {
  const { places } = await load();
  const q = folded(query);
  const code = q.toUpperCase().replace(/[\s_/]+/g, '-');
  const ranked: { place: HolidayPlace; rank: number }[] = [];
  for (const place of places) {
    const label = folded(place.label);
    const placeCode = place.region ? `${place.country}-${place.region}` : place.country;
    let rank: number | undefined;
    if (q === '') rank = place.region ? 3 : 1;
    else if (placeCode === code) rank = 0;
    else if (label.startsWith(q)) rank = place.region ? 2 : 1;
    else if (label.includes(q)) rank = 3;
    if (rank !== undefined) ranked.push({ place, rank });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank || a.place.label.localeCompare(b.place.label, 'en'))
    .slice(0, limit)
    .map((r) => r.place);
}

const calendars = new Map<string, HolidayCalendar>();

/**
 * The workspace's holiday calendar: the public and bank holidays of its country (and region), substitute days
 * included (Boxing Day on a Saturday is taken on the Monday). No country: no holidays.
 */
export async function holidayCalendar(country: string | null, region: string | null = null): Promise<HolidayCalendar> {
  if (!country) return NO_HOLIDAYS;
  const key = `${country}/${region ?? ''}`;
  const cached = calendars.get(key);
  if (cached) return cached;
  const lib = await load();
  if (!knownIn(lib, country, region)) return NO_HOLIDAYS;
  const source = region ? new lib.Holidays(country, region) : new lib.Holidays(country);
  const years = new Map<number, ReadonlyMap<LocalDate, string>>();
  const yearOf = (year: number) => {
    let days = years.get(year);
    if (!days) {
      const found = new Map<LocalDate, string>();
      for (const h of source.getHolidays(year, 'en')) {
        // 'YYYY-MM-DD hh:mm:ss': the local date the holiday starts on.
        if (DAYS_OFF.has(h.type)) found.set(h.date.slice(0, 10), h.name);
      }
      days = found;
      years.set(year, days);
    }
    return days;
  };
  const calendar: HolidayCalendar = { holidayOn: (d) => yearOf(Number(d.slice(0, 4))).get(d) };
  calendars.set(key, calendar);
  return calendar;
}
