// Errors a person can act on: a literal code for programs, a message for people, and the field at fault.
import type { z } from 'zod';

export type LedgerErrorCode =
  | 'VALIDATION'
  | 'WORKSPACE_NOT_FOUND'
  /** `workspace init` for a team that is already set up: its settings are changed, not made again. */
  | 'WORKSPACE_EXISTS'
  | 'CLIENT_NOT_FOUND'
  | 'INVOICE_NOT_FOUND'
  | 'DUPLICATE_CLIENT'
  | 'DUPLICATE_INVOICE_NUMBER'
  | 'CONFLICT'
  | 'INVOICE_VOID'
  | 'INVOICE_PAID'
  | 'INVOICE_NOT_SENT'
  | 'INVOICE_ALREADY_SENT'
  | 'INVOICE_HAS_PAYMENTS'
  | 'OVERPAYMENT'
  | 'PAYMENT_NOT_FOUND'
  /** A reversed payment is never reversed again (nor revived): record it anew if it really came. */
  | 'PAYMENT_ALREADY_REVERSED'
  /** A credit note for more than is still due. */
  | 'CREDIT_EXCEEDS_DUE'
  | 'DUPLICATE_CREDIT_NOTE_NUMBER'
  | 'CREDIT_NOTE_NOT_FOUND'
  /** A withdrawn credit note is never withdrawn again (nor revived): issue a new one if credit is due. */
  | 'CREDIT_NOTE_ALREADY_WITHDRAWN'
  /** Credit on account: none in that currency, more asked than the balance, or already applied or refunded. */
  | 'NO_ACCOUNT_CREDIT'
  | 'CREDIT_EXCEEDS_BALANCE'
  | 'ACCOUNT_CREDIT_USED'
  | 'NOTHING_DUE'
  /** Refunds: never more than the overpayment or the credit on account; a refunded payment is not reversed. */
  | 'NOTHING_TO_REFUND'
  | 'REFUND_EXCEEDS_REFUNDABLE'
  | 'PAYMENT_REFUNDED'
  | 'INVOICE_HAS_CREDITS'
  | 'ALREADY_ON_HOLD'
  | 'NOT_ON_HOLD'
  | 'CLIENT_ARCHIVED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'FORBIDDEN'
  | 'ADMIN_REQUIRED'
  /** The invoice comes from the connected ledger, which owns this fact: change it there. */
  | 'LEDGER_OWNED'
  | 'RETAINER_NOT_FOUND'
  /** Pausing one that is not running, resuming one that is not paused, anything on one that has ended. */
  | 'RETAINER_STATE'
  /** A workspace's data is not erased while the app is still installed there. */
  | 'STILL_INSTALLED';

export interface FieldIssue {
  field: string;
  message: string;
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    /** Each field at fault with what was wrong, for forms that show errors on their fields. */
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }

  static invalid(field: string, message: string): LedgerError {
    return new LedgerError('VALIDATION', `${field}: ${message}`, [{ field, message }]);
  }

  static fromZod(error: z.ZodError): LedgerError {
    const issues = error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || 'input',
      message: issue.message,
    }));
    return new LedgerError('VALIDATION', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  }
}

export function isLedgerError(error: unknown, code?: LedgerErrorCode): error is LedgerError {
  return error instanceof LedgerError && (code === undefined || error.code === code);
}

/** PostgreSQL's unique_violation, as both drivers surface it through drizzle. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const candidate = e as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (candidate.code === '23505') {
      const name = candidate.constraint_name ?? candidate.constraint;
      return constraint === undefined || name === undefined || name === constraint;
    }
  }
  return false;
}
