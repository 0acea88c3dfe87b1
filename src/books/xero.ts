// Xero as a ledger provider: OAuth 2.0 (login.xero.com authorize, identity.xero.com token and revocation,
// api.xero.com/connections for the organisations) and the Accounting API's Contacts, Invoices and Payments, read
// with paging (100 a page), If-Modified-Since and the xero-tenant-id header. Shapes from XeroAPI/Xero-OpenAPI
// (xero_accounting.yaml, xero-identity.yaml). Every payload is checked with zod; numbers arrive as their decimal
// text (parseJsonExact), so no amount ever passes through a float.
//
// Plain fetch rather than xero-node: the SDK brings axios, openid-client and a generated client of every Xero
// API to do four GETs and two form POSTs; it parses amounts as JS numbers (floats); and it cannot be pointed at a
// local contract fake host by host, nor limited to the configured hosts.
import { z } from 'zod';
import type { XeroSettings } from '../config.js';
import type { Http, Limiter } from './http.js';
import {
  type Auth,
  type InvoiceQuery,
  type LedgerAccount,
  type LedgerContact,
  type LedgerCreditNote,
  type LedgerInvoice,
  type LedgerInvoiceStatus,
  type LedgerPayment,
  type LedgerProvider,
  type NewLedgerPayment,
  type Page,
  ProviderError,
  type Tenant,
  type TokenSet,
} from './provider.js';
import { addDecimal, msDateToLocalDate, parseJsonExact, parseMsDate } from './values.js';

/**
 * Read-only, and only what the sync reads: invoices, payments, contacts; offline_access for a refresh token.
 * Xero's granular scopes: apps made since 2 March 2026 cannot ask for the broad accounting.transactions.read,
 * and older apps must move to these by September 2027.
 */
export const XERO_SCOPES = 'offline_access accounting.invoices.read accounting.payments.read accounting.contacts.read';
/**
 * Posting payments (asked only when a finance admin turns it on; Xero adds scopes to the existing consent): creating
 * payments, and reading the chart of accounts they are paid into.
 */
export const XERO_PAYMENT_SCOPES = `${XERO_SCOPES} accounting.payments accounting.settings.read`;
/**
 * xero_accounting.yaml: `page` returns "up to 100" (paths./Invoices.get, /Contacts.get, /Payments.get); we send
 * `pageSize=100` too. Not `summaryOnly`: it leaves out "computation-heavy fields" it does not name, and the sync
 * needs each invoice's Payments and AmountPaid.
 */
export const XERO_PAGE_SIZE = 100;

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number');
const msDate = z.string().refine((v) => parseMsDate(v) !== undefined, 'must be a /Date(…)/ value');
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.union([z.string().regex(/^\d+$/), z.number()]).transform(Number),
  token_type: z.string().optional(),
});

const connectionsAnswer = z.array(
  z.object({
    id: z.string().nullish(),
    tenantId: z.string().min(1),
    tenantName: z.string().nullish(),
    tenantType: z.string().nullish(),
  }),
);

const pagination = z
  .object({
    page: z.coerce.number(),
    pageSize: z.coerce.number(),
    pageCount: z.coerce.number(),
    itemCount: z.coerce.number(),
  })
  .partial()
  .optional();

const xeroPayment = z.object({
  PaymentID: z.string(),
  Date: msDate,
  Amount: decimal,
  Reference: optionalText,
  Status: z.string().optional(),
  PaymentType: z.string().optional(),
  Invoice: z.object({ InvoiceID: z.string() }).optional(),
});

/**
 * A prepayment or overpayment as an invoice lists those allocated to it (components.schemas.Invoice.Prepayments,
 * .Overpayments; Prepayment/Overpayment.AppliedAmount, "the amount of applied to an invoice").
 */
const xeroAdvance = z.object({
  PrepaymentID: z.string().optional(),
  OverpaymentID: z.string().optional(),
  Date: msDate.nullish(),
  Status: z.string().nullish(),
  Reference: optionalText,
  AppliedAmount: decimal.nullish(),
});

const xeroInvoice = z.object({
  Type: z.string(),
  InvoiceID: z.string(),
  InvoiceNumber: optionalText,
  Contact: z.object({ ContactID: z.string(), Name: z.string().nullish(), EmailAddress: optionalText }),
  CurrencyCode: z.string(),
  Total: decimal,
  AmountPaid: decimal.optional(),
  Date: msDate.nullish(),
  DueDate: msDate.nullish(),
  Status: z.string(),
  UpdatedDateUTC: msDate,
  /** components.schemas.Invoice.CurrencyRate: units of the invoice's currency for one of the base currency. */
  CurrencyRate: decimal.nullish(),
  Payments: z.array(xeroPayment).optional(),
  Prepayments: z.array(xeroAdvance).nullish(),
  Overpayments: z.array(xeroAdvance).nullish(),
});

const xeroContact = z.object({
  ContactID: z.string(),
  Name: z.string().nullish(),
  EmailAddress: optionalText,
  IsCustomer: z.union([z.boolean(), z.string()]).optional(),
  UpdatedDateUTC: msDate.optional(),
});

const xeroAccount = z.object({
  AccountID: z.string().min(1),
  Code: optionalText,
  Name: z.string().nullish(),
  Type: z.string().nullish(),
  Status: z.string().nullish(),
  EnablePaymentsToAccount: z.union([z.boolean(), z.string()]).nullish(),
  CurrencyCode: z.string().nullish(),
});

const createdPayments = z.object({
  Payments: z
    .array(
      z.object({
        PaymentID: z.string().min(1),
        HasValidationErrors: z.union([z.boolean(), z.string()]).optional(),
        ValidationErrors: z.array(z.object({ Message: z.string().nullish() })).optional(),
      }),
    )
    .min(1),
});

/** Xero's 400: { Type: 'ValidationException', Elements: [{ ValidationErrors: [{ Message }] }] }. */
const validationError = z.object({
  Type: z.string().nullish(),
  Message: z.string().nullish(),
  Detail: z.string().nullish(),
  Elements: z
    .array(z.object({ ValidationErrors: z.array(z.object({ Message: z.string().nullish() })).nullish() }))
    .nullish(),
});

const xeroCreditNote = z.object({
  Type: z.string(),
  CreditNoteID: z.string(),
  CreditNoteNumber: optionalText,
  CurrencyCode: z.string(),
  Date: msDate.nullish(),
  Status: z.string(),
  Reference: optionalText,
  UpdatedDateUTC: msDate,
  Allocations: z
    .array(z.object({ Amount: decimal, Date: msDate.nullish(), Invoice: z.object({ InvoiceID: z.string() }) }))
    .optional(),
});

const STATUS: Record<string, LedgerInvoiceStatus> = {
  DRAFT: 'draft',
  SUBMITTED: 'draft',
  AUTHORISED: 'sent',
  PAID: 'paid',
  VOIDED: 'void',
  DELETED: 'void',
};

export interface XeroProviderOptions {
  settings: XeroSettings;
  http: Http;
  /** The limiter of the organisation a call is for (Xero's limits are per organisation). */
  limiterFor: (tenantId: string) => Limiter;
  /** When tokens are received (their expiry counts from it). */
  now: () => Date;
}

export function xeroProvider(options: XeroProviderOptions): LedgerProvider {
  const { settings, http } = options;
  const basic = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;

  async function tokenCall(form: Record<string, string>): Promise<TokenSet> {
    const answer = await http(`${settings.identityUrl}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    });
    if (answer.status === 400 || answer.status === 401) {
      const error = safeJson(answer.text) as { error?: string } | undefined;
      if (error?.error === 'invalid_grant') {
        throw new ProviderError(
          'INVALID_GRANT',
          'Xero no longer accepts this connection (consent revoked or expired).',
        );
      }
      throw new ProviderError('UNAUTHORIZED', `Xero refused the token request (${error?.error ?? answer.status}).`);
    }
    const body = expectOk(answer, tokenAnswer, 'token');
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: new Date(options.now().getTime() + body.expires_in * 1000),
    };
  }

  async function get<S extends z.ZodType>(
    auth: Auth,
    path: string,
    query: Record<string, string>,
    since: Date | undefined,
    schema: S,
  ): Promise<z.output<S>> {
    const url = new URL(`${settings.apiUrl}/api.xro/2.0/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      authorization: `Bearer ${auth.accessToken}`,
      'xero-tenant-id': auth.tenantId,
      accept: 'application/json',
    };
    if (since) headers['if-modified-since'] = since.toISOString();
    const answer = await options.limiterFor(auth.tenantId).run(() => http(url.toString(), { method: 'GET', headers }));
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderError('UNAUTHORIZED', `Xero refused the access token (${answer.status}).`);
    }
    return expectOk(answer, schema, path);
  }

  const paged = (query: Record<string, string>, page: number) => ({
    ...query,
    page: String(page),
    pageSize: String(XERO_PAGE_SIZE),
    order: 'UpdatedDateUTC ASC',
  });

  function pageOf<T>(items: T[], page: number, raw: z.output<typeof pagination>, received: number): Page<T> {
    const more = raw?.pageCount !== undefined ? page < raw.pageCount : received >= XERO_PAGE_SIZE;
    return { items, page, more, total: raw?.itemCount };
  }

  /** A PUT of JSON text (already written with its amounts as exact decimals) with an Idempotency-Key. */
  async function put(auth: Auth, path: string, body: string, idempotencyKey: string) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${auth.accessToken}`,
      'xero-tenant-id': auth.tenantId,
      accept: 'application/json',
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    };
    const url = `${settings.apiUrl}/api.xro/2.0/${path}`;
    const answer = await options.limiterFor(auth.tenantId).run(() => http(url, { method: 'PUT', headers, body }));
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderError(
        'UNAUTHORIZED',
        `Xero refused the access (${answer.status}): a finance admin allows posting payments with /invoice connect xero payments.`,
      );
    }
    if (answer.status === 400 || answer.status === 404) {
      throw new ProviderError('REJECTED', `Xero refused it: ${refusalOf(answer.text, answer.status)}`);
    }
    return answer;
  }

  return {
    id: 'xero',
    label: 'Xero',
    authorizeUrl({ state, codeChallenge, redirectUri, withPayments }) {
      const url = new URL(`${settings.loginUrl}/identity/connect/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        scope: withPayments ? XERO_PAYMENT_SCOPES : XERO_SCOPES,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },
    exchangeCode: ({ code, redirectUri, codeVerifier }) =>
      tokenCall({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier }),
    refresh: (refreshToken) => tokenCall({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async revoke(refreshToken) {
      const answer = await http(`${settings.identityUrl}/connect/revocation`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshToken }).toString(),
      });
      // A token Xero no longer knows is as revoked as it gets.
      if (answer.status !== 200 && answer.status !== 400) {
        throw new ProviderError('UNAVAILABLE', `Xero did not revoke the connection (${answer.status}).`);
      }
    },
    async listTenants(accessToken) {
      // xero-identity.yaml paths./Connections (Xero's OAuth guide writes /connections; the path is the same to Xero).
      const answer = await http(`${settings.apiUrl}/connections`, {
        method: 'GET',
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      });
      const rows = expectOk(answer, connectionsAnswer, 'connections');
      return rows
        .filter((r) => !r.tenantType || r.tenantType === 'ORGANISATION')
        .map(
          (r): Tenant => ({
            id: r.tenantId,
            name: r.tenantName?.trim() || r.tenantId,
            ...(r.id ? { connectionId: r.id } : {}),
          }),
        );
    },
    // DELETE /Connections/{id} (xero-identity.yaml): 204, or 404 when it is gone already.
    async forgetTenant(accessToken, tenant) {
      if (!tenant.connectionId) return;
      const answer = await http(`${settings.apiUrl}/connections/${encodeURIComponent(tenant.connectionId)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${accessToken}` },
      });
      if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) {
        throw new ProviderError('UNAVAILABLE', `Xero did not remove the organisation's connection (${answer.status}).`);
      }
    },
    async listContactsSince(auth, since, page) {
      const body = await get(
        auth,
        'Contacts',
        paged({}, page),
        since,
        z.object({ Contacts: z.array(xeroContact), pagination }),
      );
      const items = body.Contacts.map(
        (c): LedgerContact => ({
          externalId: c.ContactID,
          name: c.Name?.trim() || `Xero contact ${c.ContactID.slice(0, 8)}`,
          email: c.EmailAddress,
          isCustomer: c.IsCustomer === true || c.IsCustomer === 'true',
          updatedAt: c.UpdatedDateUTC ? parseMsDate(c.UpdatedDateUTC) : undefined,
        }),
      );
      return pageOf(items, page, body.pagination, body.Contacts.length);
    },
    async listInvoicesSince(auth, query: InvoiceQuery) {
      const filter: Record<string, string> = { where: 'Type=="ACCREC"' };
      if (query.only === 'open') filter.Statuses = 'DRAFT,SUBMITTED,AUTHORISED';
      if (query.only === 'paid') filter.Statuses = 'PAID';
      const body = await get(
        auth,
        'Invoices',
        paged(filter, query.page),
        query.since,
        z.object({ Invoices: z.array(xeroInvoice), pagination }),
      );
      const items = body.Invoices.filter((i) => i.Type === 'ACCREC').map(toInvoice);
      return pageOf(items, query.page, body.pagination, body.Invoices.length);
    },
    async listPaymentsSince(auth, since, page) {
      const body = await get(
        auth,
        'Payments',
        paged({}, page),
        since,
        z.object({ Payments: z.array(xeroPayment), pagination }),
      );
      const items = body.Payments.filter((p) => !p.PaymentType || p.PaymentType === 'ACCRECPAYMENT').flatMap((p) =>
        p.Invoice ? [toPayment(p, p.Invoice.InvoiceID)] : [],
      );
      return pageOf(items, page, body.pagination, body.Payments.length);
    },
    async listPaymentAccounts(auth) {
      let body: { Accounts: z.output<typeof xeroAccount>[] };
      try {
        body = await get(
          auth,
          'Accounts',
          { where: 'Status=="ACTIVE"' },
          undefined,
          z.object({ Accounts: z.array(xeroAccount) }),
        );
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'UNAUTHORIZED') {
          throw new ProviderError(
            'UNAUTHORIZED',
            'Xero has not allowed this app to read the chart of accounts and post payments yet.',
          );
        }
        throw error;
      }
      return body.Accounts.filter(
        (a) =>
          (a.Status ?? 'ACTIVE') === 'ACTIVE' &&
          (a.Type === 'BANK' || a.EnablePaymentsToAccount === true || a.EnablePaymentsToAccount === 'true'),
      ).map(
        (a): LedgerAccount => ({
          externalId: a.AccountID,
          code: a.Code,
          name: a.Name?.trim() || a.Code || `Xero account ${a.AccountID.slice(0, 8)}`,
          type: a.Type ?? 'BANK',
          currency: a.CurrencyCode?.toUpperCase() ?? null,
        }),
      );
    },
    async createPayment(auth, payment: NewLedgerPayment) {
      if (!/^\d+(\.\d+)?$/.test(payment.amount)) {
        throw new ProviderError('REJECTED', `"${payment.amount}" is not an amount to post.`);
      }
      // The amount goes as a JSON number written from its exact decimal text (JSON.stringify would need a float).
      const marker = '"@@AMOUNT@@"';
      const body = JSON.stringify({
        Payments: [
          {
            Invoice: { InvoiceID: payment.invoiceExternalId },
            Account: { AccountID: payment.accountExternalId },
            Date: payment.date,
            Amount: '@@AMOUNT@@',
            Reference: payment.reference,
          },
        ],
      }).replace(marker, payment.amount);
      const answer = await put(auth, 'Payments', body, payment.idempotencyKey);
      const created = expectOk(answer, createdPayments, 'Payments');
      const first = created.Payments[0] as z.output<typeof createdPayments>['Payments'][number];
      const problems = (first.ValidationErrors ?? []).map((e) => e.Message).filter((m): m is string => Boolean(m));
      if (first.HasValidationErrors === true || first.HasValidationErrors === 'true' || problems.length > 0) {
        throw new ProviderError('REJECTED', `Xero refused it: ${problems.join('; ') || 'a validation error'}`);
      }
      return { externalId: first.PaymentID };
    },
    /**
     * The organisation's base currency (GET /Organisation, Organisation.BaseCurrency), which needs
     * accounting.settings.read: the consent to post payments has it, the read-only one does not; without it (401 or
     * 403) null, and no rates are read from Xero.
     */
    async homeCurrency(auth) {
      try {
        const body = await get(
          auth,
          'Organisation',
          {},
          undefined,
          z.object({ Organisations: z.array(z.object({ BaseCurrency: z.string().regex(/^[A-Za-z]{3}$/) })).min(1) }),
        );
        return body.Organisations[0]?.BaseCurrency.toUpperCase() ?? null;
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'UNAUTHORIZED') return null;
        throw error;
      }
    },
    async listCreditNotesSince(auth, since, page) {
      const body = await get(
        auth,
        'CreditNotes',
        paged({ where: 'Type=="ACCRECCREDIT"' }, page),
        since,
        z.object({ CreditNotes: z.array(xeroCreditNote), pagination }),
      );
      // Drafts are not credits yet: they are taken once authorised.
      const items = body.CreditNotes.filter(
        (c) => c.Type === 'ACCRECCREDIT' && c.Status !== 'DRAFT' && c.Status !== 'SUBMITTED',
      ).map(
        (c): LedgerCreditNote => ({
          externalId: c.CreditNoteID,
          number: c.CreditNoteNumber,
          currency: c.CurrencyCode.toUpperCase(),
          date: c.Date ? (msDateToLocalDate(c.Date) ?? null) : null,
          status: c.Status === 'VOIDED' || c.Status === 'DELETED' ? 'void' : 'open',
          reference: c.Reference,
          updatedAt: parseMsDate(c.UpdatedDateUTC) as Date,
          allocations: (c.Allocations ?? []).map((a) => ({
            invoiceExternalId: a.Invoice.InvoiceID,
            amount: a.Amount,
            date: a.Date ? (msDateToLocalDate(a.Date) ?? null) : null,
          })),
        }),
      );
      return pageOf(items, page, body.pagination, body.CreditNotes.length);
    },
  };
}

/** What Xero said was wrong, from its 400/404 body, in at most a few hundred characters. */
function refusalOf(text: string, status: number): string {
  const parsed = validationError.safeParse(safeJson(text));
  if (!parsed.success) return `HTTP ${status}`;
  const messages = (parsed.data.Elements ?? [])
    .flatMap((e) => e.ValidationErrors ?? [])
    .map((e) => e.Message?.trim())
    .filter((m): m is string => Boolean(m));
  const said =
    messages.length > 0 ? messages.join('; ') : (parsed.data.Detail ?? parsed.data.Message ?? `HTTP ${status}`);
  return said.slice(0, 400);
}

function toPayment(p: z.output<typeof xeroPayment>, invoiceId: string): LedgerPayment {
  return {
    externalId: p.PaymentID,
    invoiceExternalId: invoiceId,
    date: msDateToLocalDate(p.Date) as string,
    amount: p.Amount,
    reference: p.Reference,
    deleted: p.Status === 'DELETED',
  };
}

/**
 * A prepayment or overpayment allocated to the invoice is money the client paid ahead (or beyond) and Xero set
 * against it: a payment here (`<prepayment or overpayment id>:<invoice id>`), dated when the money came, not a
 * credit note (nothing was forgiven). Xero counts it in AmountCredited, not AmountPaid.
 */
function advancesOf(i: z.output<typeof xeroInvoice>): LedgerPayment[] {
  const advances = [
    ...(i.Prepayments ?? []).map((a) => ({ id: a.PrepaymentID, word: 'prepayment', a })),
    ...(i.Overpayments ?? []).map((a) => ({ id: a.OverpaymentID, word: 'overpayment', a })),
  ];
  return advances.flatMap(({ id, word, a }) => {
    const date = a.Date ? msDateToLocalDate(a.Date) : undefined;
    if (!id || !date || !a.AppliedAmount || /^-?0*(\.0*)?$/.test(a.AppliedAmount)) return [];
    return [
      {
        externalId: `${id}:${i.InvoiceID}`,
        invoiceExternalId: i.InvoiceID,
        date,
        amount: a.AppliedAmount,
        reference: a.Reference ? `${word} ${a.Reference}` : word,
        deleted: a.Status === 'VOIDED' || a.Status === 'DELETED',
        followsAmount: true,
      },
    ];
  });
}

function toInvoice(i: z.output<typeof xeroInvoice>): LedgerInvoice {
  const status = STATUS[i.Status];
  if (!status) throw new ProviderError('BAD_RESPONSE', `Xero sent invoice status ${i.Status}, which we do not know.`);
  const advances = advancesOf(i).filter((a) => !a.deleted);
  const amountPaid = advances.reduce((sum, a) => addDecimal(sum, a.amount), i.AmountPaid ?? '0');
  return {
    externalId: i.InvoiceID,
    number: i.InvoiceNumber,
    contact: {
      externalId: i.Contact.ContactID,
      name: i.Contact.Name?.trim() || `Xero contact ${i.Contact.ContactID.slice(0, 8)}`,
      email: i.Contact.EmailAddress,
    },
    currency: i.CurrencyCode.toUpperCase(),
    total: i.Total,
    amountPaid,
    issueDate: i.Date ? (msDateToLocalDate(i.Date) ?? null) : null,
    dueDate: i.DueDate ? (msDateToLocalDate(i.DueDate) ?? null) : null,
    status,
    ledgerStatus: i.Status,
    updatedAt: parseMsDate(i.UpdatedDateUTC) as Date,
    payments: [...(i.Payments ?? []).map((p) => toPayment(p, i.InvoiceID)), ...advances].sort((a, b) =>
      a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
    ),
    // The invoice lists its prepayments and overpayments in force (Invoice.Prepayments, .Overpayments): an
    // allocation deleted (DELETE /Prepayments/{id}/Allocations/{AllocationID}) or an advance voided is not among them.
    listsAdvances: true,
    // CurrencyRate is invoice-currency units per base unit (0.92 EUR for 1 USD): the base units per one invoice unit
    // are its inverse, kept as '1/0.92' so that no division rounds it.
    ...(i.CurrencyRate && !/^-?0*(\.0*)?$/.test(i.CurrencyRate) && !i.CurrencyRate.startsWith('-')
      ? { homeRate: `1/${i.CurrencyRate}` }
      : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}

function expectOk<S extends z.ZodType>(answer: { status: number; text: string }, schema: S, what: string): z.output<S> {
  if (answer.status >= 500) throw new ProviderError('UNAVAILABLE', `Xero answered ${answer.status} for ${what}.`);
  if (answer.status !== 200) throw new ProviderError('BAD_RESPONSE', `Xero answered ${answer.status} for ${what}.`);
  const parsed = schema.safeParse(safeJson(answer.text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      'BAD_RESPONSE',
      `Xero's ${what} answer is not what we expect (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unreadable'}).`,
    );
  }
  return parsed.data;
}
