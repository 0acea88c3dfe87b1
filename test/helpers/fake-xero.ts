// A contract fake of Xero on 127.0.0.1, written from XeroAPI/Xero-OpenAPI (xero_accounting.yaml, xero-identity.yaml):
// the authorize page (login), the token endpoint (authorization code with PKCE, refresh with rotation: the old
// refresh token dies at once; invalid_grant when consent is gone), revocation, /connections, and the Accounting
// API's Invoices, Contacts, Payments and CreditNotes with the xero-tenant-id header, If-Modified-Since, Statuses, paging (100 a
// page, order UpdatedDateUTC ASC) and amounts written as JSON numbers with their decimals (46.00), dates as
// /Date(…)/. It can answer 429 with Retry-After, and it records every call.
//
//   const xero = await startFakeXero();
//   config: XERO_API_URL = XERO_IDENTITY_URL = XERO_LOGIN_URL = xero.url
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  Status: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
  UpdatedDateUTC: Date;
  Type: 'ACCREC' | 'ACCPAY';
}

export interface FakePayment {
  PaymentID: string;
  InvoiceID: string;
  Amount: string;
  Date: string;
  Reference: string;
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
  Allocations: { InvoiceID: string; Amount: string; Date: string }[];
  UpdatedDateUTC: Date;
}

export interface FakeContact {
  ContactID: string;
  Name: string;
  EmailAddress: string;
  IsCustomer: boolean;
  UpdatedDateUTC: Date;
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
  invoice(invoiceId: string): FakeInvoice;
  /** The next `times` Accounting API calls answer 429 with Retry-After `seconds`. */
  rateLimitNext(times: number, seconds: number): void;
  /** The organisation's admin removes the app: every token dies; a refresh gets invalid_grant. */
  revokeConsent(): void;
  /** Access tokens issued so far expire now (the app must refresh). */
  expireAccessTokens(): void;
  /** The instant Xero stamps changes with (UpdatedDateUTC). */
  setNow(at: Date | string): void;
  refreshTokensIssued(): number;
  /** Forgets every record, token, scripted failure and call (the tenant stays). */
  reset(): void;
  close(): Promise<void>;
}

const PAGE_SIZE = 100;

/** A JSON number written with the decimals given ("46.00" → 46.00), as Xero writes amounts. */
function num(text: string): string {
  return `@@NUM(${text})@@`;
}
function json(value: unknown): string {
  return JSON.stringify(value).replace(/"@@NUM\((-?[0-9.]+)\)@@"/g, '$1');
}
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

export async function startFakeXero(): Promise<FakeXero> {
  const tenant = { id: randomUUID(), name: 'Acme Agency Ltd' };
  const calls: FakeXeroCall[] = [];
  const contacts = new Map<string, FakeContact>();
  const invoices = new Map<string, FakeInvoice>();
  const payments = new Map<string, FakePayment>();
  const creditNotes = new Map<string, FakeCreditNote>();
  const codes = new Map<string, { redirectUri: string; challenge: string }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  let issuedRefresh = 0;
  let rateLimited: { times: number; seconds: number } = { times: 0, seconds: 0 };
  let now = new Date('2026-11-23T15:00:00Z');
  let seq = 0;
  // Every change gets its own UpdatedDateUTC, later than the last, as Xero's are.
  const stamp = () => {
    seq += 1;
    return new Date(now.getTime() + seq);
  };

  function issueTokens() {
    const access = `xa-${randomBytes(16).toString('hex')}`;
    const refresh = `xr-${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, { expiresAt: Date.now() + 30 * 60_000 });
    refreshTokens.add(refresh);
    issuedRefresh += 1;
    return {
      id_token: 'fake-id-token',
      access_token: access,
      expires_in: 1800,
      token_type: 'Bearer',
      refresh_token: refresh,
      scope: 'offline_access accounting.invoices.read accounting.payments.read accounting.contacts.read',
    };
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
    return credited;
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
      Prepayments: [],
      Overpayments: [],
      AmountDue: num(sub(sub(i.Total, paid), credited)),
      AmountPaid: num(paid),
      AmountCredited: num(credited),
      CurrencyRate: num('1.000000'),
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

  async function handle(req: IncomingMessage, res: ServerResponse, call: FakeXeroCall): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
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
      codes.set(code, { redirectUri, challenge: q.get('code_challenge') ?? '' });
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
    if (req.method === 'POST' && url.pathname === '/connect/revocation') {
      if (!basicOk(req)) return send(400, { error: 'invalid_client' });
      const form = await readBody(req);
      refreshTokens.delete(form.get('token') ?? '');
      accessTokens.clear();
      return send(200, '');
    }
    if (req.method === 'GET' && url.pathname === '/connections') {
      if (!bearerOk(req)) return send(401, { Title: 'Unauthorized', Status: 401 });
      return send(200, [
        {
          id: randomUUID(),
          authEventId: randomUUID(),
          tenantId: tenant.id,
          tenantType: 'ORGANISATION',
          tenantName: tenant.name,
          createdDateUtc: '2026-11-23T15:00:00.0000000',
          updatedDateUtc: '2026-11-23T15:00:00.0000000',
        },
      ]);
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api.xro/2.0/')) {
      if (!bearerOk(req))
        return send(401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
      if (req.headers['xero-tenant-id'] !== tenant.id)
        return send(403, { Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' });
      if (rateLimited.times > 0) {
        rateLimited.times -= 1;
        return send(429, '', { 'retry-after': String(rateLimited.seconds), 'x-rate-limit-problem': 'minute' });
      }
      const q = url.searchParams;
      const resource = url.pathname.slice('/api.xro/2.0/'.length);
      if (q.has('order') && q.get('order') !== 'UpdatedDateUTC ASC')
        return send(400, { Message: 'fake: unsupported order' });
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
              AllocationID: randomUUID(),
              Amount: num(a.Amount),
              Date: msDate(a.Date),
              Invoice: { InvoiceID: a.InvoiceID, InvoiceNumber: invoices.get(a.InvoiceID)?.InvoiceNumber },
            })),
          })),
        });
      }
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
            PaymentType: 'ACCRECPAYMENT',
            IsReconciled: true,
            UpdatedDateUTC: msDate(p.UpdatedDateUTC),
            Invoice: { InvoiceID: p.InvoiceID, InvoiceNumber: invoices.get(p.InvoiceID)?.InvoiceNumber },
          })),
        });
      }
      return send(404, { Message: 'fake: no such resource' });
    }
    return send(404, { Message: 'fake: not found' });
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
      });
      return id;
    },
    pay(invoiceId, p) {
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
    },
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
    invoice(invoiceId) {
      const invoice = invoices.get(invoiceId);
      if (!invoice) throw new Error(`no invoice ${invoiceId}`);
      return invoice;
    },
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
      for (const map of [contacts, invoices, payments, creditNotes, codes, accessTokens]) map.clear();
      refreshTokens.clear();
      issuedRefresh = 0;
      rateLimited = { times: 0, seconds: 0 };
      seq = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
