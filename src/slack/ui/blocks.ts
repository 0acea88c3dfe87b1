// The Block Kit pieces every builder uses: texts and the sections and contexts that hold them. A section or
// context is cut to Slack's 3,000 characters; builders that pack lines stay under it already.
import type { KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { type SlackMessage, truncate } from './text.js';

const SECTION_MAX = 3000;

export function plain(text: string, max = 2000): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max) };
}

export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

export function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(truncate(text, SECTION_MAX)) };
}

export function context(text: string): KnownBlock {
  return { type: 'context', elements: [mrkdwn(truncate(text, SECTION_MAX))] };
}

/** A message of a few lines, each its own section; the lines joined are the notification text. */
export function linesMessage(lines: readonly string[]): SlackMessage {
  return { text: lines.join('\n'), blocks: lines.map(section) };
}
