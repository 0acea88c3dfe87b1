// Editing a retainer in Slack: the form, prefilled with what it bills now, and the answer that says what changed
// (before → after) and when the next invoice comes. Pure builders; the listener is in listeners/retainers.ts.
import type { KnownBlock, ModalView } from '@slack/types';
import { toDecimalString } from '../../domain/money.js';
import { describeEnd } from '../../domain/retainers.js';
import { describeTerms, TERMS_CHOICES } from '../../domain/terms.js';
import type { EditedRetainer, RetainerChange, RetainerField, RetainerView } from '../../services/retainers.js';
import { plain, section } from './blocks.js';
import { COMMON_CURRENCIES } from './modals/index.js';
import {
  dayOptions,
  input,
  LAST_WORKING_DAY,
  option,
  RETAINER_FIELD,
  retainerLine,
  select,
  shortId,
} from './retainers.js';
import {
  esc,
  inline,
  isUserId,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  mention,
  type SlackMessage,
  truncate,
} from './text.js';

/** The edit form's callback id. private_metadata: RetainerEditMetadata. */
export const RETAINER_EDIT_VIEW = 'view.retainer_edit';

export interface RetainerEditMetadata {
  /** Idempotency key for the submit: a double submit edits once. */
  key: string;
  retainerId: string;
  /** The version the form was drawn from: a change made meanwhile is not overwritten. */
  version: number;
}

/** Service field → block, for errors on their fields; the first is the fallback. */
export const RETAINER_EDIT_FIELDS: Readonly<Record<string, string>> = {
  amount: RETAINER_FIELD.amount,
  currency: RETAINER_FIELD.currency,
  terms: RETAINER_FIELD.terms,
  description: RETAINER_FIELD.description,
  ownerUserId: RETAINER_FIELD.owner,
  cadence: RETAINER_FIELD.cadence,
  dayOfMonth: RETAINER_FIELD.day,
  endDate: RETAINER_FIELD.endDate,
  maxCount: RETAINER_FIELD.count,
  createAs: RETAINER_FIELD.createAs,
  retainer: RETAINER_FIELD.amount,
};

const DRAFT = option('As a draft, for someone to send', 'draft');
const SENT = option('As sent (the client gets it another way)', 'sent');

export function retainerEditModal(p: { retainer: RetainerView; metadata: RetainerEditMetadata }): ModalView {
  const r = p.retainer;
  const currencies = [...new Set([r.currency, ...COMMON_CURRENCIES])].slice(0, 100);
  const terms = describeTerms(r.terms);
  const termsOptions = TERMS_CHOICES.map((t) => option(t.label, t.label));
  const chosenTerms = TERMS_CHOICES.find((t) => describeTerms(t) === terms)?.label;
  // Terms the menu does not list (net 21, end of month + 15) stay on offer as they are.
  if (!chosenTerms) termsOptions.unshift(option(terms, terms));
  const made = r.made === 1 ? 'the invoice it made stays' : `the ${r.made} invoices it made stay`;
  const blocks: KnownBlock[] = [
    section(
      md`*${inline(r.clientName, 80)}* · \`${esc(shortId(r.id))}\`${r.status === 'paused' ? literal(' · ⏸ paused') : literal('')}\n${esc(
        `Changes apply to the invoices not made yet; ${r.made === 0 ? 'it has made none so far' : `${made} as ${r.made === 1 ? 'it is' : 'they are'}`}. A new day or cadence applies from today and never bills a month (a quarter, for a quarterly one) twice; what was due before the change is made first.`,
      )}`,
    ),
    input(
      RETAINER_FIELD.amount,
      'Amount of each invoice',
      { type: 'plain_text_input', initial_value: toDecimalString(r.amountMinor, r.currency) },
      { hint: 'In the currency below.' },
    ),
    input(
      RETAINER_FIELD.currency,
      'Currency',
      select(
        currencies.map((c) => option(c, c)),
        r.currency,
      ),
    ),
    input(RETAINER_FIELD.terms, 'Payment terms', select(termsOptions, chosenTerms ?? terms), {
      hint: 'Each invoice is due this long after its own date.',
    }),
    input(
      RETAINER_FIELD.description,
      'Description',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 2000,
        ...(r.description ? { initial_value: r.description } : {}),
      },
      { optional: true },
    ),
    input(
      RETAINER_FIELD.owner,
      'Owner',
      { type: 'users_select', ...(r.ownerUserId && isUserId(r.ownerUserId) ? { initial_user: r.ownerUserId } : {}) },
      { optional: true, hint: 'Hears of each invoice in a DM; with no owner, the finance channel hears.' },
    ),
    input(
      RETAINER_FIELD.cadence,
      'Every',
      select(
        [option('Month', 'monthly'), option('Quarter (every third month from the start)', 'quarterly')],
        r.schedule.cadence,
      ),
    ),
    input(
      RETAINER_FIELD.day,
      'On day',
      select(dayOptions(), r.schedule.dayOfMonth === null ? LAST_WORKING_DAY : String(r.schedule.dayOfMonth)),
      { hint: `Started ${r.schedule.startDate}; quarters count from that month.` },
    ),
    input(
      RETAINER_FIELD.endDate,
      'Ending',
      { type: 'datepicker', ...(r.schedule.endDate ? { initial_date: r.schedule.endDate } : {}) },
      { optional: true, hint: 'No invoice after it.' },
    ),
    input(
      RETAINER_FIELD.count,
      'Or after this many invoices in all',
      {
        type: 'plain_text_input',
        max_length: 4,
        ...(r.schedule.maxCount !== null ? { initial_value: String(r.schedule.maxCount) } : {}),
      },
      { optional: true, hint: `It has made ${r.made}.` },
    ),
    input(RETAINER_FIELD.createAs, 'Each invoice is made', {
      type: 'radio_buttons',
      options: [DRAFT, SENT],
      initial_option: r.createAs === 'sent' ? SENT : DRAFT,
    }),
  ];
  return {
    type: 'modal',
    callback_id: RETAINER_EDIT_VIEW,
    title: plain('Edit retainer', 24),
    submit: plain('Save', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(p.metadata),
    blocks,
  };
}

const FIELD_LABEL: Readonly<Record<RetainerField, string>> = {
  amount: 'amount',
  currency: 'currency',
  terms: 'terms',
  description: 'description',
  owner: 'owner',
  cadence: 'every',
  dayOfMonth: 'day',
  endDate: 'end date',
  maxCount: 'count',
  createAs: 'made as',
};

function shown(change: RetainerChange, value: string | null): Mrkdwn {
  if (value === null) return literal('none');
  if (change.field === 'owner') return mention(value);
  return inline(value, 80);
}

/** "amount $5,000.00 → $5,500.00 · day 1st → 15th" */
export function changeWords(changes: readonly RetainerChange[]): Mrkdwn {
  return joinMd(
    changes.map((c) => md`${esc(FIELD_LABEL[c.field])} ${shown(c, c.from)} → ${shown(c, c.to)}`),
    ' · ',
  );
}

/** The answer after an edit: what changed, the retainer as it now is, and when its next invoice comes. */
export function retainerEditedMessage(edited: EditedRetainer): SlackMessage {
  const r = edited.retainer;
  if (edited.changes.length === 0) {
    const text = md`Nothing changed: ${retainerLine(r)}`;
    return { text, blocks: [section(truncate(text, 2900))] };
  }
  const first =
    edited.made.length > 0
      ? md`\nMade first, as due before the change: ${joinMd(
          edited.made.map((m) => md`*${inline(m.number, 60)}*`),
          ', ',
        )}.`
      : literal('');
  const end = describeEnd(r.schedule);
  const next =
    r.status === 'paused'
      ? literal('\nIt is paused: no invoice until it is resumed.')
      : r.next
        ? md`\nThe next invoice is made on ${esc(r.next)}.`
        : md`\nIt makes no more invoices${end ? md` (${esc(end)})` : literal('')}.`;
  const text = md`✏️ Retainer edited — ${changeWords(edited.changes)}\n${retainerLine(r)}${first}${next}`;
  return { text, blocks: [section(truncate(text, 2900))] };
}
