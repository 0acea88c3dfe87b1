// One webhook request as it goes out: the host resolved once and every address checked, the connection made to
// the address that was checked (never resolved again), redirects not followed, and failures told in our own few
// words — never what the receiver wrote back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworks } from '../../src/domain/webhook-address.js';
import { webhookErrorText } from '../../src/webhooks/endpoints.js';
import {
  describeNetworkError,
  type SendOptions,
  sendPinned,
  sendWebhook,
  type WebhookSender,
} from '../../src/webhooks/send.js';

const LOOPBACK = parseNetworks('127.0.0.0/8').networks;

interface Seen {
  path: string;
  host: string;
}

/** A local service: what each path answers, and every request it got. */
let server: Server;
let port: number;
let seen: Seen[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', host: req.headers.host ?? '' });
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
  answer = (_req, res) => res.writeHead(204).end();
});

/** A resolver that answers from a table (no real DNS) and counts its questions. */
function resolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (name: string) => {
    asked.push(name);
    const found = table[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  };
  return { asked, resolve };
}

function options(o: Partial<SendOptions> = {}): SendOptions {
  return { allow: [], resolve: resolver({}).resolve, send: sendPinned, timeoutMs: 2_000, ...o };
}

const request = (url: string) => ({ url, headers: { 'Content-Type': 'application/json' }, body: '{"id":"1"}' });

describe('sending one webhook', () => {
  it('connects to the address the name was checked at, asking for the name (no second lookup)', async () => {
    // "ledger.test" resolves nowhere in real DNS: a request arriving proves the socket used the checked address.
    const dns = resolver({ 'ledger.test': ['127.0.0.1'] });
    const error = await sendWebhook(
      options({ allow: LOOPBACK, resolve: dns.resolve }),
      request(`http://ledger.test:${port}/hooks`),
    );
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ path: '/hooks', host: `ledger.test:${port}` }]);
    expect(dns.asked).toEqual(['ledger.test']);
  });

  it('refuses a public-looking name that resolves to a private address, and sends nothing', async () => {
    const sent: string[] = [];
    const send: WebhookSender = async (r) => {
      sent.push(r.address);
      return { status: 204 };
    };
    const cases: [string[], string][] = [
      [['10.0.0.5'], 'refused: erp.example.com resolves to a private address 10.0.0.5'],
      [['93.184.216.34', '10.0.0.5'], 'refused: erp.example.com resolves to a private address 10.0.0.5'],
      [['127.0.0.1'], 'refused: erp.example.com resolves to a loopback address 127.0.0.1'],
      [['::ffff:127.0.0.1'], 'refused: erp.example.com resolves to a loopback address ::ffff:7f00:1 (127.0.0.1)'],
      [['169.254.169.254'], 'refused: erp.example.com resolves to a cloud metadata address 169.254.169.254'],
      [['2606:4700::1111', 'fe80::1'], 'refused: erp.example.com resolves to a link-local address fe80::1'],
      [[], 'erp.example.com has no address'],
    ];
    for (const [addresses, expected] of cases) {
      const dns = resolver({ 'erp.example.com': addresses });
      expect(await sendWebhook(options({ resolve: dns.resolve, send }), request('https://erp.example.com/hooks'))).toBe(
        expected,
      );
    }
    expect(sent).toEqual([]);
  });

  it('checks what the name resolves to at each request, so a name that turns private later is refused then', async () => {
    const table: Record<string, string[]> = { 'erp.example.com': ['93.184.216.34'] };
    const sent: string[] = [];
    const send: WebhookSender = async (r) => {
      sent.push(r.address);
      return { status: 204 };
    };
    const go = () =>
      sendWebhook(options({ resolve: resolver(table).resolve, send }), request('https://erp.example.com/'));
    expect(await go()).toBeUndefined();
    table['erp.example.com'] = ['10.0.0.5'];
    expect(await go()).toBe('refused: erp.example.com resolves to a private address 10.0.0.5');
    expect(sent).toEqual(['93.184.216.34']);
  });

  it('refuses an address literal inside the network at delivery too (an endpoint stored before the rules)', async () => {
    expect(await sendWebhook(options(), request(`http://127.0.0.1:${port}/`))).toBe(
      'refused: 127.0.0.1 is a loopback address',
    );
    expect(await sendWebhook(options(), request(`http://0x7f000001:${port}/`))).toBe(
      'refused: 127.0.0.1 is a loopback address',
    );
    expect(await sendWebhook(options({ allow: LOOPBACK }), request(`http://[::1]:${port}/`))).toBe(
      'refused: ::1 is a loopback address',
    );
    expect(await sendWebhook(options(), request(`http://x.example/${'a'.repeat(100_000)}`))).toBe(
      'refused: it is 100,017 characters long; a webhook address may be at most 2,048',
    );
    expect(seen).toEqual([]);
  });

  it('never follows a redirect: it is a failure, and the place it points to gets nothing', async () => {
    answer = (req, res) =>
      req.url === '/hooks'
        ? res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end('moved')
        : res.writeHead(204).end();
    const error = await sendWebhook(options({ allow: LOOPBACK }), request(`http://127.0.0.1:${port}/hooks`));
    expect(error).toBe('HTTP 302 (a redirect, not followed)');
    expect(seen.map((s) => s.path)).toEqual(['/hooks']);
  });

  it('tells a failure by its status only: the body the receiver wrote back is never read', async () => {
    answer = (_req, res) =>
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('FATAL password=hunter2 <!channel> at db.internal:5432');
    const error = await sendWebhook(options({ allow: LOOPBACK }), request(`http://127.0.0.1:${port}/hooks`));
    expect(error).toBe('HTTP 500');
  });

  it('says "connection refused" for a closed port, and "no answer within" for a receiver or resolver that hangs', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await sendWebhook(options({ allow: LOOPBACK }), request(`http://127.0.0.1:${closedPort}/`))).toBe(
      'connection refused',
    );

    answer = () => {}; // never answers
    expect(await sendWebhook(options({ allow: LOOPBACK, timeoutMs: 150 }), request(`http://127.0.0.1:${port}/`))).toBe(
      'no answer within 0.15 s',
    );
    const hanging = () => new Promise<string[]>(() => {});
    expect(await sendWebhook(options({ resolve: hanging, timeoutMs: 150 }), request('https://erp.example.com/'))).toBe(
      'no answer within 0.15 s',
    );
  });

  it('says which name was not found, and that TLS failed against a server that does not speak it', async () => {
    expect(await sendWebhook(options(), request('https://erp.example.com/'))).toBe(
      'erp.example.com was not found (DNS)',
    );
    // https to a plain-HTTP port: the handshake fails; only the error's code is shown.
    const error = await sendWebhook(options({ allow: LOOPBACK }), request(`https://127.0.0.1:${port}/`));
    expect(error).toMatch(/^TLS failed \([A-Z0-9_]+\)$/);
  });
});

describe('describeNetworkError', () => {
  it('shows only a known code, never an error message (which may hold what the other side sent)', () => {
    expect(describeNetworkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      'connection refused',
    );
    expect(describeNetworkError(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }))).toBe(
      'connection reset',
    );
    expect(describeNetworkError(Object.assign(new Error('x'), { code: 'HPE_INVALID_CONSTANT' }))).toBe(
      'the answer was not HTTP (HPE_INVALID_CONSTANT)',
    );
    expect(describeNetworkError(new Error('password=hunter2'))).toBe('no answer (the connection failed)');
    expect(describeNetworkError(Object.assign(new Error('x'), { code: 'password=hunter2 <!channel>' }))).toBe(
      'no answer (the connection failed)',
    );
  });
});

describe('webhookErrorText', () => {
  it('cuts what an older version stored after the status (the body), and keeps any error to one short line', () => {
    expect(webhookErrorText('event 4182: HTTP 500: FATAL password=hunter2')).toBe('event 4182: HTTP 500');
    expect(webhookErrorText('HTTP 401: bad signature')).toBe('HTTP 401');
    expect(webhookErrorText('event 7: HTTP 302 (a redirect, not followed)')).toBe(
      'event 7: HTTP 302 (a redirect, not followed)',
    );
    expect(webhookErrorText('  event 1: no answer within 10 s\n')).toBe('event 1: no answer within 10 s');
    const long = webhookErrorText(`event 1: fetch failed ${'x'.repeat(500)}`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
