// Retainers in Slack: the form that sets one up, the list under /invoice recurring (with Pause, Resume and End for
// finance admins), the lines on the client record, and the words above the card of an invoice one made. Pure builders.
import type { ViewOutput } from '@slack/bolt';
import type { ActionsBlock, Button, InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { InvoiceView } from '../../db/queries/invoices.js';
import { describeEnd, describeSchedule } from '../../domain/retainers.js';
import { describeTerms, TERMS_CHOICES } from '../../domain/terms.js';
import type { RetainerView } from '../../services/retainers.js';
import { context, plain, section } from './blocks.js';
import { ACTION } from './ids.js';
import { COMMON_CURRENCIES } from './modals/index.js';
import {
  esc,
  inline,
  isUserId,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  mention,
  money,
  packLines,
  type SlackMessage,
  truncate,
} from './text.js';

/** The set-up form's callback id. private_metadata: RetainerModalMetadata. */
export const RETAINER_VIEW = 'view.retainer_new';

/** The list's buttons; each button's value is the retainer's id. */
export const RETAINER_ACTION = {
  create: 'retainer.create',
  /** Opens the edit form (src/slack/ui/retainer-edit.ts). */
  edit: 'retainer.edit',
  pause: 'retainer.pause',
  resume: 'retainer.resume',
  end: 'retainer.end',
} as const;

/** Input blocks (block_id and action_id are the same string), except the client menu, which shares the options. */
export const RETAINER_FIELD = {
  client: 'r.client',
  amount: 'r.amount',
  currency: 'r.currency',
  terms: 'r.terms',
  description: 'r.description',
  owner: 'r.owner',
  cadence: 'r.cadence',
  day: 'r.day',
  startDate: 'r.start_date',
  endDate: 'r.end_date',
  count: 'r.count',
  createAs: 'r.create_as',
  numberPrefix: 'r.number_prefix',
} as const;

/** Service field → block, for errors on their fields; the first is the fallback. */
export const RETAINER_FIELDS: Readonly<Record<string, string>> = {
  amount: RETAINER_FIELD.amount,
  clientId: RETAINER_FIELD.client,
  currency: RETAINER_FIELD.currency,
  terms: RETAINER_FIELD.terms,
  description: RETAINER_FIELD.description,
  ownerUserId: RETAINER_FIELD.owner,
  cadence: RETAINER_FIELD.cadence,
  dayOfMonth: RETAINER_FIELD.day,
  startDate: RETAINER_FIELD.startDate,
  endDate: RETAINER_FIELD.endDate,
  maxCount: RETAINER_FIELD.count,
  createAs: RETAINER_FIELD.createAs,
  numberPrefix: RETAINER_FIELD.numberPrefix,
};

export interface RetainerModalMetadata {
  /** Idempotency key for the submit: a double submit sets up one retainer. */
  key: string;
  /** Where to answer. */
  channelId?: string;
}

/** The day menu's value for the last working day. */
export const LAST_WORKING_DAY = 'last_working_day';

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value };
}

export function input(
  field: string,
  label: string,
  element: InputBlock['element'],
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field,
    label: plain(label),
    element: { ...element, action_id: element.action_id ?? field },
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  };
}

export function select(options: PlainTextOption[], selected?: string): InputBlock['element'] {
  const initial = options.find((o) => o.value === selected);
  return { type: 'static_select', options, ...(initial ? { initial_option: initial } : {}) };
}

/** 1 to 31, then the last working day. */
export function dayOptions(): PlainTextOption[] {
  return [
    ...Array.from({ length: 31 }, (_, i) =>
      option(i + 1 > 28 ? `${i + 1}, or the last day of a shorter month` : String(i + 1), String(i + 1)),
    ),
    option('The last working day', LAST_WORKING_DAY),
  ];
}

export function retainerModal(p: {
  metadata: RetainerModalMetadata;
  /** Today in the workspace's zone: the earliest start, and the initial one. */
  today: string;
  ownerUserId: string;
  defaultCurrency: string;
}): ModalView {
  const currencies = [...new Set([p.defaultCurrency, ...COMMON_CURRENCIES])].slice(0, 100);
  const days = dayOptions();
  const blocks: KnownBlock[] = [
    section(
      literal(
        'A retainer makes the same invoice on a schedule: on its day, in the workspace’s time zone, the invoice is made once and its owner hears of it. Days missed while the app was down are made when it is back, each dated on its own day.',
      ),
    ),
    input(RETAINER_FIELD.client, 'Client', {
      type: 'external_select',
      action_id: ACTION.clientSelect,
      min_query_length: 0,
      placeholder: plain('Search clients'),
    }),
    input(
      RETAINER_FIELD.amount,
      'Amount of each invoice',
      { type: 'plain_text_input', placeholder: plain('5,000.00') },
      { hint: 'Like 5,000.00 or 5k.' },
    ),
    input(
      RETAINER_FIELD.currency,
      'Currency',
      select(
        currencies.map((c) => option(c, c)),
        p.defaultCurrency,
      ),
    ),
    input(
      RETAINER_FIELD.terms,
      'Payment terms',
      select(
        TERMS_CHOICES.map((t) => option(t.label, t.label)),
        'Net 30',
      ),
      { hint: 'Each invoice is due this long after its own date.' },
    ),
    input(
      RETAINER_FIELD.description,
      'Description',
      { type: 'plain_text_input', multiline: true, max_length: 2000, placeholder: plain('Monthly retainer') },
      { optional: true },
    ),
    input(
      RETAINER_FIELD.owner,
      'Owner',
      { type: 'users_select', ...(isUserId(p.ownerUserId) ? { initial_user: p.ownerUserId } : {}) },
      { optional: true, hint: 'Hears of each invoice in a DM; with no owner, the finance channel hears.' },
    ),
    input(
      RETAINER_FIELD.cadence,
      'Every',
      select(
        [option('Month', 'monthly'), option('Quarter (every third month from the start)', 'quarterly')],
        'monthly',
      ),
    ),
    input(RETAINER_FIELD.day, 'On day', select(days, '1'), {
      hint: 'A 31st is the 30th in April and the 28th or 29th in February.',
    }),
    input(
      RETAINER_FIELD.startDate,
      'Starting',
      { type: 'datepicker', initial_date: p.today },
      {
        hint: 'The first invoice is on the first such day on or after this date.',
      },
    ),
    input(RETAINER_FIELD.endDate, 'Ending', { type: 'datepicker' }, { optional: true, hint: 'No invoice after it.' }),
    input(
      RETAINER_FIELD.count,
      'Or after this many invoices',
      { type: 'plain_text_input', max_length: 4, placeholder: plain('12') },
      { optional: true },
    ),
    input(RETAINER_FIELD.createAs, 'Each invoice is made', {
      type: 'radio_buttons',
      options: [
        option('As a draft, for someone to send', 'draft'),
        option('As sent (the client gets it another way)', 'sent'),
      ],
      initial_option: option('As a draft, for someone to send', 'draft'),
    }),
    input(
      RETAINER_FIELD.numberPrefix,
      'Invoice numbers start with',
      { type: 'plain_text_input', max_length: 40, placeholder: plain('ACME-RET') },
      {
        optional: true,
        hint: 'Each number is this and the invoice’s date: ACME-RET-2026-12-01. Empty: from the client’s name.',
      },
    ),
  ];
  return {
    type: 'modal',
    callback_id: RETAINER_VIEW,
    title: plain('New retainer', 24),
    submit: plain('Set it up', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(p.metadata),
    blocks,
  };
}

type Values = ViewOutput['state']['values'];

export interface RetainerForm {
  clientId?: string;
  amount: string;
  currency: string;
  terms: string;
  description?: string;
  ownerUserId?: string;
  cadence: string;
  /** null: the last working day. */
  dayOfMonth: number | null;
  startDate: string;
  endDate?: string;
  /** What was typed; a count that is not a whole number is the service's to refuse (as NaN). */
  maxCount?: number;
  createAs: string;
  numberPrefix?: string;
}

export function readRetainerForm(values: Values): RetainerForm {
  const v = (block: string, action = block) => values[block]?.[action];
  const text = (block: string) => v(block)?.value?.trim() || undefined;
  const chosen = (block: string, action = block) => v(block, action)?.selected_option?.value ?? undefined;
  const day = chosen(RETAINER_FIELD.day);
  const count = text(RETAINER_FIELD.count);
  const form: RetainerForm = {
    amount: text(RETAINER_FIELD.amount) ?? '',
    currency: chosen(RETAINER_FIELD.currency) ?? '',
    terms: chosen(RETAINER_FIELD.terms) ?? '',
    cadence: chosen(RETAINER_FIELD.cadence) ?? '',
    dayOfMonth: day === LAST_WORKING_DAY || day === undefined ? null : Number(day),
    startDate: v(RETAINER_FIELD.startDate)?.selected_date ?? '',
    createAs: chosen(RETAINER_FIELD.createAs) ?? 'draft',
  };
  const clientId = chosen(RETAINER_FIELD.client, ACTION.clientSelect);
  if (clientId) form.clientId = clientId;
  const description = text(RETAINER_FIELD.description);
  if (description) form.description = description;
  const owner = v(RETAINER_FIELD.owner)?.selected_user;
  if (owner) form.ownerUserId = owner;
  const end = v(RETAINER_FIELD.endDate)?.selected_date;
  if (end) form.endDate = end;
  if (count) form.maxCount = /^\d+$/.test(count.replaceAll(',', '')) ? Number(count.replaceAll(',', '')) : Number.NaN;
  const prefix = text(RETAINER_FIELD.numberPrefix);
  if (prefix) form.numberPrefix = prefix;
  return form;
}

/** The short id people type: the first 8 characters. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** "monthly on the 1st · net 30 · made as drafts · until 2027-06-30" */
function scheduleWords(r: RetainerView): Mrkdwn {
  const end = describeEnd(r.schedule);
  return md`${esc(describeSchedule(r.schedule))} · ${esc(describeTerms(r.terms))} · made as ${r.createAs === 'sent' ? literal('sent') : literal('drafts')}${end ? md` · ${esc(end)}` : literal('')}`;
}

/** Where it stands: the next invoice, paused, finished or ended. */
function standing(r: RetainerView): Mrkdwn {
  const made = md`${esc(String(r.made))} made`;
  if (r.status === 'ended') return md`⏹ ended · ${made}`;
  if (r.status === 'paused') return md`⏸ paused · ${made}`;
  if (!r.next) return md`✓ finished · ${made}`;
  return md`next ${esc(r.next)} · ${made}`;
}

/** One retainer on one line: "*Acme Corp* · $5,000.00 monthly on the 1st · net 30 … · next 2026-12-01 · 3 made · `6f1c2a3b`". */
export function retainerLine(r: RetainerView, opts: { withClient?: boolean } = {}): Mrkdwn {
  const who = opts.withClient === false ? literal('') : md`*${inline(r.clientName, 80)}* · `;
  const description = r.description ? md` · ${inline(r.description, 80)}` : literal('');
  return md`${who}${money(r.amountMinor, r.currency)} ${scheduleWords(r)}${description}\n${standing(r)} · owner ${mention(r.ownerUserId, literal('the finance channel'))} · \`${esc(shortId(r.id))}\``;
}

/** /invoice recurring: every running or paused retainer, with buttons for finance admins. */
export function retainersMessage(p: { retainers: readonly RetainerView[]; canManage: boolean }): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (p.retainers.length === 0) {
    blocks.push(
      section(
        p.canManage
          ? literal('No retainers yet. Set one up and its invoices are made on their days, once each.')
          : literal('No retainers yet. A finance admin can set one up with `/invoice recurring new`.'),
      ),
    );
  } else {
    blocks.push(section(md`*Retainers* — ${esc(String(p.retainers.length))}`));
  }
  // Slack allows 50 blocks a message: two per retainer, the header and the footer.
  const shown = p.retainers.slice(0, 23);
  for (const r of shown) {
    blocks.push(section(truncate(retainerLine(r), 2900)));
    if (p.canManage) {
      const buttons: Button[] = r.status === 'ended' ? [] : [button('Edit', RETAINER_ACTION.edit, r.id)];
      if (r.status === 'active') buttons.push(button('Pause', RETAINER_ACTION.pause, r.id));
      if (r.status === 'paused') buttons.push(button('Resume', RETAINER_ACTION.resume, r.id, 'primary'));
      buttons.push({
        ...button('End', RETAINER_ACTION.end, r.id, 'danger'),
        confirm: {
          title: plain('End this retainer?', 100),
          text: plain(`No more invoices for ${r.clientName}. The invoices it made stay. This cannot be undone.`, 300),
          confirm: plain('End it', 30),
          deny: plain('Keep it', 30),
          style: 'danger',
        },
      });
      blocks.push({ type: 'actions', block_id: `retainer:${r.id}`, elements: buttons } satisfies ActionsBlock);
    }
  }
  if (p.retainers.length > shown.length) {
    blocks.push(context(md`…and ${esc(String(p.retainers.length - shown.length))} more.`));
  }
  if (p.canManage) {
    blocks.push({
      type: 'actions',
      block_id: 'retainer:new',
      elements: [button('New retainer', RETAINER_ACTION.create, 'new', 'primary')],
    });
  }
  const text =
    p.retainers.length === 0
      ? literal('No retainers yet.')
      : md`${esc(String(p.retainers.length))} retainer${p.retainers.length === 1 ? literal('') : literal('s')}: ${joinMd(
          shown.slice(0, 5).map((r) => md`${inline(r.clientName, 40)} ${money(r.amountMinor, r.currency)}`),
          ', ',
        )}`;
  return { text, blocks };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text, 75), action_id: actionId, value, ...(style ? { style } : {}) };
}

const VERB: Readonly<Record<'created' | 'paused' | 'resumed' | 'ended', Mrkdwn>> = {
  created: literal('✅ Retainer set up'),
  paused: literal('⏸ Paused — no invoices until it is resumed; the days while paused are skipped'),
  resumed: literal('▶️ Resumed — invoices again from today'),
  ended: literal('⏹ Ended — no more invoices; those it made stay'),
};

/** The answer after setting one up, pausing, resuming or ending it. */
export function retainerChangedMessage(r: RetainerView, what: keyof typeof VERB): SlackMessage {
  const next = what === 'created' || what === 'resumed' ? nextWords(r) : literal('');
  const text = md`${VERB[what]}: ${retainerLine(r)}${next}`;
  return { text, blocks: [section(truncate(text, 2900))] };
}

function nextWords(r: RetainerView): Mrkdwn {
  if (!r.next) return literal('\nIt makes no more invoices (its end or count is reached).');
  return md`\nThe next invoice is made on ${esc(r.next)}.`;
}

/** The client record's lines, when the client has retainers. */
export function clientRetainerLines(retainers: readonly RetainerView[]): Mrkdwn[] {
  if (retainers.length === 0) return [];
  return [
    md`*Retainers* — ${esc(String(retainers.length))}`,
    ...retainers.map((r) => retainerLine(r, { withClient: false })),
  ];
}

/**
 * Above the card of an invoice a retainer made: "🔁 *ACME-RET-2026-12-01* for Acme Corp was made by its retainer as a
 * draft, dated 2026-12-01: send it when it is ready · @owner", and, caught up after downtime, which day it was for.
 */
export function retainerInvoiceLead(inv: InvoiceView, payload: Record<string, unknown>): Mrkdwn {
  const occurrence = typeof payload.occurrenceDate === 'string' ? payload.occurrenceDate : inv.issueDate;
  const sent = payload.createAs === 'sent';
  const how = sent
    ? literal('and marked sent')
    : literal('as a draft: send it to the client when it is ready (Mark sent on the card)');
  const owner = inv.ownerUserId ? md` · ${mention(inv.ownerUserId)}` : literal('');
  const caughtUp =
    payload.caughtUp === true
      ? md`\n_Caught up: it was due on ${esc(occurrence)}, while the app was not running; it is dated on its own day._`
      : literal('');
  return truncate(
    md`:repeat: *${inline(inv.number, 60)}* for ${inline(inv.clientName, 80)} (${money(inv.totalMinor, inv.currency)}) was made by its retainer ${how}, dated ${esc(occurrence)}${owner}${caughtUp}`,
    2900,
  );
}

/** Lines of the App Home's retainers section; the rest are counted in "and N more". */
export const HOME_RETAINER_LINES = 10;

/**
 * The App Home's retainers: the running ones by their next invoice's date, then the paused ones, marked — each with
 * its client, amount and schedule. Nothing when there are none; one section at most.
 */
export function homeRetainerBlocks(retainers: readonly RetainerView[]): KnownBlock[] {
  const running = retainers
    .filter((r) => r.status === 'active')
    .sort((a, b) => (a.next ?? '9999').localeCompare(b.next ?? '9999') || a.clientName.localeCompare(b.clientName));
  const paused = retainers.filter((r) => r.status === 'paused');
  if (running.length === 0 && paused.length === 0) return [];
  const counts = [
    running.length > 0 ? md`${esc(String(running.length))} running` : null,
    paused.length > 0 ? md`${esc(String(paused.length))} paused` : null,
  ].filter((c): c is Mrkdwn => c !== null);
  const line = (r: RetainerView) => {
    const when =
      r.status === 'paused'
        ? literal('⏸ *paused*: no invoices until resumed')
        : r.next
          ? md`next *${esc(r.next)}*`
          : literal('finished: its end or count is reached');
    return md`• ${r.status === 'paused' ? literal('⏸ ') : literal('🔁 ')}*${inline(r.clientName, 60)}* · ${money(r.amountMinor, r.currency)} ${esc(describeSchedule(r.schedule))} · ${when}`;
  };
  const shown = [...running, ...paused];
  const lines = [md`*Retainers* — ${joinMd(counts, ' · ')}`, ...shown.slice(0, HOME_RETAINER_LINES).map(line)];
  const texts = packLines(lines, {
    maxTexts: 1,
    total: shown.length + 1,
    more: (hidden) => md`_…and ${esc(String(hidden))} more: \`/invoice recurring\`_`,
  });
  return texts.map((text) => section(text));
}
