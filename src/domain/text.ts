// Text a person typed, made safe to keep and to show: one composed form (NFC), no bidirectional controls that
// could make it read differently from what it is, and a test for "nothing visible". Pure; shared by the client's
// status page (services/sharing) and anything else that takes free text.

/**
 * Unicode's Bidi_Control characters: the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
 * the marks U+200E/U+200F and the Arabic letter mark U+061C. A right-to-left override can make
 * "INV-1 ‮lanigiro‬" read as something it is not, in Slack and on the page alike.
 */
const BIDI_CONTROL = /\p{Bidi_Control}/gu;

/** Characters no one sees: default-ignorables (zero-width space and joiners, soft hyphen, fillers, tags…) and the blank braille cell. */
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** A character that shows something: a letter, a digit, punctuation or a symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Control characters other than tab, line feed and carriage return (NUL among them). */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const CONTROLS = /(?![\t\n\r])\p{Cc}/gu;

/** Removes the bidirectional controls (see BIDI_CONTROL). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROL, '');
}

/**
 * The form text is kept in: composed (NFC, so "é" typed two ways is one text), line breaks as \n, no
 * bidirectional controls. Nothing else changes: zero-width joiners stay (emoji and some scripts need them).
 */
export function normalizeText(text: string): string {
  return stripBidiControls(text.normalize('NFC').replace(/\r\n?/g, '\n'));
}

/** A one-line field: normalised, every run of whitespace (line breaks included) one space, trimmed. */
export function normalizeLine(text: string): string {
  return normalizeText(text).replace(/\s+/gu, ' ').trim();
}

/** Whether the text shows anything at all once the characters no one sees are left out. */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text.replace(IGNORABLE, ''));
}

/** Whether the text holds a control character other than tab and line breaks (NUL, escape, bell…). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** The text without those control characters (to show back what was typed, never to keep it). */
export function stripControlCharacters(text: string): string {
  return text.replace(CONTROLS, '');
}

/** How many characters a person counts: code points, so an emoji or a CJK character is one, whatever its bytes. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
