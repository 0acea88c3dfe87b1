// What a ledger provider (Xero now, QuickBooks Online next) must do for the sync, in the ledger-neutral words the
// sync uses. A provider talks HTTP and translates its payloads; it never touches the database.
import type { LocalDate } from '../domain/dates.js';

export type ProviderId = 'xero';

export interface TokenSet {
  accessToken: string;
  /** Xero rotates it on every refresh: the new one must be stored before the old one is forgotten. */
  refreshToken: string;
  expiresAt: Date;
}

/** An organisation the person gave us access to (Xero tenant, QuickBooks realm). */
export interface Tenant {
  id: string;
  name: string;
}

export interface Auth {
  accessToken: string;
  tenantId: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  /** Whether another page follows. */
  more: boolean;
  /** Records in the whole listing, when the ledger says (for progress). */
  total: number | undefined;
}

export interface LedgerContact {
  externalId: string;
  name: string;
  email: string | null;
  isCustomer: boolean;
  updatedAt: Date | undefined;
}

export interface LedgerPayment {
  externalId: string;
  invoiceExternalId: string;
  /** The day the money came, as the ledger has it. */
  date: LocalDate;
  /** Decimal text, exactly as the ledger sent it, in the invoice's currency. */
  amount: string;
  reference: string | null;
  deleted: boolean;
}

/** draft: not sent; sent: issued and open (or part paid); paid: paid in full; void: voided or deleted. */
export type LedgerInvoiceStatus = 'draft' | 'sent' | 'paid' | 'void';

export interface LedgerInvoice {
  externalId: string;
  number: string | null;
  contact: { externalId: string; name: string; email: string | null };
  currency: string;
  /** Decimal text, exactly as sent. */
  total: string;
  amountPaid: string;
  issueDate: LocalDate | null;
  dueDate: LocalDate | null;
  status: LedgerInvoiceStatus;
  /** The ledger's own word for it (AUTHORISED, DELETED…), for messages. */
  ledgerStatus: string;
  updatedAt: Date;
  /** The payments applied to it, oldest first. */
  payments: LedgerPayment[];
}

/** Part of a credit note applied to one invoice. */
export interface LedgerAllocation {
  invoiceExternalId: string;
  /** Decimal text, in the credit note's currency. */
  amount: string;
  date: LocalDate | null;
}

/** A sales credit note (Xero ACCRECCREDIT; QuickBooks CreditMemo) and the invoices it is applied to. */
export interface LedgerCreditNote {
  externalId: string;
  number: string | null;
  currency: string;
  date: LocalDate | null;
  /** 'void' when voided or deleted in the ledger; 'open' otherwise (authorised, paid). Drafts are not listed. */
  status: 'open' | 'void';
  reference: string | null;
  updatedAt: Date;
  allocations: LedgerAllocation[];
}

export interface InvoiceQuery {
  /** Only what changed since then (If-Modified-Since); everything when absent. */
  since?: Date | undefined;
  /** Only open invoices (draft, submitted, authorised), or only paid ones; all when absent. */
  only?: 'open' | 'paid' | undefined;
  page: number;
}

export interface LedgerProvider {
  readonly id: ProviderId;
  /** For people: "Xero". */
  readonly label: string;
  /** Where the person grants access; `state` and the PKCE challenge come back through the callback. */
  authorizeUrl(params: { state: string; codeChallenge: string; redirectUri: string }): string;
  exchangeCode(params: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Ends the grant (the refresh token and every access token made from it). */
  revoke(refreshToken: string): Promise<void>;
  listTenants(accessToken: string): Promise<Tenant[]>;
  listContactsSince(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerContact>>;
  listInvoicesSince(auth: Auth, query: InvoiceQuery): Promise<Page<LedgerInvoice>>;
  listPaymentsSince(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerPayment>>;
  /**
   * Sales credit notes changed since then (all when absent), with their allocations. Optional: a provider without
   * it syncs no credit notes; the sync skips that phase.
   */
  listCreditNotesSince?(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerCreditNote>>;
}

export type ProviderErrorCode =
  /** The refresh token (or code) is no longer good: consent revoked or expired. Reconnect. */
  | 'INVALID_GRANT'
  /** The access token was refused (401/403). */
  | 'UNAUTHORIZED'
  /** Too many calls: try again after retryAfterMs. */
  | 'RATE_LIMITED'
  /** The ledger did not answer well (5xx, timeout, network). */
  | 'UNAVAILABLE'
  /** The ledger answered something we do not understand. */
  | 'BAD_RESPONSE'
  /** A request to a host that is not the provider's configured one (never sent). */
  | 'HOST_NOT_ALLOWED';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function isProviderError(error: unknown, code?: ProviderErrorCode): error is ProviderError {
  return error instanceof ProviderError && (code === undefined || error.code === code);
}
