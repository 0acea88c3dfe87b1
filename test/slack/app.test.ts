// Slack end to end: the real Bolt HTTP app, requests signed as Slack signs them, a local fake Web API.
import { describe, expect, it } from 'vitest';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ensureWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { loadWorkspace } from '../../src/services/write.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import { newInvoiceValues as sharedNewInvoiceValues } from '../helpers/forms.js';
import { asAdmin, OPERATOR, sentInvoice as sentBy } from '../helpers/ledger.js';
import { blockActionPayload, nowSeconds, stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const OTHER = 'U0OTHER';

// No workspace yet: each test makes its own (see workspace() below).
const t = useTestBot({ settle: ({ bot }) => bot.live.refreshHomes(TEAM) });

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

async function workspace(options: { financeChannel?: string } = {}) {
  await ensureWorkspace(t.ledger, { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' });
  await updateWorkspaceSettings(t.ledger, TEAM, OPERATOR, { financeAdmins: [ADMIN], ...options });
}

function sentInvoice(number = 'INV-0042') {
  return sentBy(t.ledger, TEAM, ADMIN, { number });
}

function newInvoiceValues(overrides: Record<string, unknown> = {}) {
  return sharedNewInvoiceValues(ADMIN, {
    [FIELD.description]: { [FIELD.description]: 'Website <!channel> redesign' },
    ...overrides,
  });
}

describe('/invoice', () => {
  it('shows first-touch help in a new workspace, acknowledged at once', async () => {
    const response = await t.as(ADMIN).slashCommand({ text: 'help' });
    expect(response.status).toBe(200);
    expect(response.elapsedMs).toBeLessThan(3000);
    const reply = await t.fake.waitFor('response_url');
    expect(reply.args.response_type).toBe('ephemeral');
    expect(reply.args.text).toContain('start with /invoice new');
  });

  it('opens the new-invoice modal with a suggested number', async () => {
    await workspace();
    await sentInvoice('INV-0041');
    await t.as(ADMIN).slashCommand({ text: 'new' });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.newInvoice);
    expect(blockText(opened.args.view.blocks)).toContain('"initial_value":"INV-0042"');
  });

  it('lists the book grouped by state, and shows an invoice as a live card in the channel', async () => {
    await workspace();
    await sentInvoice();
    await t.as(ADMIN).slashCommand({ text: 'list' });
    const list = await t.fake.waitFor('response_url');
    expect(list.args.text + blockText(list.args.blocks)).toContain('INV-0042');
    expect(blockText(list.args.blocks)).toContain('Overdue');
    await t.as(ADMIN).slashCommand({ text: 'show inv-0042', channel_id: 'C0CHAN' });
    const card = await t.fake.waitFor('chat.postMessage');
    expect(card.args.channel).toBe('C0CHAN');
    expect(blockText(card.args.blocks)).toContain('Globex');
    expect(blockText(card.args.blocks)).toContain(ACTION.markPaid);
  });

  it('suggests the invoice number that was probably meant, and the subcommand', async () => {
    await workspace();
    await sentInvoice('INV-0012');
    await t.as(ADMIN).slashCommand({ text: 'show INV-0O12' });
    const reply = await t.fake.waitFor('response_url');
    expect(reply.args.text).toContain('Did you mean INV-0012?');
    t.fake.reset();
    await t.as(ADMIN).slashCommand({ text: 'lsit' });
    expect((await t.fake.waitFor('response_url')).args.text).toContain('list');
  });

  it("shows a client's record with how late they pay", async () => {
    await workspace();
    await sentInvoice();
    await t.as(ADMIN).slashCommand({ text: 'client globex' });
    const reply = await t.fake.waitFor('response_url');
    expect(blockText(reply.args.blocks)).toContain('Globex');
    expect(blockText(reply.args.blocks)).toContain('$1,200.00');
  });

  it('makes the first person to open settings its first admin, and refuses the next person', async () => {
    await ensureWorkspace(t.ledger, { teamId: TEAM, name: 'Acme' });
    await t.as(ADMIN).slashCommand({ text: 'settings' });
    expect((await t.fake.waitFor('views.open')).args.view.callback_id).toBe(VIEW.settings);
    await t.as(OTHER).slashCommand({ text: 'settings' });
    const refused = await t.fake.waitFor('response_url');
    expect(refused.args.text).toContain('can change the settings');
  });

  it("proposes the person's own time zone in a new workspace, never a silent UTC, until one is saved", async () => {
    await ensureWorkspace(t.ledger, { teamId: TEAM, name: 'Acme' });
    t.fake.setUser(ADMIN, { tz: 'Asia/Calcutta' }); // Slack profiles may carry an older name
    await t.as(ADMIN).slashCommand({ text: 'settings' });
    const view = (await t.fake.waitFor('views.open')).args.view;
    const zoneBlock = view.blocks.find((b: { block_id?: string }) => b.block_id === FIELD.timeZone);
    expect(zoneBlock.element.initial_option).toEqual({
      text: { type: 'plain_text', text: 'Asia/Kolkata (UTC+05:30)' },
      value: 'Asia/Kolkata',
    });
    expect(zoneBlock.hint.text).toBe(
      "Proposed from your Slack profile: until you save, the workspace runs in UTC, so today's date, due dates and alert times follow UTC.",
    );
    const saved = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.settings,
      private_metadata: view.private_metadata,
      values: {
        [FIELD.timeZone]: {
          [ACTION.timeZoneSelect]: {
            type: 'external_select',
            selected_option: { text: { type: 'plain_text', text: 'UTC (UTC+00:00)' }, value: 'UTC' },
          },
        },
        [FIELD.workingDays]: { [FIELD.workingDays]: stateValue.checkboxes(['1', '2', '3', '4', '5']) },
        [FIELD.financeAdmins]: { [FIELD.financeAdmins]: { type: 'multi_users_select', selected_users: [ADMIN] } },
      },
    });
    expect(saved.status).toBe(200);
    // UTC was chosen this time: it is the workspace's own now, and no longer replaced by a proposal.
    await t.as(ADMIN).slashCommand({ text: 'settings' });
    const [, second] = await t.fake.waitForCount('views.open', 2);
    const again = second?.args.view;
    const zoneAgain = again.blocks.find((b: { block_id?: string }) => b.block_id === FIELD.timeZone);
    expect(zoneAgain.element.initial_option.value).toBe('UTC');
    expect(zoneAgain.hint.text).toBe("Today's date, due dates and alert times follow it.");
  });

  it('finds any time zone by city as it is typed, and saves the one chosen', async () => {
    await workspace();
    await t.as(ADMIN).slashCommand({ text: 'settings' });
    const view = (await t.fake.waitFor('views.open')).args.view;
    const zoneBlock = view.blocks.find((b: { block_id?: string }) => b.block_id === FIELD.timeZone);
    expect(zoneBlock.element.initial_option).toEqual({
      text: { type: 'plain_text', text: 'America/New York (UTC−05:00)' },
      value: 'America/New_York',
    });
    const typed = await t
      .as(ADMIN)
      .blockSuggestion({ action_id: ACTION.timeZoneSelect, block_id: FIELD.timeZone, value: 'katmandu' });
    expect(typed.status).toBe(200);
    expect(typed.body).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Asia/Kathmandu (UTC+05:45)' }, value: 'Asia/Kathmandu' }],
    });
    const metadata = view.private_metadata;
    const saved = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.settings,
      private_metadata: metadata,
      values: {
        [FIELD.timeZone]: {
          [ACTION.timeZoneSelect]: {
            type: 'external_select',
            selected_option: {
              text: { type: 'plain_text', text: 'Asia/Kathmandu (UTC+05:45)' },
              value: 'Asia/Kathmandu',
            },
          },
        },
        [FIELD.workingDays]: { [FIELD.workingDays]: stateValue.checkboxes(['1', '2', '3', '4', '5']) },
        [FIELD.financeAdmins]: { [FIELD.financeAdmins]: { type: 'multi_users_select', selected_users: [ADMIN] } },
      },
    });
    expect(saved.status).toBe(200);
    expect((await loadWorkspace(t.ledger.db, TEAM)).timeZone).toBe('Asia/Kathmandu');
  });
});

describe('the new-invoice modal', () => {
  it('records a valid invoice once, even when Slack sends the submission twice, and posts its card', async () => {
    await workspace({ financeChannel: 'C0FIN' });
    const metadata = JSON.stringify({ key: 'modal-key-1', channelId: 'C0CHAN' });
    const submit = () =>
      t
        .as(ADMIN)
        .viewSubmission({ callback_id: VIEW.newInvoice, private_metadata: metadata, values: newInvoiceValues() });
    const first = await submit();
    expect(first.status).toBe(200);
    expect(first.body).toBe('');
    const again = await submit();
    expect(again.status).toBe(200);
    const card = await t.fake.waitFor('chat.postMessage');
    expect(card.args.channel).toBe('C0FIN');
    // The description is escaped: no one can mention the whole channel through it.
    expect(blockText(card.args.blocks)).toContain('Website &lt;!channel&gt; redesign');
    const invoice = await getInvoice(t.ledger, TEAM, 'INV-0001');
    expect(invoice).toMatchObject({ clientName: 'Initech', totalMinor: 250_000n, dueBasis: 'net 30 from 2026-11-20' });
    // Both submissions' work is finished (it goes on after the ack): still one card.
    await t.bot.idle();
    expect(t.fake.calls('chat.postMessage')).toHaveLength(1);
    const rows = await t.handle.raw('select count(*)::int as n from invoices', []);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('shows each mistake on its field and records nothing', async () => {
    await workspace();
    const response = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.newInvoice,
      private_metadata: JSON.stringify({ key: 'k2' }),
      values: newInvoiceValues({ [FIELD.amount]: { [FIELD.amount]: '12.345' } }),
    });
    expect(response.body).toMatchObject({ response_action: 'errors' });
    const errors = (response.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual([FIELD.amount]);
    expect(errors[FIELD.amount]).toContain('USD has 2');
    const noClient = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.newInvoice,
      private_metadata: JSON.stringify({ key: 'k3' }),
      values: newInvoiceValues({ [FIELD.newClient]: { [FIELD.newClient]: null } }),
    });
    expect(Object.keys((noClient.body as { errors: Record<string, string> }).errors)).toEqual([FIELD.client]);
    expect(await t.handle.raw('select count(*)::int as n from invoices', [])).toEqual([{ n: 0 }]);
    expect(await t.handle.raw('select count(*)::int as n from clients', [])).toEqual([{ n: 0 }]);
  });
});

describe('cards stay live', () => {
  it('records a payment from the Mark paid modal and updates the card in place', async () => {
    await workspace();
    const invoice = await sentInvoice();
    const card = await t.bot.live.postCard(TEAM, 'C0CHAN', invoice.id);
    t.fake.reset();
    await t.as(ADMIN).blockAction({ action_id: ACTION.markPaid, value: invoice.id, message_ts: card.ts });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.payment);
    expect(blockText(opened.args.view.blocks)).toContain('1200.00');
    const response = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.payment,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.paymentAmount]: { [FIELD.paymentAmount]: '1,200.00' },
        [FIELD.paymentDate]: { [FIELD.paymentDate]: stateValue.date('2026-11-23') },
        [FIELD.paymentReference]: { [FIELD.paymentReference]: 'wire 889' },
        [FIELD.overpayment]: { [FIELD.overpayment]: stateValue.checkboxes([]) },
      },
    });
    expect(response.status).toBe(200);
    const updated = await t.fake.waitFor('chat.update');
    expect(updated.args).toMatchObject({ channel: 'C0CHAN', ts: card.ts });
    expect(blockText(updated.args.blocks)).toContain('Paid');
    expect((await getInvoice(t.ledger, TEAM, invoice.id)).status.state).toBe('paid');
  });

  it('updates every card when the invoice is paid from somewhere else (the CLI, another replica)', async () => {
    await workspace();
    const invoice = await sentInvoice();
    const a = await t.bot.live.postCard(TEAM, 'C0CHAN', invoice.id);
    const b = await t.bot.live.postCard(TEAM, 'C0FIN', invoice.id);
    await recordPayment(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), {
      invoice: invoice.id,
      amount: '200',
    });
    expect(await t.bot.live.sync()).toBe(2);
    const updates = t.fake.calls('chat.update');
    expect(updates.map((u) => u.args.ts).sort()).toEqual([a.ts, b.ts].sort());
    expect(blockText(updates[0]?.args.blocks)).toContain('$1,000.00');
    // Nothing more to do until something changes again, or the day turns.
    expect(await t.bot.live.sync()).toBe(0);
    t.clock.set('2026-11-24T15:00:00Z');
    expect(await t.bot.live.sync()).toBe(2);
  });

  it('refuses a payment from someone the settings do not name', async () => {
    await workspace();
    const invoice = await sentInvoice();
    await t.as(OTHER).blockAction({ action_id: ACTION.markPaid, value: invoice.id });
    const reply = await t.fake.waitFor('response_url');
    expect(reply.args.text).toContain('can record payments');
    expect(t.fake.calls('views.open')).toHaveLength(0);
  });
});

/** The person opens the app's Home tab. */
function openHome(user: string) {
  return t.as(user).eventCallback({
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${nowSeconds()}.000100` },
  });
}

describe('the App Home', () => {
  it('shows the book grouped by state when opened', async () => {
    await workspace();
    await sentInvoice();
    const response = await openHome(ADMIN);
    expect(response.status).toBe(200);
    const published = await t.fake.waitFor('views.publish');
    expect(published.args.user_id).toBe(ADMIN);
    expect(published.args.view.type).toBe('home');
    expect(blockText(published.args.view.blocks)).toContain('INV-0042');
  });
});

describe('App Homes kept live', () => {
  it('refreshes once more after a change that came while a refresh was drawing, never losing it', async () => {
    await workspace();
    await sentInvoice('INV-0042');
    await openHome(ADMIN);
    await t.fake.waitFor('views.publish');
    await t.bot.idle();
    t.fake.reset();
    // The first refresh is drawing (its publish answers late) when a new invoice arrives.
    t.fake.failNext('views.publish', { delayMs: 1_500 });
    const first = t.bot.live.refreshHomes(TEAM);
    await t.fake.waitFor('views.publish');
    await sentInvoice('INV-0043');
    const second = t.bot.live.refreshHomes(TEAM);
    const third = t.bot.live.refreshHomes(TEAM);
    await Promise.all([first, second, third]);
    const published = t.fake.calls('views.publish');
    // One pass for the first call, one more for the two that came during it.
    expect(published).toHaveLength(2);
    expect(blockText(published[1]?.args.view.blocks)).toContain('INV-0043');
  });
});

describe('requests Slack did not sign', () => {
  it('refuses a bad signature, an old timestamp and one from the future', async () => {
    const body = 'command=%2Finvoice&text=help&team_id=T0TEAM&user_id=U0ADMIN';
    const form = 'application/x-www-form-urlencoded';
    expect((await t.as(ADMIN).postSigned(body, form, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await t.as(ADMIN).postSigned(body, form, { timestamp: nowSeconds() - 10 * 60 })).status).toBe(401);
    expect((await t.as(ADMIN).postSigned(body, form, { timestamp: nowSeconds() + 10 * 60 })).status).toBe(401);
    expect(t.fake.calls()).toHaveLength(0);
  });

  it('learns who the bot is once, not with an auth.test on every request', async () => {
    await workspace();
    for (const text of ['help', 'list', 'help']) await t.as(ADMIN).slashCommand({ text });
    await t.fake.waitForCount('response_url', 3);
    expect(t.fake.calls('auth.test')).toHaveLength(0);
  });

  it('answers /healthz with the database state', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ database: 'ok', slack: 'ok' });
  });
});

describe('workspaces', () => {
  it('never shows one workspace anything of another', async () => {
    await workspace();
    await sentInvoice('INV-0042');
    await t.as('U0STRANGER', 'T0OTHER').slashCommand({ text: 'show INV-0042' });
    const reply = await t.fake.waitFor('response_url');
    expect(reply.args.text).toContain('There is no invoice INV-0042');
    expect(t.fake.calls('chat.postMessage')).toHaveLength(0);
  });

  it('lets a person from another organisation in a shared channel do nothing', async () => {
    await workspace();
    const invoice = await sentInvoice();
    const payload = { action_id: ACTION.markSent, value: invoice.id };
    const client = t.as(ADMIN);
    // Same team on the card, but the user belongs to another organisation.
    const response = await client.payload({
      ...blockActionPayload({ ...payload, team_id: TEAM, user_id: 'U0EXT', response_url: t.fake.responseUrl() }),
      user: { id: 'U0EXT', username: 'ext', name: 'ext', team_id: 'T0EXTERNAL' },
    });
    expect(response.status).toBe(200);
    const reply = await t.fake.waitFor('response_url');
    expect(reply.args.text).toContain('another organisation');
    expect((await getInvoice(t.ledger, TEAM, invoice.id)).status.state).toBe('overdue');
  });
});
