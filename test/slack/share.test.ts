// Slack end to end, clients' status links: `/invoice share <client> [new|revoke]` as a finance admin sees it
// (privately, the link once, kept only as a fingerprint), the page behind the link, who may not, and the chase
// form's "show this note to the client" checkbox as the client then reads it on the page.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/services/clients.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { asAdmin, sentInvoice as sentBy } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';
const alice = { type: 'user', id: ADMIN } as const;

// Each test starts on Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});
beforeEach(async () => {
  await invoice('INV-1', 'Acme');
  await invoice('NW-1', 'Northwind Traders');
});

const json = (value: unknown) => JSON.stringify(value ?? null, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

function invoice(number: string, clientName: string) {
  return sentBy(t.ledger, TEAM, ADMIN, { number, clientName });
}

let replies = 0;

/** `/invoice share <text>` typed by `userId`: what the app answered through the command's response_url. */
async function share(userId: string, text: string): Promise<Args> {
  replies += 1;
  const id = `share-${replies}`;
  await t.as(userId).slashCommand({ text: `share ${text}`, response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  return answer.args;
}

/** The token in the link the answer shows, checking the link starts with the bot's public URL. */
function tokenIn(answer: Args): string {
  const base = `http://localhost:${t.bot.port()}`;
  expect(t.bot.publicUrl()).toBe(base);
  const match = new RegExp(`${base}/c/([A-Za-z0-9_-]+)`).exec(answer.text);
  expect(match, answer.text).not.toBeNull();
  const token = match?.[1] ?? '';
  expect(token).toHaveLength(43);
  // The same link in the blocks a person sees.
  expect(json(answer.blocks)).toContain(`${base}/c/${token}`);
  return token;
}

/** The status page as the client's browser gets it. */
async function page(token: string): Promise<{ status: number; html: string }> {
  const res = await fetch(`${t.baseUrl}/c/${token}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

async function links() {
  return t.handle.raw('select * from client_links order by created_at, id', []);
}

async function events() {
  return t.handle.raw('select * from events order by id', []);
}

describe('/invoice share', () => {
  it('gives a finance admin the client’s status link privately, and keeps only its fingerprint', async () => {
    const answer = await share(ADMIN, 'Acme');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('The status page for *Acme* (only you can see this');
    const token = tokenIn(answer);

    const opened = await page(token);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('<h1>Acme</h1>');
    expect(opened.html).toContain('INV-1');
    expect(opened.html).not.toContain('NW-1');

    const rows = await links();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      created_by: ADMIN,
      revoked_at: null,
      token_hash: createHash('sha256').update(token).digest('hex'),
    });
    expect(json(rows)).not.toContain(token);
    expect(json(await events())).not.toContain(token);

    // The client's record says it has a page, and who shared it — still without the link.
    await t.as(ADMIN).slashCommand({ text: 'client Acme', response_url: t.fake.responseUrl('client-acme') });
    const record = await t.fake.waitFor('response_url', (c) => c.id === 'client-acme');
    expect(json(record.args.blocks)).toContain(
      '*Status page*: shared by <@U0ADMIN> on 2026-11-23 10:00, last opened 2026-11-23 10:00',
    );
    expect(json(record.args)).not.toContain(token);
  });

  it('says the client already has a link — by whom, when, whether opened — without showing or changing it', async () => {
    const token = tokenIn(await share(ADMIN, 'Acme'));
    t.clock.set('2026-11-23T15:10:00Z');

    const again = await share(ADMIN, 'acme');
    expect(again.response_type).toBe('ephemeral');
    expect(again.text).toContain('*Acme* has a status link, made by <@U0ADMIN> on 2026-11-23 10:00, not opened yet.');
    expect(again.text).toContain('it cannot be shown again');
    expect(json(again)).not.toContain('/c/');

    expect((await page(token)).status).toBe(200);
    t.clock.set('2026-11-23T16:30:00Z');
    const seen = await share(ADMIN, 'Acme');
    expect(seen.text).toContain('made by <@U0ADMIN> on 2026-11-23 10:00, last opened 2026-11-23 10:10.');
    expect(json(seen)).not.toContain('/c/');

    expect(await links()).toHaveLength(1);
    expect((await page(token)).status).toBe(200);
  });

  it('makes a new link with "new", and the old one stops working', async () => {
    const old = tokenIn(await share(ADMIN, 'Acme'));
    const answer = await share(ADMIN, 'Acme new');
    expect(answer.response_type).toBe('ephemeral');
    const fresh = tokenIn(answer);
    expect(fresh).not.toBe(old);
    expect(answer.text).toContain(
      'The previous link (made by <@U0ADMIN> on 2026-11-23 10:00, not opened yet) no longer works.',
    );

    expect((await page(old)).status).toBe(404);
    const opened = await page(fresh);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('<h1>Acme</h1>');
  });

  it('ends the link with "revoke" and says so; with no link, says there is none', async () => {
    const token = tokenIn(await share(ADMIN, 'Acme'));
    const revoked = await share(ADMIN, 'Acme revoke');
    expect(revoked.response_type).toBe('ephemeral');
    expect(revoked.text).toBe('🔒 The status link for *Acme* no longer works. `/invoice share Acme` makes a new one.');
    expect((await page(token)).status).toBe(404);

    const none = await share(ADMIN, 'Acme revoke');
    expect(none.text).toBe('*Acme* has no status link. `/invoice share Acme` makes one.');
    const never = await share(ADMIN, 'Northwind Traders revoke');
    expect(never.text).toBe('*Northwind Traders* has no status link. `/invoice share Northwind Traders` makes one.');
  });

  it('refuses a person who is not a finance admin, making no link and ending none', async () => {
    const refused = await share(BOB, 'Acme');
    expect(refused.response_type).toBe('ephemeral');
    expect(refused.text).toBe(
      '🔒 Only the people named in `/invoice settings` can share a client’s status page. ' +
        'Ask one of them to do it, or to add you as a finance admin.',
    );
    expect(await links()).toEqual([]);

    const token = tokenIn(await share(ADMIN, 'Acme'));
    expect((await share(BOB, 'Acme new')).text).toContain('🔒 Only the people named');
    expect((await share(BOB, 'Acme revoke')).text).toContain('🔒 Only the people named');
    expect(await links()).toHaveLength(1);
    expect((await page(token)).status).toBe(200);
  });

  it('says an unknown client is not found, and makes nothing', async () => {
    const answer = await share(ADMIN, 'Initech');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('There is no client Initech.');
    expect(await links()).toEqual([]);
  });

  it('takes a client name with spaces, before the action', async () => {
    const answer = await share(ADMIN, 'Northwind Traders');
    expect(answer.text).toContain('The status page for *Northwind Traders*');
    const token = tokenIn(answer);
    const opened = await page(token);
    expect(opened.html).toContain('<h1>Northwind Traders</h1>');
    expect(opened.html).toContain('NW-1');

    const revoked = await share(ADMIN, 'Northwind Traders revoke');
    expect(revoked.text).toContain('The status link for *Northwind Traders* no longer works.');
    expect((await page(token)).status).toBe(404);
  });

  it('escapes a client name with <!channel> and & in what it says', async () => {
    await createClient(t.ledger, TEAM, asAdmin(alice, TEAM), { name: 'Tom & Jerry <!channel>' });
    const escaped = 'Tom &amp; Jerry &lt;!channel&gt;';

    const shared = await share(ADMIN, 'Tom & Jerry <!channel>');
    tokenIn(shared);
    expect(shared.text).toContain(`The status page for *${escaped}*`);
    expect(shared.text).toContain(`\`/invoice share ${escaped} new\``);
    const again = await share(ADMIN, 'Tom & Jerry <!channel>');
    expect(again.text).toContain(`*${escaped}* has a status link`);
    const revoked = await share(ADMIN, 'Tom & Jerry <!channel> revoke');
    expect(revoked.text).toContain(`The status link for *${escaped}* no longer works.`);

    for (const answer of [shared, again, revoked]) {
      expect(json(answer)).not.toContain('<!channel>');
      expect(json(answer)).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });
});

describe('the chase form’s "show this note to the client"', () => {
  /** Opens the chase form from the card's Log chase button, checks the box is there and unticked, and submits it. */
  async function chase(options: { note: string; response: string; shared: boolean }) {
    const [row] = await t.handle.raw(`select id from invoices where number = 'INV-1'`, []);
    await t.as(BOB).blockAction({ action_id: ACTION.logChase, value: String(row?.id) });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.chase);
    const box = (opened.args.view.blocks as Args[]).find((b) => b.block_id === FIELD.chaseShared);
    expect(box).toMatchObject({
      optional: true,
      element: {
        type: 'checkboxes',
        options: [{ text: { text: 'Show this note to the client on their status page' }, value: 'shared' }],
      },
    });
    expect(box?.element.initial_options).toBeUndefined();
    expect(box?.hint.text).toContain('word for word');

    const response = await t.as(BOB).viewSubmission({
      callback_id: VIEW.chase,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.select('email') },
        [FIELD.chaseNote]: { [FIELD.chaseNote]: options.note },
        [FIELD.chaseShared]: { [FIELD.chaseShared]: stateValue.checkboxes(options.shared ? ['shared'] : []) },
        [FIELD.chaseResponse]: { [FIELD.chaseResponse]: options.response },
        [FIELD.promisedDate]: { [FIELD.promisedDate]: stateValue.date(null) },
        [FIELD.nextFollowUp]: { [FIELD.nextFollowUp]: stateValue.date(null) },
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    await t.bot.idle();
  }

  it('ticked, puts the note on the client’s status page word for word, and not what they said', async () => {
    const token = tokenIn(await share(ADMIN, 'Acme'));
    await chase({ note: 'Sent the November statement again', response: 'Checking with our CFO', shared: true });
    const { status, html } = await page(token);
    expect(status).toBe(200);
    expect(html).toContain('Note from Studio North: Sent the November statement again');
    expect(html).not.toContain('Checking with our CFO');
  });

  it('unticked, keeps the chase off the client’s status page', async () => {
    const token = tokenIn(await share(ADMIN, 'Acme'));
    await chase({ note: 'Their CFO is slow, try the CEO', response: 'Checking with our CFO', shared: false });
    const { status, html } = await page(token);
    expect(status).toBe(200);
    expect(html).toContain('INV-1');
    expect(html).not.toContain('Their CFO is slow');
    expect(html).not.toContain('Checking with our CFO');
    expect(html).not.toContain('got in touch');
  });
});
