// zod building blocks for service inputs, with messages a person can act on.
import { z } from 'zod';
import { isLocalDate } from '../domain/dates.js';
import { isCurrency } from '../domain/money.js';
import { type PaymentTerms, parseTerms } from '../domain/terms.js';

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined || issue.input === null ? 'is required' : what),
});

export const requiredText = (max: number) =>
  z.string(required('must be text')).trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

export const optionalText = (max: number) =>
  z
    .string(required('must be text'))
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((v) => (v === '' ? null : v))
    .nullish()
    .transform((v) => v ?? null);

export const localDate = z
  .string(required('must be a date like 2026-09-01'))
  .trim()
  .refine(isLocalDate, { message: 'must be a real date written YYYY-MM-DD, like 2026-09-01' });

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
