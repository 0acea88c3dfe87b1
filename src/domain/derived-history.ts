// When an invoice became Due and Overdue. These are never recorded (the state is derived on read from the due date
// and today in the workspace's zone, status.ts), so the history adds them as derived lines, worked out from the
// invoice's facts as they stand now: a payment reversed later means the invoice did become overdue after all.
//
// - became_due (derived): at the start of the due date in the workspace's zone, when the invoice had been sent by
//   then and was not settled (paid or credited in full) before that day nor voided before that instant.
// - became_overdue (derived): at the start of the day after the due date, on the same conditions (settled on the
//   due date itself means it never went overdue). An invoice sent after that instant became overdue when it was
//   sent (it never was Due).
// Neither is given for an instant still to come.
import { addDays, type LocalDate, localDateOf, startOfLocalDay } from './dates.js';

export type DerivedKind = 'became_due' | 'became_overdue';

/** How a derived line is marked wherever it is shown: it is worked out, not an event anyone recorded. */
export const DERIVED_MARK = '(derived)';

export function derivedLabel(kind: DerivedKind): string {
  return `${kind} ${DERIVED_MARK}`;
}

export interface DerivedSource {
  dueDate: LocalDate;
  sentAt: Date | null;
  /** The local day it was settled (paid or credited in full); null while anything is due. */
  paidOn: LocalDate | null;
  voidedAt: Date | null;
}

export interface DerivedLine {
  kind: DerivedKind;
  at: Date;
  /** The local day it happened on. */
  date: LocalDate;
}

export function derivedStateLines(invoice: DerivedSource, timeZone: string, now: Date): DerivedLine[] {
  const { sentAt, dueDate, paidOn, voidedAt } = invoice;
  if (!sentAt) return [];
  const lines: DerivedLine[] = [];
  const dueStart = startOfLocalDay(dueDate, timeZone);
  const overdueDate = addDays(dueDate, 1);
  const overdueStart = startOfLocalDay(overdueDate, timeZone);
  const open = (at: Date) =>
    (paidOn === null || paidOn >= dueDate) && (voidedAt === null || voidedAt.getTime() > at.getTime());
  // Due: only when it was sent by the start of the due date (sent later that day, or after, it never showed Due
  // at the start of a day; sent on the day, it is Due from the moment it was sent).
  if (sentAt.getTime() < overdueStart.getTime()) {
    const at = sentAt.getTime() > dueStart.getTime() ? sentAt : dueStart;
    if (open(at) && at.getTime() <= now.getTime()) lines.push({ kind: 'became_due', at, date: dueDate });
  }
  {
    const at = sentAt.getTime() > overdueStart.getTime() ? sentAt : overdueStart;
    const stillOpen = (paidOn === null || paidOn > dueDate) && (voidedAt === null || voidedAt.getTime() > at.getTime());
    if (stillOpen && at.getTime() <= now.getTime()) {
      lines.push({ kind: 'became_overdue', at, date: at === sentAt ? localDateOf(at, timeZone) : overdueDate });
    }
  }
  return lines;
}
