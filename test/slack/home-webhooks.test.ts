// Slack end to end: a ledger webhook endpoint that answers 500 shows on the App Home after the jobs' delivery
// pass, the homes are refreshed when it starts failing and when it recovers (not on every retry), and the
// warning is gone once it answers again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworks } from '../../src/domain/webhook-address.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { addWebhookEndpoint } from '../../src/services/webhooks.js';
import { useTestBot } from '../helpers/bot.js';
import type { Call } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { OPERATOR, sentInvoice as sentBy } from '../helpers/ledger.js';
import { nowSeconds } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

// The endpoint listens on 127.0.0.1: this bot allows it as WEBHOOK_ALLOW_NETWORKS=127.0.0.0/8 would.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
  webhookNetworks: parseNetworks('127.0.0.0/8').networks,
});
let server: Server;
let url: string;
/** What the ledger's endpoint answers, and how many requests it has had. */
let answer = 500;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () =>
      res.writeHead(answer).end(answer === 500 ? 'ledger down <!channel> password=hunter2' : undefined),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});
beforeEach(() => {
  answer = 500;
});

/** The home's section texts as a person reads them: dates as their fallback, entities as characters. */
function homeText(call: Call | undefined): string {
  const blocks = (call?.args.view?.blocks ?? []) as { type: string; text?: { text: string } }[];
  return blocks
    .flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []))
    .join('\n')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1');
}

async function openHome(user = ADMIN): Promise<Call | undefined> {
  const before = t.fake.calls('views.publish').length;
  await t.as(user).eventCallback({
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${nowSeconds()}.000100` },
  });
  return (await t.fake.waitForCount('views.publish', before + 1)).at(-1);
}

describe('the App Home and a failing ledger webhook', () => {
  it('warns once the endpoint answers 500, refreshes only when it flips, and clears when it recovers', async () => {
    const endpoint = await addWebhookEndpoint(t.ledger, TEAM, OPERATOR, { url });
    await sentBy(t.ledger, TEAM, ADMIN, { number: 'INV-7', currency: 'EUR', total: '€800.00' });
    // The admin has opened the App Home: a healthy book, no warning.
    expect(homeText(await openHome())).not.toContain('webhook');
    const scheduler = createScheduler(posterEnv(t.ledger, t.fake));
    const port = new URL(url).port;

    // The delivery pass fails: the homes are refreshed with the warning.
    let published = t.fake.calls('views.publish').length;
    t.clock.set('2026-11-23T15:01:00Z');
    await scheduler.tick();
    const warned = t.fake.calls('views.publish').slice(published);
    expect(warned.map((c) => c.args.user_id)).toEqual([ADMIN]);
    const text = homeText(warned[0]);
    expect(text).toMatch(
      new RegExp(
        `^⚠️ \\*Ledger webhook 127\\.0\\.0\\.1:${port}/hooks is failing:\\* 3 events waiting since 2026-11-23 10:00 · failed once, 2026-11-23 10:01 · last error 'event \\d+: HTTP 500' · next try 2026-11-23 10:01 — fix the endpoint or remove it with \`/invoice webhooks remove ${endpoint.id}\`$`,
        'm',
      ),
    );
    expect(text).not.toContain('ledger down');
    expect(text).not.toContain('hunter2');
    // Opening the home shows it too.
    expect(homeText(await openHome())).toContain(`Ledger webhook 127.0.0.1:${port}/hooks is failing`);

    // A retry that fails again changes nothing worth a refresh.
    published = t.fake.calls('views.publish').length;
    const tried = requests;
    t.clock.set('2026-11-23T15:01:30Z');
    await scheduler.tick();
    expect(requests).toBe(tried + 1);
    expect(t.fake.calls('views.publish')).toHaveLength(published);

    // It answers again: the next pass delivers and the homes lose the warning.
    answer = 204;
    t.clock.set('2026-11-23T15:02:30Z');
    await scheduler.tick();
    const cleared = t.fake.calls('views.publish').slice(published);
    expect(cleared.map((c) => c.args.user_id)).toEqual([ADMIN]);
    expect(homeText(cleared[0])).not.toContain('webhook');
    expect(homeText(cleared[0])).toContain('INV-7');
    await scheduler.stop();
  });

  it('tells a member only that a webhook is failing and since when; where and why are for the finance admins', async () => {
    await addWebhookEndpoint(t.ledger, TEAM, OPERATOR, { url });
    await sentBy(t.ledger, TEAM, ADMIN, { number: 'INV-7', currency: 'EUR', total: '€800.00' });
    const scheduler = createScheduler(posterEnv(t.ledger, t.fake));
    t.clock.set('2026-11-23T15:01:00Z');
    await scheduler.tick();
    await scheduler.stop();

    const member = await openHome(BOB);
    const seen = homeText(member);
    expect(seen).toContain(
      '⚠️ *A ledger webhook is failing* since 2026-11-23 10:00: events are not reaching your books. ' +
        'A finance admin can see why with `/invoice webhooks`.',
    );
    const view = JSON.stringify(member?.args.view);
    for (const hidden of ['127.0.0.1', '/hooks', 'HTTP 500', 'ledger down', 'hunter2', 'remove', 'next try']) {
      expect(view).not.toContain(hidden);
    }
    // The admin, opening the same home, sees where and why (the status only, never the body).
    const admin = homeText(await openHome(ADMIN));
    expect(admin).toContain(`Ledger webhook 127.0.0.1:${new URL(url).port}/hooks is failing`);
    expect(admin).toMatch(/last error 'event \d+: HTTP 500'/);
    expect(admin).not.toContain('hunter2');
  });
});
