// The first minute, end to end through signed requests and the fake Slack: the first person to use the app in a
// workspace that was never set up gets one setup message in their DM — once, whoever comes next and whatever
// replica asks — and sets the workspace up from it, each choice saved as a settings event; others are told who
// can; the App Home says what is still not set until it is; settings take a public-holidays place.
import { expect, it } from 'vitest';
import { ensureWorkspace, getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { SETUP } from '../../src/slack/ui/setup.js';
import { type TestBot, useTestBot } from '../helpers/bot.js';
import type { Call } from '../helpers/fake-slack.js';
import { OPERATOR } from '../helpers/ledger.js';
import { type BlockActionParams, stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ANA = 'U0ANA';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';

const t = useTestBot();

function text(blocks: unknown): string {
  return JSON.stringify(blocks ?? null);
}

/** The setup messages sent so far (to anyone). */
function setupMessages(bot: TestBot): Call[] {
  return bot.fake.calls('chat.postMessage').filter((c) => String(c.args.text).startsWith('Set up Receivables'));
}

async function events(kind: string) {
  return t.handle.raw('select actor_id, details from events where team_id = $1 and kind = $2 order by id', [
    TEAM,
    kind,
  ]);
}

/** Ana uses the app first and gets the message; returns it as it stands in her DM. */
async function firstContact() {
  t.fake.setUser(ANA, { tz: 'America/New_York' });
  await t.as(ANA).slashCommand({ text: 'list', response_url: t.fake.responseUrl('list') });
  const dm = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === ANA);
  await t.bot.idle();
  return dm;
}

/** Ana (or someone) uses an element of the setup message in her DM. */
async function choose(user: string, dmTs: string, params: BlockActionParams) {
  await t.as(user).blockAction({
    ...params,
    channel_id: ANA,
    message_ts: dmTs,
    response_url: t.fake.responseUrl(`${user}-${params.action_id}`),
  });
  await t.bot.idle();
}

function lastDm() {
  return t.fake.messages(ANA).at(-1);
}

it('sends the first person to use the app a setup message, once, proposing their own zone rather than UTC', async () => {
  const dm = await firstContact();
  expect(dm.args.text).toBe(
    'Set up Receivables for acme: still to choose the finance channel, the time zone, the finance admins.',
  );
  const blocks = text(dm.args.blocks);
  expect(blocks).toContain("*2. Time zone:* not chosen yet — still UTC, so today's date, due dates and alert times");
  expect(blocks).toContain('Use America/New York (UTC−05:00)');
  expect(blocks).toContain('*1. Finance channel:* not set');
  expect(blocks).toContain('*4. Finance admins:* nobody yet');
  // Bob comes next, opens the App Home, runs a command; another replica (or a restart) asks again: no second message.
  await t.as(BOB).eventCallback({ event: { type: 'app_home_opened', user: BOB, channel: 'D0HOME', tab: 'home' } });
  await t.as(BOB).slashCommand({ text: 'list', response_url: t.fake.responseUrl('bob') });
  await t.bot.idle();
  expect(await t.bot.startWorkspaceSetup(TEAM, BOB)).toBe(false);
  expect(setupMessages(t)).toHaveLength(1);
  expect(await events('setup_started')).toEqual([{ actor_id: 'setup', details: { to: ANA } }]);
});

it('walks the person through each choice, saved as settings events, until the workspace is set up', async () => {
  const dm = await firstContact();
  const ts = String(dm.response?.ts);
  // The zone proposed from her profile: one click, and she holds the first finance admin seat.
  await choose(ANA, ts, { action_id: SETUP.useZone, block_id: SETUP.zone, value: 'America/New_York' });
  expect((await getWorkspace(t.ledger, TEAM)).timeZone).toBe('America/New_York');
  expect(await events('admin_claimed')).toEqual([{ actor_id: ANA, details: { financeAdmins: [ANA] } }]);
  expect(text(lastDm()?.blocks)).toContain('✅ Saved: the time zone is America/New_York.');
  expect(text(lastDm()?.blocks)).toContain('*2. Time zone:* America/New York (UTC−05:00).');

  // The finance channel: the bot is not in it, and it is public, so it offers to join.
  t.fake.on('conversations.info', (args) => ({
    ok: true,
    channel: { id: args.channel, is_channel: true, is_private: false, is_member: false },
  }));
  await choose(ANA, ts, {
    action_id: SETUP.channel,
    element: 'conversations_select',
    action: { selected_conversation: 'C0FIN' },
  });
  expect((await getWorkspace(t.ledger, TEAM)).financeChannel).toBe('C0FIN');
  expect(text(lastDm()?.blocks)).toContain("I'm not in <#C0FIN> yet, so I cannot post there.");
  t.fake.on('conversations.info', undefined); // Slack now says it is a member
  await choose(ANA, ts, { action_id: SETUP.join, value: 'C0FIN' });
  expect(t.fake.last('conversations.join')?.args).toMatchObject({ channel: 'C0FIN' });
  expect(text(lastDm()?.blocks)).toContain('✅ I joined <#C0FIN>.');
  expect(text(lastDm()?.blocks)).toContain("I'm in <#C0FIN>.");

  await choose(ANA, ts, { action_id: SETUP.alertTime, element: 'timepicker', action: { selected_time: '08:30' } });
  await choose(ANA, ts, {
    action_id: SETUP.workingDays,
    element: 'checkboxes',
    action: stateValue.checkboxes(['0', '1', '2', '3', '4']),
  });
  await choose(ANA, ts, {
    action_id: SETUP.admins,
    element: 'multi_users_select',
    action: { selected_users: [ANA, BOB] },
  });
  const ws = await getWorkspace(t.ledger, TEAM);
  expect([ws.alertTime, ws.workingDays, ws.financeAdmins]).toEqual(['08:30', [0, 1, 2, 3, 4], [ANA, BOB]]);
  const changes = (await events('settings_changed')).map((e) =>
    Object.keys((e.details as { changes: object }).changes),
  );
  expect(changes).toEqual([['timeZone'], ['financeChannel'], ['alertTime'], ['workingDays'], ['financeAdmins']]);
  expect(lastDm()?.text).toBe('acme is set up: alerts go to <#C0FIN>.');
  expect(text(lastDm()?.blocks)).toContain('🎉 *acme is set up.* Alerts go to <#C0FIN> at 08:30 America/New York');
  // An impossible choice is said in the message, and nothing is saved.
  await choose(ANA, ts, { action_id: SETUP.workingDays, element: 'checkboxes', action: { selected_options: [] } });
  expect(text(lastDm()?.blocks)).toContain('⚠️ Not saved: must include at least one day.');
  expect((await getWorkspace(t.ledger, TEAM)).workingDays).toEqual([0, 1, 2, 3, 4]);
});

it('tells someone who may not change the settings who can, and saves nothing', async () => {
  const dm = await firstContact();
  const ts = String(dm.response?.ts);
  await choose(ANA, ts, { action_id: SETUP.useZone, block_id: SETUP.zone, value: 'America/New_York' });
  const before = await events('settings_changed');
  await choose(CAROL, ts, { action_id: SETUP.alertTime, element: 'timepicker', action: { selected_time: '06:00' } });
  const refusal = await t.fake.waitFor('response_url', (c) => c.id === `${CAROL}-${SETUP.alertTime}`);
  expect(refusal.args.text).toBe(
    '🔒 Only the finance admins can change these settings: <@U0ANA>. Ask one of them to do it, or to add you.',
  );
  expect(refusal.args.response_type).toBe('ephemeral');
  expect((await getWorkspace(t.ledger, TEAM)).alertTime).toBe('09:00');
  expect(await events('settings_changed')).toEqual(before);
});

it('shows on the App Home what is still not set, with a button to finish, until it is', async () => {
  await t.as(ANA).eventCallback({ event: { type: 'app_home_opened', user: ANA, channel: 'D0HOME', tab: 'home' } });
  const home = await t.fake.waitFor('views.publish', (c) => c.args.user_id === ANA);
  const blocks = text(home.args.view.blocks);
  expect(blocks).toContain('• *Time zone:* not set yet — still UTC');
  expect(blocks).toContain('• *Finance channel:* not set');
  expect(blocks).toContain(SETUP.homeFinish);
  await t.bot.idle();
  // "Finish setup" opens the settings (Ana claims the first seat there, as with the Settings button).
  await t.as(ANA).blockAction({ action_id: SETUP.homeFinish, value: SETUP.homeFinish, view: homeView() });
  expect((await t.fake.waitFor('views.open')).args.view.callback_id).toBe(VIEW.settings);
  await updateWorkspaceSettings(t.ledger, TEAM, OPERATOR, { timeZone: 'Europe/Paris', financeChannel: 'C0FIN' });
  t.fake.reset();
  await t.bot.live.publishHome(TEAM, ANA);
  const done = text(t.fake.last('views.publish')?.args.view.blocks);
  expect(done).not.toContain('Finish setting up');
  expect(done).not.toContain(SETUP.homeFinish);
});

it('sends nothing in a workspace whose settings were saved before the setup message existed', async () => {
  await ensureWorkspace(t.ledger, { teamId: TEAM, name: 'Acme' });
  await updateWorkspaceSettings(t.ledger, TEAM, OPERATOR, { financeAdmins: [CAROL] });
  await t.as(ANA).slashCommand({ text: 'help', response_url: t.fake.responseUrl('help') });
  await t.bot.idle();
  expect(setupMessages(t)).toHaveLength(0);
  // Looked at once: from then on the workspace's row says so.
  expect((await getWorkspace(t.ledger, TEAM)).setupStartedAt).not.toBeNull();
  expect(await events('setup_started')).toEqual([]);
});

it('takes a public-holidays place in settings, found as it is typed', async () => {
  await t.as(ANA).slashCommand({ text: 'settings' });
  const view = (await t.fake.waitFor('views.open')).args.view;
  const found = await t
    .as(ANA)
    .blockSuggestion({ action_id: ACTION.holidaySelect, block_id: FIELD.holidays, value: 'scotland' });
  expect(found.body.options).toEqual([
    { text: { type: 'plain_text', text: 'United Kingdom — Scotland' }, value: 'GB-SCT' },
  ]);
  const saved = await t.as(ANA).viewSubmission({
    callback_id: VIEW.settings,
    private_metadata: view.private_metadata,
    values: {
      [FIELD.timeZone]: { [ACTION.timeZoneSelect]: stateValue.external('Europe/London') },
      [FIELD.workingDays]: { [FIELD.workingDays]: stateValue.checkboxes(['1', '2', '3', '4', '5']) },
      [FIELD.financeAdmins]: { [FIELD.financeAdmins]: { type: 'multi_users_select', selected_users: [ANA] } },
      [FIELD.holidays]: { [ACTION.holidaySelect]: stateValue.external('GB-SCT') },
    },
  });
  expect(saved.status).toBe(200);
  const ws = await getWorkspace(t.ledger, TEAM);
  expect([ws.holidayCountry, ws.holidayRegion]).toEqual(['GB', 'SCT']);
  await t.as(ANA).slashCommand({ text: 'settings' });
  const [, again] = await t.fake.waitForCount('views.open', 2);
  const block = again?.args.view.blocks.find((b: { block_id?: string }) => b.block_id === FIELD.holidays);
  expect(block.element.initial_option).toEqual({
    text: { type: 'plain_text', text: 'United Kingdom — Scotland' },
    value: 'GB-SCT',
  });
});

function homeView() {
  return {
    id: 'VHOME',
    team_id: TEAM,
    type: 'home',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: 'h',
    app_id: 'A0APP',
    bot_id: 'B0BOT',
  };
}
