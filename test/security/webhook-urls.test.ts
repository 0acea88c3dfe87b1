// Adversarial: ledger webhook addresses that point inside the network. Each URL below was (or is a spelling of
// one that was) accepted before: loopback in every form WHATWG URL reads, private, CGNAT, link-local, cloud
// metadata, IPv6 forms carrying an IPv4 address, the database's port, local names, over-long URLs. A local
// receiver listens on 127.0.0.1 at the port every case names, so a case that got through would reach it.
//
// For each case: what the policy answers; that the service refuses it naming the field and writes nothing; what a
// finance admin sees in Slack after `/invoice webhooks add`, with no endpoint written and nothing reaching the
// receiver. Then what only the delivery can see: names that resolve inside the network (DNS is injected: every
// name may point at the receiver), and endpoints stored before these rules.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookEndpoints } from '../../src/db/schema.js';
import { checkWebhookUrl, parseNetworks, type WebhookHost } from '../../src/domain/webhook-address.js';
import { isLedgerError } from '../../src/services/errors.js';
import { addWebhookEndpoint } from '../../src/services/webhooks.js';
import { escapeText } from '../../src/slack/ui/text.js';
import { deliverWebhooks, type WebhookEnv } from '../../src/webhooks/deliver.js';
import { listWebhookEndpoints } from '../../src/webhooks/endpoints.js';
import { useTestBot } from '../helpers/bot.js';
import { describeEachDatabase } from '../helpers/db.js';
import type { Args } from '../helpers/fake-slack.js';
import { OPERATOR, sentInvoice, workspaceWithClient } from '../helpers/ledger.js';

/** The local service every case aims at, and every request that reached it. */
let receiver: Server;
let port = 0;
let reached: string[] = [];
beforeAll(async () => {
  receiver = createServer((req, res) => {
    reached.push(`${req.method} ${req.headers.host}${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(500).end('FATAL: password authentication failed for user "postgres" (hunter2)'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  reached = [];
});

/** `{P}` in a case is the receiver's port. */
const at = (url: string) => url.replaceAll('{P}', String(port));

const HINT =
  'webhooks go to public addresses only (whoever runs the app can allow a private network with WEBHOOK_ALLOW_NETWORKS)';
const inside = (what: string) => `it points inside the network: ${what}; ${HINT}`;
const loopback = inside('127.0.0.1 is a loopback address');
const localName = (name: string) => inside(`${name} is a name on the local network, not a public one`);
const LONG = 'https://erp.example.com/';

/** [what a person types, why it is refused] */
const REFUSED: readonly (readonly [string, string])[] = [
  // Loopback, as written and in every spelling WHATWG URL turns into 127.0.0.1
  ['http://127.0.0.1:{P}/hooks', loopback],
  ['https://127.0.0.1:{P}/hooks', loopback],
  ['http://127.0.0.2:{P}/', inside('127.0.0.2 is a loopback address')],
  ['http://127.255.255.254:{P}/', inside('127.255.255.254 is a loopback address')],
  ['http://2130706433:{P}/', loopback],
  ['http://0x7f000001:{P}/', loopback],
  ['http://0X7F000001:{P}/', loopback],
  ['http://017700000001:{P}/', loopback],
  ['http://0177.0.0.1:{P}/', loopback],
  ['http://0177.0000.0000.0001:{P}/', loopback],
  ['http://127.000.000.001:{P}/', loopback],
  ['http://0x7f.0x0.0x0.0x1:{P}/', loopback],
  ['http://0x7f.1:{P}/', loopback],
  ['http://127.1:{P}/', loopback],
  ['http://127.0.1:{P}/', loopback],
  ['http://%31%32%37.0.0.1:{P}/', loopback],
  ['http://１２７.０.０.１:{P}/', loopback],
  ['http://①②⑦.⓪.⓪.①:{P}/', loopback],
  ['http://127.0.0.1.:{P}/', loopback],
  ['http://[::1]:{P}/', inside('::1 is a loopback address')],
  ['http://[0:0:0:0:0:0:0:1]:{P}/', inside('::1 is a loopback address')],
  ['http://[::ffff:127.0.0.1]:{P}/', inside('::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv6 form)')],
  ['http://[::ffff:7f00:1]:{P}/', inside('::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv6 form)')],
  ['http://[0:0:0:0:0:ffff:127.0.0.1]:{P}/', inside('::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv6 form)')],
  ['http://[::127.0.0.1]:{P}/', inside('::7f00:1 is a loopback address (127.0.0.1 in IPv6 form)')],
  ['http://[64:ff9b::127.0.0.1]:{P}/', inside('64:ff9b::7f00:1 is a loopback address (127.0.0.1 in IPv6 form)')],
  // The database's port on this machine
  ['http://127.0.0.1:5432/', loopback],
  ['postgres://127.0.0.1:5432/receivables', 'webhooks go over https (or http); "postgres:" is not supported'],
  ['http://localhost:5432/', inside('localhost is this machine')],
  // This host: unspecified addresses and localhost names
  ['http://0.0.0.0:{P}/', inside('0.0.0.0 is an unspecified address')],
  ['http://0:{P}/', inside('0.0.0.0 is an unspecified address')],
  ['http://0.0.0.1:{P}/', inside('0.0.0.1 is an unspecified address')],
  ['http://[::]:{P}/', inside(':: is an unspecified address')],
  ['http://localhost:{P}/', inside('localhost is this machine')],
  ['http://LocalHost:{P}/', inside('localhost is this machine')],
  ['http://localhost.:{P}/', inside('localhost is this machine')],
  ['http://app.localhost:{P}/', inside('app.localhost is this machine')],
  // Cloud metadata (credentials)
  ['http://169.254.169.254/latest/meta-data/iam/', inside('169.254.169.254 is a cloud metadata address')],
  ['http://0xa9fea9fe/latest/', inside('169.254.169.254 is a cloud metadata address')],
  ['http://2852039166/latest/', inside('169.254.169.254 is a cloud metadata address')],
  ['http://0251.0376.0251.0376/', inside('169.254.169.254 is a cloud metadata address')],
  [
    'http://[::ffff:169.254.169.254]/',
    inside('::ffff:a9fe:a9fe is a cloud metadata address (169.254.169.254 in IPv6 form)'),
  ],
  ['http://169.254.170.2/v2/credentials', inside('169.254.170.2 is a cloud metadata address')],
  ['http://[fd00:ec2::254]/latest/', inside('fd00:ec2::254 is a cloud metadata address')],
  ['http://100.100.100.200/latest/meta-data/', inside('100.100.100.200 is a cloud metadata address')],
  ['http://168.63.129.16/machine', inside('168.63.129.16 is a cloud metadata address')],
  // Private networks, CGNAT, link-local
  ['http://10.0.0.5/', inside('10.0.0.5 is a private address')],
  ['http://10.255.255.255/', inside('10.255.255.255 is a private address')],
  ['http://012.0.0.5/', inside('10.0.0.5 is a private address')],
  ['http://172.16.0.1/', inside('172.16.0.1 is a private address')],
  ['http://172.31.255.254/', inside('172.31.255.254 is a private address')],
  ['http://192.168.0.1/', inside('192.168.0.1 is a private address')],
  ['http://3232235521/', inside('192.168.0.1 is a private address')],
  ['http://100.64.0.1/', inside('100.64.0.1 is a carrier-grade NAT address')],
  ['http://100.127.255.254/', inside('100.127.255.254 is a carrier-grade NAT address')],
  ['http://169.254.1.1/', inside('169.254.1.1 is a link-local address')],
  ['http://[fc00::1]/', inside('fc00::1 is a private address')],
  ['http://[fd12:3456:789a::1]/', inside('fd12:3456:789a::1 is a private address')],
  ['http://[fe80::1]/', inside('fe80::1 is a link-local address')],
  ['http://[febf::1]/', inside('febf::1 is a link-local address')],
  ['http://[fec0::1]/', inside('fec0::1 is a private address')],
  ['http://[::ffff:10.0.0.1]/', inside('::ffff:a00:1 is a private address (10.0.0.1 in IPv6 form)')],
  ['http://[64:ff9b::10.0.0.1]/', inside('64:ff9b::a00:1 is a private address (10.0.0.1 in IPv6 form)')],
  ['http://[64:ff9b::192.168.1.1]/', inside('64:ff9b::c0a8:101 is a private address (192.168.1.1 in IPv6 form)')],
  ['http://[64:ff9b:1::a00:1]/', inside('64:ff9b:1::a00:1 is a private address')],
  // Multicast, broadcast, documentation, benchmarking, reserved
  ['http://224.0.0.1/', inside('224.0.0.1 is a multicast address')],
  ['http://239.255.255.250:1900/', inside('239.255.255.250 is a multicast address')],
  ['http://[ff02::1]/', inside('ff02::1 is a multicast address')],
  ['http://255.255.255.255/', inside('255.255.255.255 is the broadcast address')],
  ['http://240.0.0.1/', inside('240.0.0.1 is a reserved address')],
  ['http://192.0.0.170/', inside('192.0.0.170 is a reserved address')],
  ['http://192.0.2.1/', inside('192.0.2.1 is a documentation address')],
  ['http://198.51.100.7/', inside('198.51.100.7 is a documentation address')],
  ['http://203.0.113.9/', inside('203.0.113.9 is a documentation address')],
  ['http://[2001:db8::1]/', inside('2001:db8::1 is a documentation address')],
  ['http://198.18.0.1/', inside('198.18.0.1 is a benchmarking address')],
  ['http://[2002:7f00:1::1]/', inside('2002:7f00:1::1 is a reserved address')],
  ['http://[2001::1]/', inside('2001::1 is a reserved address')],
  ['http://[100::1]/', inside('100::1 is a reserved address')],
  ['http://[::ffff:0:7f00:1]/', inside('::ffff:0:7f00:1 is a reserved address')],
  // Names on the local network
  ['http://db:5432/', localName('db')],
  ['http://postgres/', localName('postgres')],
  ['http://erp.internal/hooks', localName('erp.internal')],
  ['http://metadata.google.internal/computeMetadata/v1/', localName('metadata.google.internal')],
  ['http://printer.local/', localName('printer.local')],
  ['http://nas.home.arpa/', localName('nas.home.arpa')],
  ['http://router.lan/', localName('router.lan')],
  ['http://host.localdomain/', localName('host.localdomain')],
  // Not an http(s) URL, credentials in it, or too long
  ['ftp://files.example.com/in', 'webhooks go over https (or http); "ftp:" is not supported'],
  ['file:///etc/passwd', 'webhooks go over https (or http); "file:" is not supported'],
  ['gopher://127.0.0.1:{P}/_POST', 'webhooks go over https (or http); "gopher:" is not supported'],
  ['javascript:alert(1)', 'webhooks go over https (or http); "javascript:" is not supported'],
  ['data:text/plain,hello', 'webhooks go over https (or http); "data:" is not supported'],
  [
    'https://erp:hunter2@erp.example.com/hooks',
    'must not hold a user name or password (user:pw@); each request is signed instead',
  ],
  [
    'http://127.0.0.1:{P}@erp.example.com/',
    'must not hold a user name or password (user:pw@); each request is signed instead',
  ],
  ['erp.example.com/hooks', '"erp.example.com/hooks" is not a URL; write it in full, like https://example.com/hooks'],
  ['http://[::1', '"http://[::1" is not a URL; write it in full, like https://example.com/hooks'],
  ['http://256.0.0.1/', '"http://256.0.0.1/" is not a URL; write it in full, like https://example.com/hooks'],
  [`${LONG}${'a'.repeat(100_000)}`, 'it is 100,024 characters long; a webhook address may be at most 2,048'],
  [`${LONG}${'a'.repeat(2_025)}`, 'it is 2,049 characters long; a webhook address may be at most 2,048'],
  [
    `${LONG}${'é'.repeat(1_000)}`,
    'written out in full it is 6,024 characters long; a webhook address may be at most 2,048',
  ],
];

/** [what a person types, the host it is judged by] — a name is judged again by what it resolves to at delivery. */
const ALLOWED: readonly (readonly [string, WebhookHost])[] = [
  ['https://erp.example.com/hooks', { type: 'name', name: 'erp.example.com' }],
  ['https://erp.example.com:8443/hooks?token=abc', { type: 'name', name: 'erp.example.com' }],
  ['HTTPS://ERP.Example.COM/hooks', { type: 'name', name: 'erp.example.com' }],
  ['https://bücher.example/hooks', { type: 'name', name: 'xn--bcher-kva.example' }],
  ['http://127.0.0.1.nip.io/', { type: 'name', name: '127.0.0.1.nip.io' }],
  ['http://evil.example.com#@127.0.0.1/', { type: 'name', name: 'evil.example.com' }],
  ['http://evil.example.com\\@127.0.0.1/', { type: 'name', name: 'evil.example.com' }],
  ['http://93.184.216.34/hooks', { type: 'ip', address: '93.184.216.34' }],
  ['http://8.8.8.8/', { type: 'ip', address: '8.8.8.8' }],
  ['http://11.0.0.1/', { type: 'ip', address: '11.0.0.1' }],
  ['http://172.32.0.1/', { type: 'ip', address: '172.32.0.1' }],
  ['http://100.128.0.1/', { type: 'ip', address: '100.128.0.1' }],
  ['http://[2606:4700:4700::1111]/', { type: 'ip', address: '2606:4700:4700::1111' }],
  ['http://[::ffff:8.8.8.8]/', { type: 'ip', address: '::ffff:808:808' }],
  ['http://[64:ff9b::8.8.8.8]/', { type: 'ip', address: '64:ff9b::808:808' }],
  [`${LONG}${'a'.repeat(2_024)}`, { type: 'name', name: 'erp.example.com' }],
];

const short = (url: string) => (url.length > 70 ? `${url.slice(0, 60)}… (${url.length} characters)` : url);
const refusedCases = () => REFUSED.map(([url, reason]) => ({ url: at(url), reason }));

describe('the webhook address policy', () => {
  it(`holds ${REFUSED.length} refused and ${ALLOWED.length} allowed addresses`, () => {
    expect(REFUSED.length + ALLOWED.length).toBeGreaterThanOrEqual(60);
  });

  it.each(REFUSED.map(([url, reason]) => [short(url), url, reason]))('refuses %s', (_name, url, reason) => {
    expect(checkWebhookUrl(at(url))).toEqual({ ok: false, reason });
  });

  it.each(ALLOWED.map(([url, host]) => [short(url), url, host]))('accepts %s', (_name, url, host) => {
    expect(checkWebhookUrl(url)).toMatchObject({ ok: true, host });
  });
});

describeEachDatabase('adding a webhook through the service', '2026-11-23T15:00:00Z', (get) => {
  it('refuses every address inside the network with a message naming the url field, and writes nothing', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    for (const { url, reason } of refusedCases()) {
      const error = await addWebhookEndpoint(ctx, teamId, OPERATOR, { url }).catch((e: unknown) => e);
      expect(isLedgerError(error, 'VALIDATION'), short(url)).toBe(true);
      if (!isLedgerError(error, 'VALIDATION')) continue;
      expect(error.message, short(url)).toBe(`url: ${reason}`);
      expect(error.issues).toEqual([{ field: 'url', message: reason }]);
    }
    expect(await ctx.db.select().from(webhookEndpoints)).toEqual([]);
  });

  it('adds every public address, stored as WHATWG URL writes it', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    for (const [url] of ALLOWED) await addWebhookEndpoint(ctx, teamId, OPERATOR, { url });
    const stored = (await listWebhookEndpoints(ctx.db, teamId)).map((e) => e.url);
    expect(stored).toHaveLength(ALLOWED.length);
    expect(stored).toContain('https://xn--bcher-kva.example/hooks');
    expect(stored).toContain('http://evil.example.com/#@127.0.0.1/');
    expect(stored).toContain('http://evil.example.com/@127.0.0.1/');
  });
});

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';

// The Slack app's hooks (a database emptied before each test) only for the tests that use it.
describe('in Slack, on the app as installed', () => {
  // The app as installed, with nothing allowed beyond the public internet.
  const t = useTestBot({
    workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
    settings: { financeAdmins: [ADMIN] },
  });

  /** The worst DNS: every name points at the local receiver. */
  const toReceiver = async () => ['127.0.0.1'];

  /** One delivery pass of the app as installed (no network allowed), with DNS answered by `resolve`. */
  function deliver(extra: Partial<WebhookEnv> = {}) {
    return deliverWebhooks({
      db: t.ledger.db,
      clock: t.clock,
      logger: { warn: () => {} },
      resolve: toReceiver,
      horizonWaitMs: 20_000,
      ...extra,
    });
  }

  let replies = 0;
  /** `/invoice webhooks <text>` typed by the admin (escaped as Slack sends it): the private answer. */
  async function webhooks(text: string): Promise<Args> {
    replies += 1;
    const id = `webhooks-${replies}`;
    const typed = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    await t.as(ADMIN).slashCommand({ text: `webhooks ${typed}`, response_url: t.fake.responseUrl(id) });
    const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
    await t.bot.idle();
    return answer.args;
  }

  async function endpointCount(): Promise<number> {
    return (await t.ledger.db.select().from(webhookEndpoints)).length;
  }

  describe('/invoice webhooks add, as a finance admin sees it', () => {
    it.each(REFUSED.map(([url, reason]) => [short(url), url, reason]))(
      'refuses %s: says why, writes no endpoint, and nothing reaches the receiver',
      async (_name, url, reason) => {
        await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'INV-1' });
        const answer = await webhooks(`add ${at(url)}`);
        expect(answer.response_type).toBe('ephemeral');
        const why = escapeText(reason.length > 600 ? reason.slice(0, 599) : reason);
        expect(answer.text).toBe(
          `⚠️ That address cannot be a ledger webhook: ${why}. Nothing was added. For example \`/invoice webhooks add https://erp.example.com/hooks\`.`,
        );
        expect(JSON.stringify(answer)).not.toContain('hunter2');
        expect(await endpointCount()).toBe(0);
        expect(await deliver()).toEqual({ delivered: 0, failed: 0 });
        expect(reached).toEqual([]);
      },
    );
  });

  describe('delivery, where only the resolved address tells', () => {
    /** [name, what DNS answers, what the admin reads as the last error] */
    const RESOLVED: readonly (readonly [string, string[], string])[] = [
      ['127.0.0.1.nip.io', ['127.0.0.1'], 'refused: 127.0.0.1.nip.io resolves to a loopback address 127.0.0.1'],
      ['localtest.me', ['127.0.0.1', '::1'], 'refused: localtest.me resolves to a loopback address 127.0.0.1'],
      [
        'rebind.example.net',
        ['93.184.216.34', '127.0.0.1'],
        'refused: rebind.example.net resolves to a loopback address 127.0.0.1',
      ],
      ['v6.example.net', ['::1'], 'refused: v6.example.net resolves to a loopback address ::1'],
      [
        'mapped.example.net',
        ['::ffff:127.0.0.1'],
        'refused: mapped.example.net resolves to a loopback address ::ffff:7f00:1 (127.0.0.1)',
      ],
      ['erp.example.com', ['10.0.0.5'], 'refused: erp.example.com resolves to a private address 10.0.0.5'],
      [
        'meta.example.com',
        ['169.254.169.254'],
        'refused: meta.example.com resolves to a cloud metadata address 169.254.169.254',
      ],
      [
        'cgnat.example.com',
        ['100.64.0.1'],
        'refused: cgnat.example.com resolves to a carrier-grade NAT address 100.64.0.1',
      ],
      ['zero.example.com', ['0.0.0.0'], 'refused: zero.example.com resolves to an unspecified address 0.0.0.0'],
      [
        'ula.example.com',
        ['2606:4700::1111', 'fd00::5'],
        'refused: ula.example.com resolves to a private address fd00::5',
      ],
    ];

    it.each(RESOLVED.map(([name, addresses, error]) => [name, addresses.join(', '), addresses, error]))(
      'refuses %s resolving to %s: the admin reads why, and nothing reaches the receiver',
      async (name, _shown, addresses, error) => {
        const added = await webhooks(`add http://${name}:${port}/hooks`);
        expect(added.text).toContain(`🔗 Added the ledger webhook *${name}:${port}/hooks*`);
        await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'INV-1' });
        const asked: string[] = [];
        const resolve = async (host: string) => {
          asked.push(host);
          return addresses;
        };
        expect(await deliver({ resolve })).toEqual({ delivered: 0, failed: 1 });
        expect(asked).toEqual([name]);
        expect(reached).toEqual([]);
        const list = await webhooks('');
        expect(JSON.stringify(list)).toMatch(new RegExp(`last error 'event \\d+: ${escapeRegExp(escapeText(error))}'`));
      },
    );

    /** Endpoints written before these rules (or by hand): delivery holds them to the rules too. */
    const STORED: readonly (readonly [string, string])[] = [
      ['http://127.0.0.1:{P}/hooks', 'refused: 127.0.0.1 is a loopback address'],
      ['http://2130706433:{P}/hooks', 'refused: 127.0.0.1 is a loopback address'],
      ['http://[::ffff:127.0.0.1]:{P}/', 'refused: ::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv6 form)'],
      ['http://localhost:{P}/hooks', 'refused: localhost resolves to a loopback address 127.0.0.1'],
      ['http://169.254.169.254/latest/', 'refused: 169.254.169.254 is a cloud metadata address'],
      [
        `http://127.0.0.1:{P}/${'a'.repeat(100_000)}`,
        'refused: it is {LENGTH} characters long; a webhook address may be at most 2,048',
      ],
    ];

    it.each(STORED.map(([url, error]) => [short(url), url, error]))(
      'refuses an endpoint stored before the rules, %s, at delivery',
      async (_name, url, template) => {
        const stored = at(url);
        const error = template.replace('{LENGTH}', stored.length.toLocaleString('en-US'));
        await t.ledger.db.insert(webhookEndpoints).values({
          teamId: TEAM,
          url: stored,
          secret: 'f'.repeat(64),
          lastEventId: 0n,
          nextAttemptAt: t.clock.now(),
          createdAt: t.clock.now(),
        });
        await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'INV-1' });
        expect(await deliver()).toEqual({ delivered: 0, failed: 1 });
        expect(reached).toEqual([]);
        const [state] = await listWebhookEndpoints(t.ledger.db, TEAM);
        expect(state?.lastError).toMatch(
          new RegExp(`^event \\d+: ${escapeRegExp(error.length > 170 ? error.slice(0, 169) : error)}`),
        );
        expect(state?.lastError?.length).toBeLessThanOrEqual(200);
      },
    );

    it('reaches the receiver when the installation allows its network: the cases above would have been seen', async () => {
      await webhooks(`add http://127.0.0.1.nip.io:${port}/hooks`);
      await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'INV-1' });
      const allowed = parseNetworks('127.0.0.0/8').networks;
      // What the receiver answered (a password in its error) is not what the admin reads: only the status.
      expect(await deliver({ webhookNetworks: allowed })).toEqual({ delivered: 0, failed: 1 });
      expect(reached).toEqual([`POST 127.0.0.1.nip.io:${port}/hooks`]);
      const list = JSON.stringify(await webhooks(''));
      expect(list).toMatch(/last error 'event \d+: HTTP 500'/);
      expect(list).not.toContain('hunter2');
      expect(list).not.toContain('FATAL');
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
