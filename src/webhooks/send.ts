// One webhook request: resolve the endpoint's host, refuse it unless every address it has may be reached, then
// connect to the very address that was checked (so a name that resolves elsewhere a moment later — DNS
// rebinding — changes nothing), never follow a redirect, and tell what went wrong in a few words of our own:
// what the receiver answered is never read, so its body (an internal service's error page, say) goes nowhere.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkAddress, checkResolved, type Network, parseWebhookUrl, webhookHost } from '../domain/webhook-address.js';

/** One request to an address that has been checked: connect to `address`, ask for `url` (its host, SNI, path). */
export interface PinnedRequest {
  url: URL;
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** Sends a request and reports the status it got; throws (with a Node error code) when there was no answer. */
export type WebhookSender = (request: PinnedRequest) => Promise<{ status: number }>;

export interface SendOptions {
  allow: readonly Network[];
  resolve: (hostname: string) => Promise<string[]>;
  send: WebhookSender;
  timeoutMs: number;
}

/**
 * What went wrong is cut to this (what goes in it is ours, so this only bounds a long host name); with "event <id>: "
 * before it, a stored error stays under 200 characters.
 */
export const MAX_ERROR_LENGTH = 170;

/** Undefined on a 2xx; else "HTTP 500", "no answer within 10 s", "refused: … resolves to a private address 10.0.0.5"… */
export async function sendWebhook(
  options: SendOptions,
  request: { url: string; headers: Record<string, string>; body: string },
): Promise<string | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const target = await untilAborted(pinTarget(options, request.url), controller.signal);
    if (!target.ok) return shorten(target.error);
    const { status } = await options.send({ ...target, ...request, url: target.url, signal: controller.signal });
    if (status >= 200 && status < 300) return undefined;
    // A redirect is not an answer: the event is not re-posted somewhere we were not told about.
    if (status >= 300 && status < 400) return `HTTP ${status} (a redirect, not followed)`;
    return `HTTP ${status}`;
  } catch (error) {
    if (controller.signal.aborted) return `no answer within ${options.timeoutMs / 1000} s`;
    return shorten(describeNetworkError(error));
  } finally {
    clearTimeout(timer);
  }
}

type Target = { ok: true; url: URL; address: string; family: 4 | 6 } | { ok: false; error: string };

/** The address to connect to, checked; or why there is none. Resolves a name once: that answer is the one used. */
async function pinTarget(options: SendOptions, stored: string): Promise<Target> {
  // An endpoint added before these rules (or written to the table by hand) is held to them here too.
  const parsed = parseWebhookUrl(stored);
  if (!parsed.ok) return { ok: false, error: `refused: ${parsed.reason}` };
  const host = webhookHost(parsed.url);
  if (host.type === 'ip') {
    const verdict = checkAddress(host.address, options.allow);
    if (!verdict.ok) return { ok: false, error: `refused: ${verdict.reason}` };
    return { ok: true, url: parsed.url, address: host.address, family: host.address.includes(':') ? 6 : 4 };
  }
  let addresses: string[];
  try {
    addresses = await options.resolve(host.name);
  } catch (error) {
    const code = errorCode(error);
    const missing = code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME';
    return {
      ok: false,
      error: missing ? `${host.name} was not found (DNS)` : `${host.name} could not be resolved (${code ?? 'DNS'})`,
    };
  }
  const verdict = checkResolved(host.name, addresses, options.allow);
  if (!verdict.ok) return { ok: false, error: verdict.reason };
  return { ok: true, url: parsed.url, address: verdict.address, family: verdict.family };
}

/** Every address the system resolver has for a name (as connect() would find it, hosts file included). */
export async function resolveHost(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * POSTs over node:http(s) to `address` only: the lookup handed to the socket answers with the checked address, so
 * nothing resolves the name again. TLS still checks the certificate against the URL's host name. The answer's
 * body is never read: the connection is closed as soon as the status line and headers have arrived.
 */
export const sendPinned: WebhookSender = (request) =>
  new Promise((resolve, reject) => {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: request.address, family: request.family }]);
      else callback(null, request.address, request.family);
    };
    const transport = request.url.protocol === 'https:' ? https : http;
    const req = transport.request(request.url, {
      method: 'POST',
      headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) },
      agent: false,
      lookup: pinned,
      signal: request.signal,
    });
    req.on('response', (res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.destroy();
    });
    req.on('error', reject);
    req.end(request.body);
  });

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const stop = () => reject(new Error('aborted'));
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const code = typeof own === 'string' ? own : typeof cause === 'string' ? cause : undefined;
  // Only a code-shaped word is ever shown: never a message, which may hold what the other side sent.
  return code && /^[A-Z][A-Z0-9_]{1,39}$/.test(code) ? code : undefined;
}

const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/** A failure to get any answer, as a few words of ours and the error's code. */
export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  if (!code) return 'no answer (the connection failed)';
  const known = NETWORK_ERRORS[code];
  if (known) return known;
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(code)) return `TLS failed (${code})`;
  if (code.startsWith('HPE_')) return `the answer was not HTTP (${code})`;
  return `no answer (${code})`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}
