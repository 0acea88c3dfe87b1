// QuickBooks Online as a ledger provider: Intuit's OAuth 2.0 (appcenter.intuit.com authorize, the tokens/bearer
// endpoint with HTTP Basic client auth and a refresh token that rotates, the v2 revoke endpoint), the company named
// by the callback's realmId (its name from CompanyInfo), and the Accounting API v3: Customer, Invoice and Payment
// read with the query language (STARTPOSITION/MAXRESULTS paging, count(*) for progress) and, after the first sync,
// with Change Data Capture (/cdc, which also returns deletions, and looks back at most 30 days); with posting
// payments on, a payment recorded in Slack is created (POST /payment, idempotent by requestid) into a Bank or
// Undeposited Funds account. Every payload is
// checked with zod; numbers arrive as their decimal text (parseJsonExact), so no amount passes through a float.
//
// Plain fetch rather than intuit-oauth or node-quickbooks: intuit-oauth brings axios, winston, a JWT stack and
// csrf tokens for a form POST and a JSON POST; node-quickbooks brings request-style callbacks and parses amounts
// as JS numbers. Neither can be pointed host by host at a local contract fake, limited to the configured hosts, or
// run inside our per-company limiter.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { QuickBooksSettings } from '../config.js';
import type { LocalDate } from '../domain/dates.js';
import type { Http, HttpAnswer, Limiter } from './http.js';
import {
  type Auth,
  type InvoiceQuery,
  type LedgerAccount,
  type LedgerContact,
  type LedgerCreditNote,
  type LedgerInvoice,
  type LedgerPayment,
  type LedgerProvider,
  type LedgerRateQuote,
  type NewLedgerPayment,
  type Page,
  ProviderError,
  type Tenant,
  type TokenSet,
} from './provider.js';
import { addDecimal, compareDecimal, parseJsonExact, subDecimal } from './values.js';

/**
 * Read and write of the books is the only accounting scope Intuit has; this app reads, and writes only payments
 * recorded in Slack when a finance admin turns posting payments on.
 */
export const QUICKBOOKS_SCOPE = 'com.intuit.quickbooks.accounting';
/** Intuit retired minor versions 1–74 in August 2025; 75 is the oldest served. */
export const QUICKBOOKS_MINOR_VERSION = '75';
export const QUICKBOOKS_PAGE_SIZE = 100;
/** CDC answers for changes in the last 30 days; a cursor older than this (a day's margin) reads with queries. */
export const CDC_LOOKBACK_MS = 29 * 86_400_000;
/** CDC returns at most 1,000 objects: an answer that full may be cut short, so it is read again with queries. */
export const CDC_MAX_OBJECTS = 1000;

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date');
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date and time');
const id = z.string().min(1).max(64);
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));
const meta = z.object({ LastUpdatedTime: instant });

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.union([z.string().regex(/^\d+$/), z.number()]).transform(Number),
  x_refresh_token_expires_in: z.union([z.string(), z.number()]).optional(),
  token_type: z.string().optional(),
});

const preferencesAnswer = z.object({
  Preferences: z.object({
    CurrencyPrefs: z.object({ HomeCurrency: z.object({ value: z.string().nullish() }).nullish() }).nullish(),
  }),
});

const exchangeRateAnswer = z.object({
  ExchangeRate: z.object({
    SourceCurrencyCode: z.string(),
    Rate: z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal'),
    AsOfDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date'),
  }),
});

const companyInfo = z.object({
  CompanyInfo: z.object({ CompanyName: z.string().nullish(), LegalName: z.string().nullish() }),
});

const qboCustomer = z.object({
  Id: id,
  DisplayName: z.string().nullish(),
  PrimaryEmailAddr: z.object({ Address: optionalText }).nullish(),
  MetaData: meta.optional(),
});

const linked = z.object({ TxnId: id, TxnType: z.string() });

const qboInvoice = z.object({
  Id: id,
  DocNumber: optionalText,
  CustomerRef: z.object({ value: id, name: z.string().nullish() }),
  CurrencyRef: z.object({ value: z.string().regex(/^[A-Za-z]{3}$/, 'must be a currency code') }),
  TotalAmt: decimal,
  Balance: decimal,
  TxnDate: day.nullish(),
  DueDate: day.nullish(),
  PrivateNote: z.string().nullish(),
  EmailStatus: z.string().nullish(),
  BillEmail: z.object({ Address: optionalText }).nullish(),
  LinkedTxn: z.array(linked).nullish(),
  MetaData: meta,
});

const qboPayment = z.object({
  Id: id,
  TotalAmt: decimal,
  TxnDate: day,
  PaymentRefNum: optionalText,
  PrivateNote: z.string().nullish(),
  Line: z.array(z.object({ Amount: decimal, LinkedTxn: z.array(linked).nullish() })).nullish(),
  MetaData: meta.optional(),
});

/** An account of the chart (Account entity): Bank accounts and Undeposited Funds take payments. */
const qboAccount = z.object({
  Id: id,
  Name: z.string().nullish(),
  AcctNum: optionalText,
  AccountType: z.string().nullish(),
  AccountSubType: z.string().nullish(),
  Active: z.boolean().nullish(),
  CurrencyRef: z.object({ value: z.string() }).nullish(),
});

/** A credit memo, read by id for what names it (its number and date) once a payment applies it. */
const qboCreditMemo = z.object({
  Id: id,
  DocNumber: optionalText,
  TxnDate: day.nullish(),
  CurrencyRef: z.object({ value: z.string() }).nullish(),
  PrivateNote: z.string().nullish(),
  TotalAmt: decimal,
  MetaData: meta.optional(),
});

const createdPayment = z.object({ Payment: z.object({ Id: id }) });

/** What CDC sends for a deleted record: its id, the word, and when. */
const deleted = z.object({ Id: id, status: z.literal('Deleted'), MetaData: meta.optional() });

type QboInvoice = z.output<typeof qboInvoice>;
type QboPayment = z.output<typeof qboPayment>;
type QboCreditMemo = z.output<typeof qboCreditMemo>;
type Entity = 'Customer' | 'Invoice' | 'Payment' | 'Account' | 'CreditMemo';

const queryAnswer = z.object({
  QueryResponse: z.record(z.string(), z.unknown()).optional(),
});
const cdcAnswer = z.object({
  CDCResponse: z.array(z.object({ QueryResponse: z.array(z.record(z.string(), z.unknown())).nullish() }).passthrough()),
});

export interface QuickBooksProviderOptions {
  settings: QuickBooksSettings;
  http: Http;
  /** The limiter of the company a call is for (Intuit's limits are per realm and app). */
  limiterFor: (realmId: string) => Limiter;
  /** When tokens are received (their expiry counts from it), and how old a CDC cursor is. */
  now: () => Date;
}

export function quickbooksProvider(options: QuickBooksProviderOptions): LedgerProvider {
  const { settings, http } = options;
  const basic = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;

  async function tokenCall(form: Record<string, string>): Promise<TokenSet> {
    const answer = await http(settings.tokenUrl, {
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
          'QuickBooks no longer accepts this connection (consent revoked or the refresh token expired).',
        );
      }
      throw new ProviderError(
        'UNAUTHORIZED',
        `QuickBooks refused the token request (${error?.error ?? answer.status}).`,
      );
    }
    const body = expectOk(answer, tokenAnswer, 'token');
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: new Date(options.now().getTime() + body.expires_in * 1000),
    };
  }

  async function get(
    accessToken: string,
    realmId: string,
    path: string,
    query: Record<string, string>,
  ): Promise<HttpAnswer> {
    if (!/^\d{1,32}$/.test(realmId)) throw new ProviderError('BAD_RESPONSE', 'That is not a QuickBooks company id.');
    const url = new URL(`${settings.apiUrl}/v3/company/${realmId}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    url.searchParams.set('minorversion', QUICKBOOKS_MINOR_VERSION);
    const answer = await options.limiterFor(realmId).run(() =>
      http(url.toString(), {
        method: 'GET',
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      }),
    );
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderError('UNAUTHORIZED', `QuickBooks refused the access token (${answer.status}).`);
    }
    return answer;
  }

  /**
   * A create (POST /v3/company/{realm}/{entity}) with Intuit's idempotency: the same `requestid` answers the same
   * object, never a second one ("Idempotency", the Accounting API's requestid parameter, at most 50 characters).
   */
  async function post(auth: Auth, path: string, body: string, requestId: string): Promise<HttpAnswer> {
    if (!/^\d{1,32}$/.test(auth.tenantId))
      throw new ProviderError('BAD_RESPONSE', 'That is not a QuickBooks company id.');
    const url = new URL(`${settings.apiUrl}/v3/company/${auth.tenantId}/${path}`);
    url.searchParams.set('minorversion', QUICKBOOKS_MINOR_VERSION);
    url.searchParams.set('requestid', requestId);
    const answer = await options.limiterFor(auth.tenantId).run(() =>
      http(url.toString(), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${auth.accessToken}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body,
      }),
    );
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderError('UNAUTHORIZED', `QuickBooks refused the access token (${answer.status}).`);
    }
    return answer;
  }

  /** One query statement's records of one entity, each checked with `schema`. */
  async function select<S extends z.ZodType>(auth: Auth, entity: Entity, statement: string, schema: S) {
    const answer = await get(auth.accessToken, auth.tenantId, 'query', { query: statement });
    const body = expectOk(answer, queryAnswer, `${entity} query`).QueryResponse ?? {};
    // An empty answer has no list at all ("QueryResponse": {}).
    return expectOk({ status: 200, text: '' }, z.array(schema), `${entity} query`, body[entity] ?? []);
  }

  /** How many records a filter matches (count(*) answers totalCount alone), for the sync's progress. */
  async function count(auth: Auth, entity: Entity, filter: string): Promise<number | undefined> {
    const answer = await get(auth.accessToken, auth.tenantId, 'query', {
      query: `SELECT COUNT(*) FROM ${entity}${filter}`,
    });
    const total = Number(expectOk(answer, queryAnswer, `${entity} count`).QueryResponse?.totalCount);
    return Number.isInteger(total) && total >= 0 ? total : undefined;
  }

  /** A page of `select * from <entity> [where …]`, in id order (stable while records change), with the count on page 1. */
  async function paged<S extends z.ZodType>(
    auth: Auth,
    entity: Entity,
    where: string[],
    page: number,
    schema: S,
  ): Promise<{ rows: z.output<S>[]; more: boolean; total: number | undefined }> {
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const start = (page - 1) * QUICKBOOKS_PAGE_SIZE + 1;
    const rows = await select(
      auth,
      entity,
      `SELECT * FROM ${entity}${filter} ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${QUICKBOOKS_PAGE_SIZE}`,
      schema,
    );
    const total = page === 1 ? await count(auth, entity, filter) : undefined;
    return { rows, more: rows.length >= QUICKBOOKS_PAGE_SIZE, total };
  }

  /**
   * What changed in one entity since `since`, through CDC: live records, and the ids of deleted ones. Undefined
   * when CDC cannot answer completely (a cursor past its 30 days, or an answer at its 1,000-object cap).
   */
  async function changes<S extends z.ZodType>(
    auth: Auth,
    entity: Entity,
    since: Date,
    schema: S,
  ): Promise<{ live: z.output<S>[]; gone: z.output<typeof deleted>[] } | undefined> {
    if (options.now().getTime() - since.getTime() > CDC_LOOKBACK_MS) return undefined;
    const answer = await get(auth.accessToken, auth.tenantId, 'cdc', {
      entities: entity,
      changedSince: qboInstant(since),
    });
    const body = expectOk(answer, cdcAnswer, `${entity} changes`);
    const records = body.CDCResponse.flatMap((r) => r.QueryResponse ?? []).flatMap((q) => {
      const list = q[entity];
      return Array.isArray(list) ? list : [];
    });
    if (records.length >= CDC_MAX_OBJECTS) return undefined;
    const live: z.output<S>[] = [];
    const gone: z.output<typeof deleted>[] = [];
    for (const record of records) {
      const isDeleted = (record as { status?: unknown }).status === 'Deleted';
      const parsed = expectOk({ status: 200, text: '' }, isDeleted ? deleted : schema, `${entity} changes`, record);
      if (isDeleted) gone.push(parsed as z.output<typeof deleted>);
      else live.push(parsed as z.output<S>);
    }
    return { live, gone };
  }

  /** Records of one entity read by id, a page of ids at a time. */
  async function byIds<S extends z.ZodType>(auth: Auth, entity: Entity, ids: string[], schema: S) {
    const wanted = [...new Set(ids.filter((x) => /^\d+$/.test(x)))];
    const out: z.output<S>[] = [];
    for (let i = 0; i < wanted.length; i += QUICKBOOKS_PAGE_SIZE) {
      const chunk = wanted.slice(i, i + QUICKBOOKS_PAGE_SIZE);
      const rows = await select(
        auth,
        entity,
        `SELECT * FROM ${entity} WHERE Id IN (${chunk.map((x) => `'${x}'`).join(', ')}) MAXRESULTS ${QUICKBOOKS_PAGE_SIZE}`,
        schema,
      );
      out.push(...rows);
    }
    return out;
  }

  /**
   * The invoices with their payments and the credit memos those payments apply (read by id): each invoice's cash
   * payments, and its credits as credit notes.
   */
  async function invoicesWithPayments(auth: Auth, rows: QboInvoice[]): Promise<LedgerInvoice[]> {
    const linkedIds = rows.flatMap((i) =>
      (i.LinkedTxn ?? []).filter((t) => t.TxnType === 'Payment').map((t) => t.TxnId),
    );
    const payments = await byIds(auth, 'Payment', linkedIds, qboPayment);
    const memoIds = payments.flatMap((p) => splitPayment(p).credits.map((c) => c.memoId));
    const memos = new Map((await byIds(auth, 'CreditMemo', memoIds, qboCreditMemo)).map((m) => [m.Id, m]));
    return rows.map((row) => toInvoice(row, payments, memos));
  }

  return {
    id: 'quickbooks',
    label: 'QuickBooks',
    // Intuit documents no PKCE for its authorization code flow: the state (signed, single use, bound to the person)
    // and the confidential client secret guard the exchange; the challenge is not sent.
    authorizeUrl({ state, redirectUri }) {
      const url = new URL(settings.authUrl);
      url.search = new URLSearchParams({
        client_id: settings.clientId,
        response_type: 'code',
        scope: QUICKBOOKS_SCOPE,
        redirect_uri: redirectUri,
        state,
      }).toString();
      return url.toString();
    },
    exchangeCode: ({ code, redirectUri }) =>
      tokenCall({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: (refreshToken) => tokenCall({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async revoke(refreshToken) {
      const answer = await http(settings.revokeUrl, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token: refreshToken }),
      });
      // A token Intuit no longer knows is as revoked as it gets.
      if (answer.status !== 200 && answer.status !== 400) {
        throw new ProviderError('UNAVAILABLE', `QuickBooks did not revoke the connection (${answer.status}).`);
      }
    },
    async listTenants(accessToken, named) {
      // The company is the one the callback named (realmId); the token must reach it, which CompanyInfo proves.
      if (!named) return [];
      const answer = await get(accessToken, named, `companyinfo/${named}`, {});
      const body = expectOk(answer, companyInfo, 'company');
      const name = body.CompanyInfo.CompanyName?.trim() || body.CompanyInfo.LegalName?.trim() || `Company ${named}`;
      return [{ id: named, name } satisfies Tenant];
    },
    /** Preferences.CurrencyPrefs.HomeCurrency: the currency every ExchangeRate is into. */
    async homeCurrency(auth) {
      const answer = await get(auth.accessToken, auth.tenantId, 'preferences', {});
      const body = expectOk(answer, preferencesAnswer, 'preferences');
      return body.Preferences.CurrencyPrefs?.HomeCurrency?.value?.toUpperCase() ?? null;
    },
    /**
     * GET exchangerate?sourcecurrencycode=EUR&asofdate=… per currency: Rate is "the number of home currency units it
     * takes to equal one foreign currency unit" (Intuit, Manage multiple currencies), dated AsOfDate. A currency
     * QuickBooks gives no rate for is left out, not the sync failed.
     */
    async exchangeRates(auth, currencies, today) {
      const quotes: LedgerRateQuote[] = [];
      for (const currency of currencies) {
        const answer = await get(auth.accessToken, auth.tenantId, 'exchangerate', {
          sourcecurrencycode: currency,
          asofdate: today,
        });
        if (answer.status === 400 || answer.status === 404) continue;
        const rate = expectOk(answer, exchangeRateAnswer, 'exchange rate').ExchangeRate;
        if (rate.SourceCurrencyCode.toUpperCase() !== currency) continue;
        quotes.push({ currency, rate: rate.Rate, rateDate: rate.AsOfDate });
      }
      return quotes;
    },
    async listContactsSince(auth, since, page) {
      const cdc = since && page === 1 ? await changes(auth, 'Customer', since, qboCustomer) : undefined;
      if (cdc) return single(cdc.live.map(toContact));
      const where = since ? [`MetaData.LastUpdatedTime > '${qboInstant(since)}'`] : [];
      const { rows, more, total } = await paged(auth, 'Customer', where, page, qboCustomer);
      return { items: rows.map(toContact), page, more, total };
    },
    async listInvoicesSince(auth, query: InvoiceQuery) {
      if (query.since && !query.only && query.page === 1) {
        const cdc = await changes(auth, 'Invoice', query.since, qboInvoice);
        if (cdc) {
          const live = await invoicesWithPayments(auth, cdc.live);
          return single([...live, ...cdc.gone.map(deletedInvoice)]);
        }
      }
      const where: string[] = [];
      if (query.only === 'open') where.push(`Balance > '0'`);
      if (query.only === 'paid') where.push(`Balance = '0'`);
      if (query.since) where.push(`MetaData.LastUpdatedTime >= '${qboInstant(query.since)}'`);
      const { rows, more, total } = await paged(auth, 'Invoice', where, query.page, qboInvoice);
      return { items: await invoicesWithPayments(auth, rows), page: query.page, more, total };
    },
    async listPaymentsSince(auth, since, page) {
      const cdc = since && page === 1 ? await changes(auth, 'Payment', since, qboPayment) : undefined;
      // A deleted payment names only its id: the sync reverses every part of it recorded here.
      if (cdc) return single([...cdc.live.flatMap(toPayments), ...cdc.gone.map(deletedPayment)]);
      const where = since ? [`MetaData.LastUpdatedTime > '${qboInstant(since)}'`] : [];
      const { rows, more, total } = await paged(auth, 'Payment', where, page, qboPayment);
      return { items: rows.flatMap(toPayments), page, more, total };
    },
    async listPaymentAccounts(auth) {
      const rows = await select(
        auth,
        'Account',
        "SELECT * FROM Account WHERE AccountType IN ('Bank', 'Other Current Asset') AND Active = true MAXRESULTS 1000",
        qboAccount,
      );
      return rows
        .filter((a) => a.AccountType === 'Bank' || a.AccountSubType === 'UndepositedFunds')
        .map(
          (a): LedgerAccount => ({
            externalId: a.Id,
            code: a.AcctNum,
            name: a.Name?.trim() || `QuickBooks account ${a.Id}`,
            type: a.AccountType === 'Bank' ? 'BANK' : (a.AccountSubType ?? 'Other Current Asset'),
            currency: a.CurrencyRef?.value.toUpperCase() ?? null,
          }),
        );
    },
    async createPayment(auth, payment: NewLedgerPayment) {
      if (!/^\d+(\.\d+)?$/.test(payment.amount) || !/^\d{1,32}$/.test(payment.invoiceExternalId)) {
        throw new ProviderError(
          'REJECTED',
          `"${payment.amount}" on invoice ${payment.invoiceExternalId} is not a payment to post.`,
        );
      }
      // A QuickBooks payment names its customer and currency: read them from the invoice, and refuse what the
      // invoice cannot take (gone, voided, or less due than this) before asking.
      const [invoice] = await select(
        auth,
        'Invoice',
        `SELECT * FROM Invoice WHERE Id IN ('${payment.invoiceExternalId}')`,
        qboInvoice,
      );
      if (!invoice) throw new ProviderError('REJECTED', 'QuickBooks has no such invoice any more.');
      if (isVoided(invoice)) throw new ProviderError('REJECTED', 'the invoice is voided in QuickBooks.');
      if (compareDecimal(payment.amount, invoice.Balance) > 0) {
        throw new ProviderError('REJECTED', `it is more than the ${invoice.Balance} still due in QuickBooks.`);
      }
      // Amounts go as JSON numbers written from their exact decimal text (JSON.stringify would need a float).
      const body = JSON.stringify({
        CustomerRef: { value: invoice.CustomerRef.value },
        CurrencyRef: { value: invoice.CurrencyRef.value },
        TotalAmt: '@@AMOUNT@@',
        TxnDate: payment.date,
        DepositToAccountRef: { value: payment.accountExternalId },
        PrivateNote: payment.reference.slice(0, 4000),
        Line: [{ Amount: '@@AMOUNT@@', LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      }).replaceAll('"@@AMOUNT@@"', payment.amount);
      const answer = await post(auth, 'payment', body, requestIdOf(payment.idempotencyKey));
      if (answer.status === 400) {
        const fault = safeJson(answer.text) as { Fault?: { Error?: { Message?: string; Detail?: string }[] } };
        const reason = fault?.Fault?.Error?.[0]?.Detail ?? fault?.Fault?.Error?.[0]?.Message ?? 'a validation error';
        throw new ProviderError('REJECTED', `QuickBooks refused it: ${reason.slice(0, 300)}`);
      }
      const created = expectOk(answer, createdPayment, 'payment');
      // The pull sync names each invoice's share of a payment <payment>:<invoice> (toPayments): so does this.
      return { externalId: `${created.Payment.Id}:${invoice.Id}` };
    },
  };
}

/** Intuit's requestid is at most 50 characters: a key longer than that is hashed, the same key to the same id. */
export function requestIdOf(key: string): string {
  return key.length <= 50 ? key : `rb-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

function single<T>(items: T[]): Page<T> {
  return { items, page: 1, more: false, total: items.length };
}

/** An instant as Intuit's examples write it, with an explicit offset: 2026-11-23T15:00:00+00:00. */
export function qboInstant(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function toContact(c: z.output<typeof qboCustomer>): LedgerContact {
  return {
    externalId: c.Id,
    name: c.DisplayName?.trim() || `QuickBooks customer ${c.Id}`,
    email: c.PrimaryEmailAddr?.Address ?? null,
    // Customers are their own entity in QuickBooks (suppliers are Vendors).
    isCustomer: true,
    updatedAt: c.MetaData ? new Date(c.MetaData.LastUpdatedTime) : undefined,
  };
}

const isZero = (text: string) => /^-?0*(\.0*)?$/.test(text);
/** Voiding zeroes the amounts and writes "Voided" at the start of the private note (Intuit, "Voiding Invoice Objects"). */
const isVoided = (row: { TotalAmt: string; PrivateNote?: string | null | undefined }) =>
  isZero(row.TotalAmt) && /^Voided/.test(row.PrivateNote ?? '');

/** A credit memo's share of one invoice, as one payment applied it. */
interface CreditPart {
  memoId: string;
  invoiceId: string;
  amount: string;
}

/**
 * What one payment did to each invoice: money paid (`cash`, by invoice) and credit memos applied (`credits`).
 * QuickBooks applies a credit memo through a payment: its lines link the invoices (the amount each is paid) and the
 * credit memos (the credit each gives), and TotalAmt is the money, the invoices' lines less the credit (a payment
 * that only applies a credit is a $0 payment). The payment does not say which invoice took which credit when it
 * pays several: the credit goes to its invoice lines in their order, each up to the line's amount, and the rest of
 * each line is money.
 */
export function splitPayment(p: QboPayment): { cash: Map<string, string>; credits: CreditPart[] } {
  const pool = (p.Line ?? []).flatMap((line) => {
    const memos = (line.LinkedTxn ?? []).filter((t) => t.TxnType === 'CreditMemo');
    // A line naming several memos cannot say how much came from each: it is left out, as below.
    return memos.length === 1 ? [{ memoId: (memos[0] as { TxnId: string }).TxnId, left: line.Amount }] : [];
  });
  const cash = new Map<string, string>();
  const credits: CreditPart[] = [];
  for (const line of p.Line ?? []) {
    const invoices = (line.LinkedTxn ?? []).filter((t) => t.TxnType === 'Invoice');
    // A line linked to several invoices cannot say how much went to each: it is left out.
    if (invoices.length !== 1) continue;
    const invoiceId = (invoices[0] as { TxnId: string }).TxnId;
    let rest = line.Amount;
    for (const memo of pool) {
      if (compareDecimal(rest, '0') <= 0) break;
      if (compareDecimal(memo.left, '0') <= 0) continue;
      const take = compareDecimal(memo.left, rest) < 0 ? memo.left : rest;
      memo.left = subDecimal(memo.left, take);
      rest = subDecimal(rest, take);
      const same = credits.find((c) => c.memoId === memo.memoId && c.invoiceId === invoiceId);
      if (same) same.amount = addDecimal(same.amount, take);
      else credits.push({ memoId: memo.memoId, invoiceId, amount: take });
    }
    if (compareDecimal(rest, '0') > 0) cash.set(invoiceId, addDecimal(cash.get(invoiceId) ?? '0', rest));
  }
  return { cash, credits };
}

/**
 * Each invoice a payment pays money to is its own LedgerPayment (`<payment id>:<invoice id>`), for the money of the
 * lines linked to that invoice alone (one QuickBooks payment can pay several invoices; credit it applies is not
 * money). A voided payment is one removal of the whole payment: its amounts are zeroed.
 */
export function toPayments(p: QboPayment): LedgerPayment[] {
  if (isVoided(p)) return [{ ...deletedPayment(p), voided: true }];
  const cash = [...splitPayment(p).cash.entries()];
  // QuickBooks edits a payment in place (its amount, date, the invoices its lines pay): each part follows its amount
  // and date, and the whole payment names its parts, so one moved off an invoice is reversed there.
  const whole = { id: p.Id, parts: cash.map(([invoiceId]) => `${p.Id}:${invoiceId}`) };
  if (cash.length === 0) {
    return [
      {
        externalId: p.Id,
        invoiceExternalId: '',
        date: p.TxnDate as LocalDate,
        amount: '0',
        reference: p.PaymentRefNum,
        deleted: false,
        whole,
      },
    ];
  }
  return cash.map(([invoiceId, amount]) => ({
    externalId: `${p.Id}:${invoiceId}`,
    invoiceExternalId: invoiceId,
    date: p.TxnDate as LocalDate,
    amount,
    reference: p.PaymentRefNum,
    deleted: false,
    followsEdits: true,
    whole,
  }));
}

/** A payment deleted (CDC gives only its id) or voided: every part of it recorded here is reversed. */
function deletedPayment(d: { Id: string; TxnDate?: string }): LedgerPayment {
  return {
    externalId: d.Id,
    invoiceExternalId: '',
    date: (d.TxnDate ?? '1970-01-01') as LocalDate,
    amount: '0',
    reference: null,
    deleted: true,
  };
}

/**
 * The credit memos the payments applied to this invoice, each application (memo, invoice, payment) its own
 * allocation, numbered as the memo is in QuickBooks and dated by the payment that applied it.
 */
function creditsOf(
  invoice: QboInvoice,
  payments: QboPayment[],
  memos: ReadonlyMap<string, QboCreditMemo>,
): LedgerCreditNote[] {
  return payments.flatMap((p) => {
    if (isVoided(p)) return [];
    return splitPayment(p)
      .credits.filter((c) => c.invoiceId === invoice.Id && !isZero(c.amount))
      .map((c): LedgerCreditNote => {
        const memo = memos.get(c.memoId);
        return {
          externalId: c.memoId,
          number: memo?.DocNumber ?? null,
          currency: (memo?.CurrencyRef?.value ?? invoice.CurrencyRef.value).toUpperCase(),
          date: (memo?.TxnDate ?? p.TxnDate) as LocalDate,
          status: memo && isVoided(memo) ? 'void' : 'open',
          reference: null,
          updatedAt: new Date(p.MetaData?.LastUpdatedTime ?? invoice.MetaData.LastUpdatedTime),
          allocations: [
            {
              invoiceExternalId: invoice.Id,
              amount: c.amount,
              date: p.TxnDate as LocalDate,
              externalId: `${c.memoId}:${invoice.Id}:${p.Id}`,
            },
          ],
        };
      });
  });
}

function toInvoice(i: QboInvoice, payments: QboPayment[], memos: ReadonlyMap<string, QboCreditMemo>): LedgerInvoice {
  const voided = isVoided(i);
  const paid = !voided && isZero(i.Balance) && !isZero(i.TotalAmt);
  const mine = payments
    .flatMap(toPayments)
    .filter((p) => p.invoiceExternalId === i.Id && !p.deleted && !isZero(p.amount))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const credits = voided ? [] : creditsOf(i, payments, memos);
  // What the balance lost to credit is not money paid.
  const credited = credits.reduce((sum, c) => addDecimal(sum, c.allocations[0]?.amount ?? '0'), '0');
  return {
    externalId: i.Id,
    number: i.DocNumber,
    contact: {
      externalId: i.CustomerRef.value,
      name: i.CustomerRef.name?.trim() || `QuickBooks customer ${i.CustomerRef.value}`,
      email: i.BillEmail?.Address ?? null,
    },
    currency: i.CurrencyRef.value.toUpperCase(),
    total: i.TotalAmt,
    amountPaid: voided ? '0' : subDecimal(subDecimal(i.TotalAmt, i.Balance), credited),
    issueDate: i.TxnDate ?? null,
    dueDate: i.DueDate ?? null,
    // An invoice is on the books (in accounts receivable) once saved, emailed or not (EmailStatus NotSet is a
    // printed or hand-delivered one), so every live invoice is issued here: QuickBooks has no drafts.
    status: voided ? 'void' : paid ? 'paid' : 'sent',
    ledgerStatus: voided ? 'VOIDED' : paid ? 'PAID' : 'OPEN',
    updatedAt: new Date(i.MetaData.LastUpdatedTime),
    payments: mine,
    credits,
  };
}

/** A deleted invoice, as CDC gives it: only its id and when; the sync voids ours without reading anything else. */
function deletedInvoice(d: z.output<typeof deleted>): LedgerInvoice {
  return {
    externalId: d.Id,
    number: null,
    contact: { externalId: '', name: '', email: null },
    currency: '',
    total: '0',
    amountPaid: '0',
    issueDate: null,
    dueDate: null,
    status: 'void',
    ledgerStatus: 'DELETED',
    updatedAt: d.MetaData ? new Date(d.MetaData.LastUpdatedTime) : new Date(0),
    payments: [],
  };
}

// --- answers -----------------------------------------------------------------------------------------------------

function safeJson(text: string): unknown {
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}

/** The answer's body checked with `schema` (or `value` in its place, already read), in words when it is not right. */
function expectOk<S extends z.ZodType>(
  answer: { status: number; text: string },
  schema: S,
  what: string,
  value?: unknown,
): z.output<S> {
  if (answer.status >= 500) throw new ProviderError('UNAVAILABLE', `QuickBooks answered ${answer.status} for ${what}.`);
  if (answer.status !== 200) {
    const fault = safeJson(answer.text) as { Fault?: { Error?: { Message?: string; Detail?: string }[] } } | undefined;
    const reason = fault?.Fault?.Error?.[0]?.Detail ?? fault?.Fault?.Error?.[0]?.Message;
    throw new ProviderError(
      'BAD_RESPONSE',
      `QuickBooks answered ${answer.status} for ${what}${reason ? `: ${reason.slice(0, 200)}` : ''}.`,
    );
  }
  const parsed = schema.safeParse(value === undefined ? safeJson(answer.text) : value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      'BAD_RESPONSE',
      `QuickBooks' ${what} answer is not what we expect (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unreadable'}).`,
    );
  }
  return parsed.data;
}
