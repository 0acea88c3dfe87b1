// How an invoice reads in one phrase or one line: shared by the card, the Home tab, lists and client pages.
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { HistoryEvent } from '../../db/queries/views.js';
import type { InvoiceStatus } from '../../domain/status.js';
import { actionVerb, days, daysAgo, inline, localDateTime, mention, money, STATE_MARK, stateTitle } from './text.js';

/** '🔴 Overdue · 12 days', '🟡 Due today', '🔵 Sent · due in 5 days', '✅ Paid on 2026-11-10', '⚫ Void'. */
export function statusText(inv: InvoiceView): string {
  const { status } = inv;
  switch (status.lifecycle) {
    case 'overdue':
      return `${stateTitle('overdue')} · ${days(status.daysOverdue)}`;
    case 'due':
      return stateTitle('due');
    case 'sent':
      return `${stateTitle('sent')} · due in ${days(status.daysUntilDue)}`;
    case 'draft':
      return `${stateTitle('draft')} · not sent yet`;
    case 'paid':
      return inv.paidOn ? `${stateTitle('paid')} on ${inv.paidOn}` : stateTitle('paid');
    case 'void':
      return stateTitle('void');
  }
}

/** 'chased by <@U1> · 3 days ago', or null when nothing has been done yet. */
export function lastActionText(status: InvoiceStatus): string | null {
  const action = status.lastAction;
  if (!action) return null;
  const by = action.by ? ` by ${mention(action.by)}` : '';
  return `${actionVerb(action.kind)}${by} · ${daysAgo(status.daysSinceLastAction ?? 0)}`;
}

/** The flags that change what someone should do: hold, dispute, broken promise, stale chase. */
export function flags(inv: InvoiceView): string[] {
  const { status } = inv;
  const out: string[] = [];
  if (status.hold) out.push(status.hold.kind === 'dispute' ? '⚠️ disputed' : '⏸️ on hold');
  if (status.promiseBroken && status.promisedDate) out.push(`💔 promised ${status.promisedDate}, broken`);
  else if (status.promisedDate && status.state !== 'paid' && status.lifecycle !== 'void') {
    out.push(`🤝 promised ${status.promisedDate}`);
  }
  if (status.stale) out.push('💤 no chase lately');
  return out;
}

/** '12 days late', 'due today', 'due 2026-11-30', 'not sent', 'paid 2026-11-10', 'void'. */
function whenText(inv: InvoiceView): string {
  const { status } = inv;
  switch (status.lifecycle) {
    case 'overdue':
      return `${days(status.daysOverdue)} late`;
    case 'due':
      return 'due today';
    case 'sent':
      return `due ${inv.dueDate}`;
    case 'draft':
      return `not sent · due ${inv.dueDate}`;
    case 'paid':
      return inv.paidOn ? `paid ${inv.paidOn}` : 'paid';
    case 'void':
      return 'void';
  }
}

/** What the line's amount is: what is still due while open, the total once paid or void. */
function lineAmount(inv: InvoiceView): string {
  const open = inv.status.state !== null && inv.status.state !== 'paid';
  return money(open ? inv.status.amountDueMinor : inv.totalMinor, inv.currency);
}

/**
 * One invoice on one line, for lists:
 * '*INV-0042* · Acme Corp · $6,000.00 · 12 days late · <@U1> · chased 3 days ago'.
 */
export function invoiceLine(inv: InvoiceView, opts: { marker?: boolean } = {}): string {
  const parts = [
    `${opts.marker ? `${STATE_MARK[inv.status.lifecycle]} ` : ''}*${inline(inv.number, 40)}*`,
    inline(inv.clientName, 40),
    lineAmount(inv),
    whenText(inv),
    ...flags(inv),
  ];
  if (inv.ownerUserId) parts.push(mention(inv.ownerUserId));
  const action = inv.status.lastAction;
  if (action && inv.status.state !== 'paid' && inv.status.lifecycle !== 'void') {
    parts.push(`${actionVerb(action.kind)} ${daysAgo(inv.status.daysSinceLastAction ?? 0)}`);
  }
  return parts.join(' · ');
}

/** '*$6,000.00 due* of $10,000.00', '*$10,000.00* paid in full', '~$10,000.00~ void'. */
export function amountLine(inv: InvoiceView): string {
  const { status } = inv;
  const total = money(inv.totalMinor, inv.currency);
  if (status.lifecycle === 'void') return `~${total}~ void`;
  if (status.state === 'paid') {
    const over = status.overpaidMinor > 0n ? ` (${money(status.overpaidMinor, inv.currency)} overpaid)` : '';
    return `*${total}* paid in full${over}`;
  }
  return `*${money(status.amountDueMinor, inv.currency)} due* of ${total}`;
}

/** Two lines naming the invoice and where it stands, atop the modals that act on it. */
export function invoiceHeadline(inv: InvoiceView): string {
  return `*${inline(inv.number, 40)}* · ${inline(inv.clientName, 100)}\n${amountLine(inv)} · ${statusText(inv)}`;
}

/** Plain words for a text fallback: 'INV-0042 · Acme Corp · $6,000.00 due · Overdue 12 days'. */
export function invoiceSummary(inv: InvoiceView): string {
  return `${inline(inv.number, 40)} · ${inline(inv.clientName, 60)} · ${lineAmount(inv)} · ${whenText(inv)}`;
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
export function quote(s: string, max = 300): string {
  return `'${inline(s, max)}'`;
}

const EDITED_FIELD: Readonly<Record<string, string>> = {
  number: 'number',
  clientId: 'client',
  currency: 'currency',
  totalMinor: 'amount',
  issueDate: 'invoice date',
  termsKind: 'terms',
  termsDays: 'terms',
  termsBasisDate: 'terms date',
  termsBasisLabel: 'terms date',
  dueDate: 'due date',
  ownerUserId: 'owner',
  description: 'description',
};

/** What an event did, e.g. "chased by call — 'Left a voicemail' · they said 'Paying Friday' · promised 2026-11-06". */
export function eventText(kind: string, details: Record<string, unknown>): string {
  const currency = textOf(details.currency);
  const amount = (key: string) => {
    const minor = minorOf(details[key]);
    return minor !== null && currency ? money(minor, currency) : null;
  };
  const parts: string[] = [];
  const add = (label: string, value: unknown) => {
    const text = textOf(value);
    if (text) parts.push(`${label}${inline(text, 100)}`);
  };
  switch (kind) {
    case 'created': {
      parts.push(['created', amount('totalMinor')].filter(Boolean).join(' · '));
      add('due ', details.dueDate);
      break;
    }
    case 'paid':
    case 'part_paid': {
      const paid = amount('amountMinor');
      parts.push(`recorded ${paid ? `${paid} ` : ''}${kind === 'paid' ? '— paid in full' : '(part payment)'}`);
      const left = amount('amountDueAfterMinor');
      if (kind === 'part_paid' && left) parts.push(`${left} still due`);
      const over = minorOf(details.overpaidMinor);
      if (over !== null && over > 0n) parts.push(`${amount('overpaidMinor')} overpaid`);
      add('received ', details.receivedOn);
      add('ref ', details.reference);
      add('by ', details.method);
      break;
    }
    case 'chased': {
      const method = textOf(details.method);
      const note = textOf(details.note);
      parts.push(`chased${method ? ` by ${inline(method, 20)}` : ''}${note ? ` — ${quote(note)}` : ''}`);
      const response = textOf(details.response);
      if (response) parts.push(`they said ${quote(response)}`);
      add('promised ', details.promisedDate);
      add('follow up ', details.nextFollowUp);
      break;
    }
    case 'held':
    case 'disputed':
    case 'voided': {
      const reason = textOf(details.reason);
      parts.push(`${actionVerb(kind)}${reason ? ` — ${quote(reason)}` : ''}`);
      break;
    }
    case 'released': {
      const note = textOf(details.note);
      parts.push(`released the ${details.was === 'dispute' ? 'dispute' : 'hold'}${note ? ` — ${quote(note)}` : ''}`);
      break;
    }
    case 'edited': {
      const changes = details.changes && typeof details.changes === 'object' ? Object.keys(details.changes) : [];
      const names = [...new Set(changes.map((c) => EDITED_FIELD[c] ?? inline(c, 30)))];
      parts.push(names.length > 0 ? `edited ${names.join(', ')}` : 'edited');
      break;
    }
    case 'client_approved':
    case 'client_scheduled':
    case 'client_question':
    case 'client_disputed':
      parts.push(clientAnswerText(kind, details));
      break;
    default:
      parts.push(actionVerb(kind));
  }
  return parts.join(' · ');
}

/**
 * A client's answer from its status page, in the client's words (escaped, on one line):
 * "approved for payment by 'Ada'", "payment scheduled for 2026-12-10 · ref 'BACS 42'",
 * "asked: 'Which PO is this?'", "disputed: 'Hours do not match'".
 */
export function clientAnswerText(kind: string, details: Record<string, unknown>): string {
  const name = textOf(details.name);
  switch (kind) {
    case 'client_approved':
      return `approved for payment${name ? ` by ${quote(name, 120)}` : ''}`;
    case 'client_scheduled': {
      const reference = textOf(details.reference);
      const date = textOf(details.date);
      return [
        `payment scheduled for ${date ? inline(date, 10) : 'a date'}`,
        reference ? `ref ${quote(reference, 120)}` : null,
        name ? `by ${quote(name, 120)}` : null,
      ]
        .filter(Boolean)
        .join(' · ');
    }
    case 'client_question':
    case 'client_disputed': {
      const reason = textOf(details.reason);
      const verb = kind === 'client_question' ? 'asked' : 'disputed it';
      return `${verb}${reason ? `: ${quote(reason, 500)}` : ''}${name ? ` · by ${quote(name, 120)}` : ''}`;
    }
    default:
      return actionVerb(kind);
  }
}

/** Who did it: a mention for a Slack user, the client's contact (from their status page), or 'system'. */
export function actorText(event: Pick<HistoryEvent, 'actorType' | 'actorId'>): string {
  if (event.actorType === 'user') return mention(event.actorId);
  return event.actorType === 'contact' ? `client contact ${inline(event.actorId, 120)}` : 'system';
}

/** '2026-11-02 14:05 · <@U1> · chased by call — 'Paying Friday' · promised 2026-11-06'. */
export function eventLine(event: HistoryEvent, timeZone: string, opts: { withInvoice?: boolean } = {}): string {
  const invoice = opts.withInvoice && event.invoiceNumber ? `*${inline(event.invoiceNumber, 40)}* ` : '';
  return `${localDateTime(event.at, timeZone)} · ${actorText(event)} · ${invoice}${eventText(event.kind, event.details)}`;
}
