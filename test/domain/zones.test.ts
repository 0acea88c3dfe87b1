// Every IANA zone can be chosen, under today's names, and found as people type it.
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localDateOf } from '../../src/domain/dates.js';
import {
  allZones,
  formatOffset,
  offsetMinutes,
  RENAMED_ZONES,
  searchZones,
  zoneLabel,
} from '../../src/domain/zones.js';

const NOV = new Date('2026-11-23T15:00:00Z');
const JULY = new Date('2026-07-01T12:00:00Z');

describe('allZones', () => {
  const zones = allZones();

  it('offers every zone, under its current name, UTC first', () => {
    expect(zones[0]).toBe('UTC');
    expect(zones.length).toBeGreaterThan(400);
    for (const zone of [
      'Pacific/Chatham',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Australia/Darwin',
      'Asia/Tehran',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'America/Argentina/Buenos_Aires',
    ]) {
      expect(zones).toContain(zone);
    }
    for (const old of Object.keys(RENAMED_ZONES)) expect(zones).not.toContain(old);
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('offers only zones the settings accept and the dates code can use', () => {
    for (const zone of zones) {
      expect(isValidTimeZone(zone), zone).toBe(true);
      expect(localDateOf(NOV, zone)).toMatch(/^2026-11-2[34]$/);
    }
  });
});

describe('searchZones', () => {
  const ids = (query: string, at = NOV) => searchZones(query, at).map((z) => z.id);

  it('finds a zone by its city, with spaces or underscores, case and accents ignored', () => {
    expect(ids('kathmandu')).toEqual(['Asia/Kathmandu']);
    expect(ids('St Johns')[0]).toBe('America/St_Johns');
    expect(ids('new york')).toEqual(['America/New_York']);
    expect(ids('São Paulo')).toEqual(['America/Sao_Paulo']);
    expect(ids('chatham')).toEqual(['Pacific/Chatham']);
  });

  it('finds a renamed zone by its older name, offering the current one', () => {
    expect(ids('calcutta')).toEqual(['Asia/Kolkata']);
    expect(ids('kiev')).toEqual(['Europe/Kyiv']);
  });

  it('puts the city that matches exactly before zones that merely contain the words', () => {
    const found = ids('london');
    expect(found[0]).toBe('Europe/London');
  });

  it('finds zones by their offset at the time asked, daylight saving included', () => {
    expect(ids('+5:45')).toEqual(['Asia/Kathmandu']);
    expect(ids('UTC+05:45')).toEqual(['Asia/Kathmandu']);
    expect(ids('-3:30')).toEqual(['America/St_Johns']); // Newfoundland standard time in November
    expect(ids('+13:45')).toEqual(['Pacific/Chatham']); // Chatham's summer
    expect(ids('+12:45', JULY)).toEqual(['Pacific/Chatham']);
    expect(ids('+1', JULY)).toContain('Europe/London');
    expect(ids('+1', NOV)).not.toContain('Europe/London');
  });

  it('lists the common zones before anything is typed, and keeps to the limit', () => {
    const first = searchZones('', NOV);
    expect(first[0]).toEqual({ id: 'UTC', label: 'UTC (UTC+00:00)', offsetMinutes: 0 });
    expect(first.map((z) => z.id)).toContain('America/New_York');
    expect(searchZones('a', NOV, 10)).toHaveLength(10);
    expect(searchZones('no such place', NOV)).toEqual([]);
  });

  it('labels a zone with its offset now, as Slack shows it in the picker', () => {
    expect(zoneLabel('America/New_York', NOV)).toBe('America/New York (UTC−05:00)');
    expect(zoneLabel('America/New_York', JULY)).toBe('America/New York (UTC−04:00)');
    expect(zoneLabel('Asia/Kathmandu', NOV)).toBe('Asia/Kathmandu (UTC+05:45)');
    for (const zone of allZones()) expect(zoneLabel(zone, NOV).length).toBeLessThanOrEqual(75);
  });
});

describe('offsets', () => {
  it('reads the offset in minutes and writes it as UTC±hh:mm', () => {
    expect(offsetMinutes('Asia/Kathmandu', NOV)).toBe(345);
    expect(offsetMinutes('America/St_Johns', NOV)).toBe(-210);
    expect(offsetMinutes('UTC', NOV)).toBe(0);
    expect(formatOffset(345)).toBe('UTC+05:45');
    expect(formatOffset(-210)).toBe('UTC−03:30');
    expect(formatOffset(0)).toBe('UTC+00:00');
  });
});
