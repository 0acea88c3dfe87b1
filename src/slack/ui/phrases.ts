// How an invoice reads in one phrase or one line: shared by the card, the Home tab, lists and client pages.
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { HistoryEvent } from '../../db/queries/views.js';
import { type InvoiceStatus, isClosed, isOpen } from '../../domain/status.js';
import {
  actionVerb,
  days,
  daysAgo,
  esc,
  inline,
  joinMd,
  literal,
  localDateTime,
  type Mrkdwn,
  md,
  mention,
  money,
  STATE_MARK,
  stateTitle,
} from './text.js';

/**
 * '🔴 Overdue · 12 days', '🟡 Due today', '🔵 Sent · due in 5 days', '✅ Paid on 2026-11-10',
 * '🧾 Credited on 2026-11-12', '⚫ Void'.
 */
export function statusText(inv: InvoiceView): Mrkdwn {
  const { status } = inv;
  switch (status.lifecycle) {
    case 'overdue':
      return md`${stateTitle('overdue')} · ${days(status.daysOverdue)}`;
    case 'due':
      return stateTitle('due');
    case 'sent':
      return md`${stateTitle('sent')} · due in ${days(status.daysUntilDue)}`;
    case 'draft':
      return md`${stateTitle('draft')} · not sent yet`;
    case 'paid':
      return inv.paidOn ? md`${stateTitle('paid')} on ${esc(inv.paidOn)}` : stateTitle('paid');
    case 'credited':
      return inv.paidOn ? md`${stateTitle('credited')} on ${esc(inv.paidOn)}` : stateTitle('credited');
    case 'void':
      return stateTitle('void');
  }
}

/** 'chased by <@U1> · 3 days ago', or null when nothing has been done yet. */
export function lastActionText(status: InvoiceStatus): Mrkdwn | null {
  const action = status.lastAction;
  if (!action) return null;
  const by = action.by ? md` by ${mention(action.by)}` : literal('');
  return md`${actionVerb(action.kind)}${by} · ${daysAgo(status.daysSinceLastAction ?? 0)}`;
}

/** The flags that change what someone should do: hold, dispute, broken promise, stale chase. */
export function flags(inv: InvoiceView): Mrkdwn[] {
  const { status } = inv;
  const out: Mrkdwn[] = [];
  if (status.hold) out.push(status.hold.kind === 'dispute' ? literal('⚠️ disputed') : literal('⏸️ on hold'));
  if (status.promiseBroken && status.promisedDate) out.push(md`💔 promised ${esc(status.promisedDate)}, broken`);
  else if (status.promisedDate && isOpen(status.state)) {
    out.push(md`🤝 promised ${esc(status.promisedDate)}`);
  }
  if (status.stale) out.push(literal('💤 no chase lately'));
  return out;
}

/** '12 days late', 'due today', 'due 2026-11-30', 'not sent', 'paid 2026-11-10', 'credited 2026-11-12', 'void'. */
function whenText(inv: InvoiceView): Mrkdwn {
  const { status } = inv;
  switch (status.lifecycle) {
    case 'overdue':
      return md`${days(status.daysOverdue)} late`;
    case 'due':
      return literal('due today');
    case 'sent':
      return md`due ${esc(inv.dueDate)}`;
    case 'draft':
      return md`not sent · due ${esc(inv.dueDate)}`;
    case 'paid':
      return inv.paidOn ? md`paid ${esc(inv.paidOn)}` : literal('paid');
    case 'credited':
      return inv.paidOn ? md`credited ${esc(inv.paidOn)}` : literal('credited');
    case 'void':
      return literal('void');
  }
}

/** What the line's amount is: what is still due while open, the total once paid, credited or void. */
function lineAmount(inv: InvoiceView): Mrkdwn {
  return money(isOpen(inv.status.state) ? inv.status.amountDueMinor : inv.totalMinor, inv.currency);
}

/**
 * One invoice on one line, for lists:
 * '*INV-0042* · Acme Corp · $6,000.00 · 12 days late · <@U1> · chased 3 days ago'.
 */
export function invoiceLine(inv: InvoiceView, opts: { marker?: boolean } = {}): Mrkdwn {
  const parts = [
    md`${opts.marker ? md`${STATE_MARK[inv.status.lifecycle]} ` : literal('')}*${inline(inv.number, 40)}*`,
    inline(inv.clientName, 40),
    lineAmount(inv),
    whenText(inv),
    ...flags(inv),
  ];
  if (inv.ownerUserId) parts.push(mention(inv.ownerUserId));
  const action = inv.status.lastAction;
  if (action && isOpen(inv.status.state)) {
    parts.push(md`${actionVerb(action.kind)} ${daysAgo(inv.status.daysSinceLastAction ?? 0)}`);
  }
  return joinMd(parts, ' · ');
}

/**
 * '*$6,000.00 due* of $10,000.00', '*$6,000.00 due* of $10,000.00 · $1,000.00 credited', '*$10,000.00* paid in
 * full', '*$10,000.00* paid in full · $4,000.00 of it credited', '*$10,000.00* credited in full', '~$10,000.00~ void'.
 */
export function amountLine(inv: InvoiceView): Mrkdwn {
  const { status } = inv;
  const total = money(inv.totalMinor, inv.currency);
  if (status.lifecycle === 'void') return md`~${total}~ void`;
  if (status.state === 'credited') return md`*${total}* credited in full`;
  const credited = inv.creditedMinor > 0n ? money(inv.creditedMinor, inv.currency) : null;
  if (isClosed(status.state)) {
    const over = status.overpaidMinor > 0n ? md` (${money(status.overpaidMinor, inv.currency)} overpaid)` : literal('');
    const part = credited ? md` · ${credited} of it credited` : literal('');
    return md`*${total}* paid in full${over}${part}`;
  }
  const part = credited ? md` · ${credited} credited` : literal('');
  return md`*${money(status.amountDueMinor, inv.currency)} due* of ${total}${part}`;
}

/** Two lines naming the invoice and where it stands, atop the modals that act on it. */
export function invoiceHeadline(inv: InvoiceView): Mrkdwn {
  return md`*${inline(inv.number, 40)}* · ${inline(inv.clientName, 100)}\n${amountLine(inv)} · ${statusText(inv)}`;
}

/** Plain words for a text fallback: 'INV-0042 · Acme Corp · $6,000.00 due · Overdue 12 days'. */
export function invoiceSummary(inv: InvoiceView): Mrkdwn {
  return md`${inline(inv.number, 40)} · ${inline(inv.clientName, 60)} · ${lineAmount(inv)} · ${whenText(inv)}`;
}

/** An amount stored in event details: a bigint, or `{ $bigint: "…" }` once it has been through jsonb. */
function minorOf(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (value && typeof value === 'object' && '$bigint' in value) return minorOf((value as { $bigint: unknown }).$bigint);
  return null;
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A person's words, quoted on one line: `'Paying Friday'`, escaped and cut. */
export function quote(s: string, max = 300): Mrkdwn {
  return md`'${inline(s, max)}'`;
}

const EDITED_FIELD: Readonly<Record<string, Mrkdwn>> = {
  number: literal('number'),
  clientId: literal('client'),
  currency: literal('currency'),
  totalMinor: literal('amount'),
  issueDate: literal('invoice date'),
  termsKind: literal('terms'),
  termsDays: literal('terms'),
  termsBasisDate: literal('terms date'),
  termsBasisLabel: literal('terms date'),
  dueDate: literal('due date'),
  ownerUserId: literal('owner'),
  description: literal('description'),
};

/** What an event did, e.g. "chased by call — 'Left a voicemail' · they said 'Paying Friday' · promised 2026-11-06". */
export function eventText(kind: string, details: Record<string, unknown>): Mrkdwn {
  const currency = textOf(details.currency);
  const amount = (key: string) => {
    const minor = minorOf(details[key]);
    return minor !== null && currency ? money(minor, currency) : null;
  };
  const parts: Mrkdwn[] = [];
  const add = (label: Mrkdwn, value: unknown) => {
    const text = textOf(value);
    if (text) parts.push(md`${label}${inline(text, 100)}`);
  };
  switch (kind) {
    case 'created': {
      const total = amount('totalMinor');
      parts.push(total ? md`created · ${total}` : literal('created'));
      add(literal('due '), details.dueDate);
      // An invoice a retainer made says so, and when it was caught up after downtime.
      if (typeof details.retainerId === 'string') {
        parts.push(details.caughtUp === true ? literal('by its retainer (caught up)') : literal('by its retainer'));
      }
      break;
    }
    case 'paid':
    case 'part_paid': {
      const paid = amount('amountMinor');
      const how = kind === 'paid' ? literal('— paid in full') : literal('(part payment)');
      parts.push(md`recorded ${paid ? md`${paid} ` : literal('')}${how}`);
      const left = amount('amountDueAfterMinor');
      if (kind === 'part_paid' && left) parts.push(md`${left} still due`);
      const over = amount('overpaidMinor');
      if (over && (minorOf(details.overpaidMinor) ?? 0n) > 0n) parts.push(md`${over} overpaid`);
      add(literal('received '), details.receivedOn);
      add(literal('ref '), details.reference);
      add(literal('by '), details.method);
      break;
    }
    case 'sent':
      parts.push(actionVerb(kind));
      add(literal('sent '), details.sentOn);
      break;
    case 'imported': {
      const source = textOf(details.source);
      const line = typeof details.line === 'number' ? md` (line ${details.line})` : literal('');
      parts.push(md`imported from the ${source ? inline(source, 60) : literal('file')}${line}`);
      add(literal('sent '), details.sentOn);
      add(literal('paid '), details.paidOn);
      break;
    }
    case 'payment_reversed': {
      const paid = amount('amountMinor');
      const reason = textOf(details.reason);
      parts.push(
        md`reversed the payment${paid ? md` of ${paid}` : literal('')}${reason ? md` — ${quote(reason)}` : literal('')}`,
      );
      add(literal('received '), details.receivedOn);
      add(literal('ref '), details.reference);
      const left = amount('amountDueAfterMinor');
      if (left) parts.push(md`${left} due again`);
      break;
    }
    case 'credit_note_issued': {
      const credit = amount('amountMinor');
      const number = textOf(details.number);
      const reason = textOf(details.reason);
      parts.push(
        md`issued credit note${number ? md` ${inline(number, 40)}` : literal('')}${credit ? md` for ${credit}` : literal('')}${reason ? md` — ${quote(reason)}` : literal('')}`,
      );
      add(literal('dated '), details.issuedOn);
      const left = amount('amountDueAfterMinor');
      if (details.fullyCredited === true) parts.push(literal('credited in full'));
      else if (left) parts.push(md`${left} still due`);
      const kept = amount('keptOnAccountMinor');
      if (kept) parts.push(md`${kept} kept on the client's account`);
      break;
    }
    case 'account_credit_applied': {
      const credit = amount('amountMinor');
      const reason = textOf(details.reason);
      parts.push(
        md`applied ${credit ?? literal('')} of credit on account${reason ? md` — ${quote(reason)}` : literal('')}`,
      );
      const left = amount('amountDueAfterMinor');
      if (left) parts.push(md`${left} still due`);
      const balance = amount('balanceAfterMinor');
      if (balance) parts.push(md`${balance} left on account`);
      break;
    }
    case 'refunded':
    case 'account_credit_refunded': {
      const refunded = amount('amountMinor');
      const reason = textOf(details.reason);
      const from = kind === 'refunded' ? literal(' of the overpayment') : literal(' of credit on account');
      parts.push(md`refunded ${refunded ?? literal('')}${from}${reason ? md` — ${quote(reason)}` : literal('')}`);
      add(literal('on '), details.refundedOn);
      add(literal(''), details.method);
      add(literal('ref '), details.reference);
      break;
    }
    case 'credit_note_withdrawn': {
      const credit = amount('amountMinor');
      const number = textOf(details.number);
      const reason = textOf(details.reason);
      parts.push(
        md`withdrew credit note${number ? md` ${inline(number, 40)}` : literal('')}${credit ? md` for ${credit}` : literal('')}${reason ? md` — ${quote(reason)}` : literal('')}`,
      );
      add(literal('dated '), details.issuedOn);
      const left = amount('amountDueAfterMinor');
      if (left) parts.push(md`${left} due again`);
      const back = amount('withdrawnFromAccountMinor');
      if (back) parts.push(md`${back} taken back from the client's account`);
      break;
    }
    case 'chased': {
      const method = textOf(details.method);
      const note = textOf(details.note);
      const by = method ? md` by ${inline(method, 20)}` : literal('');
      parts.push(md`chased${by}${note ? md` — ${quote(note)}` : literal('')}`);
      const response = textOf(details.response);
      if (response) parts.push(md`they said ${quote(response)}`);
      add(literal('promised '), details.promisedDate);
      add(literal('follow up '), details.nextFollowUp);
      break;
    }
    case 'held':
    case 'disputed':
    case 'voided': {
      const reason = textOf(details.reason);
      parts.push(md`${actionVerb(kind)}${reason ? md` — ${quote(reason)}` : literal('')}`);
      break;
    }
    case 'released': {
      const note = textOf(details.note);
      const what = details.was === 'dispute' ? literal('dispute') : literal('hold');
      parts.push(md`released the ${what}${note ? md` — ${quote(note)}` : literal('')}`);
      break;
    }
    case 'edited': {
      const changes = details.changes && typeof details.changes === 'object' ? Object.keys(details.changes) : [];
      const names = [...new Set(changes.map((c) => EDITED_FIELD[c] ?? inline(c, 30)))];
      parts.push(names.length > 0 ? md`edited ${joinMd(names, ', ')}` : literal('edited'));
      break;
    }
    case 'client_approved':
    case 'client_scheduled':
    case 'client_question':
    case 'client_disputed':
      parts.push(clientAnswerText(kind, details));
      break;
    case 'became_due (derived)':
      parts.push(literal('became Due _(derived from the due date, not recorded)_'));
      break;
    case 'became_overdue (derived)':
      parts.push(literal('became Overdue _(derived from the due date, not recorded)_'));
      break;
    default:
      parts.push(actionVerb(kind));
  }
  return joinMd(parts, ' · ');
}

/**
 * A client's answer from its status page, in the client's words (escaped, on one line):
 * "approved for payment by 'Ada'", "payment scheduled for 2026-12-10 · ref 'BACS 42'",
 * "asked: 'Which PO is this?'", "disputed: 'Hours do not match'".
 */
export function clientAnswerText(kind: string, details: Record<string, unknown>): Mrkdwn {
  const name = textOf(details.name);
  switch (kind) {
    case 'client_approved':
      return md`approved for payment${name ? md` by ${quote(name, 120)}` : literal('')}`;
    case 'client_scheduled': {
      const reference = textOf(details.reference);
      const date = textOf(details.date);
      return joinMd(
        [
          md`payment scheduled for ${date ? inline(date, 10) : literal('a date')}`,
          reference ? md`ref ${quote(reference, 120)}` : null,
          name ? md`by ${quote(name, 120)}` : null,
        ].filter((p): p is Mrkdwn => p !== null),
        ' · ',
      );
    }
    case 'client_question':
    case 'client_disputed': {
      const reason = textOf(details.reason);
      const verb = kind === 'client_question' ? literal('asked') : literal('disputed it');
      const by = name ? md` · by ${quote(name, 120)}` : literal('');
      return md`${verb}${reason ? md`: ${quote(reason, 500)}` : literal('')}${by}`;
    }
    default:
      return actionVerb(kind);
  }
}

/** Who did it: a mention for a Slack user, the client's contact (from their status page), or 'system'. */
export function actorText(event: Pick<HistoryEvent, 'actorType' | 'actorId'>): Mrkdwn {
  if (event.actorType === 'user') return mention(event.actorId);
  return event.actorType === 'contact' ? md`client contact ${inline(event.actorId, 120)}` : literal('system');
}

/** '2026-11-02 14:05 · <@U1> · chased by call — 'Paying Friday' · promised 2026-11-06'. */
export function eventLine(event: HistoryEvent, timeZone: string, opts: { withInvoice?: boolean } = {}): Mrkdwn {
  const invoice = opts.withInvoice && event.invoiceNumber ? md`*${inline(event.invoiceNumber, 40)}* ` : literal('');
  return md`${esc(localDateTime(event.at, timeZone))} · ${actorText(event)} · ${invoice}${eventText(event.kind, event.details)}`;
}
