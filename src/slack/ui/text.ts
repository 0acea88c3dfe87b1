// Text for Block Kit: escaping what people typed, cutting it to Slack's limits, and the small phrases
// (money, days, dates, mentions) every builder shares. Pure: the time and the zone are always passed in.
//
// Every mrkdwn text the app sends (a message's `text`, a section, a field, a context) has the type Mrkdwn,
// and only this file makes one: md`…` from the code's own words and values that are Mrkdwn already, esc()
// and the helpers below from what people typed. A plain string cannot be put into a message, so user text
// cannot reach Slack unescaped by being forgotten: the compiler refuses it.
import type { KnownBlock } from '@slack/types';
import { localDateOf, localTimeOf } from '../../domain/dates.js';
import { currencyExponent, formatMoney } from '../../domain/money.js';
import { type InvoiceState, type Lifecycle, STATE_LABEL } from '../../domain/status.js';

declare const MRKDWN: unique symbol;
/** mrkdwn that is safe to send: the code's own words, with every person's words escaped. */
export type Mrkdwn = string & { readonly [MRKDWN]: true };

/** A string only when it is a literal in the code: `'·'` is accepted, a `string` variable is not. */
export type Literal<S extends string> = string extends S ? never : S;

/**
 * mrkdwn from a template: the template's own text is the code's, and each value must already be Mrkdwn
 * (esc(), inline(), mention()… or another md) or a number (written 1,234). `md`Hi ${name}`` with a plain string is a
 * type error: write `md`Hi ${esc(name)}``.
 */
export function md(strings: TemplateStringsArray, ...values: readonly (Mrkdwn | number)[]): Mrkdwn {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    out += (typeof value === 'number' ? value.toLocaleString('en-US') : value) + (strings[i + 1] ?? '');
  }
  return out as Mrkdwn;
}

/** The Mrkdwn pieces joined with a separator written in the code. */
export function joinMd<S extends string>(parts: readonly Mrkdwn[], separator: Literal<S>): Mrkdwn {
  return parts.join(separator) as Mrkdwn;
}

/** A constant the code writes itself (a help text, a label), as Mrkdwn. Only string literals are accepted. */
export function literal<S extends string>(s: Literal<S>): Mrkdwn {
  return s as unknown as Mrkdwn;
}

// C0 controls but tab and line feed, DEL, C1 controls, and bidi overrides and isolates: never shown, even from
// text stored before the services refused them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is this pattern's job
const UNSHOWABLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Text as it may be shown anywhere (plain_text too): without control characters and bidi overrides. */
export function showable(s: string): string {
  return s.replace(UNSHOWABLE, '');
}

/** mrkdwn escaping for text a person typed: stops `<!channel>`, `<@U…>`, `<!subteam^…>` and disguised links. */
export function escapeText(s: string): Mrkdwn {
  return showable(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;') as Mrkdwn;
}

/** The same mrkdwn without bold marks, for a notification's plain words (removing `*` cannot unescape anything). */
export function unstyled(m: Mrkdwn): Mrkdwn {
  return m.replaceAll('*', '') as Mrkdwn;
}

/** Short for escapeText: `md`… ${esc(name)} …``. */
export const esc = escapeText;

/** `s` cut to at most `max` characters (UTF-16 units), ending in '…' when cut; never splits a surrogate pair. */
export function truncate<T extends string>(s: T, max: number): T {
  if (s.length <= max) return s;
  if (max <= 0) return '' as T;
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…` as T;
}

/**
 * Escapes then cuts to `max` characters, never through the middle of an entity (`&amp;`), so the result
 * is both safe and within the limit however many `&<>` the text holds.
 */
export function escapeClip(s: string, max: number): Mrkdwn {
  const escaped = escapeText(s);
  if (escaped.length <= max) return escaped;
  let cut: string = truncate(escaped, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…` as Mrkdwn;
}

/** One line of user text: whitespace (newlines included) collapsed, escaped and cut to `max`. */
export function inline(s: string, max: number): Mrkdwn {
  return escapeClip(s.replace(/\s+/g, ' ').trim(), max);
}

const USER_ID = /^[UW][A-Z0-9]+$/;
const CHANNEL_ID = /^[CG][A-Z0-9]+$/;

/** `<@U123>` for a real Slack user id; anything else is shown as escaped text, never as markup. */
export function mention(userId: string | null | undefined, nobody: Mrkdwn = literal('nobody')): Mrkdwn {
  if (userId === null || userId === undefined || userId === '') return nobody;
  return USER_ID.test(userId) ? (`<@${userId}>` as Mrkdwn) : escapeClip(userId, 80);
}

/** `<https://…>`: a link to an http(s) address (escaped; no `|`, so no label can be smuggled in); else the address as text. */
export function link(url: string): Mrkdwn {
  // Only an address made of URL characters becomes a link; anything else (<, >, |, spaces) is shown as text.
  if (!/^https?:\/\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$/i.test(url)) return escapeText(url);
  return `<${escapeText(url)}>` as Mrkdwn;
}

/** `<https://…|label>`: `link` with words of the app's own as its label; an address that is no link stays text. */
export function labelledLink(url: string, label: Mrkdwn): Mrkdwn {
  const plain = link(url);
  return plain.startsWith('<') ? (`${plain.slice(0, -1)}|${label}>` as Mrkdwn) : md`${label}: ${plain}`;
}

/** `<#C123>` for a real channel id, else null. */
export function channelLink(channelId: string | null | undefined): Mrkdwn | null {
  return channelId && CHANNEL_ID.test(channelId) ? (`<#${channelId}>` as Mrkdwn) : null;
}

export function isUserId(s: string | null | undefined): s is string {
  return typeof s === 'string' && USER_ID.test(s);
}

export function isChannelId(s: string | null | undefined): s is string {
  return typeof s === 'string' && CHANNEL_ID.test(s);
}

/** A date each reader sees in their own zone: `<!date^UNIX^{date_short}|fallback>`. */
export function slackDate(date: Date, fallback: string, format = '{date_short}'): Mrkdwn {
  return `<!date^${Math.floor(date.getTime() / 1000)}^${escapeText(format)}|${escapeText(fallback)}>` as Mrkdwn;
}

/** 'YYYY-MM-DD HH:MM' (24-hour) in `timeZone`: the fallback text and the history lines. */
export function localDateTime(at: Date, timeZone: string): string {
  return `${localDateOf(at, timeZone)} ${localTimeOf(at, timeZone)}`;
}

/** 'As of 2026-11-14 09:00' rendered in each reader's zone, with the workspace's time as fallback. */
export function asOf(now: Date, timeZone: string): Mrkdwn {
  return md`As of ${slackDate(now, localDateTime(now, timeZone), '{date_short_pretty} at {time}')}`;
}

/** '1 invoice', '3 invoices'. */
export function plural(n: number, one: string, many = `${one}s`): Mrkdwn {
  return `${n.toLocaleString('en-US')} ${escapeText(n === 1 ? one : many)}` as Mrkdwn;
}

/** '1 day', '12 days'. */
export function days(n: number): Mrkdwn {
  return plural(n, 'day');
}

/** 'today', 'yesterday', '3 days ago' for a whole number of days since. */
export function daysAgo(n: number): Mrkdwn {
  if (n <= 0) return literal('today');
  if (n === 1) return literal('yesterday');
  return md`${days(n)} ago`;
}

/** An amount for people, e.g. '$1,234.50'; a code outside the table is shown plainly rather than failing. */
export function money(minor: bigint, currency: string): Mrkdwn {
  if (currencyExponent(currency) === undefined)
    return md`${esc(minor.toString())} ${escapeText(currency)} (minor units)`;
  return esc(formatMoney(minor, currency));
}

/** '$1,000.00 + €500.00': one amount per currency, in the order given. */
export function moneyList(amounts: readonly { currency: string; minor: bigint }[]): Mrkdwn {
  return joinMd(
    amounts.map((a) => money(a.minor, a.currency)),
    ' + ',
  );
}

/** A clear marker per state, so a glance tells Overdue from Due from Paid. */
export const STATE_MARK: Readonly<Record<Lifecycle, Mrkdwn>> = {
  overdue: literal('🔴'),
  due: literal('🟡'),
  sent: literal('🔵'),
  draft: literal('📝'),
  paid: literal('✅'),
  credited: literal('🧾'),
  void: literal('⚫'),
};

/** '🔴 Overdue', '🟡 Due today'… */
export function stateTitle(state: Lifecycle): Mrkdwn {
  return md`${STATE_MARK[state]} ${esc(STATE_LABEL[state])}`;
}

/** What each state's total means in a heading. */
export const STATE_AMOUNT_WORD: Readonly<Record<InvoiceState, Mrkdwn>> = {
  overdue: literal('overdue'),
  due: literal('due today'),
  sent: literal('not yet due'),
  draft: literal('in drafts'),
  paid: literal('paid in the last 30 days'),
  credited: literal('credited in the last 30 days'),
};

/** Past-tense phrase for an event or last-action kind: 'chased', 'marked sent', 'recorded a payment'. */
export function actionVerb(kind: string): Mrkdwn {
  switch (kind) {
    case 'created':
      return literal('created');
    case 'sent':
      return literal('marked sent');
    case 'paid':
      return literal('marked paid');
    case 'part_paid':
      return literal('recorded a part payment');
    case 'payment_reversed':
      return literal('reversed a payment');
    case 'credit_note_issued':
      return literal('issued a credit note');
    case 'credit_note_withdrawn':
      return literal('withdrew a credit note');
    case 'account_credit_applied':
      return literal('applied credit on account');
    case 'refunded':
      return literal('recorded a refund');
    case 'chased':
      return literal('chased');
    case 'held':
      return literal('put on hold');
    case 'disputed':
      return literal('marked disputed');
    case 'released':
      return literal('released');
    case 'voided':
      return literal('voided');
    case 'edited':
      return literal('edited');
    case 'client_approved':
      return literal('client approved it for payment');
    case 'client_scheduled':
      return literal('client scheduled payment');
    case 'client_question':
      return literal('client asked a question');
    case 'client_disputed':
      return literal('client disputed it');
    case 'link_shared':
      return literal('shared a status link');
    case 'link_revoked':
      return literal('ended the status link');
    case 'retainer_created':
      return literal('set up a retainer');
    case 'retainer_paused':
      return literal('paused a retainer');
    case 'retainer_resumed':
      return literal('resumed a retainer');
    case 'retainer_ended':
      return literal('ended a retainer');
    case 'retainer_edited':
      return literal('edited a retainer');
    default:
      return escapeClip(kind.replaceAll('_', ' '), 40);
  }
}

/**
 * Packs lines into as few mrkdwn texts as possible, each at most `maxChars`, using at most `maxTexts`.
 * Lines that do not fit are cut (never the texts); the last text then ends with "and N more"
 * (`total` is how many there are in all, which may exceed `lines.length`).
 */
export function packLines(
  lines: readonly Mrkdwn[],
  opts: { maxTexts: number; maxChars?: number; total?: number; more?: (n: number) => Mrkdwn },
): Mrkdwn[] {
  const maxChars = opts.maxChars ?? 3000;
  const total = Math.max(opts.total ?? lines.length, lines.length);
  const more = opts.more ?? ((n: number) => md`_…and ${esc(n.toLocaleString('en-US'))} more_`);
  // Room for the longest possible "and N more" line, so adding it never breaks the limit.
  const reserve = more(total).length + 1;
  const texts: string[] = [];
  let current = '';
  let shown = 0;
  for (const raw of lines) {
    const line = truncate(raw, maxChars - reserve);
    const next = current === '' ? line : `${current}\n${line}`;
    const room = texts.length === opts.maxTexts - 1 ? maxChars - reserve : maxChars;
    if (next.length <= room) {
      current = next;
      shown += 1;
      continue;
    }
    if (texts.length >= opts.maxTexts - 1) break;
    texts.push(current);
    current = line;
    shown += 1;
  }
  const hidden = total - shown;
  if (hidden > 0) {
    const withMore = current === '' ? more(hidden) : `${current}\n${more(hidden)}`;
    if (withMore.length <= maxChars) {
      current = withMore;
    } else {
      // Only a text before the last can be this full, so there is room for one more.
      texts.push(current);
      current = more(hidden);
    }
  }
  if (current !== '') texts.push(current);
  // Each text is the lines given (Mrkdwn), cut whole-line or at the end, joined by line breaks.
  return texts as Mrkdwn[];
}

/** A message: Block Kit blocks and the plain text notifications and screen readers use. */
export interface SlackMessage {
  text: Mrkdwn;
  blocks: KnownBlock[];
}
