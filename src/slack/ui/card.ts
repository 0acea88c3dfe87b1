// One invoice as a message card: what it is, where it stands, and the buttons to act on it.
import type { ActionsBlock, Button, KnownBlock, MrkdwnElement, Overflow } from '@slack/types';
import type { InvoiceView } from '../../db/queries/invoices.js';
import { localDateOf } from '../../domain/dates.js';
import { isOpen } from '../../domain/status.js';
import { mrkdwn } from './blocks.js';
import { ACTION } from './ids.js';
import { creditButtons } from './modals/credit.js';
import { amountLine, flags, lastActionText, statusText } from './phrases.js';
import {
  asOf,
  esc,
  escapeClip,
  inline,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  mention,
  money,
  type SlackMessage,
} from './text.js';

export interface CardOptions {
  /** The instant the card shows the invoice at (the status was derived for it). */
  now: Date;
  /** The workspace's time zone, for the dates a card prints. */
  timeZone: string;
  /** Where payments recorded here stand in the connected ledger ("sent to Xero"), one line each (ui/ledger-push.ts). */
  ledgerLines?: readonly Mrkdwn[];
  /** Credit on account and refunds (ui/modals/credit.ts): the client's balance in its currency, and its lines. */
  credit?: { accountCreditMinor: bigint; lines: readonly Mrkdwn[] };
}

/** The invoice as a card: number, client, amount due, state, due date and basis, owner, last action, buttons. */
export function invoiceCard(inv: InvoiceView, opts: CardOptions): SlackMessage {
  const { status } = inv;
  const open = isOpen(status.state);
  const number = inline(inv.number, 40);
  const client = inline(inv.clientName, 100);

  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(md`*${number}* · ${client}\n${amountLine(inv)}`) },
    { type: 'section', fields: fields(inv, opts.timeZone) },
  ];
  if (inv.description?.trim()) {
    blocks.push({ type: 'section', text: mrkdwn(md`*Description*\n${escapeClip(inv.description.trim(), 1000)}`) });
  }
  const actions = open ? openActions(inv) : closedActions(inv);
  actions.elements.push(...creditButtons(inv, opts.credit?.accountCreditMinor ?? 0n));
  blocks.push(actions);
  if (opts.credit && opts.credit.lines.length > 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(joinMd(opts.credit.lines, '\n'))] });
  }
  if (opts.ledgerLines && opts.ledgerLines.length > 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(joinMd(opts.ledgerLines, '\n'))] });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(asOf(opts.now, opts.timeZone))] });

  const text = joinMd([md`${number} · ${client}: ${plainAmount(inv)}`, statusText(inv), ...flags(inv)], ' · ');
  return { text, blocks };
}

function plainAmount(inv: InvoiceView): Mrkdwn {
  const total = money(inv.totalMinor, inv.currency);
  if (!isOpen(inv.status.state)) return total;
  return md`${money(inv.status.amountDueMinor, inv.currency)} due of ${total}`;
}

function fields(inv: InvoiceView, timeZone: string): MrkdwnElement[] {
  const { status } = inv;
  const open = isOpen(status.state);
  const out = [
    mrkdwn(md`*Status*\n${statusText(inv)}`),
    mrkdwn(md`*Due*\n${esc(inv.dueDate)} · ${escapeClip(inv.dueBasis, 200)}`),
    mrkdwn(md`*Owner*\n${mention(inv.ownerUserId)}`),
    mrkdwn(md`*Last action*\n${lastActionText(status) ?? literal('nothing yet')}`),
  ];
  if (status.hold) {
    const what = status.hold.kind === 'dispute' ? literal('⚠️ Disputed') : literal('⏸️ On hold');
    const by = status.hold.by ? md` by ${mention(status.hold.by)}` : literal('');
    const since = esc(localDateOf(status.hold.since, timeZone));
    out.push(mrkdwn(md`*${what}* since ${since}${by}\n${escapeClip(status.hold.reason, 1000)}`));
  }
  if (open && status.promisedDate) {
    const broken = status.promiseBroken ? literal(' — 💔 broken') : literal('');
    out.push(mrkdwn(md`*Promised to pay by*\n${esc(status.promisedDate)}${broken}`));
  }
  if (open && inv.nextFollowUp) out.push(mrkdwn(md`*Next follow-up*\n${esc(inv.nextFollowUp)}`));
  if (status.lifecycle === 'void' && inv.voidReason) {
    out.push(mrkdwn(md`*Void because*\n${escapeClip(inv.voidReason, 1000)}`));
  }
  return out;
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

/**
 * Mark paid, Log chase (or Mark sent for a draft), Hold or dispute (or Release), and a menu: edit, void, history,
 * and the corrections a finance admin makes: a credit note (once sent), reversing a payment (once one is recorded).
 */
function openActions(inv: InvoiceView): ActionsBlock {
  const elements: ActionsBlock['elements'] = [button('Mark paid', ACTION.markPaid, inv.id, 'primary')];
  if (inv.status.state === 'draft') elements.push(button('Mark sent', ACTION.markSent, inv.id));
  else elements.push(button('Log chase', ACTION.logChase, inv.id));
  elements.push(
    inv.status.hold
      ? button(inv.status.hold.kind === 'dispute' ? 'Resolve dispute' : 'Release hold', ACTION.release, inv.id)
      : button('Hold or dispute', ACTION.hold, inv.id),
  );
  const more: Overflow = {
    type: 'overflow',
    action_id: ACTION.more,
    options: [
      { text: { type: 'plain_text', text: 'Edit' }, value: `edit:${inv.id}` },
      { text: { type: 'plain_text', text: 'Void' }, value: `void:${inv.id}` },
      { text: { type: 'plain_text', text: 'History' }, value: `history:${inv.id}` },
      ...(inv.sentAt
        ? [{ text: { type: 'plain_text' as const, text: 'Issue credit note' }, value: `credit:${inv.id}` }]
        : []),
      ...(inv.paidMinor > 0n
        ? [{ text: { type: 'plain_text' as const, text: 'Reverse a payment' }, value: `reverse:${inv.id}` }]
        : []),
    ],
  };
  elements.push(more);
  return { type: 'actions', elements };
}

/**
 * Paid, credited and void invoices take no more actions: their history, and on one with payments, reversing a
 * payment recorded by mistake. History is a button (an overflow needs two options); it shares the menu's action id
 * and value form (`history:<id>`), so one listener serves both.
 */
function closedActions(inv: InvoiceView): ActionsBlock {
  const elements: ActionsBlock['elements'] = [button('History', ACTION.more, `history:${inv.id}`)];
  if (inv.status.lifecycle !== 'void' && inv.paidMinor > 0n) {
    elements.push(button('Reverse a payment', ACTION.reversePayment, inv.id));
  }
  return { type: 'actions', elements };
}
