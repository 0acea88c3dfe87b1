// A contract fake of QuickBooks Online and Intuit's OAuth 2.0 on 127.0.0.1. Where each behaviour comes from:
//
// - Authorize (appcenter.intuit.com/connect/oauth2): client_id, response_type=code, scope
//   com.intuit.quickbooks.accounting, redirect_uri, state; the redirect back carries code, state and realmId
//   (Intuit's OAuth 2.0 guide; intuit/oauth-jsclient createToken reads realmId from the callback's query).
// - Token endpoint (oauth.platform.intuit.com/oauth2/v1/tokens/bearer): a form POST with HTTP Basic client auth;
//   grant_type authorization_code (code, redirect_uri) or refresh_token; the answer has token_type bearer,
//   expires_in 3600, refresh_token, x_refresh_token_expires_in (intuit/oauth-jsclient src/OAuthClient.js and
//   access-token/Token.js). Refresh tokens rotate: the answer's refresh token is the one to keep; this fake kills the
//   old one at once (the strict reading). A revoked or expired refresh token gets 400 {"error":"invalid_grant"}
//   (Intuit's Authorization FAQ; the invalid_grant write-ups by Nango and WorkOS quote the same body).
// - Revoke (developer.api.intuit.com/v2/oauth2/tokens/revoke): a JSON POST {"token": …} with HTTP Basic auth
//   (oauth-jsclient's revoke()); it ends the grant.
// - Accounting API v3: GET /v3/company/{realmId}/companyinfo/{realmId} → {CompanyInfo:{CompanyName,…}}; GET
//   /v3/company/{realmId}/query?query=… with SELECT * | COUNT(*) FROM entity [WHERE …] [ORDERBY …]
//   [STARTPOSITION n] [MAXRESULTS m] (default 100, at most 1,000) answering {QueryResponse:{Invoice:[…],
//   startPosition, maxResults}, time} — an empty result is {QueryResponse:{}} — and totalCount alone for COUNT(*)
//   ("Query operations and syntax"). minorversion must be 75 or later (Intuit retired 1–74 on 1 August 2025).
// - Change Data Capture: GET /v3/company/{realmId}/cdc?entities=Invoice,Payment&changedSince=… →
//   {CDCResponse:[{QueryResponse:[{Invoice:[…]},{Payment:[…]}]}], time}; a deleted record is {Id, status:
//   "Deleted", MetaData}; it looks back at most 30 days ("Change data capture operation").
// - Entities (the Accounting API reference, via stitchdata's QuickBooks schemas): Customer (DisplayName,
//   PrimaryEmailAddr.Address, Active, MetaData.LastUpdatedTime); Invoice (DocNumber, TxnDate, DueDate,
//   CustomerRef{value,name}, CurrencyRef{value,name}, TotalAmt, Balance, EmailStatus, BillEmail, LinkedTxn of its
//   Payments, MetaData); Payment (TxnDate, TotalAmt, PaymentRefNum, CustomerRef, CurrencyRef, Line[{Amount,
//   LinkedTxn[{TxnId, TxnType:"Invoice"}]}] — one payment can pay several invoices). Voiding an invoice zeroes its
//   amounts and puts "Voided" at the start of PrivateNote (Intuit blog, "Voiding Invoice Objects", 2016).
//   Amounts are JSON numbers written with their decimals (JPY none, KWD three).
// - Credit memos (CreditMemo: DocNumber, TxnDate, CustomerRef, CurrencyRef, TotalAmt, Balance and RemainingCredit,
//   the credit not yet applied) are applied to invoices through a Payment ("Payment": its lines link "Invoices,
//   Credit Memos"; TotalAmt is the money): a line per invoice with the amount it is paid and a line per credit memo
//   with the credit it gives, so a payment that only applies a credit is a $0 payment; QuickBooks does not record
//   which invoice took which credit when one payment covers several ("Manage linked transactions"; vendors' notes
//   on QuickBooks Online credit applications). The invoice's LinkedTxn names that payment, not the memo.
// - Deleting a payment takes it off its invoices (their balances go back up) and CDC reports it {Id, status:
//   "Deleted"}; voiding one keeps it with its amounts zeroed and "Voided" before its private note, its invoices'
//   balances back up. QuickBooks voids or deletes an invoice only once no payment is left on it.
// - A credit memo deleted or voided, or a payment edited so it no longer applies one, unlinks it from the payment
//   ("Manage linked transactions": deleting or voiding a linked transaction unlinks it): the payment keeps its money,
//   its invoice lines drop by the credit they took, and the invoices' balances go back up (their records change). A
//   voided memo is kept with its amounts zeroed and "Voided" before its note, like a voided invoice. A payment edited
//   to apply less of a memo, or to apply it again, moves its invoice lines by the credit (the docs say no more than
//   that a payment's lines link invoices and memos; this fake keeps the payment's money as it was).
// - Editing a payment (editPayment): an update names the Id and the current SyncToken, a Line array sent replaces
//   every line ("Payment" update, sparse by default); the record keeps its Id, its SyncToken goes up by one at each
//   change (Intuit: "As soon as an application modifies an object, its SyncToken is incremented") and
//   MetaData.LastUpdatedTime is the time of the edit, so CDC ("returns the full payload for entities that changed")
//   lists the whole payment again. The docs are silent on the invoices' side: this fake changes the record of each
//   invoice whose line was added, moved or changed (its Balance moves, its LinkedTxn names the payment or not), as
//   deleting a payment does, and leaves it alone on a date-only edit (nothing of the invoice changed); it refuses to
//   edit a payment that applies a credit memo (see reduceCredit and reapplyCredit for those). Its TotalAmt stays the
//   sum of its lines (the amount received edited with them); QuickBooks can also keep money unapplied (UnappliedAmt),
//   which this fake does not model and the sync does not read.
// - Posting a payment: POST /v3/company/{realmId}/payment?requestid=… with {CustomerRef, CurrencyRef, TotalAmt,
//   TxnDate, DepositToAccountRef, PrivateNote, Line[{Amount, LinkedTxn[{TxnId, TxnType:"Invoice"}]}]} → {Payment:
//   {…}}; the same requestid answers the same payment again and creates nothing ("Idempotency": requestid, at most
//   50 characters); an amount over the invoice's balance or an account that is not there gets 400 ValidationFault.
//   Accounts are read with the query language (Account: Name, AcctNum, AccountType "Bank" | "Other Current Asset"…,
//   AccountSubType "UndepositedFunds", Active).
// - Multicurrency: GET /v3/company/{realmId}/preferences → {Preferences:{CurrencyPrefs:{MultiCurrencyEnabled,
//   HomeCurrency:{value}}}}; GET /v3/company/{realmId}/exchangerate?sourcecurrencycode=EUR&asofdate=YYYY-MM-DD →
//   {ExchangeRate:{SourceCurrencyCode, TargetCurrencyCode, Rate, AsOfDate}}, Rate being "the number of home currency
//   units it takes to equal one foreign currency unit" (Intuit, "Manage multiple currencies"); the fake answers the
//   latest rate set on or before asofdate, dated its own day, and 400 when there is none.
// - Limits: 500 calls a minute per realm, 10 at once; throttled calls get 429 ("API call limits and throttles");
//   this fake answers 429 with Retry-After when told to.
// - Errors: a bad or expired access token gets 401 {"fault":{"error":[{…,"code":"3200"}],"type":"AUTHENTICATION"}}.
//
//   const qbo = await startFakeQuickBooks();
//   config: QUICKBOOKS_API_URL = qbo.url; QUICKBOOKS_AUTH_URL = `${qbo.url}/connect/oauth2`;
//   QUICKBOOKS_TOKEN_URL = `${qbo.url}/oauth2/v1/tokens/bearer`; QUICKBOOKS_REVOKE_URL = `${qbo.url}/v2/oauth2/tokens/revoke`
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_QBO_CLIENT = { clientId: 'fake-intuit-client', clientSecret: 'fake-intuit-secret' };

export interface FakeQboCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

interface Customer {
  Id: string;
  DisplayName: string;
  Email: string;
  updatedAt: Date;
}

interface Invoice {
  Id: string;
  DocNumber: string;
  CustomerId: string;
  Currency: string;
  /** Decimal text. */
  TotalAmt: string;
  Balance: string;
  TxnDate: string;
  DueDate: string;
  EmailStatus: 'NotSet' | 'NeedToSend' | 'EmailSent';
  PrivateNote: string;
  paymentIds: string[];
  updatedAt: Date;
}

interface Account {
  Id: string;
  Name: string;
  AcctNum: string;
  AccountType: string;
  AccountSubType: string;
  Active: boolean;
}

interface Payment {
  Id: string;
  CustomerId: string;
  Currency: string;
  TxnDate: string;
  PaymentRefNum: string;
  PrivateNote: string;
  lines: { invoiceId: string; amount: string }[];
  /** Credit memos this payment applies, with the credit each gives. */
  credits: { memoId: string; amount: string }[];
  /** SyncToken: the payment's version, one more at each change to it (Intuit: "incremented" on every modify). */
  version: number;
  updatedAt: Date;
}

interface CreditMemo {
  Id: string;
  DocNumber: string;
  CustomerId: string;
  Currency: string;
  TotalAmt: string;
  /** Credit not applied yet (RemainingCredit). */
  Balance: string;
  TxnDate: string;
  /** "Voided" at its start once voided, as an invoice's or payment's. */
  PrivateNote: string;
  updatedAt: Date;
}

export interface FakeQuickBooks {
  url: string;
  /** Settings for createBooks / the app, pointing every Intuit endpoint here. */
  settings(webhookVerifier?: string): {
    clientId: string;
    clientSecret: string;
    environment: 'sandbox';
    apiUrl: string;
    authUrl: string;
    tokenUrl: string;
    revokeUrl: string;
    webhookVerifier?: string;
  };
  company: { realmId: string; name: string };
  calls(path?: string): FakeQboCall[];
  /** The person signs in and picks the company: the redirect back to the app, with code, state and realmId. */
  approve(authorizeUrl: string): Promise<string>;
  addCustomer(c: { name: string; email?: string }): string;
  addInvoice(i: {
    DocNumber: string;
    CustomerId: string;
    TotalAmt: string;
    Currency?: string;
    TxnDate?: string;
    DueDate?: string;
    EmailStatus?: Invoice['EmailStatus'];
  }): string;
  /**
   * A payment from the invoices' customer, paying each invoice named its amount; `credits` are credit memos it
   * applies (the money is the invoices' amounts less them: all of it credit makes a $0 payment).
   */
  pay(p: {
    invoices: { id: string; amount: string }[];
    date: string;
    reference?: string;
    credits?: { id: string; amount: string }[];
  }): string;
  addCreditMemo(c: { DocNumber: string; CustomerId: string; TotalAmt: string; TxnDate?: string }): string;
  /** A credit memo applied to invoices, as QuickBooks records it: a $0 payment linking the memo and the invoices. */
  applyCredit(c: { memo: string; invoices: { id: string; amount: string }[]; date: string }): string;
  creditMemo(id: string): { TotalAmt: string; RemainingCredit: string };
  /** The payment is deleted: its invoices' balances (and its memos' credit) go back up; CDC says Deleted. */
  deletePayment(paymentId: string): void;
  /** The payment is voided: kept with its amounts zeroed, "Voided" in its note; its invoices' balances go back up. */
  voidPayment(paymentId: string): void;
  /**
   * The payment edited in place, as a person does in QuickBooks or an app by a sparse update (Id and the current
   * SyncToken; a Line array sent replaces every line): its date, and the invoices it pays with each one's amount
   * (`lines`: an amount changed, a line moved to another invoice, one taken off). The invoices it no longer pays, or
   * pays otherwise, have their balances moved and their records changed; the payment keeps its Id, its SyncToken goes
   * up by one and MetaData.LastUpdatedTime is now, so CDC lists it again, whole. Refused for a payment applying a
   * credit memo (its lines would have to be split between money and credit; see reduceCredit).
   */
  editPayment(paymentId: string, changes: { date?: string; lines?: { id: string; amount: string }[] }): void;
  /** The payment edited so it no longer applies the memo: its credit comes off the payment and its invoices. */
  unapplyCredit(paymentId: string, memoId: string): void;
  /**
   * The payment edited so it applies less of the memo (`amount`, less than it applied and more than nothing): the
   * credit it gives back comes off its invoice lines as unapplyCredit takes all of it (in the lines' order).
   */
  reduceCredit(paymentId: string, memoId: string, amount: string): void;
  /**
   * The payment edited to apply the memo again (after unapplyCredit, say): a line per invoice with the credit it
   * takes, the memo's line for their sum; the money the payment holds is unchanged.
   */
  reapplyCredit(paymentId: string, c: { memo: string; invoices: { id: string; amount: string }[] }): void;
  /** The credit memo deleted: taken off every payment that applied it (see unapplyCredit); it is gone. */
  deleteCreditMemo(memoId: string): void;
  /** The credit memo voided: taken off every payment that applied it; kept, zeroed, "Voided" in its note. */
  voidCreditMemo(memoId: string): void;
  addAccount(a: {
    Name: string;
    AccountType: string;
    AccountSubType?: string;
    AcctNum?: string;
    Active?: boolean;
  }): string;
  /** Payments as the company holds them (each with its lines). */
  payments(): { Id: string; TotalAmt: string; DepositTo: string; lines: { invoiceId: string; amount: string }[] }[];
  /** Someone changes an invoice's total (its balance moves by as much) and due date in QuickBooks. */
  editInvoice(invoiceId: string, changes: { TotalAmt?: string; DueDate?: string }): void;
  voidInvoice(invoiceId: string): void;
  deleteInvoice(invoiceId: string): void;
  invoice(invoiceId: string): { TotalAmt: string; Balance: string };
  /** The next `times` Accounting API calls answer 429 with Retry-After `seconds`. */
  rateLimitNext(times: number, seconds: number): void;
  /** The company's admin disconnects the app: every token dies; a refresh gets invalid_grant. */
  revokeConsent(): void;
  expireAccessTokens(): void;
  /** The instant QuickBooks stamps changes with (MetaData.LastUpdatedTime) and CDC's 30 days count from. */
  setNow(at: Date | string): void;
  refreshTokensIssued(): number;
  /** The company's home currency (USD unless set; reset returns it to USD). */
  setHomeCurrency(code: string): void;
  /** An ExchangeRate: home-currency units for one unit of `currency`, as of a day. */
  setExchangeRate(r: { currency: string; rate: string; asOfDate: string }): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MAX = 100;
const MAX_MAX = 1000;
const CDC_DAYS = 30;

function num(text: string): string {
  return `@@NUM(${text})@@`;
}
function json(value: unknown): string {
  return JSON.stringify(value).replace(/"@@NUM\((-?[0-9.]+)\)@@"/g, '$1');
}

function scaleOf(...values: string[]): number {
  return Math.max(...values.map((v) => v.split('.')[1]?.length ?? 0));
}
function toInt(s: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = s.replace('-', '').split('.');
  const n = BigInt(whole + fraction.padEnd(scale, '0'));
  return s.startsWith('-') ? -n : n;
}
function fromInt(n: bigint, scale: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${out}` : out;
}
function sub(a: string, b: string): string {
  const scale = scaleOf(a, b);
  return fromInt(toInt(a, scale) - toInt(b, scale), scale);
}
function zeroLike(a: string): string {
  return fromInt(0n, scaleOf(a));
}

/** Intuit writes times in the company's zone, Pacific in a US sandbox: 2026-11-23T07:00:00-08:00. */
function pacific(at: Date): string {
  const shifted = new Date(at.getTime() - 8 * 3_600_000);
  const ms = at.getTime() % 1000;
  return `${shifted.toISOString().slice(0, 19)}${ms ? `.${String(ms).padStart(3, '0')}` : ''}-08:00`;
}

export async function startFakeQuickBooks(): Promise<FakeQuickBooks> {
  const company = { realmId: '9341455130122345', name: 'Acme Agency LLC' };
  let homeCurrency = 'USD';
  const exchangeRates: { currency: string; rate: string; asOfDate: string }[] = [];
  const calls: FakeQboCall[] = [];
  const customers = new Map<string, Customer>();
  const invoices = new Map<string, Invoice>();
  const payments = new Map<string, Payment>();
  const accounts = new Map<string, Account>();
  const creditMemos = new Map<string, CreditMemo>();
  const deletedPayments = new Map<string, Date>();
  /** requestid → the payment it created (answered again for the same id). */
  const requests = new Map<string, string>();
  const depositTo = new Map<string, string>();
  const deletedInvoices = new Map<string, Date>();
  const codes = new Map<string, { redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  let issuedRefresh = 0;
  let rateLimited = { times: 0, seconds: 0 };
  let now = new Date('2026-11-23T15:00:00Z');
  let seq = 0;
  let nextId = 1;
  const stamp = () => {
    seq += 1;
    return new Date(now.getTime() + seq * 1000);
  };
  const newId = () => String(nextId++);

  function issueTokens() {
    const access = `qa-${randomBytes(16).toString('hex')}`;
    const refresh = `AB11${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, { expiresAt: Date.now() + 3600_000 });
    refreshTokens.add(refresh);
    issuedRefresh += 1;
    return {
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token: refresh,
      x_refresh_token_expires_in: 8_726_400,
      access_token: access,
    };
  }

  const basicOk = (req: IncomingMessage) =>
    req.headers.authorization ===
    `Basic ${Buffer.from(`${FAKE_QBO_CLIENT.clientId}:${FAKE_QBO_CLIENT.clientSecret}`).toString('base64')}`;

  function bearerOk(req: IncomingMessage): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const known = token ? accessTokens.get(token) : undefined;
    return Boolean(known && known.expiresAt > Date.now());
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  const meta = (at: Date) => ({ CreateTime: pacific(at), LastUpdatedTime: pacific(at) });

  function customerJson(c: Customer) {
    return {
      Id: c.Id,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      DisplayName: c.DisplayName,
      PrintOnCheckName: c.DisplayName,
      Active: true,
      Balance: num('0'),
      ...(c.Email ? { PrimaryEmailAddr: { Address: c.Email } } : {}),
      MetaData: meta(c.updatedAt),
    };
  }

  function invoiceJson(i: Invoice) {
    const c = customers.get(i.CustomerId);
    return {
      Id: i.Id,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      DocNumber: i.DocNumber,
      TxnDate: i.TxnDate,
      DueDate: i.DueDate,
      CustomerRef: { value: i.CustomerId, name: c?.DisplayName ?? '' },
      CurrencyRef: { value: i.Currency, name: i.Currency },
      ExchangeRate: num('1'),
      TotalAmt: num(i.TotalAmt),
      Balance: num(i.Balance),
      HomeBalance: num(i.Balance),
      Deposit: num('0'),
      EmailStatus: i.EmailStatus,
      PrintStatus: 'NotSet',
      ...(c?.Email ? { BillEmail: { Address: c.Email } } : {}),
      ...(i.PrivateNote ? { PrivateNote: i.PrivateNote } : {}),
      LinkedTxn: i.paymentIds.map((id) => ({ TxnId: id, TxnType: 'Payment' })),
      Line: [
        {
          Id: '1',
          LineNum: 1,
          Amount: num(i.TotalAmt),
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' } },
        },
        { Amount: num(i.TotalAmt), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} },
      ],
      TxnTaxDetail: { TotalTax: num('0') },
      MetaData: meta(i.updatedAt),
    };
  }

  function paymentJson(p: Payment) {
    const paid = p.lines.reduce((sum, l) => sub(sum, `-${l.amount}`), zeroLike(p.lines[0]?.amount ?? '0'));
    const total = p.credits.reduce((sum, c) => sub(sum, c.amount), paid);
    return {
      Id: p.Id,
      SyncToken: String(p.version),
      domain: 'QBO',
      sparse: false,
      TxnDate: p.TxnDate,
      CustomerRef: { value: p.CustomerId, name: customers.get(p.CustomerId)?.DisplayName ?? '' },
      CurrencyRef: { value: p.Currency, name: p.Currency },
      ...(p.PaymentRefNum ? { PaymentRefNum: p.PaymentRefNum } : {}),
      ...(p.PrivateNote ? { PrivateNote: p.PrivateNote } : {}),
      TotalAmt: num(total),
      UnappliedAmt: num(zeroLike(total)),
      ProcessPayment: false,
      Line: [
        ...p.lines.map((l) => ({
          Amount: num(l.amount),
          LinkedTxn: [{ TxnId: l.invoiceId, TxnType: 'Invoice' }],
          LineEx: { any: [] },
        })),
        ...p.credits.map((c) => ({
          Amount: num(c.amount),
          LinkedTxn: [{ TxnId: c.memoId, TxnType: 'CreditMemo' }],
          LineEx: { any: [] },
        })),
      ],
      MetaData: meta(p.updatedAt),
    };
  }

  function creditMemoJson(m: CreditMemo) {
    return {
      Id: m.Id,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      DocNumber: m.DocNumber,
      TxnDate: m.TxnDate,
      CustomerRef: { value: m.CustomerId, name: customers.get(m.CustomerId)?.DisplayName ?? '' },
      CurrencyRef: { value: m.Currency, name: m.Currency },
      TotalAmt: num(m.TotalAmt),
      Balance: num(m.Balance),
      RemainingCredit: num(m.Balance),
      ...(m.PrivateNote ? { PrivateNote: m.PrivateNote } : {}),
      Line: [
        {
          Id: '1',
          LineNum: 1,
          Amount: num(m.TotalAmt),
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' } },
        },
      ],
      MetaData: meta(m.updatedAt),
    };
  }

  const fault = (type: string, code: string, message: string, detail: string) => ({
    Fault: { Error: [{ Message: message, Detail: detail, code }], type },
    time: pacific(now),
  });

  // The query language, as far as this app uses it.
  type Row = {
    entity: 'Customer' | 'Invoice' | 'Payment' | 'Account' | 'CreditMemo';
    json: unknown;
    updatedAt: Date;
    id: string;
  };
  function rowsOf(entity: string): Row[] | undefined {
    if (entity === 'Customer')
      return [...customers.values()].map((c) => ({ entity, json: customerJson(c), updatedAt: c.updatedAt, id: c.Id }));
    if (entity === 'Invoice')
      return [...invoices.values()].map((i) => ({ entity, json: invoiceJson(i), updatedAt: i.updatedAt, id: i.Id }));
    if (entity === 'Payment')
      return [...payments.values()].map((p) => ({ entity, json: paymentJson(p), updatedAt: p.updatedAt, id: p.Id }));
    if (entity === 'CreditMemo')
      return [...creditMemos.values()].map((m) => ({
        entity,
        json: creditMemoJson(m),
        updatedAt: m.updatedAt,
        id: m.Id,
      }));
    if (entity === 'Account')
      return [...accounts.values()].map((a) => ({
        entity,
        json: { ...a, CurrencyRef: { value: 'USD', name: 'United States Dollar' }, MetaData: meta(now) },
        updatedAt: now,
        id: a.Id,
      }));
    return undefined;
  }

  function condition(text: string): ((row: Row) => boolean) | undefined {
    let m = /^Balance\s*(>|=)\s*'(\d+(?:\.\d+)?)'$/i.exec(text);
    if (m) {
      const [, op, value] = m;
      return (row) => {
        if (row.entity !== 'Invoice') return false;
        const balance = invoices.get(row.id)?.Balance ?? '0';
        const scale = scaleOf(balance, value as string);
        const diff = toInt(balance, scale) - toInt(value as string, scale);
        return op === '>' ? diff > 0n : diff === 0n;
      };
    }
    m = /^MetaData\.LastUpdatedTime\s*(>=|>)\s*'([^']+)'$/i.exec(text);
    if (m) {
      const [, op, value] = m;
      const at = Date.parse(value as string);
      if (Number.isNaN(at)) return undefined;
      return (row) => (op === '>' ? row.updatedAt.getTime() > at : row.updatedAt.getTime() >= at);
    }
    m = /^AccountType\s+IN\s*\(([^)]*)\)$/i.exec(text);
    if (m) {
      const types = (m[1] as string).split(',').map((t) => t.trim().replace(/^'|'$/g, ''));
      return (row) => row.entity === 'Account' && types.includes(accounts.get(row.id)?.AccountType ?? '');
    }
    m = /^Active\s*=\s*(true|false)$/i.exec(text);
    if (m) {
      const active = (m[1] as string).toLowerCase() === 'true';
      return (row) => row.entity === 'Account' && accounts.get(row.id)?.Active === active;
    }
    m = /^Id\s+IN\s*\(([^)]*)\)$/i.exec(text);
    if (m) {
      const ids = (m[1] as string).split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
      return (row) => ids.includes(row.id);
    }
    return undefined;
  }

  function runQuery(statement: string): { status: number; body: unknown } {
    const m =
      /^SELECT\s+(\*|COUNT\(\*\))\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDERBY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+STARTPOSITION\s+(\d+))?(?:\s+MAXRESULTS\s+(\d+))?\s*$/i.exec(
        statement.trim(),
      );
    const parserError = (detail: string) => ({
      status: 400,
      body: fault('ValidationFault', '4000', 'Error parsing query', `QueryParserError: ${detail}`),
    });
    if (!m) return parserError('Encountered an unexpected token');
    const [, what, entity, where, orderBy, , start, max] = m;
    let rows = rowsOf(entity as string);
    if (!rows) return parserError(`Invalid entity ${entity}`);
    if (orderBy && orderBy !== 'Id') return parserError(`fake: unsupported ORDERBY ${orderBy}`);
    for (const part of where ? where.split(/\s+AND\s+/i) : []) {
      const test = condition(part.trim());
      if (!test) return parserError(`fake: unsupported condition ${part}`);
      rows = rows.filter(test);
    }
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    if (/^COUNT/i.test(what as string)) {
      return { status: 200, body: { QueryResponse: { totalCount: rows.length }, time: pacific(now) } };
    }
    const from = Math.max(1, Number(start ?? 1));
    const size = Math.min(MAX_MAX, Number(max ?? DEFAULT_MAX));
    const page = rows.slice(from - 1, from - 1 + size);
    if (page.length === 0) return { status: 200, body: { QueryResponse: {}, time: pacific(now) } };
    return {
      status: 200,
      body: {
        QueryResponse: { [entity as string]: page.map((r) => r.json), startPosition: from, maxResults: page.length },
        time: pacific(now),
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, call: FakeQboCall): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
      res.end(body === undefined ? '' : typeof body === 'string' ? body : json(body));
    };
    if (req.method === 'GET' && url.pathname === '/connect/oauth2') {
      const q = url.searchParams;
      if (q.get('client_id') !== FAKE_QBO_CLIENT.clientId || q.get('response_type') !== 'code')
        return send(400, { error: 'invalid_request' });
      if (!(q.get('scope') ?? '').split(' ').includes('com.intuit.quickbooks.accounting'))
        return send(400, { error: 'invalid_scope' });
      const code = `AB11${randomBytes(12).toString('hex')}`;
      const redirectUri = q.get('redirect_uri') ?? '';
      codes.set(code, { redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      back.searchParams.set('realmId', company.realmId);
      return send(302, '', { location: back.toString() });
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/v1/tokens/bearer') {
      if (!basicOk(req)) return send(401, { error: 'invalid_client' });
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!grant || grant.redirectUri !== form.get('redirect_uri')) return send(400, { error: 'invalid_grant' });
        return send(200, issueTokens());
      }
      if (form.get('grant_type') === 'refresh_token') {
        const token = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(token)) return send(400, { error: 'invalid_grant' });
        refreshTokens.delete(token);
        return send(200, issueTokens());
      }
      return send(400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'POST' && url.pathname === '/v2/oauth2/tokens/revoke') {
      if (!basicOk(req)) return send(401, { error: 'invalid_client' });
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return send(400, { error: 'invalid_request' });
      const body = JSON.parse((await readBody(req)) || '{}') as { token?: string };
      if (!body.token) return send(400, { error: 'invalid_request' });
      refreshTokens.delete(body.token);
      accessTokens.clear();
      return send(200, '');
    }
    const api = /^\/v3\/company\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (req.method === 'POST' && api && api[2] === 'payment') {
      if (!bearerOk(req)) return send(401, { fault: { error: [{ code: '3200' }], type: 'AUTHENTICATION' } });
      if (api[1] !== company.realmId)
        return send(403, fault('AuthorizationFault', '003100', 'ApplicationAuthorizationFailed', 'wrong realm'));
      const requestId = url.searchParams.get('requestid') ?? '';
      if (requestId.length > 50) return send(400, fault('ValidationFault', '2010', 'Invalid requestid', 'too long'));
      const again = requests.get(requestId);
      if (requestId && again) {
        const existing = payments.get(again);
        if (existing) return send(200, { Payment: paymentJson(existing), time: pacific(now) });
      }
      const raw = (await readBody(req)).replace(/"(TotalAmt|Amount)":\s*(-?\d+(?:\.\d+)?)/g, '"$1":"$2"');
      const body = JSON.parse(raw) as {
        CustomerRef?: { value?: string };
        TotalAmt?: string;
        TxnDate?: string;
        DepositToAccountRef?: { value?: string };
        PrivateNote?: string;
        Line?: { Amount?: string; LinkedTxn?: { TxnId?: string; TxnType?: string }[] }[];
      };
      const account = accounts.get(body.DepositToAccountRef?.value ?? '');
      if (!account?.Active)
        return send(400, fault('ValidationFault', '2500', 'Invalid Reference Id', 'Accounts element id is invalid'));
      const lines = (body.Line ?? []).map((l) => ({
        invoiceId: l.LinkedTxn?.[0]?.TxnId ?? '',
        amount: String(l.Amount ?? '0'),
      }));
      for (const line of lines) {
        const invoice = invoices.get(line.invoiceId);
        if (!invoice) return send(400, fault('ValidationFault', '2500', 'Invalid Reference Id', 'Invoice not found'));
        if (sub(invoice.Balance, line.amount).startsWith('-'))
          return send(
            400,
            fault(
              'ValidationFault',
              '6000',
              'A business validation error has occurred',
              'The amount exceeds the balance',
            ),
          );
      }
      const id = fake.pay({
        invoices: lines.map((l) => ({ id: l.invoiceId, amount: l.amount })),
        date: body.TxnDate ?? '',
        reference: '',
      });
      depositTo.set(id, account.Id);
      if (requestId) requests.set(requestId, id);
      return send(200, { Payment: paymentJson(payments.get(id) as Payment), time: pacific(now) });
    }
    if (req.method === 'GET' && api) {
      if (!bearerOk(req)) {
        return send(401, {
          fault: {
            error: [
              {
                message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
                detail: 'Token expired',
                code: '3200',
              },
            ],
            type: 'AUTHENTICATION',
          },
          time: pacific(now),
        });
      }
      if (api[1] !== company.realmId)
        return send(403, fault('AuthorizationFault', '003100', 'ApplicationAuthorizationFailed', 'wrong realm'));
      if (Number(url.searchParams.get('minorversion') ?? '0') < 75)
        return send(400, fault('ValidationFault', '2010', 'Invalid minor version', 'minorversion must be 75 or later'));
      if (rateLimited.times > 0) {
        rateLimited.times -= 1;
        return send(429, fault('ThrottlingFault', '003001', 'ThrottleExceeded', 'Throttle exceeded'), {
          'retry-after': String(rateLimited.seconds),
        });
      }
      const resource = api[2] as string;
      if (resource === 'preferences') {
        return send(200, {
          Preferences: {
            CurrencyPrefs: { MultiCurrencyEnabled: exchangeRates.length > 0, HomeCurrency: { value: homeCurrency } },
            MetaData: meta(now),
          },
          time: pacific(now),
        });
      }
      if (resource === 'exchangerate') {
        const source = url.searchParams.get('sourcecurrencycode') ?? '';
        const asOf = url.searchParams.get('asofdate') ?? now.toISOString().slice(0, 10);
        const found = exchangeRates
          .filter((r) => r.currency === source && r.asOfDate <= asOf)
          .sort((a, b) => (a.asOfDate < b.asOfDate ? 1 : -1))[0];
        if (!found)
          return send(400, fault('ValidationFault', '2010', 'Invalid exchange rate', `no rate for ${source}`));
        return send(200, {
          ExchangeRate: {
            SyncToken: '0',
            domain: 'QBO',
            AsOfDate: found.asOfDate,
            SourceCurrencyCode: found.currency,
            Rate: num(found.rate),
            sparse: false,
            TargetCurrencyCode: homeCurrency,
            MetaData: meta(now),
          },
          time: pacific(now),
        });
      }
      if (resource === `companyinfo/${company.realmId}`) {
        return send(200, {
          CompanyInfo: {
            Id: '1',
            CompanyName: company.name,
            LegalName: `${company.name}.`,
            Country: 'US',
            MetaData: meta(now),
          },
          time: pacific(now),
        });
      }
      if (resource === 'query') {
        const answer = runQuery(url.searchParams.get('query') ?? '');
        return send(answer.status, answer.body);
      }
      if (resource === 'cdc') {
        const entities = (url.searchParams.get('entities') ?? '').split(',').filter(Boolean);
        const since = Date.parse(url.searchParams.get('changedSince') ?? '');
        if (entities.length === 0 || Number.isNaN(since))
          return send(400, fault('ValidationFault', '2030', 'Invalid query parameter', 'entities and changedSince'));
        if (now.getTime() - since > CDC_DAYS * 86_400_000)
          return send(
            400,
            fault('ValidationFault', '2030', 'Invalid changedSince', 'changedSince cannot be older than 30 days'),
          );
        const responses = entities.map((entity) => {
          const rows = rowsOf(entity) ?? [];
          const changed: unknown[] = rows.filter((r) => r.updatedAt.getTime() > since).map((r) => r.json);
          const gone = entity === 'Invoice' ? deletedInvoices : entity === 'Payment' ? deletedPayments : undefined;
          for (const [id, at] of gone ?? []) {
            if (at.getTime() > since) changed.push({ domain: 'QBO', status: 'Deleted', Id: id, MetaData: meta(at) });
          }
          return changed.length > 0
            ? { [entity]: changed, startPosition: 1, maxResults: changed.length }
            : { startPosition: 1, maxResults: 0 };
        });
        return send(200, { CDCResponse: [{ QueryResponse: responses }], time: pacific(now) });
      }
      return send(404, fault('ValidationFault', '610', 'Object Not Found', 'fake: no such resource'));
    }
    return send(404, { error: 'fake: not found' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const call: FakeQboCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    calls.push(call);
    handle(req, res, call).catch((error) => res.writeHead(500).end(String(error)));
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function mustInvoice(id: string): Invoice {
    const invoice = invoices.get(id);
    if (!invoice) throw new Error(`no invoice ${id}`);
    return invoice;
  }
  function mustMemo(id: string): CreditMemo {
    const memo = creditMemos.get(id);
    if (!memo) throw new Error(`no credit memo ${id}`);
    return memo;
  }
  function mustPayment(id: string): Payment {
    const payment = payments.get(id);
    if (!payment) throw new Error(`no payment ${id}`);
    return payment;
  }
  /** QuickBooks voids or deletes an invoice only once no payment is left on it. */
  function refuseWithPayments(invoice: Invoice) {
    const applied = invoice.paymentIds.some((id) =>
      payments.get(id)?.lines.some((l) => l.invoiceId === invoice.Id && !/^0*\.?0*$/.test(l.amount)),
    );
    if (applied) throw new Error(`invoice ${invoice.Id} has a payment applied: delete or void the payment first`);
  }
  /** A payment taken off its invoices (deleted or voided): their balances and its memos' credit go back up. */
  function unapply(p: Payment, at: Date) {
    for (const line of p.lines) {
      const invoice = invoices.get(line.invoiceId);
      if (!invoice) continue;
      invoice.Balance = sub(invoice.Balance, `-${line.amount}`);
      invoice.updatedAt = at;
    }
    for (const credit of p.credits) {
      const memo = creditMemos.get(credit.memoId);
      if (!memo) continue;
      memo.Balance = sub(memo.Balance, `-${credit.amount}`);
      memo.updatedAt = at;
    }
  }

  /**
   * The memo's credit taken off a payment: the payment stops linking it, and each invoice line gives back what the
   * credit paid of it (in the lines' order, as splitPayment reads it), so the money the payment holds is unchanged
   * and the invoices' balances go back up by the credit. A line left at nothing is dropped, and its invoice stops
   * naming the payment.
   */
  function takeOffCredit(p: Payment, memoId: string, at: Date, keep?: string) {
    const applied = p.credits.filter((c) => c.memoId === memoId).reduce((sum, c) => sub(sum, `-${c.amount}`), '0');
    if (keep !== undefined && (sub(applied, keep).startsWith('-') || !/[1-9]/.test(keep))) {
      throw new Error(`payment ${p.Id} applies ${applied} of the memo: keep less than that, and more than nothing`);
    }
    let left = keep === undefined ? applied : sub(applied, keep);
    p.credits = p.credits.filter((c) => c.memoId !== memoId);
    if (keep !== undefined) p.credits.push({ memoId, amount: keep });
    const memo = creditMemos.get(memoId);
    if (memo) {
      memo.Balance = sub(memo.Balance, `-${left}`);
      memo.updatedAt = at;
    }
    for (const line of p.lines) {
      if (!/[1-9]/.test(left)) break;
      const take = sub(line.amount, left).startsWith('-') ? line.amount : left;
      line.amount = sub(line.amount, take);
      left = sub(left, take);
      const invoice = invoices.get(line.invoiceId);
      if (!invoice) continue;
      invoice.Balance = sub(invoice.Balance, `-${take}`);
      invoice.updatedAt = at;
    }
    const kept = p.lines.filter((l) => /[1-9]/.test(l.amount));
    for (const gone of p.lines.filter((l) => !kept.includes(l))) {
      const invoice = invoices.get(gone.invoiceId);
      if (invoice && !kept.some((l) => l.invoiceId === gone.invoiceId)) {
        invoice.paymentIds = invoice.paymentIds.filter((x) => x !== p.Id);
      }
    }
    p.lines = kept;
    p.updatedAt = at;
    p.version += 1;
  }

  function applying(memoId: string): Payment[] {
    return [...payments.values()].filter((p) => p.credits.some((c) => c.memoId === memoId));
  }

  const fake: FakeQuickBooks = {
    url,
    company,
    settings: (webhookVerifier) => ({
      ...FAKE_QBO_CLIENT,
      environment: 'sandbox',
      apiUrl: url,
      authUrl: `${url}/connect/oauth2`,
      tokenUrl: `${url}/oauth2/v1/tokens/bearer`,
      revokeUrl: `${url}/v2/oauth2/tokens/revoke`,
      ...(webhookVerifier ? { webhookVerifier } : {}),
    }),
    calls: (path) => (path ? calls.filter((c) => c.path === path) : [...calls]),
    async approve(authorizeUrl) {
      const res = await fetch(authorizeUrl, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location)
        throw new Error(`the fake Intuit refused to authorize: ${res.status} ${await res.text()}`);
      return location;
    },
    addCustomer({ name, email = '' }) {
      const id = newId();
      customers.set(id, { Id: id, DisplayName: name, Email: email, updatedAt: stamp() });
      return id;
    },
    addInvoice(i) {
      const id = newId();
      const date = i.TxnDate ?? '2026-11-01';
      invoices.set(id, {
        Id: id,
        DocNumber: i.DocNumber,
        CustomerId: i.CustomerId,
        Currency: i.Currency ?? 'USD',
        TotalAmt: i.TotalAmt,
        Balance: i.TotalAmt,
        TxnDate: date,
        DueDate: i.DueDate ?? date,
        EmailStatus: i.EmailStatus ?? 'EmailSent',
        PrivateNote: '',
        paymentIds: [],
        updatedAt: stamp(),
      });
      return id;
    },
    pay(p) {
      const first = mustInvoice(p.invoices[0]?.id ?? '');
      const id = newId();
      const at = stamp();
      payments.set(id, {
        Id: id,
        CustomerId: first.CustomerId,
        Currency: first.Currency,
        TxnDate: p.date,
        PaymentRefNum: p.reference ?? '',
        PrivateNote: '',
        lines: p.invoices.map((x) => ({ invoiceId: x.id, amount: x.amount })),
        credits: (p.credits ?? []).map((c) => ({ memoId: c.id, amount: c.amount })),
        version: 0,
        updatedAt: at,
      });
      for (const c of p.credits ?? []) {
        const memo = mustMemo(c.id);
        if (sub(memo.Balance, c.amount).startsWith('-')) throw new Error(`credit memo ${c.id} has not that much left`);
        memo.Balance = sub(memo.Balance, c.amount);
        memo.updatedAt = at;
      }
      // Paying an invoice changes its balance, so its own record changes too.
      for (const x of p.invoices) {
        const invoice = mustInvoice(x.id);
        invoice.Balance = sub(invoice.Balance, x.amount);
        invoice.paymentIds.push(id);
        invoice.updatedAt = at;
      }
      return id;
    },
    addCreditMemo(c) {
      const customer = customers.get(c.CustomerId);
      if (!customer) throw new Error(`no customer ${c.CustomerId}`);
      const id = newId();
      creditMemos.set(id, {
        Id: id,
        DocNumber: c.DocNumber,
        CustomerId: c.CustomerId,
        Currency: 'USD',
        TotalAmt: c.TotalAmt,
        Balance: c.TotalAmt,
        TxnDate: c.TxnDate ?? '2026-11-01',
        PrivateNote: '',
        updatedAt: stamp(),
      });
      return id;
    },
    applyCredit(c) {
      const total = c.invoices.reduce((sum, x) => sub(sum, `-${x.amount}`), zeroLike(c.invoices[0]?.amount ?? '0'));
      mustMemo(c.memo);
      return fake.pay({ invoices: c.invoices, date: c.date, credits: [{ id: c.memo, amount: total }] });
    },
    creditMemo(id) {
      const memo = mustMemo(id);
      return { TotalAmt: memo.TotalAmt, RemainingCredit: memo.Balance };
    },
    deletePayment(paymentId) {
      const payment = mustPayment(paymentId);
      const at = stamp();
      unapply(payment, at);
      for (const invoice of invoices.values()) invoice.paymentIds = invoice.paymentIds.filter((x) => x !== paymentId);
      payments.delete(paymentId);
      deletedPayments.set(paymentId, at);
    },
    voidPayment(paymentId) {
      const payment = mustPayment(paymentId);
      const at = stamp();
      unapply(payment, at);
      payment.lines = payment.lines.map((l) => ({ ...l, amount: zeroLike(l.amount) }));
      payment.credits = payment.credits.map((c) => ({ ...c, amount: zeroLike(c.amount) }));
      payment.PrivateNote = payment.PrivateNote ? `Voided ${payment.PrivateNote}` : 'Voided';
      payment.updatedAt = at;
      payment.version += 1;
    },
    editPayment(paymentId, changes) {
      const payment = mustPayment(paymentId);
      if (payment.credits.length > 0) throw new Error(`payment ${paymentId} applies a credit memo: not edited here`);
      const at = stamp();
      if (changes.lines) {
        for (const line of changes.lines) {
          const invoice = mustInvoice(line.id);
          if (invoice.CustomerId !== payment.CustomerId) throw new Error(`invoice ${line.id} is another customer's`);
        }
        unapply(payment, at);
        for (const invoice of invoices.values()) {
          invoice.paymentIds = invoice.paymentIds.filter((x) => x !== paymentId);
        }
        payment.lines = changes.lines.map((l) => ({ invoiceId: l.id, amount: l.amount }));
        for (const line of payment.lines) {
          const invoice = mustInvoice(line.invoiceId);
          invoice.Balance = sub(invoice.Balance, line.amount);
          if (invoice.Balance.startsWith('-')) throw new Error(`invoice ${invoice.Id} would be overpaid`);
          if (!invoice.paymentIds.includes(paymentId)) invoice.paymentIds.push(paymentId);
          invoice.updatedAt = at;
        }
      }
      if (changes.date !== undefined) payment.TxnDate = changes.date;
      payment.updatedAt = at;
      payment.version += 1;
    },
    unapplyCredit(paymentId, memoId) {
      takeOffCredit(mustPayment(paymentId), mustMemo(memoId).Id, stamp());
    },
    reduceCredit(paymentId, memoId, amount) {
      takeOffCredit(mustPayment(paymentId), mustMemo(memoId).Id, stamp(), amount);
    },
    reapplyCredit(paymentId, c) {
      const payment = mustPayment(paymentId);
      const memo = mustMemo(c.memo);
      const at = stamp();
      const total = c.invoices.reduce((sum, x) => sub(sum, `-${x.amount}`), zeroLike(c.invoices[0]?.amount ?? '0'));
      if (sub(memo.Balance, total).startsWith('-')) throw new Error(`credit memo ${memo.Id} has not that much left`);
      memo.Balance = sub(memo.Balance, total);
      memo.updatedAt = at;
      const same = payment.credits.find((x) => x.memoId === memo.Id);
      if (same) same.amount = sub(same.amount, `-${total}`);
      else payment.credits.push({ memoId: memo.Id, amount: total });
      for (const x of c.invoices) {
        const invoice = mustInvoice(x.id);
        const line = payment.lines.find((l) => l.invoiceId === x.id);
        if (line) line.amount = sub(line.amount, `-${x.amount}`);
        else payment.lines.push({ invoiceId: x.id, amount: x.amount });
        invoice.Balance = sub(invoice.Balance, x.amount);
        if (!invoice.paymentIds.includes(payment.Id)) invoice.paymentIds.push(payment.Id);
        invoice.updatedAt = at;
      }
      payment.updatedAt = at;
      payment.version += 1;
    },
    deleteCreditMemo(memoId) {
      mustMemo(memoId);
      const at = stamp();
      for (const p of applying(memoId)) takeOffCredit(p, memoId, at);
      creditMemos.delete(memoId);
    },
    voidCreditMemo(memoId) {
      const memo = mustMemo(memoId);
      const at = stamp();
      for (const p of applying(memoId)) takeOffCredit(p, memoId, at);
      memo.TotalAmt = zeroLike(memo.TotalAmt);
      memo.Balance = zeroLike(memo.Balance);
      memo.PrivateNote = memo.PrivateNote ? `Voided ${memo.PrivateNote}` : 'Voided';
      memo.updatedAt = at;
    },
    editInvoice(invoiceId, changes) {
      const invoice = mustInvoice(invoiceId);
      if (changes.TotalAmt !== undefined) {
        invoice.Balance = sub(invoice.Balance, sub(invoice.TotalAmt, changes.TotalAmt));
        invoice.TotalAmt = changes.TotalAmt;
      }
      if (changes.DueDate !== undefined) invoice.DueDate = changes.DueDate;
      invoice.updatedAt = stamp();
    },
    voidInvoice(invoiceId) {
      const invoice = mustInvoice(invoiceId);
      refuseWithPayments(invoice);
      invoice.TotalAmt = zeroLike(invoice.TotalAmt);
      invoice.Balance = zeroLike(invoice.Balance);
      invoice.PrivateNote = invoice.PrivateNote ? `Voided ${invoice.PrivateNote}` : 'Voided';
      invoice.updatedAt = stamp();
    },
    deleteInvoice(invoiceId) {
      refuseWithPayments(mustInvoice(invoiceId));
      invoices.delete(invoiceId);
      deletedInvoices.set(invoiceId, stamp());
    },
    invoice(invoiceId) {
      const invoice = mustInvoice(invoiceId);
      return { TotalAmt: invoice.TotalAmt, Balance: invoice.Balance };
    },
    addAccount(a) {
      const id = newId();
      accounts.set(id, {
        Id: id,
        Name: a.Name,
        AcctNum: a.AcctNum ?? '',
        AccountType: a.AccountType,
        AccountSubType: a.AccountSubType ?? '',
        Active: a.Active ?? true,
      });
      return id;
    },
    payments: () =>
      [...payments.values()].map((p) => ({
        Id: p.Id,
        TotalAmt: p.lines.reduce((sum, l) => sub(sum, `-${l.amount}`), zeroLike(p.lines[0]?.amount ?? '0')),
        DepositTo: depositTo.get(p.Id) ?? '',
        lines: p.lines.map((l) => ({ ...l })),
      })),
    rateLimitNext(times, seconds) {
      rateLimited = { times, seconds };
    },
    revokeConsent() {
      refreshTokens.clear();
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
        customers,
        invoices,
        payments,
        deletedInvoices,
        deletedPayments,
        creditMemos,
        codes,
        accessTokens,
        accounts,
        requests,
        depositTo,
      ])
        map.clear();
      refreshTokens.clear();
      issuedRefresh = 0;
      rateLimited = { times: 0, seconds: 0 };
      seq = 0;
      nextId = 1;
      homeCurrency = 'USD';
      exchangeRates.length = 0;
    },
    setHomeCurrency(code) {
      homeCurrency = code;
    },
    setExchangeRate(r) {
      exchangeRates.push(r);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
