// The settings modal: the finance channel, time zone, alert and digest times, working days, admins, holidays.
import type { KnownBlock, ModalView } from '@slack/types';
import type { WorkspaceRow } from '../../../db/schema.js';
import { zoneLabel } from '../../../domain/zones.js';
import type { WorkspaceSettings } from '../../../services/workspaces.js';
import { plain } from '../blocks.js';
import { ACTION, FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { isChannelId, isUserId } from '../text.js';
import {
  compact,
  input,
  modal,
  option,
  optionIn,
  optionsIn,
  stateValue,
  textIn,
  timeIn,
  type ViewStateValues,
} from './shared.js';

export const SETTINGS_FIELDS: Readonly<Record<string, string>> = {
  financeChannel: FIELD.financeChannel,
  timeZone: FIELD.timeZone,
  alertTime: FIELD.alertTime,
  digestWeekday: FIELD.digestWeekday,
  digestTime: FIELD.digestTime,
  staleDays: FIELD.staleDays,
  workingDays: FIELD.workingDays,
  financeAdmins: FIELD.financeAdmins,
  financeAdminGroup: FIELD.financeAdminGroup,
  holidayCountry: FIELD.holidays,
  holidayRegion: FIELD.holidays,
};

export const WEEKDAYS: readonly string[] = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

export function settingsModal(p: {
  workspace: WorkspaceRow;
  metadata: ModalMetadata;
  now: Date;
  /**
   * The zone to propose when nobody has chosen one yet: the person's own, from their Slack profile. It is
   * shown selected, and said to be a proposal; saving chooses it.
   */
  proposedZone?: string | undefined;
  /** The chosen holidays' place as people read it ('United Kingdom — Scotland'), when there is one. */
  holidayLabel?: string | undefined;
}): ModalView {
  const ws = p.workspace;
  const zone = p.proposedZone ?? ws.timeZone;
  const proposing = p.proposedZone !== undefined && p.proposedZone !== ws.timeZone;
  const weekdays = WEEKDAYS.map((d, i) => option(d, String(i)));
  // Monday first, as people read a working week.
  const workdays = [1, 2, 3, 4, 5, 6, 0].map((i) => option(WEEKDAYS[i] ?? String(i), String(i)));
  const workingInitial = workdays.filter((o) => ws.workingDays.includes(Number(o.value)));
  const admins = ws.financeAdmins.filter(isUserId);
  const weekdayInitial = weekdays[ws.digestWeekday];
  const blocks: KnownBlock[] = [
    input(
      FIELD.financeChannel,
      'Finance channel',
      {
        type: 'conversations_select',
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(isChannelId(ws.financeChannel) ? { initial_conversation: ws.financeChannel } : {}),
      },
      { optional: true, hint: 'Daily alerts and the weekly digest go here. Invite the app to the channel first.' },
    ),
    input(
      FIELD.timeZone,
      'Time zone',
      {
        // Every IANA zone (over 400): typed to search, by city, region, older name or offset (ACTION.timeZoneSelect).
        type: 'external_select',
        action_id: ACTION.timeZoneSelect,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Type a city or an offset like +5:45' },
        initial_option: option(zoneLabel(zone, p.now), zone),
      },
      {
        hint: proposing
          ? `Proposed from your Slack profile: until you save, the workspace runs in ${ws.timeZone}, so today's date, due dates and alert times follow ${ws.timeZone}.`
          : "Today's date, due dates and alert times follow it.",
      },
    ),
    input(
      FIELD.alertTime,
      'Daily alerts at',
      { type: 'timepicker', initial_time: ws.alertTime },
      { hint: 'In the workspace time zone, on working days.' },
    ),
    input(FIELD.digestWeekday, 'Weekly digest on', {
      type: 'static_select',
      options: weekdays,
      ...(weekdayInitial ? { initial_option: weekdayInitial } : {}),
    }),
    input(FIELD.digestTime, 'Weekly digest at', { type: 'timepicker', initial_time: ws.digestTime }),
    input(
      FIELD.staleDays,
      'A chase goes stale after (days)',
      {
        type: 'number_input',
        is_decimal_allowed: false,
        min_value: '1',
        max_value: '365',
        initial_value: String(ws.staleDays),
      },
      { hint: 'A due or overdue invoice with no action for this long is flagged.' },
    ),
    input(FIELD.workingDays, 'Working days', {
      type: 'checkboxes',
      options: workdays,
      ...(workingInitial.length > 0 ? { initial_options: workingInitial } : {}),
    }),
    input(
      FIELD.holidays,
      'Public holidays',
      {
        type: 'external_select',
        action_id: ACTION.holidaySelect,
        min_query_length: 0,
        placeholder: plain('Type a country or a region'),
        ...(ws.holidayCountry
          ? {
              initial_option: option(
                p.holidayLabel ?? ws.holidayCountry,
                holidayValue(ws.holidayCountry, ws.holidayRegion),
              ),
            }
          : {}),
      },
      { optional: true, hint: 'Alerts and nudges due on a public holiday go out on the next working day.' },
    ),
    input(
      FIELD.financeAdmins,
      'Finance admins',
      { type: 'multi_users_select', ...(admins.length > 0 ? { initial_users: admins } : {}) },
      { optional: true, hint: 'Who may record payments, void invoices and change these settings.' },
    ),
    input(
      FIELD.financeAdminGroup,
      'Finance admin user group',
      {
        type: 'plain_text_input',
        placeholder: plain('S0123ABCD'),
        max_length: 40,
        ...(ws.financeAdminGroup ? { initial_value: ws.financeAdminGroup } : {}),
      },
      { optional: true, hint: 'A user group id (S…) whose members may do the same.' },
    ),
  ];
  return modal({ callbackId: VIEW.settings, title: 'Settings', submit: 'Save', blocks, metadata: p.metadata });
}

/** 'GB' or 'GB-SCT': a holiday place as the picker's option value. */
export function holidayValue(country: string, region: string | null): string {
  return region ? `${country}-${region}` : country;
}

/** The settings as WorkspaceSettings; a cleared channel, group or holiday place is null, so the service clears it. */
export function readSettings(values: ViewStateValues): WorkspaceSettings {
  const channel = stateValue(values, FIELD.financeChannel);
  const holidays = stateValue(values, FIELD.holidays, ACTION.holidaySelect);
  const [holidayCountry = null, holidayRegion = null] = holidays?.selected_option?.value?.split('-', 2) ?? [];
  const weekday = optionIn(values, FIELD.digestWeekday);
  const stale = textIn(values, FIELD.staleDays);
  return compact({
    financeChannel: channel?.selected_conversation ?? channel?.selected_channel ?? null,
    timeZone: optionIn(values, FIELD.timeZone, ACTION.timeZoneSelect) ?? textIn(values, FIELD.timeZone),
    alertTime: timeIn(values, FIELD.alertTime),
    digestWeekday: weekday === undefined ? undefined : Number(weekday),
    digestTime: timeIn(values, FIELD.digestTime),
    staleDays: stale === undefined ? undefined : Number(stale),
    workingDays: optionsIn(values, FIELD.workingDays).map(Number),
    financeAdmins: stateValue(values, FIELD.financeAdmins)?.selected_users ?? [],
    financeAdminGroup: textIn(values, FIELD.financeAdminGroup) ?? null,
    // Absent from the form (an older one): left as it is; present but empty: no holidays.
    ...(holidays ? { holidayCountry, holidayRegion } : {}),
  });
}
