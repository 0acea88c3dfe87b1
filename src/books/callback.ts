// The OAuth callback of a ledger provider (GET /oauth/xero/callback, /oauth/quickbooks/callback): where the
// provider sends the person back with a code (and QuickBooks with the company's realmId). The state is checked before anything else (signature, expiry, single use), then that its person
// is still a finance admin. A grant of several organisations answers with a page to choose one, which POSTs back to
// the same address with the same state (its tokens wait, sealed, in the database). Every answer is a small page,
// never cached, never framed, sending no referrer (the address holds the code); its form may only post here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLedgerError } from '../services/errors.js';
import { ConnectError, type Connected, type WhoIs } from './connections.js';
import type { Books } from './index.js';
import { isProviderError, type ProviderId, providerLabel, type Tenant } from './provider.js';

export interface CallbackOptions {
  books: Books;
  provider: ProviderId;
  logger: { warn(...a: unknown[]): void; error(...a: unknown[]): void };
  /** Who the state's person is now, by the policy's rules (the current admins and group). */
  whoIs: WhoIs;
  /** After a connection is stored: tell the person in Slack, start the first sync. Not awaited by the page. */
  connected: (connection: Connected) => Promise<void>;
}

/** The choice form's body is two short fields: anything larger is refused unread. */
const MAX_FORM_BYTES = 8 * 1024;

/** GET: the provider's redirect; POST: the organisation chosen on the page that GET answered. */
export function createLedgerCallback(options: CallbackOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const label = providerLabel(options.provider);
  return (req, res) => {
    const work = req.method === 'POST' ? choose(options, req, res) : handle(options, req, res);
    void work.catch((error) => {
      options.logger.error(`The ${label} callback failed:`, error);
      if (!res.headersSent)
        page(res, 500, 'Something went wrong', `Nothing was connected. Try ${command(options)} again in a minute.`);
    });
  };
}

export function createXeroCallback(
  options: Omit<CallbackOptions, 'provider'>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return createLedgerCallback({ ...options, provider: 'xero' });
}

const command = (options: CallbackOptions) => `/invoice connect ${options.provider}`;
const notConnected = (options: CallbackOptions) => `${providerLabel(options.provider)} was not connected`;

async function handle(options: CallbackOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const label = providerLabel(options.provider);
  const url = new URL(req.url ?? '/', 'http://callback.invalid');
  const denied = url.searchParams.get('error');
  if (denied) {
    page(res, 400, notConnected(options), `${label} said: ${denied}. Nothing was connected; you can close this tab.`);
    return;
  }
  const state = url.searchParams.get('state') ?? '';
  const code = url.searchParams.get('code') ?? '';
  // QuickBooks names the company it connected on the way back (realmId); Xero lists its connections instead.
  const realmId = url.searchParams.get('realmId') ?? undefined;
  if (!state || !code || (options.provider === 'quickbooks' && !realmId)) {
    page(
      res,
      400,
      notConnected(options),
      `This address is missing what ${label} sends back. Run ${command(options)} again.`,
    );
    return;
  }
  const outcome = await refusals(options, res, () =>
    options.books.completeConnect(options.provider, { state, code, ...(realmId ? { realmId } : {}) }, options.whoIs),
  );
  if (!outcome) return;
  if (outcome.kind === 'choose') {
    choicePage(res, options, url.pathname, outcome.state, outcome.tenants);
    return;
  }
  await done(options, res, outcome);
}

async function choose(options: CallbackOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    page(res, 415, notConnected(options), `Choose the organisation on the page. Run ${command(options)} again.`);
    return;
  }
  const body = await readForm(req);
  if (body === undefined) {
    page(res, 413, notConnected(options), `That was not the choice form. Run ${command(options)} again.`);
    return;
  }
  const state = body.get('state') ?? '';
  const tenantId = body.get('tenant') ?? '';
  if (!state || !tenantId) {
    page(res, 400, notConnected(options), `No organisation was chosen. Run ${command(options)} again.`);
    return;
  }
  const connected = await refusals(options, res, () =>
    options.books.chooseTenant(options.provider, { state, tenantId }, options.whoIs),
  );
  if (connected) await done(options, res, connected);
}

/** Runs the step; a refusal (state, role, the provider) answers with its page and gives undefined. */
async function refusals<T>(
  options: CallbackOptions,
  res: ServerResponse,
  step: () => Promise<T>,
): Promise<T | undefined> {
  const label = providerLabel(options.provider);
  try {
    return await step();
  } catch (error) {
    if (error instanceof ConnectError) {
      page(res, 400, notConnected(options), error.message);
      return undefined;
    }
    if (isLedgerError(error) && error.code === 'FORBIDDEN') {
      page(
        res,
        403,
        notConnected(options),
        `You are not a finance admin of this workspace now, so nothing was connected or changed. ${error.message}`,
      );
      return undefined;
    }
    if (isProviderError(error)) {
      options.logger.warn(`Connecting ${label} failed:`, error.message);
      page(
        res,
        502,
        notConnected(options),
        `${label} did not complete the connection (${error.message}). Run ${command(options)} again.`,
      );
      return undefined;
    }
    throw error;
  }
}

async function done(options: CallbackOptions, res: ServerResponse, connected: Connected): Promise<void> {
  page(
    res,
    200,
    `Connected to ${providerLabel(options.provider)}: ${connected.tenantName}`,
    'The first sync has started; its progress shows on the App Home and with /invoice connect. You can close this tab.',
  );
  await options
    .connected(connected)
    .catch((error) => options.logger.warn(`After connecting ${providerLabel(options.provider)}:`, error));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The organisations as buttons of one form that posts back here (the path's last segment: no query, any prefix). */
function choicePage(res: ServerResponse, options: CallbackOptions, path: string, state: string, tenants: Tenant[]) {
  const label = providerLabel(options.provider);
  const action = path.split('/').at(-1) || 'callback';
  const buttons = tenants
    .map(
      (t) => `<li><button type="submit" name="tenant" value="${escapeHtml(t.id)}">${escapeHtml(t.name)}</button></li>`,
    )
    .join('');
  const body =
    `<p>You allowed access to ${tenants.length} ${escapeHtml(label)} organisations. This app follows one: choose it. ` +
    'Nothing is connected until you do; the choice is yours alone and expires in 10 minutes.</p>' +
    `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="state" value="${escapeHtml(state)}"><ul>${buttons}</ul></form>`;
  send(res, 200, `Choose the ${label} organisation`, body);
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  send(res, status, title, `<p>${escapeHtml(text)}</p>`);
}

/** `bodyHtml` is built here from escaped parts only. */
function send(res: ServerResponse, status: number, title: string, bodyHtml: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}h1{font-size:1.3rem}ul{list-style:none;padding:0}li{margin:.5rem 0}button{font:inherit;padding:.5rem 1rem;cursor:pointer}</style></head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
