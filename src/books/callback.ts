// GET /oauth/xero/callback and /oauth/quickbooks/callback: where the ledger sends the person back with a code (and
// QuickBooks with the company's realmId). The state is checked before anything
// else (signature, expiry, single use); the answer is a small page, never cached, never framed, and it sends no
// referrer (the address holds the code).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectError, type Connected } from './connections.js';
import type { Books } from './index.js';
import { isProviderError, PROVIDER_LABEL, type ProviderId } from './provider.js';

export interface CallbackOptions {
  books: Books;
  logger: { warn(...a: unknown[]): void; error(...a: unknown[]): void };
  /** After a connection is stored: tell the person in Slack, start the first sync. Not awaited by the page. */
  connected: (connection: Connected) => Promise<void>;
}

export function createXeroCallback(options: CallbackOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return createLedgerCallback('xero', options);
}

export function createLedgerCallback(
  provider: ProviderId,
  options: CallbackOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const label = PROVIDER_LABEL[provider];
  return (req, res) => {
    void handle(provider, options, req, res).catch((error) => {
      options.logger.error(`The ${label} callback failed:`, error);
      if (!res.headersSent)
        page(
          res,
          500,
          'Something went wrong',
          `Nothing was connected. Try /invoice connect ${provider} again in a minute.`,
        );
    });
  };
}

async function handle(
  provider: ProviderId,
  options: CallbackOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const label = PROVIDER_LABEL[provider];
  const notConnected = `${label} was not connected`;
  const url = new URL(req.url ?? '/', 'http://callback.invalid');
  const denied = url.searchParams.get('error');
  if (denied) {
    page(res, 400, notConnected, `${label} said: ${denied}. Nothing was connected; you can close this tab.`);
    return;
  }
  const state = url.searchParams.get('state') ?? '';
  const code = url.searchParams.get('code') ?? '';
  const realmId = url.searchParams.get('realmId') ?? undefined;
  if (!state || !code || (provider === 'quickbooks' && !realmId)) {
    page(
      res,
      400,
      notConnected,
      `This address is missing what ${label} sends back. Run /invoice connect ${provider} again.`,
    );
    return;
  }
  let connected: Connected;
  try {
    connected = await options.books.completeConnect(provider, { state, code, ...(realmId ? { realmId } : {}) });
  } catch (error) {
    if (error instanceof ConnectError) {
      page(res, 400, notConnected, error.message);
      return;
    }
    if (isProviderError(error)) {
      options.logger.warn(`Connecting ${label} failed:`, error.message);
      page(
        res,
        502,
        notConnected,
        `${label} did not complete the connection (${error.message}). Run /invoice connect ${provider} again.`,
      );
      return;
    }
    throw error;
  }
  const others =
    connected.otherTenants.length > 0
      ? ` You also gave access to ${connected.otherTenants.join(', ')}; this app syncs one organisation, the first.`
      : '';
  page(
    res,
    200,
    `Connected to ${label}: ${connected.tenantName}`,
    `The first sync has started; its progress shows in Slack with /invoice connect. You can close this tab.${others}`,
  );
  await options.connected(connected).catch((error) => options.logger.warn(`After connecting ${label}:`, error));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}h1{font-size:1.3rem}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
