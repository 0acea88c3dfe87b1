// What a ledger provider (Xero, QuickBooks Online) must do for the sync, in the ledger-neutral words the
// sync uses. A provider talks HTTP and translates its payloads; it never touches the database.
import type { LocalDate } from '../domain/dates.js';

export type ProviderId = 'xero' | 'quickbooks';

/** Each provider's name for people ("Xero"); its id is the word after `/invoice connect`. */
export const PROVIDER_LABEL: Readonly<Record<ProviderId, string>> = { xero: 'Xero', quickbooks: 'QuickBooks' };

export function providerLabel(id: string): string {
  return PROVIDER_LABEL[id as ProviderId] ?? id;
}

export interface TokenSet {
  accessToken: string;
  /** Xero and Intuit rotate it on refresh: the new one must be stored before the old one is forgotten. */
  refreshToken: string;
  expiresAt: Date;
}

/** An organisation the person gave us access to (Xero tenant, QuickBooks realm). */
export interface Tenant {
  id: string;
  name: string;
  /** The grant's own id for it (Xero's connection id), to end the access to it alone. */
  connectionId?: string;
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
  /**
   * Deleted or voided in the ledger: the payment recorded for it here is reversed. A whole payment gone (QuickBooks
   * names only its id) has `invoiceExternalId` '' and reverses every part recorded for it (`<id>:<invoice>`).
   */
  deleted: boolean;
  /** Voided rather than deleted (the reversal's reason says which). */
  voided?: boolean;
  /**
   * The ledger can change its amount in place (Xero: an advance's AppliedAmount on the invoice is what its
   * allocations there add up to; one more allocation raises it, one deleted lowers it): the sync follows the amount.
   */
  followsAmount?: boolean;
  /**
   * The ledger edits it in place under the same id (QuickBooks: a Payment's amount or date; its SyncToken and
   * MetaData.LastUpdatedTime move and CDC lists it again, whole): the sync follows its amount as `followsAmount`
   * does, and its date too, reversing ours ("Changed in QuickBooks") and taking the ledger's amount and date in anew.
   */
  followsEdits?: boolean;
  /**
   * The whole payment this is a part of, when the ledger lists every part of it together (QuickBooks: each invoice a
   * Payment pays is a part `<payment>:<invoice>`): a part recorded here that is not among `parts` was moved to
   * another invoice or taken off there, and is reversed. A payment paying no invoice now is listed once, with
   * `invoiceExternalId` '' and no parts.
   */
  whole?: { id: string; parts: string[] };
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
  /**
   * Credit applied to it that the ledger records on the invoice's side (QuickBooks: a credit memo applied through
   * a payment), taken in after its payments as the credits phase takes credit notes. Xero lists its credit notes
   * apart instead.
   */
  credits?: LedgerCreditNote[];
  /**
   * The ledger lists on the invoice every advance set against it (Xero: each prepayment and overpayment allocated,
   * a payment `<advance id>:<invoice id>` among `payments`): one recorded here that it no longer lists was taken off
   * there (the allocation deleted, or the advance voided) and is reversed here.
   */
  listsAdvances?: boolean;
  /**
   * Home-currency units for one unit of the invoice's currency, as the invoice carries it, for a ledger that quotes
   * its rates on invoices (Xero's CurrencyRate is the other way round: kept as '1/<CurrencyRate>'). Books/rates.ts
   * takes each currency's most recent one, dated the invoice's date.
   */
  homeRate?: string;
}

/** One of the ledger's rates into its home currency (see services/rates.ts `LedgerRate`). */
export interface LedgerRateQuote {
  currency: string;
  /** Home-currency units for one unit of `currency`: a decimal, or '1/0.92' for an inverted quote. */
  rate: string;
  rateDate: LocalDate;
}

/** Part of a credit note applied to one invoice. */
export interface LedgerAllocation {
  invoiceExternalId: string;
  /** Decimal text, in the credit note's currency. */
  amount: string;
  date: LocalDate | null;
  /**
   * Names this application once, when a note can be applied to the same invoice more than once (QuickBooks:
   * `<credit memo>:<invoice>:<payment>`, through each payment). Defaults to `<credit note>:<invoice>`.
   */
  externalId?: string;
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
  /**
   * Where the person grants access; `state` and the PKCE challenge come back through the callback. Read only,
   * unless `withPayments`: also what posting payments needs (asked only when a finance admin turns that on).
   */
  authorizeUrl(params: { state: string; codeChallenge: string; redirectUri: string; withPayments?: boolean }): string;
  exchangeCode(params: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Ends the grant (the refresh token and every access token made from it). */
  revoke(refreshToken: string): Promise<void>;
  /**
   * The organisations the grant reaches. `named` is the one the provider named on the callback (QuickBooks'
   * `realmId`; Xero names none and lists its connections instead).
   */
  listTenants(accessToken: string, named?: string): Promise<Tenant[]>;
  /** Ends the grant's access to one organisation (one allowed but not chosen), where the provider can. */
  forgetTenant?(accessToken: string, tenant: Tenant): Promise<void>;
  listContactsSince(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerContact>>;
  listInvoicesSince(auth: Auth, query: InvoiceQuery): Promise<Page<LedgerInvoice>>;
  listPaymentsSince(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerPayment>>;
  /**
   * Sales credit notes changed since then (all when absent), with their allocations. Optional: a provider without
   * it syncs no credit notes; the sync skips that phase.
   */
  listCreditNotesSince?(auth: Auth, since: Date | undefined, page: number): Promise<Page<LedgerCreditNote>>;
  /**
   * The ledger's home currency (Xero's organisation base currency, QuickBooks' home currency), to know whether its
   * rates are into the reporting currency. Null when the connection may not read it (a Xero connection made before
   * the app asked for accounting.settings.read). Optional: a provider without it gives no rates.
   */
  homeCurrency?(auth: Auth): Promise<string | null>;
  /**
   * The ledger's own rates into its home currency for these foreign currencies as of `today` (QuickBooks'
   * ExchangeRate). Optional: a ledger that quotes rates on its invoices (`LedgerInvoice.homeRate`) needs none.
   */
  exchangeRates?(auth: Auth, currencies: readonly string[], today: LocalDate): Promise<LedgerRateQuote[]>;
  /**
   * The accounts a payment can be paid into (Xero: bank accounts, and accounts with payments enabled). Optional:
   * a provider without it (and createPayment) cannot post payments, and the setting cannot be turned on.
   */
  listPaymentAccounts?(auth: Auth): Promise<LedgerAccount[]>;
  /**
   * Posts one payment against an invoice. The same idempotencyKey gets the same payment back, never a second one.
   * A refusal that will never succeed (the invoice voided, more than is due, the account closed) is REJECTED.
   */
  createPayment?(auth: Auth, payment: NewLedgerPayment): Promise<{ externalId: string }>;
}

/** An account of the ledger's chart that can take payments. */
export interface LedgerAccount {
  externalId: string;
  code: string | null;
  name: string;
  /** BANK, or the account's type when it takes payments otherwise. */
  type: string;
  currency: string | null;
}

export interface NewLedgerPayment {
  invoiceExternalId: string;
  accountExternalId: string;
  /** Decimal text in the invoice's currency ("500.00", "1000" for JPY), made from minor units, never a float. */
  amount: string;
  date: LocalDate;
  reference: string;
  idempotencyKey: string;
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
  | 'HOST_NOT_ALLOWED'
  /** The ledger refused the request for good (a validation error): sending it again will not help. */
  | 'REJECTED';

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
