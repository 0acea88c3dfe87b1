import type { ClientLinkRow } from '../../db/schema.js';
import { linesMessage } from './blocks.js';
import { inline, localDateTime, mention, type SlackMessage } from './text.js';

function commands(clientName: string): string {
  const name = inline(clientName, 100);
  return `\`/invoice share ${name} new\` makes a new link (this one stops working) · \`/invoice share ${name} revoke\` ends it.`;
}

function when(link: Pick<ClientLinkRow, 'createdBy' | 'createdAt' | 'lastSeenAt'>, timeZone: string): string {
  const seen = link.lastSeenAt ? `last opened ${localDateTime(link.lastSeenAt, timeZone)}` : 'not opened yet';
  return `made by ${mention(link.createdBy)} on ${localDateTime(link.createdAt, timeZone)}, ${seen}`;
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
    `🔗 The status page for *${name}* (only you can see this; send it to their billing contact):\n<${params.url}>`,
    `It shows ${name} their open invoices as Slack shows them — state, due date and its basis, payments, what is due — and the history marked shared, and lets them answer: approved for payment, a payment date, a question or a dispute. Their answers land on the invoice's card and in the finance channel.`,
    `Only a fingerprint of the link is kept, so it cannot be shown again. ${commands(params.clientName)}`,
  ];
  if (params.replaced) {
    lines.push(`The previous link (${when(params.replaced, params.timeZone)}) no longer works.`);
  }
  return linesMessage(lines);
}

/** The client already has a live link: when it was made, by whom, when it was last opened. */
export function linkExistsMessage(params: { clientName: string; link: ClientLinkRow; timeZone: string }): SlackMessage {
  const name = inline(params.clientName, 100);
  return linesMessage([
    `🔗 *${name}* has a status link, ${when(params.link, params.timeZone)}.`,
    `Only a fingerprint of it is kept, so it cannot be shown again. ${commands(params.clientName)}`,
  ]);
}

export function linkRevokedMessage(params: { clientName: string; revoked: ClientLinkRow | null }): SlackMessage {
  const name = inline(params.clientName, 100);
  return linesMessage([
    params.revoked
      ? `🔒 The status link for *${name}* no longer works. \`/invoice share ${name}\` makes a new one.`
      : `*${name}* has no status link. \`/invoice share ${name}\` makes one.`,
  ]);
}
