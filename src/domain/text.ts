// What a person typed, made safe to keep and to show: the rules every text field, parser and the client's
// status page share. Pure; the services' schemas (src/services/schemas.ts) and the page's forms apply them.

export interface TextOptions {
  /** Keeps line breaks and tabs (notes, reasons, descriptions); a one-line text turns them into spaces. */
  multiline?: boolean;
}

/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what others read. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
/**
 * Characters that show nothing: Unicode's default-ignorables (zero-width space, non-joiner and joiner, word joiner,
 * the invisible operators, byte-order mark, the bidi marks, soft hyphen, Hangul fillers, variation selectors,
 * tags…) and the blank braille cell. One definition for the services' fields, the parsers and the status page.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;
/** C0 controls but tab, line feed and carriage return; DEL; C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Every C0 control (tab and line breaks too), DEL and the C1 controls: none belongs in an amount or a date. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * Text as the app keeps it: Unicode NFC, bidi overrides and isolates removed, line ends made `\n`,
 * trimmed; a one-line text has each run of white space (line breaks and tabs included) made one space.
 * Other control characters are left for `controlCharacterIn` to find: they are refused, not hidden.
 */
export function cleanText(s: string, options: TextOptions = {}): string {
  const text = composed(s).replace(BIDI_CONTROLS, '');
  return (options.multiline ? text : text.replace(/\s+/g, ' ')).trim();
}

/** The characters of `s` a reader could see: without white space and invisible characters ('' when none). */
export function visibleText(s: string): string {
  return s.replace(BIDI_CONTROLS, '').replace(INVISIBLE, '').replace(/\s+/g, '');
}

/** The first control character in `s` that no text may hold (NUL, ESC, DEL, C1…), as 'U+0000', or null. */
export function controlCharacterIn(s: string): string | null {
  const found = CONTROL.exec(s);
  return found ? codePointName(found[0]) : null;
}

/** `s` with each control character (line breaks and tabs too) made a space and bidi controls dropped: for words typed to be looked up. */
export function stripControls(s: string): string {
  return s.replace(new RegExp(ANY_CONTROL.source, 'g'), ' ').replace(BIDI_CONTROLS, '');
}

/**
 * The first character of `s` that has no place in an amount, a date or an id, shown as 'U+200B': a control
 * character, a bidi control or an invisible one. Null when there is none.
 */
export function hiddenCharacterIn(s: string): string | null {
  const found = ANY_CONTROL.exec(s) ?? BIDI_CONTROL.exec(s) ?? new RegExp(INVISIBLE.source, 'u').exec(s);
  return found ? codePointName(found[0]) : null;
}

/** Unicode NFC ("é" typed two ways is one text), line ends as `\n`. */
function composed(s: string): string {
  return s.normalize('NFC').replace(/\r\n?/g, '\n');
}

function codePointName(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

// The status page's answers: Unicode properties rather than lists.

/**
 * Unicode's Bidi_Control characters: the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
 * the marks U+200E/U+200F and the Arabic letter mark U+061C. A right-to-left override can make
 * "INV-1 ‮lanigiro‬" read as something it is not, in Slack and on the page alike.
 */
const BIDI_PROPERTY = /\p{Bidi_Control}/gu;

/** A character that shows something: a letter, a digit, punctuation or a symbol. */
const VISIBLE_CHARACTER = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Removes the bidirectional controls (see BIDI_PROPERTY). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_PROPERTY, '');
}

/**
 * The form text is kept in: composed (NFC, so "é" typed two ways is one text), line breaks as \n, no
 * bidirectional controls. Nothing else changes: zero-width joiners stay (emoji and some scripts need them).
 */
export function normalizeText(text: string): string {
  return stripBidiControls(composed(text));
}

/** A one-line field: normalised, every run of whitespace (line breaks included) one space, trimmed. */
export function normalizeLine(text: string): string {
  return normalizeText(text).replace(/\s+/gu, ' ').trim();
}

/** Whether the text shows anything at all once the characters no one sees are left out. */
export function hasVisibleText(text: string): boolean {
  return VISIBLE_CHARACTER.test(text.replace(INVISIBLE, ''));
}

/** Whether the text holds a control character other than tab and line breaks (NUL, escape, bell…). */
export function hasControlCharacter(text: string): boolean {
  return controlCharacterIn(text) !== null;
}

/** The text without those control characters (to show back what was typed, never to keep it). */
export function stripControlCharacters(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), '');
}

/** How many characters a person counts: code points, so an emoji or a CJK character is one, whatever its bytes. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
