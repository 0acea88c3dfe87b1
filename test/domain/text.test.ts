// The text rules for what a person types: one composed form, no bidirectional controls, "nothing visible" caught,
// control characters found, and characters counted as a person counts them.
import { describe, expect, it } from 'vitest';
import {
  characterCount,
  cleanText,
  controlCharacterIn,
  hasControlCharacter,
  hasVisibleText,
  hiddenCharacterIn,
  normalizeLine,
  normalizeText,
  stripBidiControls,
  stripControlCharacters,
  stripControls,
  visibleText,
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

describe('cleaning what a person typed', () => {
  it('drops bidi overrides and isolates, which would reorder what others read', () => {
    expect(cleanText('Acme \u202Egnp.exe\u202C Ltd')).toBe('Acme gnp.exe Ltd');
    expect(cleanText('\u2066Acme\u2069 \u2067Corp\u2068')).toBe('Acme Corp');
    for (let c = 0x202a; c <= 0x202e; c++) expect(cleanText(`a${String.fromCharCode(c)}b`)).toBe('ab');
    for (let c = 0x2066; c <= 0x2069; c++) expect(cleanText(`a${String.fromCharCode(c)}b`)).toBe('ab');
  });

  it('keeps right-to-left text itself, emoji and the bidi marks a Hebrew or Arabic name may need', () => {
    expect(cleanText('שלום עולם')).toBe('שלום עולם');
    expect(cleanText('شركة\u200F 💸')).toBe('شركة\u200F 💸');
  });

  it('makes a one-line text one line, and keeps the lines of a multi-line one', () => {
    expect(cleanText('  Acme\r\n\tCorp  ')).toBe('Acme Corp');
    expect(cleanText('line one\r\n\tline two\rthree', { multiline: true })).toBe('line one\n\tline two\nthree');
  });

  it('writes composed characters one way (NFC), so "Café" typed two ways is one name', () => {
    expect(cleanText('Cafe\u0301')).toBe('Café');
  });

  it('finds NUL, escape, DEL and the C1 controls, but not tab or a line break', () => {
    expect(controlCharacterIn('Acme\u0000')).toBe('U+0000');
    expect(controlCharacterIn('a\u001b[31mred')).toBe('U+001B');
    expect(controlCharacterIn('a\u007f')).toBe('U+007F');
    expect(controlCharacterIn('a\u0085b')).toBe('U+0085');
    expect(controlCharacterIn('a\u009fb')).toBe('U+009F');
    expect(controlCharacterIn('a\tb\nc\rd')).toBeNull();
    expect(controlCharacterIn('plain text')).toBeNull();
  });

  it('counts zero-width spaces, joiners, a BOM and bidi marks as showing nothing', () => {
    expect(visibleText('\u200B\u200C\u200D\uFEFF\u200E\u200F\u2060 \u00A0\u3164')).toBe('');
    expect(visibleText('\u202E\u2066 \u2069')).toBe('');
    expect(visibleText(' a\u200Bb ')).toBe('ab');
    expect(visibleText('👍')).toBe('👍');
  });

  it('finds any control, bidi or invisible character where only an amount or a date belongs', () => {
    expect(hiddenCharacterIn('12\u0000')).toBe('U+0000');
    expect(hiddenCharacterIn('1\t2')).toBe('U+0009');
    expect(hiddenCharacterIn('\u202E12')).toBe('U+202E');
    expect(hiddenCharacterIn('1\u200B2')).toBe('U+200B');
    expect(hiddenCharacterIn('$1,234.50')).toBeNull();
  });

  it('turns the control characters of words typed to be looked up into spaces, and drops bidi controls', () => {
    expect(stripControls('Acme\u0000 Corp\u202E')).toBe('Acme  Corp');
    expect(stripControls('INV-1\u0085')).toBe('INV-1 ');
  });
});
