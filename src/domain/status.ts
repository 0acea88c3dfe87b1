// The status engine: what an invoice's facts mean on a given day.
//
// THE RULES — a SQL view elsewhere mirrors these; change both together.
//   state, first rule that applies:
//     1. voidedAt is set                      → lifecycle 'void', state null
//     2. credited ≥ total and total > 0       → 'credited' (closed by credit notes alone, not paid)
//     3. paid + credited ≥ total and total > 0 → 'paid'
//     4. sentAt is null                       → 'draft'
//     5. today < dueDate                      → 'sent'
//     6. today = dueDate                      → 'due'
//     7. today > dueDate                      → 'overdue'
//   paid            = the payments not reversed; credited = the credit notes issued against it
//   closed          = 'paid' or 'credited' (nothing more is due)
//   amountDue       = max(total − paid − credited, 0), and 0 when void
//   overpaid        = max(paid + credited − total, 0)
//   daysUntilDue    = dueDate − today (negative when late)
//   daysOverdue     = today − dueDate when overdue, else 0
//   hold            = the hold or dispute, but null when closed or void
//   daysSinceLastAction = today − (the date of lastAction.at in the workspace time zone), null without one
//   promiseBroken   = not void, amountDue > 0, promisedDate set and today > promisedDate
//   stale           = state is due or overdue
//                     and no hold or dispute
//                     and no live promise (a live promise is promisedDate ≥ today)
//                     and (no last action at all, or daysSinceLastAction ≥ staleDays)
//   needsAction     = not void or closed, and (overdue, due today, promiseBroken or stale)
// All dates are calendar dates in the workspace time zone; "today" is passed in, never read from a clock.

import { compareDates, daysBetween, type LocalDate, localDateOf } from './dates.js';

export type InvoiceState = 'draft' | 'sent' | 'due' | 'overdue' | 'paid' | 'credited';
export type Lifecycle = InvoiceState | 'void';

export interface HoldFacts {
  kind: 'hold' | 'dispute';
  reason: string;
  since: Date;
  by: string | null;
}

export interface LastAction {
  kind: string;
  at: Date;
  by: string | null;
}

export interface InvoiceFacts {
  totalMinor: bigint;
  paidMinor: bigint;
  /** The credit notes issued against it. */
  creditedMinor: bigint;
  dueDate: LocalDate;
  sentAt: Date | null;
  voidedAt: Date | null;
  hold: HoldFacts | null;
  promisedDate: LocalDate | null;
  lastAction: LastAction | null;
}

export interface StatusContext {
  today: LocalDate;
  timeZone: string;
  staleDays: number;
}

export interface InvoiceStatus {
  /** 'void' when voided, else the state. */
  lifecycle: Lifecycle;
  /** null only when void. */
  state: InvoiceState | null;
  /** max(total − paid − credited, 0); 0 when void. */
  amountDueMinor: bigint;
  /** max(paid + credited − total, 0). */
  overpaidMinor: bigint;
  /** today − dueDate when overdue, else 0. */
  daysOverdue: number;
  /** dueDate − today; negative when late. */
  daysUntilDue: number;
  /** null when closed or void. */
  hold: HoldFacts | null;
  promisedDate: LocalDate | null;
  promiseBroken: boolean;
  stale: boolean;
  /** today − the local date of the last action; null when there has been none. */
  daysSinceLastAction: number | null;
  lastAction: LastAction | null;
  needsAction: boolean;
}

/** Most urgent first. */
export const STATE_ORDER: readonly InvoiceState[] = ['overdue', 'due', 'sent', 'draft', 'paid', 'credited'];

/** Nothing more is due: paid, or closed by credit notes. */
export function isClosed(state: InvoiceState | null): state is 'paid' | 'credited' {
  return state === 'paid' || state === 'credited';
}

/** Open: neither void nor closed. */
export function isOpen(state: InvoiceState | null): state is 'draft' | 'sent' | 'due' | 'overdue' {
  return state !== null && !isClosed(state);
}

export const STATE_LABEL: Readonly<Record<Lifecycle, string>> = {
  overdue: 'Overdue',
  due: 'Due today',
  sent: 'Sent',
  draft: 'Draft',
  paid: 'Paid',
  credited: 'Credited',
  void: 'Void',
};

function stateOf(facts: InvoiceFacts, today: LocalDate): InvoiceState {
  const credited = facts.creditedMinor;
  if (facts.totalMinor > 0n && credited >= facts.totalMinor) return 'credited';
  if (facts.totalMinor > 0n && facts.paidMinor + credited >= facts.totalMinor) return 'paid';
  if (facts.sentAt === null) return 'draft';
  const vsDue = compareDates(today, facts.dueDate);
  return vsDue < 0 ? 'sent' : vsDue === 0 ? 'due' : 'overdue';
}

/** What the facts mean on `ctx.today` (see THE RULES above). */
export function deriveStatus(facts: InvoiceFacts, ctx: StatusContext): InvoiceStatus {
  const { today } = ctx;
  const isVoid = facts.voidedAt !== null;
  const state = isVoid ? null : stateOf(facts, today);
  const open = isOpen(state);

  const owed = facts.totalMinor - facts.paidMinor - facts.creditedMinor;
  const amountDueMinor = isVoid || owed < 0n ? 0n : owed;
  const overpaidMinor = owed < 0n ? -owed : 0n;

  const daysUntilDue = daysBetween(today, facts.dueDate);
  const daysOverdue = state === 'overdue' ? -daysUntilDue : 0;

  const daysSinceLastAction =
    facts.lastAction === null ? null : daysBetween(localDateOf(facts.lastAction.at, ctx.timeZone), today);

  const { promisedDate } = facts;
  const promiseBroken =
    !isVoid && amountDueMinor > 0n && promisedDate !== null && compareDates(today, promisedDate) > 0;
  const livePromise = promisedDate !== null && compareDates(promisedDate, today) >= 0;

  const stale =
    (state === 'due' || state === 'overdue') &&
    facts.hold === null &&
    !livePromise &&
    (daysSinceLastAction === null || daysSinceLastAction >= ctx.staleDays);

  return {
    lifecycle: state ?? 'void',
    state,
    amountDueMinor,
    overpaidMinor,
    daysOverdue,
    daysUntilDue,
    hold: open ? facts.hold : null,
    promisedDate,
    promiseBroken,
    stale,
    daysSinceLastAction,
    lastAction: facts.lastAction,
    needsAction: open && (state === 'overdue' || state === 'due' || promiseBroken || stale),
  };
}
