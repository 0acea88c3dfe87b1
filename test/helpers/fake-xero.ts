// A contract fake of Xero on 127.0.0.1. Each fact it holds is written from a published source, named where the
// fact is used: XeroAPI/Xero-OpenAPI (xero_accounting.yaml, xero-identity.yaml; read at version 16.1.0) for paths,
// field names and casing, parameters and statuses; Xero's developer pages for what the OpenAPI description does
// not say (rate limits and their headers, token lifetimes and the refresh token's grace period).
//
// It serves the authorize page (login), the token endpoint (authorization code with PKCE, refresh with rotation),
// revocation, /connections, and the Accounting API's Invoices, Contacts, Payments and CreditNotes with the xero-tenant-id header,
// If-Modified-Since, Statuses, paging (page, pageSize ≤ 100, a `pagination` object), amounts written as JSON numbers
// with their decimals (46.00) and dates as /Date(…+0000)/. With `limits`, it keeps Xero's per-organisation limits
// on the given clock (60 calls a minute, 5 at once, 5,000 a day) and answers beyond them with 429, Retry-After and
// X-Rate-Limit-Problem; every Accounting API answer carries X-DayLimit-Remaining and X-MinLimit-Remaining. It
// records every call.
//
// Prepayments and overpayments (components.schemas.Prepayment, Overpayment: RECEIVE-PREPAYMENT, RECEIVE-OVERPAYMENT,
// Status AUTHORISED | PAID | VOIDED, Total, RemainingCredit, Allocations[{Invoice, Amount, Date}]; allocated with PUT
// /Prepayments/{PrepaymentID}/Allocations): an invoice lists those allocated to it in Prepayments and Overpayments,
// each with AppliedAmount, and counts them in AmountCredited ("Sum of all credit notes, over-payments and
// pre-payments applied to invoice"), not AmountPaid; an allocation changes the invoice's UpdatedDateUTC. An
// allocation is deleted with DELETE /Prepayments/{PrepaymentID}/Allocations/{AllocationID} (or Overpayments), which
// answers the Allocation with IsDeleted true; the spec says nothing more, so this fake takes the deleted allocation
// off the invoice's Prepayments/Overpayments and its AmountCredited, as a voided advance (Status VOIDED) is, and the
// invoice changes (UpdatedDateUTC) either way, its amount due having gone up. An advance allocated to the same
// invoice more than once is listed there once, its AppliedAmount what those allocations add up to (the spec names
// one AppliedAmount per advance on an invoice and says no more); deleting one of them lowers it.
//
// Posting payments: GET /Accounts (the chart, `where=Status=="ACTIVE"`) and PUT /Payments with Idempotency-Key (the
// same key answers the same payment, never a second), its 400 ValidationException (more than the amount due, an
// invoice not AUTHORISED, an account that cannot take payments), and the payment in the invoice and payment listings
// afterwards, as Xero does. Access tokens carry the scopes granted (posting needs accounting.payments and
// accounting.settings.read).
//
//   const xero = await startFakeXero();
//   config: XERO_API_URL = XERO_IDENTITY_URL = XERO_LOGIN_URL = xero.url
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJsonExact } from '../../src/books/values.js';

export const FAKE_XERO_CLIENT = { clientId: 'fake-client-id', clientSecret: 'fake-client-secret' };

export interface FakeXeroCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  status: number;
}

export interface FakeInvoice {
  InvoiceID: string;
  InvoiceNumber: string;
  ContactID: string;
  CurrencyCode: string;
  /** Decimal text, as Xero has it. */
  Total: string;
  Date: string;
  DueDate: string;
  /** xero_accounting.yaml components.schemas.Invoice.properties.Status.enum. */
  Status: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
  UpdatedDateUTC: Date;
  Type: 'ACCREC' | 'ACCPAY';
  /**
   * components.schemas.Invoice.CurrencyRate: units of the invoice's currency for one unit of the organisation's base
   * currency (the spec's examples show 1.000000 on a base-currency invoice). '1.000000' unless given.
   */
  CurrencyRate?: string;
}

export interface FakePayment {
  PaymentID: string;
  InvoiceID: string;
  Amount: string;
  Date: string;
  Reference: string;
  /** components.schemas.Payment.properties.Status.enum. */
  Status: 'AUTHORISED' | 'DELETED';
  UpdatedDateUTC: Date;
}

/** A sales credit note (ACCRECCREDIT) and the invoices it is allocated to. */
export interface FakeCreditNote {
  CreditNoteID: string;
  CreditNoteNumber: string;
  ContactID: string;
  CurrencyCode: string;
  Total: string;
  Date: string;
  Status: 'DRAFT' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
  Reference: string;
  Allocations: { AllocationID: string; InvoiceID: string; Amount: string; Date: string }[];
  UpdatedDateUTC: Date;
}

/** Money a contact paid ahead (a prepayment) or beyond an invoice (an overpayment), and where it was allocated. */
export interface FakeAdvance {
  ID: string;
  kind: 'prepayment' | 'overpayment';
  ContactID: string;
  CurrencyCode: string;
  Total: string;
  Date: string;
  Status: 'AUTHORISED' | 'PAID' | 'VOIDED';
  Reference: string;
  Allocations: { AllocationID: string; InvoiceID: string; Amount: string; Date: string }[];
  UpdatedDateUTC: Date;
}

export interface FakeContact {
  ContactID: string;
  Name: string;
  EmailAddress: string;
  IsCustomer: boolean;
  UpdatedDateUTC: Date;
}

export interface FakeAccount {
  AccountID: string;
  Code: string;
  Name: string;
  Type: string;
  Status: 'ACTIVE' | 'ARCHIVED';
  EnablePaymentsToAccount: boolean;
  CurrencyCode: string;
}

export interface FakeXero {
  url: string;
  tenant: { id: string; name: string };
  calls(path?: string): FakeXeroCall[];
  /** The person approves on Xero's page: the redirect back to the app, with a code and the state. */
  approve(authorizeUrl: string): Promise<string>;
  addContact(c: { name: string; email?: string; isCustomer?: boolean }): string;
  addInvoice(
    i: Partial<Omit<FakeInvoice, 'InvoiceID'>> & { InvoiceNumber: string; ContactID: string; Total: string },
  ): string;
  pay(invoiceId: string, p: { amount: string; date: string; reference?: string }): string;
  setStatus(invoiceId: string, status: FakeInvoice['Status']): void;
  /** The payment is deleted (Status DELETED, as the Payments endpoint then lists it); a PAID invoice reopens. */
  deletePayment(paymentId: string): void;
  /** A sales credit note, allocated to invoices (each allocation changes its invoice too); returns its id. */
  addCreditNote(c: {
    number: string;
    contactId: string;
    currency?: string;
    date: string;
    reference?: string;
    status?: FakeCreditNote['Status'];
    allocations: { invoiceId: string; amount: string; date?: string }[];
  }): string;
  /** The credit note is voided (Status VOIDED, its allocations still listed); each PAID invoice it settled reopens. */
  voidCreditNote(creditNoteId: string): void;
  /** The credit note's allocations, as its Allocations list them (AllocationID, invoice, amount). */
  creditNoteAllocations(creditNoteId: string): { AllocationID: string; InvoiceID: string; Amount: string }[];
  /**
   * One allocation deleted, as DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID} deletes it: the spec
   * says no more (as for prepayments), so this fake takes it off the note (AUTHORISED again, UpdatedDateUTC) and off
   * the invoice's AmountCredited, the invoice reopening and changing.
   */
  deleteCreditNoteAllocation(creditNoteId: string, allocationId: string): void;
  invoice(invoiceId: string): FakeInvoice;
  /** A prepayment or overpayment received from the contact (RECEIVE-PREPAYMENT / RECEIVE-OVERPAYMENT). */
  receiveAdvance(a: {
    kind: FakeAdvance['kind'];
    contactId: string;
    total: string;
    date: string;
    reference?: string;
  }): string;
  /**
   * Part of it allocated to an invoice (refused beyond its remaining credit or the invoice's amount due); returns
   * the allocation's id (AllocationID).
   */
  allocateAdvance(advanceId: string, a: { invoiceId: string; amount: string; date: string }): string;
  /**
   * The allocation deleted, as DELETE /Prepayments/{id}/Allocations/{AllocationID} (or Overpayments) deletes it;
   * returns what that call answers, the Allocation with IsDeleted true.
   */
  deleteAdvanceAllocation(advanceId: string, allocationId: string): unknown;
  /** The prepayment or overpayment voided in Xero (Status VOIDED): its allocations stop counting on the invoices. */
  voidAdvance(advanceId: string): void;
  /** The next `times` Accounting API calls answer 429 with Retry-After `seconds` (X-Rate-Limit-Problem: `problem`). */
  rateLimitNext(times: number, seconds: number, problem?: RateLimitProblem): void;
  /** What the organisation's limits saw: calls counted, 429s sent (by problem), most at once, the day's calls left. */
  limitStats(): FakeXeroLimitStats;
  /**
   * Another organisation the person can grant (listed by /connections after `tenant`); the Accounting API answers
   * for it with empty lists. Returns its id. The app may remove any organisation's connection (DELETE
   * /connections/{id}): it is then neither listed nor answered for.
   */
  addTenant(name: string): string;
  /** The organisation's admin removes the app: every token dies; a refresh gets invalid_grant. */
  revokeConsent(): void;
  /** Access tokens issued so far expire now (the app must refresh). */
  expireAccessTokens(): void;
  /** The instant Xero stamps changes with (UpdatedDateUTC). */
  setNow(at: Date | string): void;
  refreshTokensIssued(): number;
  addAccount(a: Partial<Omit<FakeAccount, 'AccountID'>> & { Code: string; Name: string }): string;
  setAccountStatus(accountId: string, status: FakeAccount['Status']): void;
  /** The payments on an invoice (or all), as Xero holds them. */
  payments(invoiceId?: string): FakePayment[];
  /** The next PUT /Payments is carried out, but its answer never arrives (the connection drops). */
  dropNextPaymentAnswer(): void;
  /** Forgets every record, token, scripted failure, call and added tenant (the first tenant stays). */
  reset(): void;
  close(): Promise<void>;
}

export type RateLimitProblem = 'minute' | 'day' | 'concurrent';

export interface FakeXeroLimitStats {
  /** Accounting API calls answered within the limits (counted against them). */
  counted: number;
  /** 429s answered, by the limit that was hit. */
  refused: Record<RateLimitProblem, number>;
  /** The most Accounting API calls in progress at one time. */
  mostAtOnce: number;
  /** X-DayLimit-Remaining as of now. */
  dayRemaining: number;
}

export interface FakeXeroOptions {
  /**
   * Keep Xero's per-organisation limits on this clock (ms): 60 calls in any minute, 5 in progress at once, 5,000
   * in any 24 hours. developer.xero.com/faq/limits ("Concurrent Limit: 5 calls in progress at one time; Minute
   * Limit: 60 calls per minute; Daily Limit: 5000 calls per day"; the limits are per connection, i.e. per app and
   * organisation). Without it only rateLimitNext answers 429.
   */
  limits?: { now: () => number; perMinute?: number; perDay?: number; concurrent?: number };
  /** How long each Accounting API answer takes (real ms), so that calls overlap; 0 unless given. */
  latencyMs?: number;
  /** The organisation's base currency (GET /Organisation, Organisation.BaseCurrency); USD unless given. */
  baseCurrency?: string;
}

/**
 * Page size. xero_accounting.yaml, paths./Invoices.get.parameters `page` ("Up to 100 invoices will be returned in
 * a single API call"), the same on /Contacts and /Payments; `pageSize` (components.parameters.pageSize) asks for
 * fewer. The answer's `pagination` is components.schemas.Pagination {page, pageSize, pageCount, itemCount}.
 */
const PAGE_SIZE = 100;
/**
 * A rotated refresh token still works this long: "If, for whatever reason, you don't receive the response after
 * performing the token refresh you can retry refreshing the old token for a grace period of 30 minutes" (Xero's
 * official reply on the developer community, the OAuth 2.0 refresh-token change). The spec's xero-identity.yaml
 * components.schemas.RefreshToken/AccessToken give the fields only.
 */
const REFRESH_GRACE_MS = 30 * 60_000;
/** An access token lives 30 minutes: expires_in 1800 (components.schemas.AccessToken.expires_in, in seconds). */
const ACCESS_TOKEN_SECONDS = 1800;

/** A JSON number written with the decimals given ("46.00" → 46.00), as Xero writes amounts. */
/**
 * Amounts are JSON numbers (components.schemas.Invoice.properties.Total: type number) written with their decimals,
 * as in the spec's examples (paths./Invoices.get responses.200 example: `AmountPaid: 46.00`).
 */
function num(text: string): string {
  return `@@NUM(${text})@@`;
}
function json(value: unknown): string {
  return JSON.stringify(value).replace(/"@@NUM\((-?[0-9.]+)\)@@"/g, '$1');
}
/**
 * Dates in JSON are `/Date(<ms since 1970 UTC>+0000)/`: paths./Invoices.get responses.200 example
 * (`Date: /Date(1539993600000+0000)/`, `UpdatedDateUTC: /Date(1541176290160+0000)/`); the envelope's DateTimeUTC
 * comes without the offset (`/Date(1552326816230)/`). A calendar date is midnight UTC of the day.
 */
function msDate(day: string | Date): string {
  const at = typeof day === 'string' ? new Date(`${day}T00:00:00Z`) : day;
  return `/Date(${at.getTime()}+0000)/`;
}

function sub(a: string, b: string): string {
  // Exact decimal arithmetic on text: scale both to the longest fraction.
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toInt = (s: string) => BigInt(s.replace('.', '') + '0'.repeat(scale - (s.split('.')[1]?.length ?? 0)));
  const r = toInt(a) - toInt(b);
  const neg = r < 0n;
  const digits = (neg ? -r : r).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${out}` : out;
}

export async function startFakeXero(options: FakeXeroOptions = {}): Promise<FakeXero> {
  const tenant = { id: randomUUID(), name: 'Acme Agency Ltd' };
  const otherTenants: { id: string; name: string }[] = [];
  // Each organisation's connection id (stable, as Xero's), and those the app has removed (DELETE /connections/{id}).
  const connectionIds = new Map<string, string>([[tenant.id, randomUUID()]]);
  const removed = new Set<string>();
  const calls: FakeXeroCall[] = [];
  const contacts = new Map<string, FakeContact>();
  const invoices = new Map<string, FakeInvoice>();
  const payments = new Map<string, FakePayment>();
  const accounts = new Map<string, FakeAccount>();
  /** Idempotency-Key → the answer given (Xero keeps them for a while; here, for good). */
  const idempotent = new Map<string, { status: number; body: string }>();
  let dropPaymentAnswer = false;
  const creditNotes = new Map<string, FakeCreditNote>();
  const advances = new Map<string, FakeAdvance>();
  const codes = new Map<string, { redirectUri: string; challenge: string }>();
  const refreshTokens = new Set<string>();
  /** Refresh tokens replaced by a refresh, and when: usable again within REFRESH_GRACE_MS. */
  const rotated = new Map<string, number>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  let issuedRefresh = 0;
  let rateLimited: { times: number; seconds: number; problem: RateLimitProblem } = {
    times: 0,
    seconds: 0,
    problem: 'minute',
  };
  const limits = options.limits
    ? {
        now: options.limits.now,
        perMinute: options.limits.perMinute ?? 60,
        perDay: options.limits.perDay ?? 5000,
        concurrent: options.limits.concurrent ?? 5,
      }
    : undefined;
  /** When each counted Accounting API call came (the limits' clock), oldest first. */
  const counted: number[] = [];
  const refused: Record<RateLimitProblem, number> = { minute: 0, day: 0, concurrent: 0 };
  let inFlight = 0;
  let mostAtOnce = 0;
  let now = new Date('2026-11-23T15:00:00Z');
  let seq = 0;
  // Every change gets its own UpdatedDateUTC, later than the last, as Xero's are.
  const stamp = () => {
    seq += 1;
    return new Date(now.getTime() + seq);
  };

  /** The scopes each code and token was granted (Xero adds a new consent's scopes; a refresh keeps them). */
  const granted = new Map<string, string>();
  const READ_SCOPES = 'offline_access accounting.invoices.read accounting.payments.read accounting.contacts.read';

  function issueTokens(scope = READ_SCOPES) {
    const access = `xa-${randomBytes(16).toString('hex')}`;
    const refresh = `xr-${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, { expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 });
    refreshTokens.add(refresh);
    granted.set(access, scope);
    granted.set(refresh, scope);
    issuedRefresh += 1;
    // No id_token: it comes only with the `openid` scope, which the app does not ask for.
    return {
      access_token: access,
      expires_in: ACCESS_TOKEN_SECONDS,
      token_type: 'Bearer',
      refresh_token: refresh,
      scope,
    };
  }

  const clockNow = () => (limits ? limits.now() : Date.now());
  const within = (ms: number) => {
    const since = clockNow() - ms;
    return counted.filter((at) => at > since);
  };
  function dayRemaining(): number {
    return Math.max(0, (limits?.perDay ?? 5000) - within(86_400_000).length);
  }
  /**
   * Every answer says what is left: X-DayLimit-Remaining, X-MinLimit-Remaining and X-AppMinLimit-Remaining
   * (developer.xero.com/faq/limits: "Each API response you receive will include the X-DayLimit-Remaining,
   * X-MinLimit-Remaining and X-AppMinLimit-Remaining headers"). One app here, so the app's minute is the org's.
   */
  function remainingHeaders(): Record<string, string> {
    const minute = Math.max(0, (limits?.perMinute ?? 60) - within(60_000).length);
    return {
      'x-daylimit-remaining': String(dayRemaining()),
      'x-minlimit-remaining': String(minute),
      'x-appminlimit-remaining': String(10_000 - within(60_000).length),
    };
  }
  /** Which limit a call now would break, and the seconds until it would not (none for the concurrent limit). */
  function admit(): { problem: RateLimitProblem; retryAfter?: number } | undefined {
    if (!limits) return undefined;
    if (inFlight >= limits.concurrent) return { problem: 'concurrent' };
    const t = limits.now();
    const day = within(86_400_000);
    if (day.length >= limits.perDay) {
      return { problem: 'day', retryAfter: Math.ceil(((day[0] as number) + 86_400_000 - t) / 1000) };
    }
    const minute = within(60_000);
    if (minute.length >= limits.perMinute) {
      return { problem: 'minute', retryAfter: Math.ceil(((minute[0] as number) + 60_000 - t) / 1000) };
    }
    return undefined;
  }
  /** Whether the request's access token was granted one of these scopes. */
  function scoped(req: IncomingMessage, ...scopes: string[]): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const has = (granted.get(token) ?? '').split(' ');
    return scopes.some((s) => has.includes(s));
  }

  function bearerOk(req: IncomingMessage): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const known = token ? accessTokens.get(token) : undefined;
    return Boolean(known && known.expiresAt > Date.now());
  }

  function basicOk(req: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${FAKE_XERO_CLIENT.clientId}:${FAKE_XERO_CLIENT.clientSecret}`).toString('base64')}`;
    return req.headers.authorization === expected;
  }

  async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  function paginate<T>(rows: T[], query: URLSearchParams) {
    const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
    const size = Math.min(PAGE_SIZE, Number(query.get('pageSize') ?? PAGE_SIZE) || PAGE_SIZE);
    return {
      items: rows.slice((page - 1) * size, page * size),
      pagination: {
        page,
        pageSize: size,
        pageCount: Math.max(1, Math.ceil(rows.length / size)),
        itemCount: rows.length,
      },
    };
  }

  /**
   * components.parameters.ifModifiedSince: the If-Modified-Since header, a date-time ("2020-02-06T12:17:43.202-08:00"):
   * "Only records created or modified since this timestamp will be returned". Sorted as `order=UpdatedDateUTC ASC`.
   */
  function modifiedSince<T extends { UpdatedDateUTC: Date }>(rows: T[], req: IncomingMessage): T[] {
    const header = req.headers['if-modified-since'];
    const since = header ? Date.parse(header) : Number.NaN;
    const kept = Number.isNaN(since) ? rows : rows.filter((r) => r.UpdatedDateUTC.getTime() > since);
    return kept.sort((a, b) => a.UpdatedDateUTC.getTime() - b.UpdatedDateUTC.getTime());
  }

  /** What the credit notes in force allocate to an invoice. */
  function creditedOn(invoiceId: string): string {
    let credited = '0';
    for (const c of creditNotes.values()) {
      if (c.Status === 'VOIDED' || c.Status === 'DELETED' || c.Status === 'DRAFT') continue;
      for (const a of c.Allocations) if (a.InvoiceID === invoiceId) credited = sub(credited, `-${a.Amount}`);
    }
    for (const a of advances.values()) {
      if (a.Status === 'VOIDED') continue;
      for (const x of a.Allocations) if (x.InvoiceID === invoiceId) credited = sub(credited, `-${x.Amount}`);
    }
    return credited;
  }

  /** The prepayments or overpayments allocated to an invoice, as the invoice lists them. */
  function advancesOn(invoiceId: string, kind: FakeAdvance['kind']) {
    return [...advances.values()]
      .filter((a) => a.kind === kind && a.Status !== 'VOIDED' && a.Allocations.some((x) => x.InvoiceID === invoiceId))
      .map((a) => {
        const applied = a.Allocations.filter((x) => x.InvoiceID === invoiceId).reduce(
          (sum, x) => sub(sum, `-${x.Amount}`),
          '0',
        );
        const remaining = a.Allocations.reduce((sum, x) => sub(sum, x.Amount), a.Total);
        return {
          [kind === 'prepayment' ? 'PrepaymentID' : 'OverpaymentID']: a.ID,
          Type: kind === 'prepayment' ? 'RECEIVE-PREPAYMENT' : 'RECEIVE-OVERPAYMENT',
          Date: msDate(a.Date),
          Status: a.Status,
          Reference: a.Reference,
          CurrencyCode: a.CurrencyCode,
          Total: num(a.Total),
          RemainingCredit: num(remaining),
          AppliedAmount: num(applied),
          UpdatedDateUTC: msDate(a.UpdatedDateUTC),
        };
      });
  }

  /** An invoice whose credit went down: no longer PAID, and changed (its UpdatedDateUTC moves). */
  function reopen(invoiceId: string, at: Date) {
    const invoice = invoices.get(invoiceId);
    if (!invoice) return;
    if (invoice.Status === 'PAID') invoice.Status = 'AUTHORISED';
    invoice.UpdatedDateUTC = at;
  }

  /**
   * Deletes one allocation of a prepayment or overpayment (DELETE …/Allocations/{AllocationID}): it is no longer
   * listed on the advance nor on the invoice, whose AmountCredited drops by it. Returns what Xero answers (the
   * Allocation with IsDeleted true), or undefined when there is no such allocation.
   */
  function deleteAllocation(advanceId: string, allocationId: string) {
    const advance = advances.get(advanceId);
    const allocation = advance?.Allocations.find((x) => x.AllocationID === allocationId);
    if (!advance || !allocation || advance.Status === 'VOIDED') return undefined;
    const at = stamp();
    advance.Allocations = advance.Allocations.filter((x) => x !== allocation);
    advance.Status = 'AUTHORISED';
    advance.UpdatedDateUTC = at;
    reopen(allocation.InvoiceID, at);
    return {
      AllocationID: allocation.AllocationID,
      Amount: num(allocation.Amount),
      Date: msDate(allocation.Date),
      Invoice: { InvoiceID: allocation.InvoiceID },
      IsDeleted: true,
    };
  }

  function invoiceJson(i: FakeInvoice) {
    const c = contacts.get(i.ContactID);
    const applied = [...payments.values()].filter((p) => p.InvoiceID === i.InvoiceID && p.Status === 'AUTHORISED');
    const paid = applied.reduce((sum, p) => sub(sum, `-${p.Amount}`), '0');
    const credited = creditedOn(i.InvoiceID);
    return {
      Type: i.Type,
      InvoiceID: i.InvoiceID,
      InvoiceNumber: i.InvoiceNumber,
      Reference: '',
      Payments: applied.map((p) => ({
        PaymentID: p.PaymentID,
        Date: msDate(p.Date),
        Amount: num(p.Amount),
        Reference: p.Reference,
        CurrencyRate: num('1.000000'),
        HasAccount: false,
        HasValidationErrors: false,
      })),
      CreditNotes: [],
      Prepayments: advancesOn(i.InvoiceID, 'prepayment'),
      Overpayments: advancesOn(i.InvoiceID, 'overpayment'),
      AmountDue: num(sub(sub(i.Total, paid), credited)),
      AmountPaid: num(paid),
      AmountCredited: num(credited),
      CurrencyRate: num(i.CurrencyRate ?? '1.000000'),
      IsDiscounted: false,
      HasAttachments: false,
      HasErrors: false,
      Contact: {
        ContactID: i.ContactID,
        Name: c?.Name ?? '',
        Addresses: [],
        Phones: [],
        ContactGroups: [],
        ContactPersons: [],
        HasValidationErrors: false,
      },
      DateString: `${i.Date}T00:00:00`,
      Date: msDate(i.Date),
      DueDateString: `${i.DueDate}T00:00:00`,
      DueDate: msDate(i.DueDate),
      Status: i.Status,
      LineAmountTypes: 'Exclusive',
      LineItems: [],
      SubTotal: num(i.Total),
      TotalTax: num('0.00'),
      Total: num(i.Total),
      UpdatedDateUTC: msDate(i.UpdatedDateUTC),
      CurrencyCode: i.CurrencyCode,
    };
  }

  async function readText(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function addPayment(invoiceId: string, p: { amount: string; date: string; reference?: string }): string {
    const invoice = invoices.get(invoiceId);
    if (!invoice) throw new Error(`no invoice ${invoiceId}`);
    const id = randomUUID();
    const at = stamp();
    payments.set(id, {
      PaymentID: id,
      InvoiceID: invoiceId,
      Amount: p.amount,
      Date: p.date,
      Reference: p.reference ?? '',
      Status: 'AUTHORISED',
      UpdatedDateUTC: at,
    });
    const applied = [...payments.values()].filter((x) => x.InvoiceID === invoiceId && x.Status === 'AUTHORISED');
    const paid = applied.reduce((sum, x) => sub(sum, `-${x.Amount}`), '0');
    if (!sub(invoice.Total, paid).startsWith('-') && /^0(\.0+)?$/.test(sub(invoice.Total, paid)))
      invoice.Status = 'PAID';
    invoice.UpdatedDateUTC = at;
    return id;
  }

  function amountDue(invoiceId: string, total: string): string {
    const applied = [...payments.values()].filter((x) => x.InvoiceID === invoiceId && x.Status === 'AUTHORISED');
    return sub(
      total,
      applied.reduce((sum, x) => sub(sum, `-${x.Amount}`), '0'),
    );
  }

  /** PUT /Payments: one payment (the app sends one at a time), checked as Xero checks it. */
  function createPayments(text: string): { status: number; body: unknown } {
    const invalid = (message: string) => ({
      status: 400,
      body: {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'A validation exception occurred',
        Elements: [{ ValidationErrors: [{ Message: message }] }],
      },
    });
    let parsed: { Payments?: Record<string, unknown>[] };
    try {
      parsed = parseJsonExact(text) as typeof parsed;
    } catch {
      return { status: 400, body: { Message: 'fake: the body is not JSON' } };
    }
    // Amounts are JSON numbers (never strings) in Xero's API.
    if (!/"Amount":\s*-?[0-9]/.test(text)) return invalid('Amount must be a number');
    const p = parsed.Payments?.[0];
    if (!p || (parsed.Payments?.length ?? 0) !== 1) return { status: 400, body: { Message: 'fake: one payment' } };
    const invoice = invoices.get(String((p.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID ?? ''));
    if (!invoice) return invalid('Invoice could not be found');
    const accountRef = p.Account as { AccountID?: string; Code?: string } | undefined;
    const account = [...accounts.values()].find(
      (a) => a.AccountID === accountRef?.AccountID || (accountRef?.Code !== undefined && a.Code === accountRef.Code),
    );
    if (!account) return invalid('Account could not be found');
    if (account.Status !== 'ACTIVE') return invalid('The account is archived and cannot take payments');
    if (account.Type !== 'BANK' && !account.EnablePaymentsToAccount)
      return invalid('Account type is invalid for making a payment to/from');
    if (invoice.Status !== 'AUTHORISED')
      return invalid(`Invoice not of valid status for modification (${invoice.Status})`);
    const amount = String(p.Amount ?? '');
    if (!/^\d+(\.\d+)?$/.test(amount) || /^0(\.0+)?$/.test(amount))
      return invalid('Payment amount must be more than zero');
    if (sub(amountDue(invoice.InvoiceID, invoice.Total), amount).startsWith('-'))
      return invalid('Payment amount exceeds the amount outstanding on this document');
    const date = String(p.Date ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return invalid('Date must be YYYY-MM-DD');
    const id = addPayment(invoice.InvoiceID, { amount, date, reference: String(p.Reference ?? '') });
    const payment = payments.get(id) as FakePayment;
    return {
      status: 200,
      body: {
        Id: randomUUID(),
        Status: 'OK',
        ProviderName: 'receivables',
        DateTimeUTC: msDate(now),
        Payments: [
          {
            PaymentID: id,
            Date: msDate(date),
            BankAmount: num(amount),
            Amount: num(amount),
            Reference: payment.Reference,
            CurrencyRate: num('1.000000'),
            PaymentType: 'ACCRECPAYMENT',
            Status: 'AUTHORISED',
            UpdatedDateUTC: msDate(payment.UpdatedDateUTC),
            HasAccount: true,
            IsReconciled: false,
            Account: { AccountID: account.AccountID, Code: account.Code },
            Invoice: { Type: 'ACCREC', InvoiceID: invoice.InvoiceID, InvoiceNumber: invoice.InvoiceNumber },
            HasValidationErrors: false,
          },
        ],
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, call: FakeXeroCall): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const limitHeaders: Record<string, string> = {};
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...limitHeaders, ...headers });
      res.end(body === undefined ? '' : typeof body === 'string' ? body : json(body));
    };
    if (req.method === 'GET' && url.pathname === '/identity/connect/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== FAKE_XERO_CLIENT.clientId || q.get('response_type') !== 'code')
        return send(400, { error: 'invalid_request' });
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge'))
        return send(400, { error: 'invalid_request' });
      // A new app (since 2 March 2026) may only ask for Xero's granular scopes; without offline_access no refresh token.
      const scopes = (q.get('scope') ?? '').split(' ');
      if (!scopes.includes('offline_access') || scopes.includes('accounting.transactions.read')) {
        return send(400, { error: 'invalid_scope' });
      }
      const code = randomBytes(12).toString('hex');
      const redirectUri = q.get('redirect_uri') ?? '';
      // The person allows every organisation again, those removed before included.
      removed.clear();
      codes.set(code, { redirectUri, challenge: q.get('code_challenge') ?? '' });
      granted.set(code, scopes.join(' '));
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('scope', q.get('scope') ?? '');
      back.searchParams.set('state', q.get('state') ?? '');
      return send(302, '', { location: back.toString() });
    }
    if (req.method === 'POST' && url.pathname === '/connect/token') {
      if (!basicOk(req)) return send(400, { error: 'invalid_client' });
      const form = await readBody(req);
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== challenge) {
          return send(400, { error: 'invalid_grant' });
        }
        return send(200, issueTokens(granted.get(form.get('code') ?? '')));
      }
      if (form.get('grant_type') === 'refresh_token') {
        // Rotation: each refresh answers a new refresh token; the one handed in keeps working for the grace period.
        const token = form.get('refresh_token') ?? '';
        const retiredAt = rotated.get(token);
        const inGrace = retiredAt !== undefined && Date.now() - retiredAt < REFRESH_GRACE_MS;
        if (!refreshTokens.has(token) && !inGrace) return send(400, { error: 'invalid_grant' });
        if (refreshTokens.delete(token)) rotated.set(token, Date.now());
        return send(200, issueTokens(granted.get(token)));
      }
      return send(400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'POST' && url.pathname === '/connect/revocation') {
      if (!basicOk(req)) return send(400, { error: 'invalid_client' });
      const form = await readBody(req);
      refreshTokens.delete(form.get('token') ?? '');
      rotated.clear();
      accessTokens.clear();
      return send(200, '');
    }
    // xero-identity.yaml spells it paths./Connections (x-basepath https://api.xero.com); Xero's OAuth 2.0 guide
    // writes /connections. Both are served.
    if (req.method === 'GET' && url.pathname.toLowerCase() === '/connections') {
      if (!bearerOk(req)) return send(401, { Title: 'Unauthorized', Status: 401 });
      return send(
        200,
        [tenant, ...otherTenants]
          .filter((t) => !removed.has(t.id))
          .map((t) => ({
            id: connectionIds.get(t.id),
            authEventId: randomUUID(),
            tenantId: t.id,
            tenantType: 'ORGANISATION',
            tenantName: t.name,
            createdDateUtc: '2026-11-23T15:00:00.0000000',
            updatedDateUtc: '2026-11-23T15:00:00.0000000',
          })),
      );
    }
    if (req.method === 'DELETE' && url.pathname.startsWith('/connections/')) {
      if (!bearerOk(req)) return send(401, { Title: 'Unauthorized', Status: 401 });
      const id = decodeURIComponent(url.pathname.slice('/connections/'.length));
      const which = [...connectionIds].find(([t, c]) => c === id && !removed.has(t));
      if (!which) return send(404, '');
      removed.add(which[0]);
      return send(204, '');
    }
    if (req.method === 'PUT' && url.pathname === '/api.xro/2.0/Payments') {
      const text = await readText(req);
      if (!bearerOk(req))
        return send(401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
      if (req.headers['xero-tenant-id'] !== tenant.id || !scoped(req, 'accounting.payments', 'accounting.transactions'))
        return send(403, { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' });
      if (rateLimited.times > 0) {
        rateLimited.times -= 1;
        return send(429, '', { 'retry-after': String(rateLimited.seconds), 'x-rate-limit-problem': 'minute' });
      }
      const key = req.headers['idempotency-key'];
      const keyText = typeof key === 'string' ? key : undefined;
      if (keyText !== undefined && keyText.length > 128) return send(400, { Message: 'Idempotency-Key too long' });
      const seen = keyText ? idempotent.get(keyText) : undefined;
      const answer =
        seen ??
        (() => {
          const made = createPayments(text);
          return { status: made.status, body: json(made.body) };
        })();
      if (keyText && !seen) idempotent.set(keyText, answer);
      if (dropPaymentAnswer) {
        dropPaymentAnswer = false;
        call.status = -1;
        res.destroy();
        return;
      }
      return send(answer.status, answer.body);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api.xro/2.0/')) {
      if (!bearerOk(req))
        return send(401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
      const asked = req.headers['xero-tenant-id'];
      if ((asked !== tenant.id && !otherTenants.some((t) => t.id === asked)) || removed.has(String(asked)))
        return send(403, { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' });
      // A 429 names the limit hit in X-Rate-Limit-Problem (minute, day, concurrent) and, for the minute and the day,
      // says in Retry-After how many seconds to wait (developer.xero.com/documentation/guides/oauth2/limits, "API
      // rate limits"). The spec (xero_accounting.yaml) describes no 429 and no rate-limit header.
      if (rateLimited.times > 0) {
        rateLimited.times -= 1;
        refused[rateLimited.problem] += 1;
        return send(429, '', {
          'retry-after': String(rateLimited.seconds),
          'x-rate-limit-problem': rateLimited.problem,
        });
      }
      const verdict = admit();
      Object.assign(limitHeaders, remainingHeaders());
      if (verdict) {
        refused[verdict.problem] += 1;
        return send(429, '', {
          'x-rate-limit-problem': verdict.problem,
          ...(verdict.retryAfter !== undefined ? { 'retry-after': String(verdict.retryAfter) } : {}),
        });
      }
      counted.push(clockNow());
      Object.assign(limitHeaders, remainingHeaders());
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
        return accounting(req, url, send, asked);
      } finally {
        inFlight -= 1;
      }
    }
    return send(404, { Message: 'fake: not found' });
  }

  async function accounting(
    req: IncomingMessage,
    url: URL,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
    /** The organisation asked for (xero-tenant-id): ours, or another granted one (empty). */
    asked: string | string[] | undefined,
  ): Promise<void> {
    {
      const q = url.searchParams;
      // summaryOnly (components.parameters.summaryOnly) leaves out "computation-heavy fields" the spec does not
      // list; the sync needs each invoice's Payments, so it never asks for the summary, and the fake does not guess it.
      if (q.has('summaryOnly')) return send(400, { Message: 'fake: summaryOnly is not modelled' });
      const resource = url.pathname.slice('/api.xro/2.0/'.length);
      if (asked !== tenant.id) {
        // Another organisation granted: it has nothing in it.
        const pagination = { page: 1, pageSize: PAGE_SIZE, pageCount: 1, itemCount: 0 };
        return send(200, { Id: randomUUID(), Status: 'OK', DateTimeUTC: msDate(now), pagination, [resource]: [] });
      }
      if (q.has('order') && q.get('order') !== 'UpdatedDateUTC ASC')
        return send(400, { Message: 'fake: unsupported order' });
      // paths./Invoices.get: `where` (an expression; the app sends Type=="ACCREC"), `Statuses` (comma-separated),
      // `page`, `pageSize`, `order`, If-Modified-Since; the xero-tenant-id header (components.parameters.requiredHeader).
      if (resource === 'Invoices') {
        const where = q.get('where');
        if (where !== null && where !== 'Type=="ACCREC"') return send(400, { Message: 'fake: unsupported where' });
        const statuses = q.get('Statuses')?.split(',');
        let rows = [...invoices.values()];
        if (where) rows = rows.filter((i) => i.Type === 'ACCREC');
        if (statuses) rows = rows.filter((i) => statuses.includes(i.Status));
        const { items, pagination } = paginate(modifiedSince(rows, req), q);
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          ProviderName: 'receivables',
          DateTimeUTC: msDate(now),
          pagination,
          Invoices: items.map(invoiceJson),
        });
      }
      // paths./Organisation.get (scopes accounting.settings, accounting.settings.read): components.schemas.Organisation,
      // of which only what the app reads and a few neighbours.
      if (resource === 'Organisation') {
        if (!scoped(req, 'accounting.settings', 'accounting.settings.read'))
          return send(403, { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' });
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          DateTimeUTC: msDate(now),
          Organisations: [
            {
              OrganisationID: tenant.id,
              Name: tenant.name,
              Version: 'US',
              OrganisationType: 'COMPANY',
              BaseCurrency: options.baseCurrency ?? 'USD',
              CountryCode: 'US',
              IsDemoCompany: false,
              OrganisationStatus: 'ACTIVE',
            },
          ],
        });
      }
      if (resource === 'Accounts') {
        if (!scoped(req, 'accounting.settings', 'accounting.settings.read'))
          return send(403, { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' });
        const where = q.get('where');
        if (where !== null && where !== 'Status=="ACTIVE"') return send(400, { Message: 'fake: unsupported where' });
        const rows = [...accounts.values()].filter((a) => !where || a.Status === 'ACTIVE');
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          DateTimeUTC: msDate(now),
          Accounts: rows.map((a) => ({
            AccountID: a.AccountID,
            Code: a.Code,
            Name: a.Name,
            Type: a.Type,
            Status: a.Status,
            TaxType: 'NONE',
            EnablePaymentsToAccount: a.EnablePaymentsToAccount,
            ...(a.Type === 'BANK' ? { BankAccountType: 'BANK', CurrencyCode: a.CurrencyCode } : {}),
            UpdatedDateUTC: msDate(now),
          })),
        });
      }
      if (resource === 'CreditNotes') {
        const where = q.get('where');
        if (where !== null && where !== 'Type=="ACCRECCREDIT"')
          return send(400, { Message: 'fake: unsupported where' });
        const { items, pagination } = paginate(modifiedSince([...creditNotes.values()], req), q);
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          DateTimeUTC: msDate(now),
          pagination,
          CreditNotes: items.map((c) => ({
            Type: 'ACCRECCREDIT',
            CreditNoteID: c.CreditNoteID,
            CreditNoteNumber: c.CreditNoteNumber,
            Reference: c.Reference,
            Contact: { ContactID: c.ContactID, Name: contacts.get(c.ContactID)?.Name ?? '' },
            Date: msDate(c.Date),
            DateString: `${c.Date}T00:00:00`,
            Status: c.Status,
            LineAmountTypes: 'Exclusive',
            SubTotal: num(c.Total),
            TotalTax: num('0.00'),
            Total: num(c.Total),
            CurrencyCode: c.CurrencyCode,
            RemainingCredit: num(c.Allocations.reduce((left, a) => sub(left, a.Amount), c.Total)),
            UpdatedDateUTC: msDate(c.UpdatedDateUTC),
            Allocations: c.Allocations.map((a) => ({
              AllocationID: a.AllocationID,
              Amount: num(a.Amount),
              Date: msDate(a.Date),
              Invoice: { InvoiceID: a.InvoiceID, InvoiceNumber: invoices.get(a.InvoiceID)?.InvoiceNumber },
            })),
          })),
        });
      }
      // paths./Contacts.get; components.schemas.Contact (ContactID, Name ≤ 255, EmailAddress, IsCustomer, UpdatedDateUTC).
      if (resource === 'Contacts') {
        const { items, pagination } = paginate(modifiedSince([...contacts.values()], req), q);
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          DateTimeUTC: msDate(now),
          pagination,
          Contacts: items.map((c) => ({
            ContactID: c.ContactID,
            ContactStatus: 'ACTIVE',
            Name: c.Name,
            EmailAddress: c.EmailAddress,
            IsSupplier: false,
            IsCustomer: c.IsCustomer,
            UpdatedDateUTC: msDate(c.UpdatedDateUTC),
            Addresses: [],
            Phones: [],
          })),
        });
      }
      // paths./Payments.get; components.schemas.Payment (PaymentType ACCRECPAYMENT for a sales invoice, Status
      // AUTHORISED or DELETED, Invoice: the invoice it pays).
      if (resource === 'Payments') {
        const { items, pagination } = paginate(modifiedSince([...payments.values()], req), q);
        return send(200, {
          Id: randomUUID(),
          Status: 'OK',
          DateTimeUTC: msDate(now),
          pagination,
          Payments: items.map((p) => ({
            PaymentID: p.PaymentID,
            Date: msDate(p.Date),
            Amount: num(p.Amount),
            Reference: p.Reference,
            Status: p.Status,
            PaymentType: invoices.get(p.InvoiceID)?.Type === 'ACCPAY' ? 'ACCPAYPAYMENT' : 'ACCRECPAYMENT',
            IsReconciled: true,
            UpdatedDateUTC: msDate(p.UpdatedDateUTC),
            BankAmount: num(p.Amount),
            CurrencyRate: num('1.000000'),
            Invoice: {
              Type: invoices.get(p.InvoiceID)?.Type ?? 'ACCREC',
              InvoiceID: p.InvoiceID,
              InvoiceNumber: invoices.get(p.InvoiceID)?.InvoiceNumber,
              CurrencyCode: invoices.get(p.InvoiceID)?.CurrencyCode,
            },
          })),
        });
      }
      return send(404, { Message: 'fake: no such resource' });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const call: FakeXeroCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        'if-modified-since': req.headers['if-modified-since'],
        'xero-tenant-id': req.headers['xero-tenant-id'] as string | undefined,
        'idempotency-key': req.headers['idempotency-key'] as string | undefined,
      },
      status: 0,
    };
    calls.push(call);
    handle(req, res, call).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  // Keep idle connections longer than a slow test takes between pages, so the client never reuses a closing one.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    tenant,
    calls: (path) => (path ? calls.filter((c) => c.path === path) : [...calls]),
    async approve(authorizeUrl) {
      const res = await fetch(authorizeUrl, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location)
        throw new Error(`the fake Xero refused to authorize: ${res.status} ${await res.text()}`);
      return location;
    },
    addContact({ name, email = '', isCustomer = true }) {
      const id = randomUUID();
      contacts.set(id, {
        ContactID: id,
        Name: name,
        EmailAddress: email,
        IsCustomer: isCustomer,
        UpdatedDateUTC: stamp(),
      });
      return id;
    },
    addInvoice(i) {
      const id = randomUUID();
      const date = i.Date ?? '2026-11-01';
      invoices.set(id, {
        InvoiceID: id,
        Type: i.Type ?? 'ACCREC',
        InvoiceNumber: i.InvoiceNumber,
        ContactID: i.ContactID,
        CurrencyCode: i.CurrencyCode ?? 'USD',
        Total: i.Total,
        Date: date,
        DueDate: i.DueDate ?? date,
        Status: i.Status ?? 'AUTHORISED',
        UpdatedDateUTC: i.UpdatedDateUTC ?? stamp(),
        ...(i.CurrencyRate ? { CurrencyRate: i.CurrencyRate } : {}),
      });
      return id;
    },
    pay: (invoiceId, p) => addPayment(invoiceId, p),
    setStatus(invoiceId, status) {
      const invoice = invoices.get(invoiceId);
      if (!invoice) throw new Error(`no invoice ${invoiceId}`);
      invoice.Status = status;
      invoice.UpdatedDateUTC = stamp();
    },
    deletePayment(paymentId) {
      const payment = payments.get(paymentId);
      if (!payment) throw new Error(`no payment ${paymentId}`);
      const at = stamp();
      payment.Status = 'DELETED';
      payment.UpdatedDateUTC = at;
      const invoice = invoices.get(payment.InvoiceID);
      if (invoice) {
        if (invoice.Status === 'PAID') invoice.Status = 'AUTHORISED';
        invoice.UpdatedDateUTC = at;
      }
    },
    addCreditNote(c) {
      const id = randomUUID();
      const at = stamp();
      const allocations = c.allocations.map((a) => ({
        AllocationID: randomUUID(),
        InvoiceID: a.invoiceId,
        Amount: a.amount,
        Date: a.date ?? c.date,
      }));
      creditNotes.set(id, {
        CreditNoteID: id,
        CreditNoteNumber: c.number,
        ContactID: c.contactId,
        CurrencyCode: c.currency ?? 'USD',
        Total: allocations.reduce((sum, a) => sub(sum, `-${a.Amount}`), '0'),
        Date: c.date,
        Status: c.status ?? 'PAID',
        Reference: c.reference ?? '',
        Allocations: allocations,
        UpdatedDateUTC: at,
      });
      for (const a of allocations) {
        const invoice = invoices.get(a.InvoiceID);
        if (!invoice) throw new Error(`no invoice ${a.InvoiceID}`);
        const paid = [...payments.values()]
          .filter((x) => x.InvoiceID === a.InvoiceID && x.Status === 'AUTHORISED')
          .reduce((sum, x) => sub(sum, `-${x.Amount}`), '0');
        if (/^0(\.0+)?$/.test(sub(sub(invoice.Total, paid), creditedOn(a.InvoiceID)))) invoice.Status = 'PAID';
        invoice.UpdatedDateUTC = at;
      }
      return id;
    },
    voidCreditNote(creditNoteId) {
      const note = creditNotes.get(creditNoteId);
      if (!note) throw new Error(`no credit note ${creditNoteId}`);
      const at = stamp();
      note.Status = 'VOIDED';
      note.UpdatedDateUTC = at;
      for (const a of note.Allocations) {
        const invoice = invoices.get(a.InvoiceID);
        if (!invoice) continue;
        if (invoice.Status === 'PAID') invoice.Status = 'AUTHORISED';
        invoice.UpdatedDateUTC = at;
      }
    },
    creditNoteAllocations(creditNoteId) {
      const note = creditNotes.get(creditNoteId);
      if (!note) throw new Error(`no credit note ${creditNoteId}`);
      return note.Allocations.map((a) => ({ AllocationID: a.AllocationID, InvoiceID: a.InvoiceID, Amount: a.Amount }));
    },
    deleteCreditNoteAllocation(creditNoteId, allocationId) {
      const note = creditNotes.get(creditNoteId);
      const allocation = note?.Allocations.find((a) => a.AllocationID === allocationId);
      if (!note || !allocation || note.Status === 'VOIDED') throw new Error(`no allocation ${allocationId}`);
      const at = stamp();
      note.Allocations = note.Allocations.filter((a) => a !== allocation);
      note.Status = 'AUTHORISED';
      note.UpdatedDateUTC = at;
      const invoice = invoices.get(allocation.InvoiceID);
      if (invoice) {
        if (invoice.Status === 'PAID') invoice.Status = 'AUTHORISED';
        invoice.UpdatedDateUTC = at;
      }
    },
    receiveAdvance(a) {
      const id = randomUUID();
      advances.set(id, {
        ID: id,
        kind: a.kind,
        ContactID: a.contactId,
        CurrencyCode: 'USD',
        Total: a.total,
        Date: a.date,
        Status: 'AUTHORISED',
        Reference: a.reference ?? '',
        Allocations: [],
        UpdatedDateUTC: stamp(),
      });
      return id;
    },
    allocateAdvance(advanceId, a) {
      const advance = advances.get(advanceId);
      const invoice = invoices.get(a.invoiceId);
      if (!advance || !invoice) throw new Error(`no ${advance ? `invoice ${a.invoiceId}` : `advance ${advanceId}`}`);
      const remaining = advance.Allocations.reduce((sum, x) => sub(sum, x.Amount), advance.Total);
      const paid = [...payments.values()]
        .filter((x) => x.InvoiceID === a.invoiceId && x.Status === 'AUTHORISED')
        .reduce((sum, x) => sub(sum, `-${x.Amount}`), '0');
      const due = sub(sub(invoice.Total, paid), creditedOn(a.invoiceId));
      if (sub(remaining, a.amount).startsWith('-') || sub(due, a.amount).startsWith('-'))
        throw new Error('the allocation is more than the credit left or the amount due');
      const at = stamp();
      const allocationId = randomUUID();
      advance.Allocations.push({ AllocationID: allocationId, InvoiceID: a.invoiceId, Amount: a.amount, Date: a.date });
      if (/^0(\.0+)?$/.test(sub(remaining, a.amount))) advance.Status = 'PAID';
      advance.UpdatedDateUTC = at;
      if (/^0(\.0+)?$/.test(sub(due, a.amount))) invoice.Status = 'PAID';
      invoice.UpdatedDateUTC = at;
      return allocationId;
    },
    deleteAdvanceAllocation(advanceId, allocationId) {
      const deleted = deleteAllocation(advanceId, allocationId);
      if (!deleted) throw new Error(`no allocation ${allocationId} of ${advanceId}`);
      return deleted;
    },
    voidAdvance(advanceId) {
      const advance = advances.get(advanceId);
      if (!advance) throw new Error(`no advance ${advanceId}`);
      const at = stamp();
      advance.Status = 'VOIDED';
      advance.UpdatedDateUTC = at;
      for (const x of advance.Allocations) reopen(x.InvoiceID, at);
    },
    invoice(invoiceId) {
      const invoice = invoices.get(invoiceId);
      if (!invoice) throw new Error(`no invoice ${invoiceId}`);
      return invoice;
    },
    addTenant(name) {
      const id = randomUUID();
      otherTenants.push({ id, name });
      connectionIds.set(id, randomUUID());
      return id;
    },
    addAccount(a) {
      const id = randomUUID();
      accounts.set(id, {
        AccountID: id,
        Code: a.Code,
        Name: a.Name,
        Type: a.Type ?? 'BANK',
        Status: a.Status ?? 'ACTIVE',
        EnablePaymentsToAccount: a.EnablePaymentsToAccount ?? false,
        CurrencyCode: a.CurrencyCode ?? 'USD',
      });
      return id;
    },
    setAccountStatus(accountId, status) {
      const account = accounts.get(accountId);
      if (!account) throw new Error(`no account ${accountId}`);
      account.Status = status;
    },
    payments: (invoiceId) => [...payments.values()].filter((p) => !invoiceId || p.InvoiceID === invoiceId),
    dropNextPaymentAnswer() {
      dropPaymentAnswer = true;
    },
    rateLimitNext(times, seconds, problem = 'minute') {
      rateLimited = { times, seconds, problem };
    },
    limitStats: () => ({
      counted: counted.length,
      refused: { ...refused },
      mostAtOnce,
      dayRemaining: dayRemaining(),
    }),
    revokeConsent() {
      refreshTokens.clear();
      rotated.clear();
      accessTokens.clear();
    },
    expireAccessTokens() {
      for (const token of accessTokens.values()) token.expiresAt = 0;
    },
    setNow(at) {
      now = new Date(at);
      seq = 0;
    },
    refreshTokensIssued: () => issuedRefresh,
    reset() {
      calls.length = 0;
      for (const map of [
        contacts,
        invoices,
        payments,
        creditNotes,
        advances,
        codes,
        accessTokens,
        accounts,
        idempotent,
        granted,
      ])
        map.clear();
      dropPaymentAnswer = false;
      refreshTokens.clear();
      otherTenants.length = 0;
      removed.clear();
      rotated.clear();
      issuedRefresh = 0;
      rateLimited = { times: 0, seconds: 0, problem: 'minute' };
      counted.length = 0;
      for (const k of Object.keys(refused) as RateLimitProblem[]) refused[k] = 0;
      mostAtOnce = 0;
      seq = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
