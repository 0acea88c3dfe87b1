// The Block Kit pieces every builder uses: texts and the sections and contexts that hold them. A section or
// context is cut to Slack's 3,000 characters; builders that pack lines stay under it already. A mrkdwn text
// takes only Mrkdwn (see text.ts), so what a person typed is escaped before it gets here; nothing else in
// src/ writes `type: 'mrkdwn'` (test/security/hostile-text.test.ts checks).
import type { KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { joinMd, type Mrkdwn, type SlackMessage, showable, truncate } from './text.js';

const SECTION_MAX = 3000;

/** plain_text is never read for mentions or links; it is still kept free of control and bidi characters. */
export function plain(text: string, max = 2000): PlainTextElement {
  return { type: 'plain_text', text: truncate(showable(text), max) };
}

export function mrkdwn(text: Mrkdwn): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

export function section(text: Mrkdwn): KnownBlock {
  return { type: 'section', text: mrkdwn(truncate(text, SECTION_MAX)) };
}

export function context(text: Mrkdwn): KnownBlock {
  return { type: 'context', elements: [mrkdwn(truncate(text, SECTION_MAX))] };
}

/** A message of a few lines, each its own section; the lines joined are the notification text. */
export function linesMessage(lines: readonly Mrkdwn[]): SlackMessage {
  return { text: joinMd(lines, '\n'), blocks: lines.map(section) };
}
