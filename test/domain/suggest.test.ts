// "Did you mean": one engine for the CLI and Slack (src/domain/suggest.ts), so the same typo gets the same answer.
import { describe, expect, it } from 'vitest';
import { closest, editDistance, orList, suggest } from '../../src/domain/suggest.js';

describe('suggestions for a mistyped name or number', () => {
  const numbers = Array.from({ length: 41 }, (_, i) => `INV-${String(i + 1).padStart(3, '0')}`);
  const names = ['Northwind Traders', 'Globex', 'Initech', 'Umbrella Health', 'Thames & Co', 'Maison Lumière'];

  it.each([
    ['INV-0O7', ['INV-007']],
    ['inv 7', ['INV-007']],
    ['IVN-007', ['INV-007']],
    ['INV-999', []],
    ['INV-042', []],
  ])('suggests for the number %s: %j', (typed, expected) => {
    expect(suggest(typed, numbers)).toEqual(expected);
  });

  it.each([
    ['umbrela', ['Umbrella Health']],
    ['health', ['Umbrella Health']],
    ['thames and co', ['Thames & Co']],
    ['maison lumiere', ['Maison Lumière']],
    ['initek', ['Initech']],
    ['zorg', []],
  ])('suggests for the name %s: %j', (typed, expected) => {
    expect(suggest(typed, names)).toEqual(expected);
  });
});

describe('the closest word or number', () => {
  it('takes a swap of two neighbours, a lookalike or a missing letter as one typo, and a different digit as none', () => {
    expect(editDistance('histroy', 'history')).toBe(1);
    expect(editDistance('IVN', 'INV')).toBe(1);
    expect(editDistance('INV-0O12', 'inv-0012')).toBe(0.5);
    expect(editDistance('lsit', 'list')).toBe(1);
    expect(editDistance('INV-009', 'INV-999')).toBe(6);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests one candidate, never the word itself, and nothing when none is close', () => {
    expect(closest('INV-0O12', ['INV-0012', 'INV-0013', 'INV-0100'])).toBe('INV-0012');
    expect(closest('XYZ-1', ['INV-0012'])).toBeUndefined();
    expect(closest('exprot', ['export', 'history'])).toBe('export');
    expect(closest('list', ['list', 'lint'])).toBe('lint');
    expect(closest('LIST', ['list'])).toBeUndefined();
  });

  it('gives Slack and the CLI the same answer for the same typo', () => {
    const numbers = ['INV-0012', 'INV-0013', 'INV-0100', 'INV-1012'];
    for (const typed of ['INV-0O12', 'inv 12', 'IVN-0013', 'INV-0101', 'INV-9999']) {
      expect(closest(typed, numbers)).toBe(suggest(typed, numbers)[0]);
    }
  });

  it('lists choices as people write them', () => {
    expect(orList([])).toBe('');
    expect(orList(['A'])).toBe('A');
    expect(orList(['A', 'B'])).toBe('A or B');
    expect(orList(['A', 'B', 'C'])).toBe('A, B or C');
  });
});
