// Text for Block Kit: escaping what people typed, cutting it to Slack's limits, and the small phrases
// (money, days, dates, mentions) every builder shares. Pure: the time and the zone are always passed in.
import type { KnownBlock } from '@slack/types';
import { localDateOf, localTimeOf } from '../../domain/dates.js';
import { currencyExponent, formatMoney } from '../../domain/money.js';
import { type InvoiceState, type Lifecycle, STATE_LABEL } from '../../domain/status.js';

/** mrkdwn escaping for text a person typed: stops `<!channel>`, `<@U…>`, `<!subteam^…>` and disguised links. */
export function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `s` cut to at most `max` characters (UTF-16 units), ending in '…' when cut; never splits a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

/**
 * Escapes then cuts to `max` characters, never through the middle of an entity (`&amp;`), so the result
 * is both safe and within the limit however many `&<>` the text holds.
 */
export function escapeClip(s: string, max: number): string {
  const escaped = escapeText(s);
  if (escaped.length <= max) return escaped;
  let cut = truncate(escaped, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** One line of user text: whitespace (newlines included) collapsed, escaped and cut to `max`. */
export function inline(s: string, max: number): string {
  return escapeClip(s.replace(/\s+/g, ' ').trim(), max);
}

const USER_ID = /^[UW][A-Z0-9]+$/;
const CHANNEL_ID = /^[CG][A-Z0-9]+$/;

/** `<@U123>` for a real Slack user id; anything else is shown as escaped text, never as markup. */
export function mention(userId: string | null | undefined, nobody = 'nobody'): string {
  if (userId === null || userId === undefined || userId === '') return nobody;
  return USER_ID.test(userId) ? `<@${userId}>` : escapeClip(userId, 80);
}

/** `<#C123>` for a real channel id, else null. */
export function channelLink(channelId: string | null | undefined): string | null {
  return channelId && CHANNEL_ID.test(channelId) ? `<#${channelId}>` : null;
}

export function isUserId(s: string | null | undefined): s is string {
  return typeof s === 'string' && USER_ID.test(s);
}

export function isChannelId(s: string | null | undefined): s is string {
  return typeof s === 'string' && CHANNEL_ID.test(s);
}

/** A date each reader sees in their own zone: `<!date^UNIX^{date_short}|fallback>`. */
export function slackDate(date: Date, fallback: string, format = '{date_short}'): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${escapeText(fallback)}>`;
}

/** 'YYYY-MM-DD HH:MM' (24-hour) in `timeZone`: the fallback text and the history lines. */
export function localDateTime(at: Date, timeZone: string): string {
  return `${localDateOf(at, timeZone)} ${localTimeOf(at, timeZone)}`;
}

/** 'As of 2026-11-14 09:00' rendered in each reader's zone, with the workspace's time as fallback. */
export function asOf(now: Date, timeZone: string): string {
  return `As of ${slackDate(now, localDateTime(now, timeZone), '{date_short_pretty} at {time}')}`;
}

/** '1 invoice', '3 invoices'. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** '1 day', '12 days'. */
export function days(n: number): string {
  return plural(n, 'day');
}

/** 'today', 'yesterday', '3 days ago' for a whole number of days since. */
export function daysAgo(n: number): string {
  if (n <= 0) return 'today';
  if (n === 1) return 'yesterday';
  return `${days(n)} ago`;
}

/** An amount for people, e.g. '$1,234.50'; a code outside the table is shown plainly rather than failing. */
export function money(minor: bigint, currency: string): string {
  if (currencyExponent(currency) === undefined) return `${minor.toString()} ${escapeText(currency)} (minor units)`;
  return formatMoney(minor, currency);
}

/** '$1,000.00 + €500.00': one amount per currency, in the order given. */
export function moneyList(amounts: readonly { currency: string; minor: bigint }[]): string {
  return amounts.map((a) => money(a.minor, a.currency)).join(' + ');
}

/** A clear marker per state, so a glance tells Overdue from Due from Paid. */
export const STATE_MARK: Readonly<Record<Lifecycle, string>> = {
  overdue: '🔴',
  due: '🟡',
  sent: '🔵',
  draft: '📝',
  paid: '✅',
  void: '⚫',
};

/** '🔴 Overdue', '🟡 Due today'… */
export function stateTitle(state: Lifecycle): string {
  return `${STATE_MARK[state]} ${STATE_LABEL[state]}`;
}

/** What each state's total means in a heading. */
export const STATE_AMOUNT_WORD: Readonly<Record<InvoiceState, string>> = {
  overdue: 'overdue',
  due: 'due today',
  sent: 'not yet due',
  draft: 'in drafts',
  paid: 'paid in the last 30 days',
};

/** Past-tense phrase for an event or last-action kind: 'chased', 'marked sent', 'recorded a payment'. */
export function actionVerb(kind: string): string {
  switch (kind) {
    case 'created':
      return 'created';
    case 'sent':
      return 'marked sent';
    case 'paid':
      return 'marked paid';
    case 'part_paid':
      return 'recorded a part payment';
    case 'chased':
      return 'chased';
    case 'held':
      return 'put on hold';
    case 'disputed':
      return 'marked disputed';
    case 'released':
      return 'released';
    case 'voided':
      return 'voided';
    case 'edited':
      return 'edited';
    case 'client_approved':
      return 'client approved it for payment';
    case 'client_scheduled':
      return 'client scheduled payment';
    case 'client_question':
      return 'client asked a question';
    case 'client_disputed':
      return 'client disputed it';
    case 'link_shared':
      return 'shared a status link';
    case 'link_revoked':
      return 'ended the status link';
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
  lines: readonly string[],
  opts: { maxTexts: number; maxChars?: number; total?: number; more?: (n: number) => string },
): string[] {
  const maxChars = opts.maxChars ?? 3000;
  const total = Math.max(opts.total ?? lines.length, lines.length);
  const more = opts.more ?? ((n: number) => `_…and ${n.toLocaleString('en-US')} more_`);
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
  return texts;
}

/** A message: Block Kit blocks and the plain text notifications and screen readers use. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
