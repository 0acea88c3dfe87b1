// Every IANA time zone a workspace can choose, under the names people know today, and a search over them for
// the settings' picker. Node's list (Intl.supportedValuesOf) is ICU's, which keeps some zones under names
// IANA has since replaced (Asia/Calcutta for Asia/Kolkata, Europe/Kiev for Europe/Kyiv): those are offered
// under the current name and still found by the old one. Pure: the instant for the offsets is passed in.
import { utcOffsetMinutes } from './dates.js';

/** ICU's older name → the current IANA name. Both are accepted by Intl; the current one is offered. */
export const RENAMED_ZONES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** The zones the picker lists before anything is typed (most of the world's agencies); typing finds any zone. */
export const COMMON_TIME_ZONES: readonly string[] = [
  'UTC',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Phoenix',
  'America/Denver',
  'America/Chicago',
  'America/Mexico_City',
  'America/New_York',
  'America/Toronto',
  'America/Halifax',
  'America/Bogota',
  'America/Lima',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
  'Atlantic/Reykjavik',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Madrid',
  'Europe/Paris',
  'Europe/Brussels',
  'Europe/Amsterdam',
  'Europe/Berlin',
  'Europe/Zurich',
  'Europe/Rome',
  'Europe/Vienna',
  'Europe/Prague',
  'Europe/Warsaw',
  'Europe/Copenhagen',
  'Europe/Oslo',
  'Europe/Stockholm',
  'Europe/Helsinki',
  'Europe/Athens',
  'Europe/Kyiv',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Nairobi',
  'Asia/Jerusalem',
  'Asia/Riyadh',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Manila',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Taipei',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Adelaide',
  'Australia/Brisbane',
  'Australia/Sydney',
  'Australia/Melbourne',
  'Pacific/Auckland',
];

/** A zone as the picker offers it. */
export interface ZoneChoice {
  /** The IANA name stored in settings: 'Asia/Kathmandu'. */
  id: string;
  /** 'Asia/Kathmandu (UTC+05:45)'. */
  label: string;
  /** Minutes east of UTC at the instant asked about. */
  offsetMinutes: number;
}

/** Every zone, current names, sorted by name; UTC first. */
export function allZones(supported: readonly string[] = Intl.supportedValuesOf('timeZone')): string[] {
  const names = new Set(supported.map((z) => RENAMED_ZONES[z] ?? z));
  names.delete('UTC');
  return ['UTC', ...[...names].sort()];
}

/** Minutes east of UTC in `zone` at `at` (DST included). */
export function offsetMinutes(zone: string, at: Date): number {
  return utcOffsetMinutes(at, zone);
}

/** 'UTC+05:45', 'UTC−03:30', 'UTC+00:00'. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function choice(id: string, at: Date): ZoneChoice {
  const offset = offsetMinutes(id, at);
  return { id, label: `${id.replaceAll('_', ' ')} (${formatOffset(offset)})`, offsetMinutes: offset };
}

/** Lower case, with `_`, `-`, `/` and spaces as one space: "new york", "st johns". */
function folded(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s_/\-.']+/g, ' ')
    .trim();
}

const OLD_NAMES: ReadonlyMap<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const [old, current] of Object.entries(RENAMED_ZONES)) map.set(current, [...(map.get(current) ?? []), old]);
  return map;
})();

/**
 * The zones matching what was typed, at most `limit`: by name (any part: "kathmandu", "st johns", "new york"),
 * by an older name ("calcutta"), or by offset ("+5:45", "utc-3", "-03:30"). Exact city matches come first,
 * then the rest by name. An empty query lists the first `limit` zones.
 */
export function searchZones(query: string, at: Date, limit = 100, zones: readonly string[] = allZones()): ZoneChoice[] {
  const q = folded(query);
  if (q === '') return COMMON_TIME_ZONES.slice(0, limit).map((id) => choice(id, at));
  const offsetQuery = /^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$/.exec(query.trim().toLowerCase());
  const wanted = offsetQuery
    ? (offsetQuery[1] === '+' ? 1 : -1) * (Number(offsetQuery[2]) * 60 + Number(offsetQuery[3] ?? 0))
    : undefined;
  const matches: { id: string; rank: number }[] = [];
  for (const id of zones) {
    if (wanted !== undefined) {
      if (offsetMinutes(id, at) === wanted) matches.push({ id, rank: 1 });
      continue;
    }
    const names = [id, ...(OLD_NAMES.get(id) ?? [])].map(folded);
    const city = folded(id.split('/').at(-1) ?? id);
    if (q === '' || names.some((n) => n.includes(q))) {
      matches.push({ id, rank: city === q ? 0 : city.startsWith(q) ? 1 : 2 });
    }
  }
  return matches
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((m) => choice(m.id, at));
}

/** The picker's label for a zone already chosen (its own name, even one Node lists under an older name). */
export function zoneLabel(id: string, at: Date): string {
  return choice(id, at).label;
}
