import type { ClientLinkRow } from '../../db/schema.js';
import { linesMessage } from './blocks.js';
import { esc, inline, link, literal, localDateTime, type Mrkdwn, md, mention, type SlackMessage } from './text.js';

function commands(clientName: string): Mrkdwn {
  const name = inline(clientName, 100);
  return md`\`/invoice share ${name} new\` makes a new link (this one stops working) · \`/invoice share ${name} revoke\` ends it.`;
}

function when(made: Pick<ClientLinkRow, 'createdBy' | 'createdAt' | 'lastSeenAt'>, timeZone: string): Mrkdwn {
  const seen = made.lastSeenAt
    ? md`last opened ${esc(localDateTime(made.lastSeenAt, timeZone))}`
    : literal('not opened yet');
  return md`made by ${mention(made.createdBy)} on ${esc(localDateTime(made.createdAt, timeZone))}, ${seen}`;
}

/** The new link, for the person who asked to copy to the client's billing contact. */
export function linkSharedMessage(params: {
  clientName: string;
  url: string;
  replaced: ClientLinkRow | null;
  timeZone: string;
}): SlackMessage {
  const name = inline(params.clientName, 100);
  const lines = [
    // In angle brackets: a bare URL is mrkdwn, and the token's underscores could turn part of it to italics.
    md`🔗 The status page for *${name}* (only you can see this; send it to their billing contact):\n${link(params.url)}`,
    md`It shows ${name} their open invoices as Slack shows them — state, due date and its basis, payments, what is due — and the history marked shared, and lets them answer: approved for payment, a payment date, a question or a dispute. Their answers land on the invoice's card and in the finance channel.`,
    md`Only a fingerprint of the link is kept, so it cannot be shown again. ${commands(params.clientName)}`,
  ];
  if (params.replaced) {
    lines.push(md`The previous link (${when(params.replaced, params.timeZone)}) no longer works.`);
  }
  return linesMessage(lines);
}

/** The client already has a live link: when it was made, by whom, when it was last opened. */
export function linkExistsMessage(params: { clientName: string; link: ClientLinkRow; timeZone: string }): SlackMessage {
  const name = inline(params.clientName, 100);
  return linesMessage([
    md`🔗 *${name}* has a status link, ${when(params.link, params.timeZone)}.`,
    md`Only a fingerprint of it is kept, so it cannot be shown again. ${commands(params.clientName)}`,
  ]);
}

export function linkRevokedMessage(params: { clientName: string; revoked: ClientLinkRow | null }): SlackMessage {
  const name = inline(params.clientName, 100);
  return linesMessage([
    params.revoked
      ? md`🔒 The status link for *${name}* no longer works. \`/invoice share ${name}\` makes a new one.`
      : md`*${name}* has no status link. \`/invoice share ${name}\` makes one.`,
  ]);
}
