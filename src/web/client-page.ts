// The client's status page over HTTP: GET (or HEAD) /c/<token> shows it, POST /c/<token> records an answer and
// redirects back to it (post/redirect/get). Everything under /c answers here, with the page's headers: a bad,
// revoked or replaced token and any other path get the same plain 404, another method a 405. Forms carry a
// signed, expiring token and must come from PUBLIC_URL's origin; each link is rate limited, and an address
// that guesses at links is refused every link for a while.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@slack/bolt';
import { getClientPage } from '../db/queries/client-page.js';
import { hasControlCharacter, stripControlCharacters } from '../domain/text.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError, type LedgerError } from '../services/errors.js';
import {
  ANSWER_KINDS,
  type AnswerKind,
  answerAsClient,
  type ClientAnswerInput,
  checkFormToken,
  formToken,
  type OpenedLink,
  openClientLink,
} from '../services/sharing.js';
import { type FormProblem, messagePage, notFoundPage, PAGE_CSS_HASH, renderClientPage } from './page.js';
import { addressKey, type RateLimit, RateLimiter } from './rate-limit.js';

/** A client's link: PUBLIC_URL/c/<token>. The app hands every path under /c to the page (isClientPagePath). */
export const CLIENT_PAGE_PATH = '/c/:token';
const ALLOWED = 'GET, HEAD, POST';

/**
 * The body of an answer is read up to this many bytes. The longest answer a client may send is 2,000 characters
 * of reason and 120 each of name and reference: in UTF-8 at most 4 bytes a character, each byte percent-encoded
 * as 3, that is (2,000 + 2 × 120) × 12 = 26,880 bytes, plus the hidden fields — 64 KiB leaves room to spare.
 * Characters are counted by the service, not here.
 */
export const MAX_BODY_BYTES = 64 * 1024;
/** After a 413 the rest of an oversized body is read and dropped up to this much, so the client reads the answer; beyond it the connection is cut. */
const DRAIN_BYTES = 1024 * 1024;

export interface ClientPageLimits {
  /** Page views per link. */
  views: RateLimit;
  /** Answers per link. */
  answers: RateLimit;
  /**
   * Requests for links that do not exist, per address (IPv4, or an IPv6 /64). Past it the address gets 429 for
   * every link, a real one too, until its window ends: it is guessing. An address that never misses is never held.
   */
  misses: RateLimit;
}

export const DEFAULT_LIMITS: ClientPageLimits = {
  views: { max: 120, windowMs: 60_000 },
  answers: { max: 20, windowMs: 10 * 60_000 },
  misses: { max: 30, windowMs: 60_000 },
};

export interface ClientPageDeps {
  ledger: LedgerContext;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** After an answer is recorded: bring the invoice's cards and homes up to date, tell the channel now. */
  answered(teamId: string, invoiceId: string): Promise<void>;
  /** The app's public address (PUBLIC_URL, or its default): forms are accepted from its origin only. */
  publicUrl(): string;
  limits?: Partial<ClientPageLimits>;
}

export interface ClientPageHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when the work that follows answers (cards, channel) is done: for shutdown and tests. */
  idle(): Promise<void>;
}

const THANKS: Readonly<Record<AnswerKind, (number: string) => string>> = {
  approved: (n) => `Thank you: we have noted that ${n} is approved for payment.`,
  scheduled: (n) => `Thank you: we have noted the payment date for ${n}.`,
  question: (n) => `Thank you: your question about ${n} has gone to our finance team.`,
  dispute: (n) => `Thank you: ${n} is marked as disputed and our finance team will come back to you.`,
};

/** What every request to the page shares: its dependencies, its limits and limiter, the work after answers. */
interface Page {
  deps: ClientPageDeps;
  limits: ClientPageLimits;
  limiter: RateLimiter;
  /** Runs the work after an answer (cards, channel) without holding the response; idle() waits for it. */
  follow(work: Promise<void>): void;
}

export function createClientPageHandler(deps: ClientPageDeps): ClientPageHandler {
  const pending = new Set<Promise<void>>();
  const page: Page = {
    deps,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    limiter: new RateLimiter(() => deps.ledger.clock.now().getTime()),
    follow(work) {
      const tracked = work
        .catch((error: unknown) => deps.logger.warn('After a client answer:', error))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  const handler = ((req, res) => {
    handle(page, req, res).catch((error: unknown) => {
      deps.logger.error('Client page failed:', error);
      if (!res.headersSent) send(res, 500, messagePage('Something went wrong', 'Please try again in a minute.'));
      else res.end();
    });
  }) as ClientPageHandler;
  handler.idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return handler;
}

async function handle(page: Page, req: IncomingMessage, res: ServerResponse) {
  const { limits, limiter } = page;
  const method = (req.method ?? 'GET').toUpperCase();
  const token = tokenOf(req.url);
  // Every other path under /c is the same page as a link that does not exist; nothing is looked up.
  if (token === undefined) return send(res, 404, notFoundPage());
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return send(res, 405, messagePage('Not allowed', 'This page only answers GET, HEAD and POST.'), {
      allow: ALLOWED,
    });
  }
  // An address that has been guessing is refused every link, a real one too, until its window ends.
  const address = `miss:${addressKey(req.socket.remoteAddress)}`;
  const guessing = limiter.check(address, limits.misses);
  if (guessing > 0) return tooMany(res, guessing);
  const opened = await openClientLink(page.deps.ledger, token);
  if (!opened) {
    const missWait = limiter.take(address, limits.misses);
    if (missWait > 0) return tooMany(res, missWait);
    return send(res, 404, notFoundPage());
  }
  const linkWait = limiter.take(
    `${method === 'POST' ? 'answer' : 'view'}:${opened.link.id}`,
    method === 'POST' ? limits.answers : limits.views,
  );
  if (linkWait > 0) return tooMany(res, linkWait);
  if (method !== 'POST') {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    const kind = url.searchParams.get('answered');
    const invoiceId = url.searchParams.get('invoice');
    await showPage(page, res, opened, 200, { answered: isAnswerKind(kind) ? { kind, invoiceId } : undefined });
    return;
  }
  await answer(page, req, res, opened, token);
}

async function showPage(
  page: Page,
  res: ServerResponse,
  opened: OpenedLink,
  status: number,
  extra: { answered?: { kind: AnswerKind; invoiceId: string | null } | undefined; problem?: FormProblem },
) {
  const { workspace, client, link } = opened;
  const now = page.deps.ledger.clock.now();
  const data = await getClientPage(page.deps.ledger.db, { workspace, client, now });
  let notice: string | undefined;
  if (extra.answered) {
    const inv = [...data.open, ...data.paid].find((i) => i.id === extra.answered?.invoiceId);
    if (inv) notice = THANKS[extra.answered.kind](inv.number);
  }
  const html = renderClientPage(data, {
    workspaceName: workspace.name,
    clientName: client.name,
    timeZone: workspace.timeZone,
    now,
    formToken: formToken(link, now),
    nonce: () => randomUUID(),
    ...(notice ? { notice } : {}),
    ...(extra.problem ? { problem: extra.problem } : {}),
  });
  send(res, status, html);
}

/** The answer's form, once it came from the page itself, as a form, and not too long; otherwise answered here. */
async function readAnswerForm(page: Page, req: IncomingMessage, res: ServerResponse) {
  if (!fromPublicOrigin(req, new URL(page.deps.publicUrl()).origin)) {
    send(res, 403, messagePage('Not sent', 'Answers can only be sent from the page itself.'));
    return undefined;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    send(res, 415, messagePage('Not sent', 'Send the form from the page.'));
    return undefined;
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) {
    // Answered before the rest of the body is read: the client gets the page, then the connection closes.
    send(res, 413, messagePage('Too long', 'That answer is too long; please shorten it.'), { connection: 'close' });
    drain(req);
    return undefined;
  }
  return new URLSearchParams(body);
}

/** The answer's fields as the form sent them. */
interface AnswerForm {
  kind: string;
  invoiceId: string;
  values: { name: string; date: string; reference: string; reason: string };
  /** The kind the form is shown again with, should the answer be refused. */
  problemKind: AnswerKind;
}

async function answer(page: Page, req: IncomingMessage, res: ServerResponse, opened: OpenedLink, token: string) {
  const form = await readAnswerForm(page, req, res);
  if (!form) return;
  const now = page.deps.ledger.clock.now();
  const kind = form.get('kind') ?? '';
  const fields: AnswerForm = {
    kind,
    invoiceId: form.get('invoice') ?? '',
    values: {
      name: form.get('name') ?? '',
      date: form.get('date') ?? '',
      reference: form.get('reference') ?? '',
      reason: form.get('reason') ?? '',
    },
    problemKind: isAnswerKind(kind) ? kind : 'question',
  };
  const { invoiceId, values, problemKind } = fields;
  // NUL and other control characters never reach the ledger (nor the database, which refuses NUL in text).
  if ([...form.values()].some(hasControlCharacter)) {
    await showPage(page, res, opened, 400, { problem: controlProblem(fields) });
    return;
  }
  if (!checkFormToken(opened.link, form.get('form') ?? '', now)) {
    const problem: FormProblem = {
      invoiceId,
      kind: problemKind,
      values,
      fieldErrors: {},
      message:
        'This page had been open a long time (or came from elsewhere), so nothing was recorded. Please send it again.',
    };
    await showPage(page, res, opened, 403, { problem });
    return;
  }
  await recordAnswer(page, res, opened, token, fields, form.get('nonce') ?? '');
}

/** The form shown again with the fields that held a control character, those characters taken out. */
function controlProblem({ invoiceId, values, problemKind }: AnswerForm): FormProblem {
  const fieldErrors: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) {
    if (hasControlCharacter(value)) fieldErrors[field] = 'contains a character that cannot be used';
  }
  return {
    invoiceId,
    kind: problemKind,
    values: Object.fromEntries(Object.entries(values).map(([field, value]) => [field, stripControlCharacters(value)])),
    fieldErrors,
    message: `${describeFields(Object.keys(fieldErrors))} a character that cannot be used (a control character such as NUL), so nothing was recorded. Please type it again.`,
  };
}

/** Records the answer through the service and redirects back to the page; a refusal shows the form again. */
async function recordAnswer(
  page: Page,
  res: ServerResponse,
  opened: OpenedLink,
  token: string,
  { kind, invoiceId, values, problemKind }: AnswerForm,
  nonce: string,
) {
  try {
    // The service validates it (zod): a field missing for its kind is reported on that field.
    const input = {
      kind: kind as AnswerKind,
      invoiceId,
      ...(kind === 'approved' ? { name: values.name } : { name: values.name || null }),
      ...(kind === 'scheduled' ? { date: values.date, reference: values.reference || null } : {}),
      ...(kind === 'question' || kind === 'dispute' ? { reason: values.reason } : {}),
    } as ClientAnswerInput;
    const { result } = await answerAsClient(page.deps.ledger, opened, input, {
      ...(/^[0-9a-f-]{36}$/.test(nonce) ? { idempotencyKey: `page:${opened.link.id}:${nonce}` } : {}),
    });
    page.follow(page.deps.answered(opened.link.teamId, result.invoiceId));
    const location = `/c/${encodeURIComponent(token)}?answered=${kind}&invoice=${result.invoiceId}#inv-${result.invoiceId}`;
    send(res, 303, '', { location });
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    // An invoice not on this page (another client's, another workspace's, a draft, none, or gone meanwhile) gets
    // one answer, the same whatever else the form holds: the service decides it.
    if (error.code === 'INVOICE_NOT_FOUND') return invoiceNotFound(res, token);
    const fieldErrors: Record<string, string> = {};
    for (const issue of error.issues) {
      if (issue.field in values) fieldErrors[issue.field] = issue.message;
    }
    const problem: FormProblem = { invoiceId, kind: problemKind, values, fieldErrors, message: pageMessage(error) };
    await showPage(page, res, opened, error.code === 'VALIDATION' ? 422 : 409, { problem });
  }
}

function isAnswerKind(kind: string | null): kind is AnswerKind {
  return kind !== null && (ANSWER_KINDS as readonly string[]).includes(kind);
}

/** The message a client reads: without our internal field names. */
function pageMessage(error: LedgerError): string {
  if (error.code !== 'VALIDATION') return error.message;
  const fields: Record<string, string> = {
    name: 'Your name',
    date: 'The payment date',
    reference: 'The reference',
    reason: 'What it is about',
    kind: 'The kind of answer',
    invoiceId: 'The invoice',
  };
  return error.issues.map((i) => `${fields[i.field] ?? 'The form'} ${i.message}.`).join(' ');
}

/** The names the page gives its fields, for messages. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  name: 'Your name',
  date: 'The payment date',
  reference: 'The reference',
  reason: 'What it is about',
};

function describeFields(fields: string[]): string {
  const names = fields.map((f) => FIELD_NAMES[f] ?? 'The form');
  if (names.length === 0) return 'The form contained';
  return `${names.join(' and ')} contained`;
}

/** The path's token, when the path is /c/<one segment>; undefined for /c, /c/, /c/<token>/more or a bad escape. */
export function tokenOf(url: string | undefined): string | undefined {
  let path: string;
  try {
    path = new URL(url ?? '/', 'http://page.invalid').pathname;
  } catch {
    return undefined;
  }
  const segment = /^\/c\/([^/]+)$/.exec(path)?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Whether a request's path is the page's (/c or anything below it): the app sends every such request here. */
export function isClientPagePath(url: string | undefined): boolean {
  let path: string;
  try {
    path = new URL(url ?? '/', 'http://page.invalid').pathname;
  } catch {
    return false;
  }
  return path === '/c' || path.startsWith('/c/');
}

/**
 * A post must come from the page itself, at PUBLIC_URL's origin (never from whatever Host the request names).
 * A browser names where a form was in Origin; the page's Referrer-Policy (no-referrer) makes it send
 * `Origin: null` even for its own forms, and then Sec-Fetch-Site says whether the form was on the same origin.
 * Without either header the post is not a browser's cross-site form (browsers send one of them), and the form
 * token still has to be right.
 */
export function fromPublicOrigin(req: IncomingMessage, publicOrigin: string): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && origin !== 'null') return origin.trim().toLowerCase() === publicOrigin.toLowerCase();
  if (origin === 'null') return site === 'same-origin';
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** The body as text, or undefined when it is longer than max bytes (what came is not kept). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/**
 * Reads and drops what is left of a body after the answer went out, so the client reads the 413 instead of a
 * reset connection; a client that goes on sending past DRAIN_BYTES is cut off.
 */
function drain(req: IncomingMessage) {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/** One answer for an invoice that is not on this page, whoever's it is: the same status and the same bytes. */
function invoiceNotFound(res: ServerResponse, token: string) {
  send(
    res,
    404,
    messagePage('Not found', 'That invoice is not on this page, so nothing was recorded.', {
      href: `/c/${encodeURIComponent(token)}`,
      text: 'Back to your invoices',
    }),
  );
}

function tooMany(res: ServerResponse, waitS: number) {
  send(res, 429, messagePage('Too many requests', `Please wait ${waitS} seconds and try again.`), {
    'retry-after': String(waitS),
  });
}

/** What every answer of the page carries. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the address: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
  'content-security-policy': `default-src 'none'; style-src '${PAGE_CSS_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
};

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers });
  res.end(body);
}
