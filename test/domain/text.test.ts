import { describe, expect, it } from 'vitest';
import { cleanText, controlCharacterIn, hiddenCharacterIn, stripControls, visibleText } from '../../src/domain/text.js';

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
