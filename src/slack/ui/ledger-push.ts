// Posting payments recorded here to the ledger: the setting's modal (on or off, and the account), where each
// payment stands on its invoice's card and under /invoice connect, and the one message when the ledger refuses one.
// Pure builders.
import type { ViewOutput } from '@slack/bolt';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { LedgerAccount } from '../../books/provider.js';
import type { LedgerPushRow, LedgerPushSettingRow } from '../../db/schema.js';
import { plain, section } from './blocks.js';
import { FIELD, VIEW } from './ids.js';
import {
  esc,
  escapeClip,
  inline,
  joinMd,
  labelledLink,
  localDateTime,
  type Mrkdwn,
  md,
  mention,
  money,
  type SlackMessage,
  slackDate,
  truncate,
} from './text.js';

const MAX_TITLE = 24;
const LABEL: Readonly<Record<string, string>> = { xero: 'Xero', quickbooks: 'QuickBooks' };
/** Slack's static_select takes at most 100 options. */
const MAX_OPTIONS = 100;
const ON = 'on';
const OFF = 'off';

/** What the modal carries to its submit: the provider only (everything else is checked again on save). */
export interface PushMetadata {
  provider: string;
}

function modal(label: string, blocks: KnownBlock[], submit?: string, metadata?: PushMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.ledgerPush,
    title: plain(`Payments to ${label}`, MAX_TITLE),
    ...(submit ? { submit: plain(submit, MAX_TITLE) } : {}),
    close: plain(submit ? 'Cancel' : 'Close', MAX_TITLE),
    ...(metadata ? { private_metadata: JSON.stringify(metadata) } : {}),
    blocks,
  };
}

export function pushLoadingModal(label: string): ModalView {
  return modal(label, [section(md`Reading the accounts from ${esc(label)}…`)]);
}

/** Why the setting cannot be changed now (not supported, not connected, Xero unreachable), with what to do. */
export function pushBlockedModal(label: string, reason: string, grantUrl?: string): ModalView {
  const blocks = [section(md`${escapeClip(reason, 1500)}`)];
  if (grantUrl) {
    blocks.push(
      section(
        md`${labelledLink(grantUrl, md`Allow posting payments in ${esc(label)}`)} — only for you, once, for 10 minutes. ${esc(label)} adds it to the access already given; then run \`/invoice connect ${esc(label.toLowerCase())} payments\` again.`,
      ),
    );
  }
  return modal(label, blocks);
}

function accountText(a: { name: string; code: string | null }): string {
  return a.code ? `${a.name} (${a.code})` : a.name;
}

export function pushSettingModal(params: {
  label: string;
  provider: string;
  accounts: readonly LedgerAccount[];
  setting: LedgerPushSettingRow | undefined;
  on: boolean;
}): ModalView {
  const label = esc(params.label);
  const options: PlainTextOption[] = params.accounts.slice(0, MAX_OPTIONS).map((a) => ({
    text: plain(truncate(accountText(a), 75), 75),
    value: a.externalId,
  }));
  const choice = (value: string, text: string): PlainTextOption => ({ text: plain(text, 75), value });
  const onOption = choice(ON, `On: post them to ${params.label}`);
  const offOption = choice(OFF, `Off: record them in ${params.label}`);
  const current = options.find((o) => o.value === params.setting?.accountId && params.on);
  const blocks: KnownBlock[] = [
    section(
      md`When this is on, a payment a finance admin records in Slack on an invoice from ${label} is recorded here *and* posted to ${label}, once, into the account below; the card says when ${label} has it. When it is off, payments on ${label}'s invoices are recorded in ${label} and reach here at the next sync.`,
    ),
    {
      type: 'input',
      block_id: FIELD.pushEnabled,
      label: plain(`Post payments to ${params.label}`),
      element: {
        type: 'radio_buttons',
        action_id: FIELD.pushEnabled,
        options: [onOption, offOption],
        initial_option: params.on ? onOption : offOption,
      },
    },
  ];
  if (options.length === 0) {
    blocks.push(
      section(
        md`⚠️ ${label} lists no active bank account, nor any account with payments enabled, to pay them into: add one in ${label} first.`,
      ),
    );
  } else {
    blocks.push({
      type: 'input',
      block_id: FIELD.pushAccount,
      optional: true,
      label: plain('Paid into'),
      hint: plain(`Bank accounts and accounts that take payments in ${params.label}`),
      element: {
        type: 'static_select',
        action_id: FIELD.pushAccount,
        placeholder: plain('Choose an account'),
        options,
        ...(current ? { initial_option: current } : {}),
      },
    });
  }
  if (params.accounts.length > MAX_OPTIONS) {
    blocks.push(section(md`Only the first ${MAX_OPTIONS} of ${params.accounts.length} accounts are listed.`));
  }
  return modal(params.label, blocks, 'Save', { provider: params.provider });
}

export function readPushForm(values: ViewOutput['state']['values']): {
  enabled: boolean;
  accountId: string | undefined;
} {
  const enabled = values[FIELD.pushEnabled]?.[FIELD.pushEnabled]?.selected_option?.value === ON;
  const accountId = values[FIELD.pushAccount]?.[FIELD.pushAccount]?.selected_option?.value ?? undefined;
  return { enabled, accountId };
}

/** The service's field names, as the form's blocks. */
export const PUSH_FIELDS: Readonly<Record<string, string>> = {
  enabled: FIELD.pushEnabled,
  account: FIELD.pushAccount,
  'account.id': FIELD.pushAccount,
};

/** After a save, privately: what is on now. */
export function pushSavedMessage(label: string, setting: LedgerPushSettingRow): SlackMessage {
  const l = esc(label);
  const text = setting.enabled
    ? md`✅ Payments recorded in Slack on invoices from ${l} are now posted to ${l}, into *${inline(accountText({ name: setting.accountName ?? '', code: setting.accountCode }), 200)}*.`
    : md`Payments on invoices from ${l} are recorded in ${l} again; nothing recorded here is posted to it.`;
  return { text, blocks: [section(text)] };
}

function when(at: Date, timeZone: string): Mrkdwn {
  return slackDate(at, localDateTime(at, timeZone), '{date_short_pretty} at {time}');
}

/** One payment's place in the ledger, for its invoice's card and the connection's status. */
export function pushLine(push: LedgerPushRow, label: string, timeZone: string, number?: string): Mrkdwn {
  const l = esc(label);
  const what = number
    ? md`Payment of ${money(push.amountMinor, push.currency)} on ${inline(number, 40)}`
    : md`Payment of ${money(push.amountMinor, push.currency)}`;
  if (push.status === 'sent') return md`✅ ${what} sent to ${l}.`;
  if (push.status === 'failed') {
    return md`❌ ${what} not in ${l}: ${escapeClip(push.lastError ?? 'refused', 300)} It stays recorded here; record it in ${l} by hand.`;
  }
  if (!push.lastError) return md`⏳ ${what} is on its way to ${l}.`;
  return md`⚠️ ${what} not yet in ${l}: ${escapeClip(push.lastError, 300)}; retrying ${when(push.nextAttemptAt, timeZone)}.`;
}

/** The card's lines: the latest few payments' places in their ledger. */
export function pushLines(pushes: readonly LedgerPushRow[], timeZone: string): Mrkdwn[] {
  return pushes.slice(-3).map((p) => pushLine(p, LABEL[p.provider] ?? p.provider, timeZone));
}

/** The lines /invoice connect adds about posting payments. */
export function pushStatusLines(params: {
  label: string;
  setting: LedgerPushSettingRow | undefined;
  on: boolean;
  unsupported: string | undefined;
  unsent: readonly (LedgerPushRow & { number?: string })[];
  timeZone: string;
}): Mrkdwn[] {
  const l = esc(params.label);
  const command = esc(params.label.toLowerCase());
  if (params.unsupported) return [md`Posting payments: ${escapeClip(params.unsupported, 200)}`];
  const s = params.setting;
  const lines: Mrkdwn[] = [
    params.on && s
      ? md`Payments recorded in Slack go to ${l}, into *${inline(accountText({ name: s.accountName ?? '', code: s.accountCode }), 200)}* (set by ${mention(s.updatedBy)}); \`/invoice connect ${command} payments\` changes it.`
      : md`Payments recorded in Slack are not posted to ${l} (off); \`/invoice connect ${command} payments\` turns it on.`,
  ];
  for (const p of params.unsent) lines.push(pushLine(p, params.label, params.timeZone, p.number));
  return lines;
}

/** The connection's status with the lines about posting payments under it. */
export function withPushStatus(message: SlackMessage, params: Parameters<typeof pushStatusLines>[0]): SlackMessage {
  const lines = pushStatusLines(params);
  return {
    text: joinMd([message.text, ...lines], '\n'),
    blocks: [...message.blocks, section(joinMd(lines, '\n'))],
  };
}

/** Said once, to the finance channel (or each finance admin), when the ledger refuses a payment for good. */
export function pushFailedMessage(params: {
  label: string;
  number: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
}): SlackMessage {
  const l = esc(params.label);
  const text = md`❌ ${l} refused the payment of ${money(params.amountMinor, params.currency)} on ${inline(params.number, 40)} recorded in Slack: ${escapeClip(params.reason, 600)} It stays recorded here. Record it in ${l} by hand (or fix what ${l} says, then record it there), so the books agree; it is not sent again.`;
  return { text, blocks: [section(text)] };
}
