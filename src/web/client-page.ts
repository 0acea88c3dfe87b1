// The client's status page over HTTP: GET /c/<token> shows it, POST /c/<token> records an answer and
// redirects back to it (post/redirect/get). A bad, revoked or replaced token gets the same plain 404 as
// a missing one. Forms carry a signed, expiring token and must come from this site; each link is rate limited.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@slack/bolt';
import { getClientPage } from '../db/queries/client-page.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError, type LedgerError } from '../services/errors.js';
import {
  ANSWER_KINDS,
  type AnswerKind,
  answerAsClient,
  type ClientAnswerInput,
  checkFormToken,
  formToken,
  hashToken,
  type OpenedLink,
  openClientLink,
} from '../services/sharing.js';
import { type FormProblem, messagePage, notFoundPage, PAGE_CSS_HASH, renderClientPage } from './page.js';
import { type RateLimit, RateLimiter } from './rate-limit.js';

export const CLIENT_PAGE_PATH = '/c/:token';
const MAX_BODY_BYTES = 16 * 1024;

export interface ClientPageLimits {
  /** Page views per link. */
  views: RateLimit;
  /** Answers per link. */
  answers: RateLimit;
  /** Requests for links that do not exist, per address (guessing). */
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
  /** The app's public address (PUBLIC_URL): forms posted from it are accepted, as are same-host posts. */
  publicUrl?: string | undefined;
  limits?: Partial<ClientPageLimits>;
}

export interface ClientPageHandler {
  (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse): void;
  /** Resolves when the work that follows answers (cards, channel) is done: for shutdown and tests. */
  idle(): Promise<void>;
}

const THANKS: Readonly<Record<AnswerKind, (number: string) => string>> = {
  approved: (n) => `Thank you: we have noted that ${n} is approved for payment.`,
  scheduled: (n) => `Thank you: we have noted the payment date for ${n}.`,
  question: (n) => `Thank you: your question about ${n} has gone to our finance team.`,
  dispute: (n) => `Thank you: ${n} is marked as disputed and our finance team will come back to you.`,
};

export function createClientPageHandler(deps: ClientPageDeps): ClientPageHandler {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const limiter = new RateLimiter(() => deps.ledger.clock.now().getTime());
  const pending = new Set<Promise<void>>();

  async function handle(req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) {
    const param = req.params?.token;
    const token = typeof param === 'string' ? param : '';
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      send(res, 405, messagePage('Not allowed', 'This page only answers GET and POST.'), { allow: 'GET, POST' });
      return;
    }
    const tokenKey = hashToken(token);
    const waitS = limiter.take(`${method}:${tokenKey}`, method === 'POST' ? limits.answers : limits.views);
    if (waitS > 0) return tooMany(res, waitS);
    const opened = await openClientLink(deps.ledger, token);
    if (!opened) {
      const missWait = limiter.take(`miss:${req.socket.remoteAddress ?? ''}`, limits.misses);
      if (missWait > 0) return tooMany(res, missWait);
      send(res, 404, notFoundPage());
      return;
    }
    if (method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://page.invalid');
      const kind = url.searchParams.get('answered');
      const invoiceId = url.searchParams.get('invoice');
      await showPage(res, opened, 200, { answered: isAnswerKind(kind) ? { kind, invoiceId } : undefined });
      return;
    }
    await answer(req, res, opened, token);
  }

  async function showPage(
    res: ServerResponse,
    opened: OpenedLink,
    status: number,
    extra: { answered?: { kind: AnswerKind; invoiceId: string | null } | undefined; problem?: FormProblem },
  ) {
    const { workspace, client, link } = opened;
    const now = deps.ledger.clock.now();
    const data = await getClientPage(deps.ledger.db, { workspace, client, now });
    let notice: string | undefined;
    if (extra.answered) {
      const inv = [...data.open, ...data.paid].find((i) => i.id === extra.answered?.invoiceId);
      if (inv) notice = THANKS[extra.answered.kind](inv.number);
    }
    const page = renderClientPage(data, {
      workspaceName: workspace.name,
      clientName: client.name,
      timeZone: workspace.timeZone,
      now,
      formToken: formToken(link, now),
      nonce: () => randomUUID(),
      ...(notice ? { notice } : {}),
      ...(extra.problem ? { problem: extra.problem } : {}),
    });
    send(res, status, page);
  }

  async function answer(req: IncomingMessage, res: ServerResponse, opened: OpenedLink, token: string) {
    if (!sameSite(req, deps.publicUrl)) {
      send(res, 403, messagePage('Not sent', 'Answers can only be sent from the page itself.'));
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      send(res, 415, messagePage('Not sent', 'Send the form from the page.'));
      return;
    }
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch {
      send(res, 413, messagePage('Too long', 'That answer is too long; please shorten it.'));
      return;
    }
    const form = new URLSearchParams(body);
    const now = deps.ledger.clock.now();
    const kind = form.get('kind') ?? '';
    const invoiceId = form.get('invoice') ?? '';
    const values = {
      name: form.get('name') ?? '',
      date: form.get('date') ?? '',
      reference: form.get('reference') ?? '',
      reason: form.get('reason') ?? '',
    };
    if (!checkFormToken(opened.link, form.get('form') ?? '', now)) {
      const problem: FormProblem = {
        invoiceId,
        kind: isAnswerKind(kind) ? kind : 'question',
        values,
        fieldErrors: {},
        message:
          'This page had been open a long time (or came from elsewhere), so nothing was recorded. Please send it again.',
      };
      await showPage(res, opened, 403, { problem });
      return;
    }
    const nonce = form.get('nonce') ?? '';
    try {
      // The service validates it (zod): a field missing for its kind is reported on that field.
      const input = {
        kind: kind as AnswerKind,
        invoiceId,
        ...(kind === 'approved' ? { name: values.name } : { name: values.name || null }),
        ...(kind === 'scheduled' ? { date: values.date, reference: values.reference || null } : {}),
        ...(kind === 'question' || kind === 'dispute' ? { reason: values.reason } : {}),
      } as ClientAnswerInput;
      const { result } = await answerAsClient(deps.ledger, opened, input, {
        ...(/^[0-9a-f-]{36}$/.test(nonce) ? { idempotencyKey: `page:${opened.link.id}:${nonce}` } : {}),
      });
      follow(deps.answered(opened.link.teamId, result.invoiceId));
      const location = `/c/${encodeURIComponent(token)}?answered=${kind}&invoice=${result.invoiceId}#inv-${result.invoiceId}`;
      send(res, 303, '', { location });
    } catch (error) {
      if (!isLedgerError(error)) throw error;
      const fieldErrors: Record<string, string> = {};
      for (const issue of error.issues) {
        if (issue.field in values) fieldErrors[issue.field] = issue.message;
      }
      const problem: FormProblem = {
        invoiceId,
        kind: isAnswerKind(kind) ? kind : 'question',
        values,
        fieldErrors,
        message: pageMessage(error),
      };
      await showPage(res, opened, error.code === 'VALIDATION' ? 422 : 409, { problem });
    }
  }

  function follow(work: Promise<void>) {
    const tracked = work
      .catch((error: unknown) => deps.logger.warn('After a client answer:', error))
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  const handler = ((req, res) => {
    handle(req, res).catch((error: unknown) => {
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

/**
 * A post must come from this site: the browser's Origin (or, without it, Sec-Fetch-Site) names where the
 * form was. Browsers always send one of them on a cross-site form post.
 */
function sameSite(req: IncomingMessage, publicUrl?: string): boolean {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    const allowed = new Set<string>();
    const host = req.headers.host;
    if (host) {
      allowed.add(`http://${host}`);
      allowed.add(`https://${host}`);
    }
    if (publicUrl) allowed.add(new URL(publicUrl).origin);
    return allowed.has(origin.toLowerCase());
  }
  const site = req.headers['sec-fetch-site'];
  if (origin === 'null' && site === undefined) return false;
  return site === undefined || site === 'same-origin' || site === 'none';
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
