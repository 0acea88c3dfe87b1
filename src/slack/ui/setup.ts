// The first minute: the setup message in the DM of whoever installed the app (or first used it), walking them
// through the finance channel (and joining it), the time zone (proposed from their Slack profile, never a silent
// UTC), the alert time, working days and the finance admins — each saved as it is chosen — and the App Home's
// "still to set up" section. Pure builders.
import type { ActionsBlock, Button, KnownBlock, PlainTextOption } from '@slack/types';
import type { WorkspaceRow } from '../../db/schema.js';
import { formatOffset, offsetMinutes, zoneLabel } from '../../domain/zones.js';
import type { SetupGaps } from '../../services/workspaces.js';
import { context, mrkdwn, plain, section } from './blocks.js';
import {
  channelLink,
  esc,
  inline,
  isChannelId,
  isUserId,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  mention,
  type SlackMessage,
} from './text.js';

/** The setup message's menus and buttons (in a message, each fires when used: every choice is saved at once). */
export const SETUP = {
  channel: 'setup.channel',
  /** Join the public finance channel (conversations.join). Value: the channel id. */
  join: 'setup.join',
  /** Use the zone proposed from the person's Slack profile. Value: the zone. */
  useZone: 'setup.use_zone',
  /** external_select over every IANA zone (options handler). */
  zone: 'setup.zone',
  alertTime: 'setup.alert_time',
  workingDays: 'setup.working_days',
  admins: 'setup.admins',
  /** The App Home's "Finish setup": opens the settings. */
  homeFinish: 'home.finish_setup',
} as const;

/** Where the bot stands in the finance channel: in it, not in it (public: it can join; private: invite it), unknown. */
export type Membership = 'member' | 'public' | 'private' | 'unknown';

export interface SetupMessageParams {
  workspace: WorkspaceRow;
  gaps: SetupGaps;
  now: Date;
  /** The person's own zone, from their Slack profile: proposed while nobody has chosen one. */
  proposedZone?: string | undefined;
  membership: Membership;
  /** A line about the last choice ('✅ Alerts go to #finance.'), or a refusal, shown under the header. */
  notice?: Mrkdwn | undefined;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value };
}

function button(text: string, actionId: string, value: string, style?: 'primary'): Button {
  return { type: 'button', text: plain(text, 75), action_id: actionId, value, ...(style ? { style } : {}) };
}

function actions(blockId: string, elements: ActionsBlock['elements']): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/** '✅' when set, '⚠️' when the workspace runs on a default that may be wrong, '⬜' when missing. */
function mark(done: boolean, warn = false): Mrkdwn {
  return done ? literal('✅') : warn ? literal('⚠️') : literal('⬜');
}

function zoneText(zone: string, now: Date): Mrkdwn {
  return md`${esc(zone.replaceAll('_', ' '))} (${esc(formatOffset(offsetMinutes(zone, now)))})`;
}

export function setupMessage(p: SetupMessageParams): SlackMessage {
  const ws = p.workspace;
  const done = !p.gaps.timeZone && !p.gaps.financeChannel && !p.gaps.financeAdmins;
  const intro = done
    ? md`🎉 *${inline(ws.name, 100)} is set up.* Alerts go to ${channelLink(ws.financeChannel) ?? literal('the finance channel')} at ${esc(ws.alertTime)} ${zoneText(ws.timeZone, p.now)} on working days. Change anything later in \`/invoice settings\` (the weekly digest, stale chases, public holidays too).`
    : md`👋 *Let's set up Receivables for ${inline(ws.name, 100)}.* A minute: each choice below is saved as you make it, and \`/invoice settings\` changes any of it later.`;
  const blocks: KnownBlock[] = [section(intro)];
  if (p.notice) blocks.push(context(p.notice));
  blocks.push({ type: 'divider' }, ...channelStep(p), ...zoneStep(p), ...scheduleStep(p), ...adminStep(p));
  const missing = gapWords(p.gaps);
  const text = done
    ? md`${inline(ws.name, 100)} is set up: alerts go to ${channelLink(ws.financeChannel) ?? literal('the finance channel')}.`
    : md`Set up Receivables for ${inline(ws.name, 100)}: still to choose ${joinMd(missing, ', ')}.`;
  return { text, blocks };
}

function channelStep(p: SetupMessageParams): KnownBlock[] {
  const channel = channelLink(p.workspace.financeChannel);
  const blocks: KnownBlock[] = [
    section(
      channel
        ? md`${mark(true)} *1. Finance channel:* ${channel} — the daily alerts and the weekly digest go there.`
        : md`${mark(false)} *1. Finance channel:* not set — where should the daily alerts and the weekly digest go?`,
    ),
    actions(SETUP.channel, [
      {
        type: 'conversations_select',
        action_id: SETUP.channel,
        placeholder: plain('Choose the finance channel'),
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(isChannelId(p.workspace.financeChannel) ? { initial_conversation: p.workspace.financeChannel } : {}),
      },
    ]),
  ];
  if (channel && p.membership === 'public') {
    blocks.push({
      type: 'section',
      text: mrkdwn(md`I'm not in ${channel} yet, so I cannot post there.`),
      accessory: button('Add me to the channel', SETUP.join, p.workspace.financeChannel ?? '', 'primary'),
    });
  } else if (channel && p.membership === 'private') {
    blocks.push(context(md`${channel} is private: invite me there with \`/invite @Receivables\` so I can post.`));
  } else if (channel && p.membership === 'member') {
    blocks.push(context(md`I'm in ${channel}.`));
  }
  return blocks;
}

function zoneStep(p: SetupMessageParams): KnownBlock[] {
  const ws = p.workspace;
  const proposed = p.gaps.timeZone && p.proposedZone && p.proposedZone !== ws.timeZone ? p.proposedZone : undefined;
  const line = p.gaps.timeZone
    ? md`${mark(false, true)} *2. Time zone:* not chosen yet — still ${esc(ws.timeZone)}, so today's date, due dates and alert times follow ${esc(ws.timeZone)}.`
    : md`${mark(true)} *2. Time zone:* ${zoneText(ws.timeZone, p.now)}.`;
  const picker = {
    type: 'external_select' as const,
    action_id: SETUP.zone,
    min_query_length: 0,
    placeholder: plain(proposed ? 'Or type another city or offset' : 'Type a city or an offset like +5:45'),
    ...(p.gaps.timeZone ? {} : { initial_option: option(zoneLabel(ws.timeZone, p.now), ws.timeZone) }),
  };
  const elements: ActionsBlock['elements'] = [];
  if (proposed) elements.push(button(`Use ${zoneLabel(proposed, p.now)}`, SETUP.useZone, proposed, 'primary'));
  else if (p.gaps.timeZone) elements.push(button(`Keep ${ws.timeZone}`, SETUP.useZone, ws.timeZone));
  elements.push(picker);
  const blocks: KnownBlock[] = [section(line), actions(SETUP.zone, elements)];
  if (proposed) blocks.push(context(md`${esc(proposed)} is the time zone of your Slack profile.`));
  return blocks;
}

function scheduleStep(p: SetupMessageParams): KnownBlock[] {
  const ws = p.workspace;
  const workdays = [1, 2, 3, 4, 5, 6, 0].map((i) => option(WEEKDAYS[i] ?? String(i), String(i)));
  const initial = workdays.filter((o) => ws.workingDays.includes(Number(o.value)));
  return [
    section(
      md`${mark(true)} *3. Daily alerts* at ${esc(ws.alertTime)}, in the workspace's time zone, on these working days:`,
    ),
    actions(SETUP.alertTime, [{ type: 'timepicker', action_id: SETUP.alertTime, initial_time: ws.alertTime }]),
    actions(SETUP.workingDays, [
      {
        type: 'checkboxes',
        action_id: SETUP.workingDays,
        options: workdays,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    ]),
  ];
}

function adminStep(p: SetupMessageParams): KnownBlock[] {
  const admins = p.workspace.financeAdmins.filter(isUserId);
  return [
    section(
      p.gaps.financeAdmins
        ? md`${mark(false)} *4. Finance admins:* nobody yet — who may record payments, void invoices and change these settings?`
        : md`${mark(true)} *4. Finance admins:* who may record payments, void invoices and change these settings.`,
    ),
    actions(SETUP.admins, [
      {
        type: 'multi_users_select',
        action_id: SETUP.admins,
        placeholder: plain('Choose people'),
        ...(admins.length > 0 ? { initial_users: admins } : {}),
      },
    ]),
  ];
}

function gapWords(gaps: SetupGaps): Mrkdwn[] {
  return [
    gaps.financeChannel ? literal('the finance channel') : null,
    gaps.timeZone ? literal('the time zone') : null,
    gaps.financeAdmins ? literal('the finance admins') : null,
  ].filter((w): w is Mrkdwn => w !== null);
}

/**
 * The App Home's section while a workspace is not set up: what is still not set, and a button to finish.
 * Nothing once it is.
 */
export function homeSetupBlocks(p: { gaps: SetupGaps; timeZone: string }): KnownBlock[] {
  const lines = [
    p.gaps.timeZone ? md`• *Time zone:* not set yet — still ${esc(p.timeZone)}` : null,
    p.gaps.financeChannel ? literal('• *Finance channel:* not set') : null,
    p.gaps.financeAdmins ? literal('• *Finance admins:* nobody yet') : null,
  ].filter((l): l is Mrkdwn => l !== null);
  if (lines.length === 0) return [];
  return [
    {
      type: 'section',
      text: mrkdwn(md`⚙️ *Finish setting up*\n${joinMd(lines, '\n')}`),
      accessory: {
        type: 'button',
        text: plain('Finish setup', 75),
        action_id: SETUP.homeFinish,
        value: SETUP.homeFinish,
        style: 'primary',
      },
    },
  ];
}

/** The refusal for someone who may not change the settings, naming who can. */
export function setupDenied(p: { financeAdmins: readonly string[]; financeAdminGroup: string | null }): SlackMessage {
  const who = [
    ...p.financeAdmins.filter(isUserId).map((id) => mention(id)),
    ...(p.financeAdminGroup && /^S[A-Z0-9]+$/.test(p.financeAdminGroup)
      ? [md`the members of <!subteam^${esc(p.financeAdminGroup)}>`]
      : []),
  ];
  const text =
    who.length > 0
      ? md`🔒 Only the finance admins can change these settings: ${joinMd(who, ', ')}. Ask one of them to do it, or to add you.`
      : literal('🔒 Only the finance admins can change these settings. Ask one of them to do it, or to add you.');
  return { text, blocks: [section(text)] };
}
