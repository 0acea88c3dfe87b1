// Payment terms: how an invoice's due date follows from its basis date, and how people write them.

import { addDays, endOfMonth, isLocalDate, type LocalDate } from './dates.js';

export type PaymentTerms =
  | { kind: 'net'; days: number }
  | { kind: 'receipt' }
  | { kind: 'eom'; days: number }
  | { kind: 'fixed'; dueDate: LocalDate };

/** The most days net N or end of month + N may add. */
export const MAX_TERM_DAYS = 365;

export type ParseTermsResult = { ok: true; terms: PaymentTerms } | { ok: false; message: string };

/** The standard menu. Each label is also accepted by parseTerms, so a label can serve as an option value. */
export const TERMS_CHOICES: readonly (PaymentTerms & { label: string })[] = [
  { kind: 'net', days: 7, label: 'Net 7' },
  { kind: 'net', days: 15, label: 'Net 15' },
  { kind: 'net', days: 30, label: 'Net 30' },
  { kind: 'net', days: 45, label: 'Net 45' },
  { kind: 'net', days: 60, label: 'Net 60' },
  { kind: 'net', days: 90, label: 'Net 90' },
  { kind: 'receipt', label: 'Due on receipt' },
  { kind: 'eom', days: 0, label: 'End of month' },
];

function checkedDays(days: number): number {
  if (!Number.isInteger(days) || days < 0 || days > MAX_TERM_DAYS) {
    throw new RangeError(`Payment terms days must be a whole number from 0 to ${MAX_TERM_DAYS}, got ${days}`);
  }
  return days;
}

/**
 * The due date under `terms` for an invoice whose terms run from `basisDate` (usually the invoice date).
 * End of month + N counts N days from the last day of the basis date's month.
 */
export function dueDateFor(terms: PaymentTerms, basisDate: LocalDate): LocalDate {
  switch (terms.kind) {
    case 'net':
      return addDays(basisDate, checkedDays(terms.days));
    case 'receipt':
      return addDays(basisDate, 0); // validates basisDate like the other kinds do
    case 'eom':
      return addDays(endOfMonth(basisDate), checkedDays(terms.days));
    case 'fixed':
      return addDays(terms.dueDate, 0);
  }
}

/** 'net 60', 'due on receipt', 'end of month', 'end of month + 15', 'fixed date'. */
export function describeTerms(terms: PaymentTerms): string {
  switch (terms.kind) {
    case 'net':
      return `net ${terms.days}`;
    case 'receipt':
      return 'due on receipt';
    case 'eom':
      return terms.days === 0 ? 'end of month' : `end of month + ${terms.days}`;
    case 'fixed':
      return 'fixed date';
  }
}

/**
 * How the due date was reached: 'net 60 from 2026-09-01', 'net 60 from 2026-09-01 (delivery)',
 * 'fixed due date 2026-10-31'. A missing label, or 'invoice date', means the invoice date and is not shown.
 */
export function describeDueBasis(terms: PaymentTerms, basisDate: LocalDate, basisLabel?: string | null): string {
  if (terms.kind === 'fixed') return `fixed due date ${terms.dueDate}`;
  const label = basisLabel?.trim() ?? '';
  const suffix = label === '' || label.toLowerCase() === 'invoice date' ? '' : ` (${label})`;
  return `${describeTerms(terms)} from ${basisDate}${suffix}`;
}

const ACCEPTED =
  'net N (net 30, net30, n30 or just 30), due on receipt (receipt, on receipt, cod), ' +
  'end of month (eom), end of month + N (eom+15, eom 15, end of month + 15), or a fixed due date as YYYY-MM-DD. ' +
  `N is a whole number of days from 0 to ${MAX_TERM_DAYS}.`;

const RECEIPT_WORDS = new Set(['receipt', 'due on receipt', 'on receipt', 'cod']);
// A number is matched loosely ('-5', '7.5') so that a bad one gets a message about the days, not the form.
const NET_PATTERN = /^(?:net ?|n ?)?(-?\d+(?:\.\d+)?)$/;
const EOM_PATTERN = /^(?:eom|end of month)(?: ?\+? ?(-?\d+(?:\.\d+)?))?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Reads terms as people type them, case-insensitive: 'net 30', 'n30', '30', 'cod', 'eom+15', '2026-10-31'. */
export function parseTerms(text: string): ParseTermsResult {
  const shown = text.trim();
  const normalized = shown.toLowerCase().replace(/\s+/g, ' ');
  if (normalized === '') return { ok: false, message: `Payment terms are empty. Use ${ACCEPTED}` };

  if (RECEIPT_WORDS.has(normalized)) return { ok: true, terms: { kind: 'receipt' } };

  if (DATE_PATTERN.test(normalized)) {
    if (!isLocalDate(normalized)) {
      return { ok: false, message: `"${shown}" is not a real calendar date. Use ${ACCEPTED}` };
    }
    return { ok: true, terms: { kind: 'fixed', dueDate: normalized } };
  }

  const net = NET_PATTERN.exec(normalized);
  const eom = net ? null : EOM_PATTERN.exec(normalized);
  if (!net && !eom) return { ok: false, message: `Couldn't read payment terms "${shown}". Use ${ACCEPTED}` };

  const daysText = net ? net[1] : eom?.[1];
  const days = daysText === undefined ? 0 : Number(daysText);
  if (!Number.isInteger(days) || days < 0 || days > MAX_TERM_DAYS) {
    return {
      ok: false,
      message: `Payment terms "${shown}": days must be a whole number from 0 to ${MAX_TERM_DAYS}. Use ${ACCEPTED}`,
    };
  }
  return { ok: true, terms: net ? { kind: 'net', days } : { kind: 'eom', days } };
}
