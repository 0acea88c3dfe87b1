// Slack end to end, ledger webhooks: `/invoice webhooks [add <url> [replay] | remove <id>]` as a finance admin
// sees it (privately; the signing secret once, in that answer only), the list going from ok to FAILING after a
// delivery pass against an endpoint answering 500, removal by an id's first characters, who may not, the
// addresses refused, and what a hostile address or error text turns into.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookEndpoints } from '../../src/db/schema.js';
import { parseNetworks } from '../../src/domain/webhook-address.js';
import { webhookListMessage } from '../../src/slack/ui/webhooks.js';
import { deliverWebhooks } from '../../src/webhooks/deliver.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args, Call } from '../helpers/fake-slack.js';
import { sentInvoice as sentBy } from '../helpers/ledger.js';
import { nowSeconds } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

/**
 * The local ledger below listens on 127.0.0.1, which webhooks may not reach by default: this bot runs as a
 * self-hoster's would with WEBHOOK_ALLOW_NETWORKS=127.0.0.0/8 (test/security/webhook-urls.test.ts runs without).
 */
const LOOPBACK = parseNetworks('127.0.0.0/8').networks;

// Each test starts on Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
  webhookNetworks: LOOPBACK,
});

/** A local ledger: a POST to /ok… gets a 204; any other a 500 whose body tries to ping the whole channel. */
let server: Server;
let down: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      req.url?.startsWith('/ok')
        ? res.writeHead(204).end()
        : res.writeHead(500).end('ledger down <!channel> & <@U0BOB>'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  down = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

let replies = 0;
beforeEach(() => {
  replies = 0;
});

const json = (value: unknown) => JSON.stringify(value ?? null);

/** What Slack does to a command's text before sending it: &, < and > as entities. */
const typed = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** `/invoice webhooks <text>` (`text` as Slack sends it) by `userId`: the answer through the response_url. */
async function webhooks(userId: string, text = ''): Promise<Args> {
  replies += 1;
  const id = `webhooks-${replies}`;
  await t.as(userId).slashCommand({ text: `webhooks ${text}`.trim(), response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  expect(answer.args.response_type).toBe('ephemeral');
  return answer.args;
}

/** What a person reads in a message's blocks: dates as their fallback text. */
function read(message: Args): string {
  const blocks = (message.blocks ?? []) as { text?: { text: string }; elements?: { text: string }[] }[];
  return blocks
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])
    .join('\n')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1');
}

async function endpoints(): Promise<Args[]> {
  return t.handle.raw('select id::text as id, url, secret from webhook_endpoints order by created_at, id', []);
}

/** The admin has opened the App Home, so a change to the endpoints redraws it. */
async function openHome(): Promise<Call | undefined> {
  const before = t.fake.calls('views.publish').length;
  await t.as(ADMIN).eventCallback({
    event: { type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home', event_ts: `${nowSeconds()}.000100` },
  });
  return (await t.fake.waitForCount('views.publish', before + 1)).at(-1);
}

async function sentInvoice(number: string) {
  await sentBy(t.ledger, TEAM, ADMIN, { number });
}

function deliver() {
  return deliverWebhooks({ db: t.ledger.db, clock: t.clock, logger: { warn: () => {} }, webhookNetworks: LOOPBACK });
}

describe('/invoice webhooks', () => {
  it('adds an endpoint for a finance admin, with its signing secret shown once, privately, and nowhere else', async () => {
    await openHome();
    const published = t.fake.calls('views.publish').length;

    const answer = await webhooks(ADMIN, 'add https://erp.example.com/hooks');
    const [row] = await endpoints();
    expect(row).toMatchObject({ url: 'https://erp.example.com/hooks' });
    const secret = String(row?.secret);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    expect(answer.text).toContain(
      `🔗 Added the ledger webhook *erp.example.com/hooks* (id \`${row?.id}\`): it will receive every event from now on.`,
    );
    expect(answer.text).toContain(`keep it with the receiver:\n\`${secret}\``);
    expect(read(answer)).toContain(`\`${secret}\``);
    expect(answer.text).toContain('`X-Receivables-Signature`');
    expect(answer.text).toContain('The README’s *Ledger webhooks* section');

    // The App Home was redrawn, and the secret is in no message but that one answer.
    expect(t.fake.calls('views.publish').length).toBeGreaterThan(published);
    const others = t.fake.calls().filter((c) => !(c.method === 'response_url' && c.id === 'webhooks-1'));
    expect(others.length).toBeGreaterThan(0);
    expect(json(others.map((c) => c.args))).not.toContain(secret);

    // The list never shows it again.
    const list = await webhooks(ADMIN);
    expect(json(list)).not.toContain(secret);
  });

  it('adds one that is sent every event from the start with "replay", taking the address out of Slack’s link', async () => {
    await sentInvoice('INV-1');
    const answer = await webhooks(
      ADMIN,
      'add <https://erp.example.com/hooks?token=s3cret|erp.example.com/hooks> replay',
    );
    expect(answer.text).toContain('*erp.example.com/hooks*');
    expect(answer.text).toContain('it will receive every event from the start, oldest first.');
    expect(json(answer)).not.toContain('s3cret');
    expect(await endpoints()).toMatchObject([{ url: 'https://erp.example.com/hooks?token=s3cret' }]);
    const list = read(await webhooks(ADMIN));
    // The workspace's settings saved (its finance admin named), the client and the invoice made and sent: four events.
    expect(list).toContain('• *erp.example.com/hooks* — ✅ ok · 4 events pending · no delivery yet');
    expect(list).not.toContain('s3cret');
  });

  it('lists an endpoint as ok, then FAILING with its last error after a delivery pass that got a 500', async () => {
    expect(read(await webhooks(ADMIN))).toContain('There are no ledger webhooks yet.');

    await webhooks(ADMIN, `add ${down}/hooks`);
    const [row] = await endpoints();
    const name = `${new URL(down).host}/hooks`;
    const ok = await webhooks(ADMIN, 'list');
    expect(ok.text).toBe('Ledger webhooks: 1 endpoint, all ok.');
    expect(read(ok)).toContain(`• *${name}* — ✅ ok · 0 events pending · no delivery yet · id \`${row?.id}\``);
    expect(read(ok)).toContain('As of 2026-11-23 10:00');

    await sentInvoice('INV-1'); // the client, the invoice, sent: three events
    t.clock.set('2026-11-23T15:01:00Z');
    expect(await deliver()).toEqual({ delivered: 0, failed: 1 });

    const failing = await webhooks(ADMIN);
    expect(failing.text).toBe('Ledger webhooks: 1 endpoint, 1 FAILING.');
    const text = read(failing);
    expect(text).toMatch(
      new RegExp(
        `• \\*${name.replaceAll('.', '\\.')}\\* — ⚠️ \\*FAILING\\* \\(1 failed try\\) · 3 events pending · no delivery yet · ` +
          `next try 2026-11-23 10:01 · last error 'event \\d+: HTTP 500' · id \`${row?.id}\``,
      ),
    );
    // What the ledger answered (its error page) is neither stored nor shown: only the status.
    expect(json(failing)).not.toContain('ledger down');
    expect(json(failing)).not.toContain('channel');
    expect(text).toContain('`/invoice webhooks remove ID` stops one');
  });

  it('removes an endpoint by the first 8 characters of its id, and the App Home loses its warning', async () => {
    await webhooks(ADMIN, `add ${down}/hooks`);
    await webhooks(ADMIN, `add ${down}/ok`);
    // Both were added at the same moment: tell them apart by address, not by order.
    const rows = await endpoints();
    const failingRow = rows.find((r) => String(r.url).endsWith('/hooks'));
    const other = rows.find((r) => String(r.url).endsWith('/ok'));
    await sentInvoice('INV-1');
    await deliver();
    const home = await openHome();
    expect(json(home?.args.view)).toContain(`Ledger webhook ${new URL(down).host}/hooks is failing`);

    const published = t.fake.calls('views.publish').length;
    const id = String(failingRow?.id);
    const answer = await webhooks(ADMIN, `remove ${id.slice(0, 8).toUpperCase()}`);
    expect(answer.text).toBe(
      `🗑️ Removed the ledger webhook *${new URL(down).host}/hooks* (id \`${id}\`): nothing more is sent to it.`,
    );
    expect(await endpoints()).toMatchObject([{ id: other?.id }]);
    const redrawn = t.fake.calls('views.publish').slice(published);
    expect(redrawn.map((c) => c.args.user_id)).toEqual([ADMIN]);
    expect(json(redrawn[0]?.args.view)).not.toContain('webhook');

    // Gone: the same id again finds nothing, and so does the full id.
    expect((await webhooks(ADMIN, `remove ${id.slice(0, 8)}`)).text).toBe(
      `There is no ledger webhook with the id \`${id.slice(0, 8)}\`. \`/invoice webhooks\` lists them with their ids. Nothing was removed.`,
    );
    expect((await webhooks(ADMIN, `remove ${id}`)).text).toContain('There is no ledger webhook with the id');
    expect(await endpoints()).toHaveLength(1);
  });

  it('removes nothing for an id too short, not an id, or the start of two ids', async () => {
    const base = {
      teamId: TEAM,
      secret: 'f'.repeat(64),
      lastEventId: 0n,
      nextAttemptAt: t.clock.now(),
      createdAt: t.clock.now(),
    };
    await t.ledger.db.insert(webhookEndpoints).values([
      { ...base, id: 'abcdef12-0000-4000-8000-000000000001', url: 'https://one.example.com/' },
      { ...base, id: 'abcdef12-0000-4000-8000-000000000002', url: 'https://two.example.com/' },
    ]);

    expect((await webhooks(ADMIN, 'remove abcdef1')).text).toBe(
      '`abcdef1` is not an endpoint id: give the id, or at least its first 8 characters. `/invoice webhooks` lists them with their ids. Nothing was removed.',
    );
    expect((await webhooks(ADMIN, 'remove <!channel>zzzzzzzz')).text).toContain(
      '`&lt;!channel&gt;zzzzzzzz` is not an endpoint id',
    );
    expect((await webhooks(ADMIN, 'remove abcdef12')).text).toBe(
      '`abcdef12` starts the id of 2 ledger webhooks: *one.example.com* (`abcdef12-0000-4000-8000-000000000001`), ' +
        '*two.example.com* (`abcdef12-0000-4000-8000-000000000002`). Give more of the id. Nothing was removed.',
    );
    expect(await endpoints()).toHaveLength(2);

    expect((await webhooks(ADMIN, 'remove abcdef12-0000-4000-8000-000000000002')).text).toContain(
      'Removed the ledger webhook *two.example.com*',
    );
    expect(await endpoints()).toMatchObject([{ id: 'abcdef12-0000-4000-8000-000000000001' }]);
  });

  it('refuses a person who is not a finance admin: no list, nothing added, nothing removed', async () => {
    await webhooks(ADMIN, 'add https://erp.example.com/hooks');
    const [row] = await endpoints();
    const denied =
      '🔒 Only the people named in `/invoice settings` can manage the ledger webhooks. ' +
      'Ask one of them to do it, or to add you as a finance admin.';

    const list = await webhooks(BOB);
    expect(list.text).toBe(denied);
    expect(json(list)).not.toContain('erp.example.com');
    expect((await webhooks(BOB, 'add https://evil.example.com/steal')).text).toBe(denied);
    expect((await webhooks(BOB, `remove ${row?.id}`)).text).toBe(denied);
    expect(await endpoints()).toEqual([row]);
  });

  it('refuses an address that is not http or https, or not a URL, saying what was wrong', async () => {
    const ftp = await webhooks(ADMIN, 'add ftp://files.example.com/in');
    expect(ftp.text).toBe(
      '⚠️ That address cannot be a ledger webhook: webhooks go over https (or http); "ftp:" is not supported. ' +
        'Nothing was added. For example `/invoice webhooks add https://erp.example.com/hooks`.',
    );
    expect((await webhooks(ADMIN, 'add <ftp://files.example.com/in|files.example.com/in>')).text).toContain(
      '"ftp:" is not supported',
    );
    expect((await webhooks(ADMIN, 'add erp.example.com/hooks')).text).toBe(
      '⚠️ That address cannot be a ledger webhook: "erp.example.com/hooks" is not a URL; write it in full, like ' +
        'https://example.com/hooks. Nothing was added. For example `/invoice webhooks add https://erp.example.com/hooks`.',
    );
    expect((await webhooks(ADMIN, 'add javascript:alert(1)')).text).toContain('"javascript:" is not supported');
    // A password in the address would show in errors everyone sees (and fetch refuses it): requests are signed.
    const withPassword = await webhooks(ADMIN, 'add https://erp:hunter2@erp.example.com/hooks');
    expect(withPassword.text).toContain('must not hold a user name or password');
    expect(json(withPassword)).not.toContain('hunter2');
    expect((await webhooks(ADMIN, 'add')).text).toBe(
      '⚠️ `/invoice webhooks add` needs the address to send the events to, for example ' +
        '`/invoice webhooks add https://erp.example.com/hooks`.',
    );
    expect(await endpoints()).toEqual([]);
  });

  it('escapes a hostile address and what it was refused for', async () => {
    const refused = await webhooks(ADMIN, typed('add https://x<!channel>&<@U0BOB>'));
    expect(refused.text).toContain('"https://x&lt;!channel&gt;&amp;&lt;@U0BOB&gt;" is not a URL');

    const added = await webhooks(ADMIN, typed(`add ${down}/a&b/<!channel>`));
    const name = `${new URL(down).host}/a&amp;b/%3C!channel%3E`;
    expect(added.text).toContain(`Added the ledger webhook *${name}*`);
    await sentInvoice('INV-1');
    await deliver();
    const list = await webhooks(ADMIN);
    expect(read(list)).toContain(`• *${name}* — ⚠️ *FAILING*`);
    expect(read(list)).toMatch(/last error 'event \d+: HTTP 500'/);
    expect(read(list)).not.toContain('ledger down');

    for (const answer of [refused, added, list]) {
      expect(json(answer)).not.toContain('<!channel>');
      expect(json(answer)).not.toContain('<@U0BOB>');
      expect(json(answer)).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });
});

describe('the list of ledger webhooks', () => {
  it('stays within what Slack takes with many failing endpoints, saying how many more there are', () => {
    const now = new Date('2026-11-23T15:00:00Z');
    const endpoints = Array.from({ length: 300 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      url: `https://erp${i}.example.com/${'hooks/'.repeat(30)}`,
      active: true,
      lastEventId: 0n,
      pending: 1_000,
      pendingCapped: true,
      waitingSince: now,
      nextAttemptAt: new Date('2026-11-23T16:00:00Z'),
      lastSuccessAt: now,
      lastFailureAt: now,
      lastError: `event 1: HTTP 500: ${'<!channel> '.repeat(50)}`,
      consecutiveFailures: 12,
      createdAt: now,
    }));
    const list = webhookListMessage({ endpoints, now, timeZone: 'America/New_York' });
    expect(list.text).toBe('Ledger webhooks: 300 endpoints, 300 FAILING.');
    const texts = list.blocks.map((b) => json(b));
    expect(list.blocks.length).toBeLessThanOrEqual(5);
    expect(texts.join('').length).toBeLessThan(12_000);
    expect(read(list)).toContain('1,000+ events pending');
    expect(read(list)).toMatch(/_…and \d+ more endpoints_/);
    expect(texts.join('')).not.toContain('<!channel>');
  });
});
