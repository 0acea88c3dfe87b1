// zod building blocks for service inputs, with messages a person can act on. Every text a service takes
// passes through cleanText here (and the status page's forms call it too), so no interface can forget it.
import { z } from 'zod';
import { addYears, FIRST_YEAR, isLocalDate, isPlausibleDate, LAST_YEAR, type LocalDate } from '../domain/dates.js';
import { isCurrency } from '../domain/money.js';
import { type PaymentTerms, parseTerms } from '../domain/terms.js';
import { cleanText, controlCharacterIn, type TextOptions, visibleText } from '../domain/text.js';
import { LedgerError } from './errors.js';

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined || issue.input === null ? 'is required' : what),
});

// ---------------------------------------------------------------------------------------------------------
// Text

export type { TextOptions };
export { cleanText, controlCharacterIn, visibleText };

/**
 * Cleans `s` (see cleanText) and checks it: the message for a person when it holds a control character,
 * shows nothing at all (when `required`) or is longer than `max`; else the clean text.
 */
export function checkText(
  s: string,
  options: TextOptions & { max: number; required?: boolean },
): { ok: true; text: string } | { ok: false; message: string } {
  const text = cleanText(s, options);
  const control = controlCharacterIn(text);
  if (control)
    return { ok: false, message: `contains a control character (${control}) that cannot be saved; remove it` };
  if (options.required && visibleText(text) === '') return { ok: false, message: 'is required' };
  if (text.length > options.max) return { ok: false, message: `must be at most ${options.max} characters` };
  return { ok: true, text };
}

const controlMessage = (s: string) =>
  `contains a control character (${controlCharacterIn(s)}) that cannot be saved; remove it`;

/** Text a person must give: cleaned; refused when it holds a control character or shows nothing. */
export const requiredText = (max: number, options: TextOptions = {}) =>
  z
    .string(required('must be text'))
    .overwrite((v) => cleanText(v, options))
    .refine((v) => controlCharacterIn(v) === null, {
      error: (issue) => controlMessage(String(issue.input)),
      abort: true,
    })
    .refine((v) => visibleText(v) !== '', { message: 'is required', abort: true })
    .max(max, `must be at most ${max} characters`);

/** Text that may be left out: cleaned; one that shows nothing is null. */
export const optionalText = (max: number, options: TextOptions = {}) =>
  z
    .string(required('must be text'))
    .overwrite((v) => cleanText(v, options))
    .refine((v) => controlCharacterIn(v) === null, {
      error: (issue) => controlMessage(String(issue.input)),
      abort: true,
    })
    .max(max, `must be at most ${max} characters`)
    .transform((v) => (visibleText(v) === '' ? null : v))
    .nullish()
    .transform((v) => v ?? null);

// ---------------------------------------------------------------------------------------------------------
// Dates

export const localDate = z
  .string(required('must be a date like 2026-09-01'))
  .trim()
  .refine(isLocalDate, { message: 'must be a real date written YYYY-MM-DD, like 2026-09-01', abort: true })
  .refine(isPlausibleDate, {
    message: `must be a date between ${FIRST_YEAR} and ${LAST_YEAR}`,
  });

/**
 * How far from today (in the workspace's zone) each kind of date may be. An invoice is dated within ten years
 * back and one ahead; a payment within ten years back and never ahead; a promise or follow-up from today
 * to two years ahead; a basis date (delivery…) within a year of the invoice date; a due date on or after
 * the invoice date and at most five years after it.
 */
export const DATE_WINDOWS = {
  issueYearsBack: 10,
  issueYearsAhead: 1,
  paymentYearsBack: 10,
  promiseYearsAhead: 2,
  basisYearsAroundIssue: 1,
  dueYearsAfterIssue: 5,
} as const;

/** Refuses `date` outside [earliest, latest] with a message naming the field and the window. */
export function requireDateWithin(
  field: string,
  date: LocalDate,
  window: { earliest: LocalDate; latest: LocalDate; why?: string },
): void {
  if (date >= window.earliest && date <= window.latest) return;
  const why = window.why ? ` (${window.why})` : '';
  const message =
    date < window.earliest
      ? `${date} is too early: it must be on or after ${window.earliest}${why}`
      : `${date} is too late: it must be on or before ${window.latest}${why}`;
  throw LedgerError.invalid(field, message);
}

/** The invoice's own dates against today: the issue date, the basis date and the due date (fixed or worked out). */
export function checkInvoiceDates(
  today: LocalDate,
  dates: { issueDate?: LocalDate | undefined; basisDate?: LocalDate | undefined; dueDate?: LocalDate | undefined },
  issueDate: LocalDate,
  dueField: 'terms' | 'basisDate' = 'terms',
): void {
  const w = DATE_WINDOWS;
  if (dates.issueDate !== undefined) {
    requireDateWithin('issueDate', dates.issueDate, {
      earliest: addYears(today, -w.issueYearsBack),
      latest: addYears(today, w.issueYearsAhead),
      why: `an invoice is dated within ${w.issueYearsBack} years before today and ${w.issueYearsAhead} year after`,
    });
  }
  if (dates.basisDate !== undefined) {
    requireDateWithin('basisDate', dates.basisDate, {
      earliest: addYears(issueDate, -w.basisYearsAroundIssue),
      latest: addYears(issueDate, w.basisYearsAroundIssue),
      why: `within ${w.basisYearsAroundIssue} year of the invoice date ${issueDate}`,
    });
  }
  if (dates.dueDate !== undefined) {
    requireDateWithin(dueField, dates.dueDate, {
      earliest: issueDate,
      latest: addYears(issueDate, w.dueYearsAfterIssue),
      why: `a due date is on or after the invoice date ${issueDate} and at most ${w.dueYearsAfterIssue} years after it`,
    });
  }
}

/** A payment's date: at most ten years back, never after today. */
export function checkPaymentDate(field: string, date: LocalDate, today: LocalDate): void {
  requireDateWithin(field, date, {
    earliest: addYears(today, -DATE_WINDOWS.paymentYearsBack),
    latest: today,
    why: `a payment is dated today or in the ${DATE_WINDOWS.paymentYearsBack} years before`,
  });
}

/** A promised or follow-up date: from today to two years ahead. */
export function checkComingDate(field: string, date: LocalDate, today: LocalDate): void {
  requireDateWithin(field, date, {
    earliest: today,
    latest: addYears(today, DATE_WINDOWS.promiseYearsAhead),
    why: `pick today or a date in the next ${DATE_WINDOWS.promiseYearsAhead} years`,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Codes, ids, terms, amounts

export const currencyCode = z
  .string(required('must be a currency code like USD'))
  .trim()
  .transform((v) => v.toUpperCase())
  .refine(isCurrency, { message: 'is not an ISO 4217 currency code (for example USD, EUR, GBP, JPY)' });

export const uuid = z.uuid({ message: 'is not a valid id' });

export const slackUserId = z
  .string(required('must be a Slack user id'))
  .trim()
  .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD');

export const termsDays = z
  .number(required('must be a whole number of days'))
  .int('must be a whole number of days')
  .min(0, 'cannot be negative')
  .max(365, 'must be at most 365 days');

/** Payment terms as a value, or as text a person typed ("net 30", "eom+15", "2026-12-01"). */
export const paymentTerms = z
  .union(
    [
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('net'), days: termsDays }),
        z.object({ kind: z.literal('eom'), days: termsDays }),
        z.object({ kind: z.literal('receipt') }),
        z.object({ kind: z.literal('fixed'), dueDate: localDate }),
      ]),
      z.string(),
    ],
    { error: 'must be payment terms such as "net 30", "due on receipt", "eom+15" or a due date' },
  )
  .transform((value, ctx): PaymentTerms => {
    if (typeof value !== 'string') return value;
    const parsed = parseTerms(value);
    if (parsed.ok) return parsed.terms;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  });

/** An amount as minor units (bigint) or as text to parse in the invoice's currency. */
export const amountInput = z.union([z.bigint(), z.string()], {
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be an amount like 1,234.50'),
});

export const version = z.number().int().positive();
export const idempotencyKey = z.string().trim().min(1).max(200).optional();
