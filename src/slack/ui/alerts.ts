// What the jobs post: the reason an invoice needs attention (a lead line kept above its live card),
// the owner's private "did they pay?" and follow-up nudge, a big day's summary, and the prompt to choose a channel.
import type { KnownBlock } from '@slack/types';
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { HistoryEvent } from '../../db/queries/views.js';
import { section } from './blocks.js';
import { ACTION } from './ids.js';
import { clientAnswerText, eventLine } from './phrases.js';
import {
  esc,
  inline,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  mention,
  money,
  plural,
  type SlackMessage,
  truncate,
} from './text.js';

export type AlertKind = 'became_due' | 'became_overdue' | 'promise_broken' | 'stale_chase';

/** How late the client usually pays, as a clause: "usually pays 12 days late". */
export function latenessText(averageDaysLate: number | null): Mrkdwn | null {
  if (averageDaysLate === null) return null;
  if (averageDaysLate <= 0) return literal('usually pays on time');
  return md`usually pays ${plural(averageDaysLate, 'day')} late`;
}

/** The line above the card: why the channel is hearing about it, whose it is, and the last chase. */
export function alertLead(
  kind: AlertKind,
  inv: InvoiceView,
  opts: { averageDaysLate: number | null; lastChase?: HistoryEvent | undefined; timeZone: string },
): Mrkdwn {
  const number = md`*${inline(inv.number, 40)}*`;
  const client = inline(inv.clientName, 80);
  const owner = inv.ownerUserId ? mention(inv.ownerUserId) : literal('nobody owns it yet');
  const habit = latenessText(opts.averageDaysLate);
  let line: Mrkdwn;
  switch (kind) {
    case 'became_due':
      line = md`:large_yellow_circle: ${number} for ${client} is due today · ${owner}`;
      break;
    case 'became_overdue':
      line = md`:red_circle: ${number} for ${client} is now overdue (${plural(inv.status.daysOverdue, 'day')}) · ${owner}`;
      break;
    case 'promise_broken':
      line = md`:broken_heart: ${client} promised to pay ${number} by ${inv.promisedDate ? esc(inv.promisedDate) : literal('an agreed date')}; it is still unpaid · ${owner}`;
      break;
    case 'stale_chase': {
      const since = inv.status.daysSinceLastAction;
      const how = since === null ? literal('') : md` for ${plural(since, 'day')}`;
      line = md`:alarm_clock: ${owner}, ${number} for ${client} has had no action${how}. Time to chase.`;
      break;
    }
  }
  const parts = [line];
  if (habit) parts.push(md`_${client} ${habit}._`);
  if (opts.lastChase) parts.push(md`Last chase: ${eventLine(opts.lastChase, opts.timeZone)}`);
  else if (kind === 'stale_chase') parts.push(literal('No chase logged yet.'));
  return truncate(joinMd(parts, '\n'), 2900);
}

/**
 * Above the card of a follow-up someone planned: ":calendar: Time to follow up on *INV-7* for Acme · @owner",
 * with the last chase, so the next one does not start from a blank slate.
 */
export function followUpLead(
  inv: InvoiceView,
  opts: { planned: string; today: string; lastChase?: HistoryEvent | undefined; timeZone: string },
): Mrkdwn {
  const number = md`*${inline(inv.number, 40)}*`;
  const client = inline(inv.clientName, 80);
  const owner = inv.ownerUserId ? mention(inv.ownerUserId) : literal('nobody owns it yet');
  // A follow-up planned for a day off is nudged on the next working day: say which day it was.
  const when = opts.planned < opts.today ? md` (planned for ${esc(opts.planned)})` : literal('');
  const parts = [md`:calendar: Time to follow up on ${number} for ${client}${when} · ${owner}`];
  if (opts.lastChase) parts.push(md`Last chase: ${eventLine(opts.lastChase, opts.timeZone)}`);
  return truncate(joinMd(parts, '\n'), 2900);
}

/**
 * The finance channel hears of a client's answer from its status page:
 * "💬 Acme Corp answered on *INV-7* from their status page: payment scheduled for 2026-12-10 · ref 'BACS 42' · @owner".
 * The client's words are escaped: nothing they type can mention anyone.
 */
export function clientAnswerLead(inv: InvoiceView, answer: Record<string, unknown>): Mrkdwn {
  const kind = typeof answer.kind === 'string' ? answer.kind : '';
  const eventKind = `client_${kind === 'dispute' ? 'disputed' : kind}`;
  const owner = inv.ownerUserId ? md` · ${mention(inv.ownerUserId)}` : literal('');
  const contact =
    typeof answer.contact === 'string' && answer.contact ? md` (${inline(answer.contact, 120)})` : literal('');
  const icon =
    kind === 'dispute'
      ? literal(':warning:')
      : kind === 'question'
        ? literal(':question:')
        : literal(':speech_balloon:');
  return truncate(
    md`${icon} ${inline(inv.clientName, 80)}${contact} answered on *${inline(inv.number, 40)}* from their status page: ${clientAnswerText(eventKind, answer)}${owner}`,
    2900,
  );
}

/** The owner's private heads-up on the morning an invoice is due, before anyone is chased. */
export function paidCheckMessage(inv: InvoiceView): SlackMessage {
  const amount = money(inv.status.amountDueMinor, inv.currency);
  const question = md`Did ${inline(inv.clientName, 80)} pay *${inline(inv.number, 40)}* (${amount})? It is due today.`;
  const blocks: KnownBlock[] = [
    section(md`${question}\nIf the money is in, record it now and nobody will chase them.`),
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
  // The notification text is mrkdwn too: the client's name is escaped here as in the blocks.
  return {
    text: md`Did ${inline(inv.clientName, 80)} pay ${inline(inv.number, 40)} (${amount})? It is due today.`,
    blocks,
  };
}

export function notYetMessage(inv: Pick<InvoiceView, 'number'>): SlackMessage {
  const number = inline(inv.number, 40);
  return {
    text: md`Noted: ${number} is not paid yet. The finance channel will hear that it is due today.`,
    blocks: [section(md`Noted: *${number}* is not paid yet. The finance channel will hear that it is due today.`)],
  };
}

/** A big day in one message; the cards follow in its thread. */
export function summaryMessage(counts: Record<AlertKind, number>, today: string): SlackMessage {
  const parts = [
    counts.became_overdue ? md`${plural(counts.became_overdue, 'invoice')} became overdue` : null,
    counts.became_due
      ? md`${plural(counts.became_due, 'invoice')} ${counts.became_due === 1 ? literal('is') : literal('are')} due today`
      : null,
    counts.promise_broken ? md`${plural(counts.promise_broken, 'promise')} broke` : null,
    counts.stale_chase ? md`${plural(counts.stale_chase, 'chase')} went stale` : null,
  ].filter((p): p is Mrkdwn => p !== null);
  const day = esc(today);
  return {
    text: md`Receivables for ${day}: ${joinMd(parts, ', ')}. The cards are in the thread.`,
    blocks: [section(md`*Receivables for ${day}*\n${joinMd(parts, '\n')}\n_The cards are in the thread._`)],
  };
}

export function channelPromptMessage(): SlackMessage {
  const text = literal(
    'Receivables has no finance channel yet, so its daily alerts and weekly digest have nowhere to go. Choose one in `/invoice settings` (and invite me to it).',
  );
  return { text, blocks: [section(text)] };
}
