// The text rules for what a person types: one composed form, no bidirectional controls, "nothing visible" caught,
// control characters found, and characters counted as a person counts them.
import { describe, expect, it } from 'vitest';
import {
  characterCount,
  hasControlCharacter,
  hasVisibleText,
  normalizeLine,
  normalizeText,
  stripBidiControls,
  stripControlCharacters,
} from '../../src/domain/text.js';

describe('normalizeText', () => {
  it('composes accents (NFC), so the same word typed two ways is one text', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText('Café')).toBe('Café');
  });

  it('removes every bidirectional control: embeddings, overrides, isolates and marks', () => {
    const controls = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    expect(normalizeText(`Pay ${controls}now`)).toBe('Pay now');
    expect(stripBidiControls('\u202eexe.FDP')).toBe('exe.FDP');
  });

  it('keeps zero-width joiners, which emoji and some scripts need, and writes line breaks as \\n', () => {
    expect(normalizeText('👩\u200d💻')).toBe('👩\u200d💻');
    expect(normalizeText('می\u200cخواهم')).toBe('می\u200cخواهم');
    expect(normalizeText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });
});

describe('normalizeLine', () => {
  it('puts a one-line field on one line, with single spaces, trimmed', () => {
    expect(normalizeLine('  Ada\n\tLovelace \u00a0 ')).toBe('Ada Lovelace');
  });
});

describe('hasVisibleText', () => {
  it.each([
    ['zero-width characters', '\u200b\u200c\u200d\u2060\ufeff'],
    ['a soft hyphen', '\u00ad'],
    ['Hangul fillers', '\u3164\u115f\uffa0'],
    ['a blank braille cell', '\u2800'],
    ['combining marks alone', '\u0301\u0302'],
    ['spaces of every width', ' \u00a0\u2003\u3000'],
    ['tag characters', '\u{e0041}\u{e0042}'],
    ['nothing', ''],
  ])('is false for %s', (_name, text) => {
    expect(hasVisibleText(text)).toBe(false);
  });

  it.each([
    ['Latin', 'a'],
    ['Chinese', '中'],
    ['Arabic', 'ع'],
    ['a digit', '7'],
    ['punctuation', '?'],
    ['an emoji', '😀'],
    ['a letter among zero-width characters', '\u200bx\u200b'],
  ])('is true for %s', (_name, text) => {
    expect(hasVisibleText(text)).toBe(true);
  });
});

describe('control characters', () => {
  it('finds NUL, escape and DEL, but not tab or line breaks', () => {
    expect(hasControlCharacter('a\u0000b')).toBe(true);
    expect(hasControlCharacter('\u001b[31m')).toBe(true);
    expect(hasControlCharacter('\u007f')).toBe(true);
    expect(hasControlCharacter('\u0085')).toBe(true);
    expect(hasControlCharacter('one\ttwo\nthree\r\n')).toBe(false);
    // Twice in a row gives the same answer (no regex state carried over).
    expect([hasControlCharacter('\u0000'), hasControlCharacter('\u0000')]).toEqual([true, true]);
  });

  it('strips them for showing back what was typed', () => {
    expect(stripControlCharacters('Ada\u0000 \u001b[1mL\tx')).toBe('Ada [1mL\tx');
  });
});

describe('characterCount', () => {
  it('counts characters, not bytes or UTF-16 units', () => {
    expect(characterCount('abc')).toBe(3);
    expect(characterCount('中文')).toBe(2);
    expect(characterCount('😀😀')).toBe(2);
    expect('😀😀'.length).toBe(4);
  });
});
