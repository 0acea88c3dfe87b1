// Words for the terminal: dates and times in the workspace's zone, money, invoice facts and history events.
import type { InvoiceView } from '../db/queries/invoices.js';
import type { HistoryEvent } from '../db/queries/views.js';
import { daysBetween, type LocalDate, localDateOf } from '../domain/dates.js';
import { formatMoney } from '../domain/money.js';
import { isOpen, type Lifecycle, STATE_LABEL } from '../domain/status.js';
import { describeTerms, type PaymentTerms } from '../domain/terms.js';
import { type Style, truncate } from './table.js';

export const EMPTY = '–';

const dayFormatter = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** 'Mon 23 Nov 2026' for a calendar date (no time zone involved: it is already a local date). */
export function longDay(date: LocalDate): string {
  return dayFormatter.format(new Date(`${date}T12:00:00Z`)).replace(',', '');
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/** 'HH:MM' of an instant in `timeZone`. */
export function clockTime(instant: Date, timeZone: string): string {
  let formatter = timeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

/** 'YYYY-MM-DD HH:MM' of an instant in `timeZone`. */
export function dateTime(instant: Date, timeZone: string): string {
  return `${localDateOf(instant, timeZone)} ${clockTime(instant, timeZone)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function stateColor(state: Lifecycle, style: Style): (text: string) => string {
  switch (state) {
    case 'overdue':
      return style.red;
    case 'due':
      return style.yellow;
    case 'sent':
      return style.cyan;
    case 'paid':
    case 'credited':
      return style.green;
    default:
      return style.dim;
  }
}

export function stateLabel(state: Lifecycle, style: Style): string {
  return stateColor(state, style)(STATE_LABEL[state]);
}

/** What is owed: '$5,750.00 of $8,750.00' when part is paid or credited; the total for closed and void invoices. */
export function amountOwed(view: InvoiceView): string {
  const state = view.status.lifecycle;
  const settled = view.paidMinor + view.creditedMinor;
  if (state === 'paid' || state === 'credited' || state === 'void' || settled === 0n) {
    return formatMoney(view.totalMinor, view.currency);
  }
  return `${formatMoney(view.status.amountDueMinor, view.currency)} of ${formatMoney(view.totalMinor, view.currency)}`;
}

/** The terms and, when the terms do not run from the invoice date, what they run from: 'net 60 from 2026-11-11 (delivery)'. */
export function termsBasis(view: Pick<InvoiceView, 'terms' | 'basisDate' | 'basisLabel' | 'issueDate'>): string {
  if (view.terms.kind === 'fixed') return 'fixed date';
  const terms = describeTerms(view.terms);
  if (view.basisDate === view.issueDate && !view.basisLabel) return terms;
  return `${terms} from ${view.basisDate}${view.basisLabel ? ` (${view.basisLabel})` : ''}`;
}

/** Where an invoice stands against its due date: '45 days late', 'today', 'in 12 days', 'paid 3 days late'. */
export function timing(view: InvoiceView): string {
  const s = view.status;
  switch (s.lifecycle) {
    case 'overdue':
      return `${plural(s.daysOverdue, 'day')} late`;
    case 'due':
      return 'today';
    case 'sent':
      return `in ${plural(s.daysUntilDue, 'day')}`;
    case 'paid':
      return view.paidOn ? paidTiming(view.paidOn, view.dueDate) : 'paid';
    case 'credited':
      return view.paidOn ? `credited ${view.paidOn}` : 'credited';
    default:
      return EMPTY;
  }
}

function paidTiming(paidOn: LocalDate, dueDate: LocalDate): string {
  const late = daysBetween(dueDate, paidOn);
  if (late > 0) return `${plural(late, 'day')} late`;
  if (late < 0) return `${plural(-late, 'day')} early`;
  return 'on the due date';
}

const ACTION_WORDS: Record<string, string> = {
  created: 'created',
  sent: 'sent',
  chased: 'chased',
  part_paid: 'part paid',
  paid: 'paid',
  payment_reversed: 'payment reversed',
  credit_note_issued: 'credited',
  credit_note_withdrawn: 'credit withdrawn',
  account_credit_applied: 'credit on account applied',
  refunded: 'refunded',
  held: 'put on hold',
  disputed: 'disputed',
  released: 'released',
  voided: 'voided',
  edited: 'edited',
};

/** The last thing someone did: 'chased 2026-11-20'. */
export function lastAction(view: InvoiceView, timeZone: string): string {
  const action = view.status.lastAction;
  if (!action) return EMPTY;
  return `${ACTION_WORDS[action.kind] ?? action.kind.replaceAll('_', ' ')} ${localDateOf(action.at, timeZone)}`;
}

/** Holds, promises and staleness, in words; colour marks what needs someone. */
export function markers(view: InvoiceView, style: Style, reasonWidth = 48): string {
  const s = view.status;
  const parts: string[] = [];
  if (s.hold) {
    const what = s.hold.kind === 'dispute' ? 'DISPUTED' : 'ON HOLD';
    parts.push(style.yellow(`${what}: ${truncate(s.hold.reason, reasonWidth)}`));
  }
  const open = isOpen(s.state);
  if (open && s.promisedDate) {
    parts.push(s.promiseBroken ? style.red(`promise broken (${s.promisedDate})`) : `promised ${s.promisedDate}`);
  }
  if (s.stale) parts.push(style.red(`stale: ${staleWhy(view)}`));
  return parts.join('; ');
}

/** Why nobody seems to be on it: 'never chased, sent 62 days ago', 'last action 9 days ago'. */
export function staleWhy(view: InvoiceView): string {
  const { lastAction: action, daysSinceLastAction: days } = view.status;
  if (!action || days === null) return 'nothing done yet';
  const ago = days === 0 ? 'today' : `${plural(days, 'day')} ago`;
  if (action.kind === 'sent' || action.kind === 'created') return `never chased, sent ${ago}`;
  return `last action ${ago}`;
}

/** Who did something: a Slack user id as is; the client's contact and the app itself named as such. */
export function actorName(event: Pick<HistoryEvent, 'actorType' | 'actorId'>): string {
  if (event.actorType === 'contact') return `contact ${event.actorId}`;
  if (event.actorType === 'system') return 'the app';
  return event.actorId;
}

const CHASE_METHOD: Record<string, string> = {
  email: 'by email',
  call: 'by phone',
  slack: 'on Slack',
  meeting: 'in a meeting',
  other: '',
};

const FIELD_NAMES: Record<string, string> = {
  totalMinor: 'total',
  issueDate: 'invoice date',
  dueDate: 'due date',
  termsKind: 'terms',
  termsDays: 'terms days',
  termsBasisDate: 'terms run from',
  termsBasisLabel: 'basis',
  clientId: 'client',
  ownerUserId: 'owner',
  contactName: 'contact',
  contactEmail: 'email',
};

/** An event's details in one sentence: 'Chased by phone: Called Bill. They said: "…". Promised to pay by 2026-09-01.' */
export function describeEvent(event: HistoryEvent, currencyHint?: string): string {
  const d = event.details;
  const currency = text(d.currency) ?? currencyHint;
  const money = (value: unknown) => {
    const minor = minorOf(value);
    if (minor === null) return '?';
    return currency ? formatMoney(minor, currency) : minor.toString();
  };
  switch (event.kind) {
    case 'created': {
      const terms = d.terms as PaymentTerms | undefined;
      const how = terms && terms.kind !== 'fixed' ? ` (${describeTerms(terms)})` : '';
      const retainer =
        typeof d.retainerId === 'string'
          ? `, made by its retainer (${text(d.schedule) ?? 'recurring'})${d.caughtUp === true ? `, caught up on ${text(d.madeOn)}` : ''}`
          : '';
      return `Created for ${money(d.totalMinor)}, dated ${text(d.issueDate)}, due ${text(d.dueDate)}${how}${retainer}`;
    }
    case 'sent':
      return `Marked sent to the client${text(d.sentOn) ? `, sent ${text(d.sentOn)}` : ''}`;
    case 'imported': {
      const kept = [text(d.sentOn) && `sent ${text(d.sentOn)}`, text(d.paidOn) && `paid ${text(d.paidOn)}`].filter(
        Boolean,
      );
      const line = typeof d.line === 'number' ? ` (line ${d.line})` : '';
      return `Imported from the ${text(d.source) ?? 'file'}${line}${kept.length > 0 ? `: ${kept.join(', ')}` : ''}`;
    }
    case 'chased': {
      const method = CHASE_METHOD[String(d.method)] ?? `by ${String(d.method)}`;
      const sentences = [`Chased${method ? ` ${method}` : ''}${text(d.note) ? `: ${text(d.note)}` : ''}`];
      if (text(d.response)) sentences.push(`They said: "${text(d.response)}"`);
      if (text(d.promisedDate)) sentences.push(`Promised to pay by ${text(d.promisedDate)}`);
      if (text(d.nextFollowUp)) sentences.push(`Follow up on ${text(d.nextFollowUp)}`);
      return sentences.map((s) => s.replace(/[.\s]+$/, '')).join('. ');
    }
    case 'part_paid':
    case 'paid': {
      const how = [text(d.method) && `by ${text(d.method)}`, text(d.reference) && `ref ${text(d.reference)}`]
        .filter(Boolean)
        .join(', ');
      const received = `${money(d.amountMinor)} received ${text(d.receivedOn)}${how ? ` (${how})` : ''}`;
      if (event.kind === 'part_paid') return `Part payment of ${received}; ${money(d.amountDueAfterMinor)} still due`;
      const over = minorOf(d.overpaidMinor) ?? 0n;
      return `Paid in full: ${received}${over > 0n ? `, ${money(over)} more than was due` : ''}`;
    }
    case 'payment_reversed': {
      const left = minorOf(d.amountDueAfterMinor) ?? 0n;
      return `Reversed the payment of ${money(d.amountMinor)} received ${text(d.receivedOn)}: ${text(d.reason)}${left > 0n ? `; ${money(left)} due again` : ''}`;
    }
    case 'credit_note_issued': {
      const left = minorOf(d.amountDueAfterMinor) ?? 0n;
      const after = d.fullyCredited === true ? '; credited in full' : left > 0n ? `; ${money(left)} still due` : '';
      const kept = minorOf(d.keptOnAccountMinor) ?? 0n;
      const onAccount = kept > 0n ? `; ${money(kept)} more kept as credit on the client's account` : '';
      return `Credit note ${text(d.number)} for ${money(d.amountMinor)} dated ${text(d.issuedOn)}: ${text(d.reason)}${after}${onAccount}`;
    }
    case 'account_credit_applied': {
      const left = minorOf(d.amountDueAfterMinor) ?? 0n;
      return `Credit on account applied: ${money(d.amountMinor)} on ${text(d.appliedOn)}: ${text(d.reason)}${left > 0n ? `; ${money(left)} still due` : '; nothing left due'}; ${money(d.balanceAfterMinor)} left on account`;
    }
    case 'refunded':
    case 'account_credit_refunded': {
      const how = [text(d.method), text(d.reference) && `ref ${text(d.reference)}`].filter(Boolean).join(', ');
      const what = event.kind === 'refunded' ? 'of the overpayment' : 'of credit on account';
      return `Refunded ${money(d.amountMinor)} ${what} on ${text(d.refundedOn)}${how ? ` (${how})` : ''}: ${text(d.reason)}`;
    }
    case 'credit_note_withdrawn': {
      const left = minorOf(d.amountDueAfterMinor) ?? 0n;
      const back = minorOf(d.withdrawnFromAccountMinor) ?? 0n;
      const fromAccount = back > 0n ? `; ${money(back)} taken back from the client's account` : '';
      return `Withdrew credit note ${text(d.number)} for ${money(d.amountMinor)} dated ${text(d.issuedOn)}: ${text(d.reason)}${left > 0n ? `; ${money(left)} due again` : ''}${fromAccount}`;
    }
    case 'held':
      return `Put on hold: ${text(d.reason)}`;
    case 'disputed':
      return `Disputed by the client: ${text(d.reason)}`;
    case 'released':
      return `Released the ${d.was === 'dispute' ? 'dispute' : 'hold'}${text(d.note) ? `: ${text(d.note)}` : ''}`;
    case 'voided':
      return `Voided: ${text(d.reason)}`;
    case 'edited':
    case 'client_updated':
      return `${event.kind === 'edited' ? 'Edited' : 'Client details changed'}: ${describeChanges(d.changes, money)}`;
    case 'retainer_edited':
      return `Retainer edited: ${describeChanges(d.changes, money)}`;
    case 'client_created': {
      const contact = [text(d.contactName), text(d.contactEmail) && `<${text(d.contactEmail)}>`].filter(Boolean);
      return `Client added${contact.length > 0 ? `, contact ${contact.join(' ')}` : ''}`;
    }
    case 'became_due (derived)':
      return `Became Due (derived from the due date ${text(d.dueDate)}, not recorded)`;
    case 'became_overdue (derived)':
      return `Became Overdue (derived from the due date ${text(d.dueDate)}, not recorded)`;
    default:
      return `${event.kind.replaceAll('_', ' ')}${Object.keys(d).length > 0 ? ` ${JSON.stringify(d)}` : ''}`;
  }
}

function describeChanges(changes: unknown, money: (value: unknown) => string): string {
  if (!changes || typeof changes !== 'object') return 'details changed';
  const parts = Object.entries(changes as Record<string, { from?: unknown; to?: unknown }>).map(([field, change]) => {
    const name = FIELD_NAMES[field] ?? field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
    const show = (value: unknown) =>
      value === null || value === undefined || value === ''
        ? 'none'
        : field.endsWith('Minor')
          ? money(value)
          : typeof value === 'string'
            ? `"${truncate(value, 60)}"`
            : String(value);
    return `${name} ${show(change?.from)} → ${show(change?.to)}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'details changed';
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return String(value);
}

/** Amounts in event details are bigint kept as {"$bigint": "…"}; older or hand-written ones may be plain. */
function minorOf(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (value && typeof value === 'object' && typeof (value as { $bigint?: unknown }).$bigint === 'string') {
    return BigInt((value as { $bigint: string }).$bigint);
  }
  return null;
}
