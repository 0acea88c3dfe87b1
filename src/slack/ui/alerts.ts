// What the jobs post: the reason an invoice needs attention (a lead line kept above its live card),
// the owner's private "did they pay?", a big day's summary, and the prompt to choose a channel.
import type { KnownBlock } from '@slack/types';
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { HistoryEvent } from '../../db/queries/views.js';
import { ACTION } from './ids.js';
import { clientAnswerText, eventLine } from './phrases.js';
import { inline, mention, money, plural, type SlackMessage } from './text.js';

export type AlertKind = 'became_due' | 'became_overdue' | 'promise_broken' | 'stale_chase';

/** How late the client usually pays, as a clause: "usually pays 12 days late". */
export function latenessText(averageDaysLate: number | null): string | null {
  if (averageDaysLate === null) return null;
  if (averageDaysLate <= 0) return 'usually pays on time';
  return `usually pays ${plural(averageDaysLate, 'day')} late`;
}

/** The line above the card: why the channel is hearing about it, whose it is, and the last chase. */
export function alertLead(
  kind: AlertKind,
  inv: InvoiceView,
  opts: { averageDaysLate: number | null; lastChase?: HistoryEvent | undefined; timeZone: string },
): string {
  const number = `*${inline(inv.number, 40)}*`;
  const client = inline(inv.clientName, 80);
  const owner = inv.ownerUserId ? mention(inv.ownerUserId) : 'nobody owns it yet';
  const habit = latenessText(opts.averageDaysLate);
  let line: string;
  switch (kind) {
    case 'became_due':
      line = `:large_yellow_circle: ${number} for ${client} is due today · ${owner}`;
      break;
    case 'became_overdue':
      line = `:red_circle: ${number} for ${client} is now overdue (${plural(inv.status.daysOverdue, 'day')}) · ${owner}`;
      break;
    case 'promise_broken':
      line = `:broken_heart: ${client} promised to pay ${number} by ${inv.promisedDate ?? 'an agreed date'}; it is still unpaid · ${owner}`;
      break;
    case 'stale_chase': {
      const since = inv.status.daysSinceLastAction;
      line = `:alarm_clock: ${owner}, ${number} for ${client} has had no action${since === null ? '' : ` for ${plural(since, 'day')}`}. Time to chase.`;
      break;
    }
  }
  const parts = [line];
  if (habit) parts.push(`_${client} ${habit}._`);
  if (opts.lastChase) parts.push(`Last chase: ${eventLine(opts.lastChase, opts.timeZone)}`);
  else if (kind === 'stale_chase') parts.push('No chase logged yet.');
  return parts.join('\n').slice(0, 2900);
}

/**
 * The finance channel hears of a client's answer from its status page:
 * "💬 Acme Corp answered on *INV-7* from their status page: payment scheduled for 2026-12-10 · ref 'BACS 42' · @owner".
 * The client's words are escaped: nothing they type can mention anyone.
 */
export function clientAnswerLead(inv: InvoiceView, answer: Record<string, unknown>): string {
  const kind = typeof answer.kind === 'string' ? answer.kind : '';
  const eventKind = `client_${kind === 'dispute' ? 'disputed' : kind}`;
  const owner = inv.ownerUserId ? ` · ${mention(inv.ownerUserId)}` : '';
  const contact = typeof answer.contact === 'string' && answer.contact ? ` (${inline(answer.contact, 120)})` : '';
  const icon = kind === 'dispute' ? ':warning:' : kind === 'question' ? ':question:' : ':speech_balloon:';
  return `${icon} ${inline(inv.clientName, 80)}${contact} answered on *${inline(inv.number, 40)}* from their status page: ${clientAnswerText(eventKind, answer)}${owner}`.slice(
    0,
    2900,
  );
}

/** The owner's private heads-up on the morning an invoice is due, before anyone is chased. */
export function paidCheckMessage(inv: InvoiceView): SlackMessage {
  const amount = money(inv.status.amountDueMinor, inv.currency);
  const question = `Did ${inline(inv.clientName, 80)} pay *${inline(inv.number, 40)}* (${amount})? It is due today.`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${question}\nIf the money is in, record it now and nobody will chase them.` },
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.markPaid,
          text: { type: 'plain_text', text: 'Mark paid' },
          style: 'primary',
          value: inv.id,
        },
        { type: 'button', action_id: ACTION.notYet, text: { type: 'plain_text', text: 'Not yet' }, value: inv.id },
      ],
    },
  ];
  return { text: `Did ${inv.clientName} pay ${inv.number} (${amount})? It is due today.`, blocks };
}

export function notYetMessage(inv: Pick<InvoiceView, 'number'>): SlackMessage {
  const text = `Noted: *${inline(inv.number, 40)}* is not paid yet. The finance channel will hear that it is due today.`;
  return { text: text.replace(/\*/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** A big day in one message; the cards follow in its thread. */
export function summaryMessage(counts: Record<AlertKind, number>, today: string): SlackMessage {
  const parts = [
    counts.became_overdue ? `${plural(counts.became_overdue, 'invoice')} became overdue` : null,
    counts.became_due
      ? `${plural(counts.became_due, 'invoice')} ${counts.became_due === 1 ? 'is' : 'are'} due today`
      : null,
    counts.promise_broken ? `${plural(counts.promise_broken, 'promise')} broke` : null,
    counts.stale_chase ? `${plural(counts.stale_chase, 'chase')} went stale` : null,
  ].filter((p): p is string => p !== null);
  const text = `Receivables for ${today}: ${parts.join(', ')}. The cards are in the thread.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Receivables for ${today}*\n${parts.join('\n')}\n_The cards are in the thread._`,
        },
      },
    ],
  };
}

export function channelPromptMessage(): SlackMessage {
  const text =
    'Receivables has no finance channel yet, so its daily alerts and weekly digest have nowhere to go. ' +
    'Choose one in `/invoice settings` (and invite me to it).';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
