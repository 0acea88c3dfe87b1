// `npm run cli -- digest`: the weekly digest as it would be posted now, as plain text.
import type { KnownBlock } from '@slack/types';
import { todayIn } from '../domain/dates.js';
import { buildDigest } from '../slack/digest.js';
import type { Command } from './commands.js';

/** Slack's mrkdwn as terminal text: no emphasis markers, mentions and entities spelled out. */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/<#([CG][A-Z0-9]+)(\|[^>]*)?>/g, '#$1')
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/[*_~]/g, '')
    .replace(/:([a-z0-9_+-]+):/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function blockLines(blocks: readonly KnownBlock[]): string[] {
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.type === 'header') lines.push(block.text.text.toUpperCase());
    if (block.type === 'section') {
      if (block.text) lines.push(plainText(block.text.text));
      for (const field of block.fields ?? []) lines.push(plainText(field.text));
    }
    if (block.type === 'context') {
      for (const element of block.elements) if ('text' in element) lines.push(plainText(String(element.text)));
    }
    if (block.type === 'divider') lines.push('');
  }
  return lines;
}

export const digest: Command = async (ctx, workspace, _args, out) => {
  const now = ctx.clock.now();
  const { parent, replies } = await buildDigest(ctx, workspace, now, `As of ${todayIn(workspace.timeZone, now)}`);
  for (const line of blockLines(parent.blocks)) out(line);
  for (const reply of replies) {
    out('');
    for (const line of blockLines(reply.blocks)) out(line);
  }
  return 0;
};
