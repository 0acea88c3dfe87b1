// Modals: each builder returns a View, each read* turns the submitted view.state.values back into plain
// input for a service, and fieldErrors puts a service's field issues under the right input blocks.
// Every input block's block_id and action_id are the same FIELD id (the client picker's action is
// ACTION.clientSelect, so the options handler can match it), so an error can name the block.

import type { ViewOutput } from '@slack/bolt';
import type { Checkboxes, InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { PaymentLine } from '../../db/queries/corrections.js';
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { HistoryEvent } from '../../db/queries/views.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { localDateOf } from '../../domain/dates.js';
import { INVOICE_NUMBER_MAX } from '../../domain/invoice-number.js';
import { formatMoney, toDecimalString } from '../../domain/money.js';
import { describeTerms, type PaymentTerms, TERMS_CHOICES } from '../../domain/terms.js';
import { zoneLabel } from '../../domain/zones.js';
import type { WorkspaceSettings } from '../../services/workspaces.js';
import { context, plain, section } from './blocks.js';
import { ACTION, FIELD, type ModalMetadata, VIEW } from './ids.js';
import { keepOnAccountInput } from './modals/credit.js';
import { eventLine, invoiceHeadline, lastActionText, quote } from './phrases.js';
import {
  actionVerb,
  esc,
  isChannelId,
  isUserId,
  literal,
  type Mrkdwn,
  md,
  mention,
  packLines,
  slackDate,
  truncate,
} from './text.js';

/** What Slack sends back on submit: view.state.values. */
export type ViewStateValues = ViewOutput['state']['values'];

const MAX_METADATA = 3000;
const MAX_TITLE = 24;
const MAX_OPTIONS = 100;
/** Static select option text is limited to 75 characters. */
const MAX_OPTION_TEXT = 75;

// ---------------------------------------------------------------------------------------------------------
// Metadata

/** private_metadata for a modal: ModalMetadata as JSON. Throws if it would pass Slack's 3,000 characters. */
export function encodeMetadata(metadata: ModalMetadata): string {
  const json = JSON.stringify(metadata);
  if (json.length > MAX_METADATA)
    throw new RangeError(`Modal metadata is ${json.length} characters; Slack allows 3000`);
  return json;
}

/** Reads private_metadata back; undefined when it is not ModalMetadata (a forged or foreign view). */
export function parseMetadata(privateMetadata: string | undefined | null): ModalMetadata | undefined {
  if (!privateMetadata) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(privateMetadata);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.key !== 'string' || m.key === '') return undefined;
  const out: ModalMetadata = { key: m.key };
  if (typeof m.invoiceId === 'string') out.invoiceId = m.invoiceId;
  if (typeof m.version === 'number' && Number.isInteger(m.version)) out.version = m.version;
  if (typeof m.channelId === 'string') out.channelId = m.channelId;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Small builders

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, MAX_OPTION_TEXT), value };
}

/** An input block whose block_id and action_id are both `field` (unless the element names its own action). */
function input(
  field: string,
  label: string,
  element: InputBlock['element'],
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field,
    label: plain(label, 2000),
    element: { ...element, action_id: element.action_id ?? field },
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  };
}

function modal(p: {
  callbackId: string;
  title: string;
  blocks: KnownBlock[];
  metadata?: ModalMetadata;
  submit?: string;
  close?: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: p.callbackId,
    title: plain(p.title, MAX_TITLE),
    ...(p.submit ? { submit: plain(p.submit, MAX_TITLE) } : {}),
    close: plain(p.close ?? 'Cancel', MAX_TITLE),
    ...(p.metadata ? { private_metadata: encodeMetadata(p.metadata) } : {}),
    blocks: p.blocks,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading view.state.values

function stateValue(values: ViewStateValues, block: string, action = block) {
  return values[block]?.[action];
}

/** Trimmed text, or undefined when empty. */
function textIn(values: ViewStateValues, block: string, action = block): string | undefined {
  const text = stateValue(values, block, action)?.value?.trim();
  return text ? text : undefined;
}

function dateIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_date ?? undefined;
}

function timeIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_time ?? undefined;
}

function optionIn(values: ViewStateValues, block: string, action = block): string | undefined {
  return stateValue(values, block, action)?.selected_option?.value ?? undefined;
}

function optionsIn(values: ViewStateValues, block: string): string[] {
  return (stateValue(values, block)?.selected_options ?? []).flatMap((o) => (o.value === undefined ? [] : [o.value]));
}

function userIn(values: ViewStateValues, block: string): string | undefined {
  return stateValue(values, block)?.selected_user ?? undefined;
}

/** Drops the keys whose value is undefined, so a read form holds only what was filled in. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/**
 * Service field issues → `{ [block_id]: message }` for `ack({ response_action: 'errors', errors })`.
 * A field is looked up whole ('changes.total'), then by its last part ('total'); one the map does not
 * know goes to `fallbackBlock` (default: the map's first block). Several messages on a block are joined.
 */
export function fieldErrors(
  issues: readonly { field: string; message: string }[],
  map: Readonly<Record<string, string>>,
  fallbackBlock?: string,
): Record<string, string> {
  const fallback = fallbackBlock ?? Object.values(map)[0] ?? 'input';
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const last = issue.field.split('.').pop() ?? issue.field;
    const known = map[issue.field] ?? map[last];
    const block = known ?? fallback;
    // A message from a field the form does not show says which field it is about.
    const text = known ? issue.message : `${issue.field}: ${issue.message}`;
    const message = text.charAt(0).toUpperCase() + text.slice(1);
    errors[block] = truncate(errors[block] ? `${errors[block]}; ${message}` : message, 1000);
  }
  return errors;
}

/** Service field name → input block, for the new and edit invoice modals. The first is the fallback. */
export const NEW_INVOICE_FIELDS: Readonly<Record<string, string>> = {
  number: FIELD.number,
  total: FIELD.amount,
  amount: FIELD.amount,
  currency: FIELD.currency,
  clientId: FIELD.client,
  name: FIELD.newClient,
  clientName: FIELD.newClient,
  newClientName: FIELD.newClient,
  issueDate: FIELD.issueDate,
  terms: FIELD.terms,
  customDueDate: FIELD.customDueDate,
  basisDate: FIELD.basisDate,
  basisLabel: FIELD.basisLabel,
  ownerUserId: FIELD.owner,
  description: FIELD.description,
  status: FIELD.status,
};

export const PAYMENT_FIELDS: Readonly<Record<string, string>> = {
  amount: FIELD.paymentAmount,
  receivedOn: FIELD.paymentDate,
  reference: FIELD.paymentReference,
  method: FIELD.paymentReference,
  overpayment: FIELD.overpayment,
};

export const CHASE_FIELDS: Readonly<Record<string, string>> = {
  method: FIELD.chaseMethod,
  note: FIELD.chaseNote,
  response: FIELD.chaseResponse,
  shared: FIELD.chaseShared,
  promisedDate: FIELD.promisedDate,
  nextFollowUp: FIELD.nextFollowUp,
};

export const HOLD_FIELDS: Readonly<Record<string, string>> = {
  reason: FIELD.reason,
  kind: FIELD.holdKind,
};

export const VOID_FIELDS: Readonly<Record<string, string>> = {
  reason: FIELD.reason,
};

export const REVERSE_PAYMENT_FIELDS: Readonly<Record<string, string>> = {
  payment: FIELD.reversedPayment,
  reason: FIELD.reason,
};

export const CREDIT_NOTE_FIELDS: Readonly<Record<string, string>> = {
  number: FIELD.creditNumber,
  amount: FIELD.creditAmount,
  issuedOn: FIELD.creditDate,
  reason: FIELD.reason,
};

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

// ---------------------------------------------------------------------------------------------------------
// New and edit invoice

/** The currencies offered first; any other ISO code can be passed in `currencies`. */
export const COMMON_CURRENCIES: readonly string[] = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'NZD',
  'SGD',
  'HKD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'INR',
  'CNY',
  'ZAR',
  'BRL',
  'MXN',
  'AED',
  'SAR',
  'ILS',
  'KRW',
  'TWD',
  'THB',
  'MYR',
  'PHP',
  'IDR',
  'TRY',
];

let currencyNames: Intl.DisplayNames | null | undefined;

function currencyOption(code: string): PlainTextOption {
  if (currencyNames === undefined) {
    try {
      currencyNames = new Intl.DisplayNames('en', { type: 'currency' });
    } catch {
      currencyNames = null;
    }
  }
  const name = currencyNames?.of(code);
  return option(name && name !== code ? `${code} · ${name}` : code, code);
}

/** The currency menu: the list given (the common ones by default), with the selected one always in it. */
function currencySelect(selected: string, currencies: readonly string[] = COMMON_CURRENCIES): InputBlock['element'] {
  const listed = currencies.includes(selected) ? currencies : [selected, ...currencies];
  const codes = [...new Set(listed)].filter((c) => /^[A-Z]{3}$/.test(c)).slice(0, MAX_OPTIONS);
  const options = codes.map(currencyOption);
  const initial = options.find((o) => o.value === selected);
  return { type: 'static_select', options, ...(initial ? { initial_option: initial } : {}) };
}

const CUSTOM_DUE = 'fixed';

/** The terms menu: the standard choices, the invoice's own terms if they are not one of them, and a custom date. */
function termsSelect(selected: string, extra?: { label: string; value: string }): InputBlock['element'] {
  const options = TERMS_CHOICES.map((t) => option(t.label, t.label));
  if (extra && !options.some((o) => o.value === extra.value)) options.push(option(extra.label, extra.value));
  options.push(option('Custom due date', CUSTOM_DUE));
  const initial = options.find((o) => o.value === selected);
  return { type: 'static_select', options, ...(initial ? { initial_option: initial } : {}) };
}

/** The menu value for terms: a TERMS_CHOICES label, another parseable phrase ('net 20'), or 'fixed'. */
function termsValue(terms: PaymentTerms): { value: string; extra?: { label: string; value: string } } {
  if (terms.kind === 'fixed') return { value: CUSTOM_DUE };
  const choice = TERMS_CHOICES.find(
    (t) => t.kind === terms.kind && (t.kind === 'receipt' || ('days' in t && 'days' in terms && t.days === terms.days)),
  );
  if (choice) return { value: choice.label };
  const described = describeTerms(terms);
  const label = described.charAt(0).toUpperCase() + described.slice(1);
  return { value: described, extra: { label, value: described } };
}

function invoiceInputs(p: {
  number: string;
  amount?: string;
  currency: string;
  currencies?: readonly string[];
  issueDate: string;
  terms: string;
  termsExtra?: { label: string; value: string };
  customDueDate?: string;
  basisDate?: string;
  basisLabel?: string;
  ownerUserId?: string | null;
  description?: string;
}): InputBlock[] {
  return [
    input(FIELD.number, 'Invoice number', {
      type: 'plain_text_input',
      initial_value: p.number,
      max_length: INVOICE_NUMBER_MAX,
      placeholder: plain('INV-0042'),
    }),
    input(
      FIELD.amount,
      'Amount',
      {
        type: 'plain_text_input',
        placeholder: plain('1,234.50'),
        ...(p.amount ? { initial_value: p.amount } : {}),
      },
      { hint: 'The invoice total, like 1,234.50 or 12k.' },
    ),
    input(FIELD.currency, 'Currency', currencySelect(p.currency, p.currencies)),
    input(FIELD.issueDate, 'Invoice date', { type: 'datepicker', initial_date: p.issueDate }),
    input(FIELD.terms, 'Payment terms', termsSelect(p.terms, p.termsExtra)),
    input(
      FIELD.customDueDate,
      'Custom due date',
      { type: 'datepicker', ...(p.customDueDate ? { initial_date: p.customDueDate } : {}) },
      { optional: true, hint: 'Only with the terms "Custom due date".' },
    ),
    input(
      FIELD.basisDate,
      'Terms run from',
      { type: 'datepicker', ...(p.basisDate ? { initial_date: p.basisDate } : {}) },
      { optional: true, hint: 'Leave empty to count from the invoice date, or pick another date, e.g. delivery.' },
    ),
    input(
      FIELD.basisLabel,
      'That date is the date of',
      {
        type: 'plain_text_input',
        max_length: 40,
        placeholder: plain('delivery'),
        ...(p.basisLabel ? { initial_value: p.basisLabel } : {}),
      },
      { optional: true, hint: 'Shown beside the due date, e.g. "net 60 from 2026-09-01 (delivery)".' },
    ),
    input(
      FIELD.owner,
      'Owner',
      { type: 'users_select', ...(isUserId(p.ownerUserId) ? { initial_user: p.ownerUserId } : {}) },
      { optional: true, hint: 'Who chases this invoice.' },
    ),
    input(
      FIELD.description,
      'Description',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 2000,
        ...(p.description ? { initial_value: p.description } : {}),
      },
      { optional: true },
    ),
  ];
}

export interface NewInvoiceModalParams {
  metadata: ModalMetadata;
  suggestedNumber: string;
  /** Today in the workspace's zone: the initial invoice date. */
  today: string;
  ownerUserId: string;
  defaultCurrency: string;
  /** Pre-filled values; `terms` is a TERMS_CHOICES label (default 'Net 30'). */
  initial?: Partial<{ clientId: string; clientName: string; amount: string; terms: string }>;
  /** The currency menu (default COMMON_CURRENCIES); defaultCurrency is always added. */
  currencies?: readonly string[];
}

export function newInvoiceModal(p: NewInvoiceModalParams): ModalView {
  const initial = p.initial ?? {};
  const clientOption =
    initial.clientId && initial.clientName ? { initial_option: option(initial.clientName, initial.clientId) } : {};
  const blocks: KnownBlock[] = [
    input(
      FIELD.client,
      'Client',
      {
        type: 'external_select',
        action_id: ACTION.clientSelect,
        min_query_length: 0,
        placeholder: plain('Search clients'),
        ...clientOption,
      },
      { optional: true, hint: 'Pick a client, or type a new one below.' },
    ),
    input(
      FIELD.newClient,
      'Or a new client',
      { type: 'plain_text_input', max_length: 200, placeholder: plain('Client name') },
      { optional: true },
    ),
    ...invoiceInputs({
      number: p.suggestedNumber,
      ...(initial.amount ? { amount: initial.amount } : {}),
      currency: p.defaultCurrency,
      ...(p.currencies ? { currencies: p.currencies } : {}),
      issueDate: p.today,
      terms: initial.terms ?? 'Net 30',
      ownerUserId: p.ownerUserId,
    }),
    input(FIELD.status, 'Status', {
      type: 'radio_buttons',
      options: [option('Sent to the client', 'sent'), option('Draft (not sent yet)', 'draft')],
      initial_option: option('Sent to the client', 'sent'),
    }),
  ];
  return modal({ callbackId: VIEW.newInvoice, title: 'New invoice', submit: 'Save', blocks, metadata: p.metadata });
}

export interface InvoiceFormBase {
  number: string;
  amount: string;
  currency: string;
  issueDate?: string;
  /** A TERMS_CHOICES label (or another phrase parseTerms reads), or 'fixed' for a custom due date. */
  terms: string;
  customDueDate?: string;
  basisDate?: string;
  ownerUserId?: string;
}

export interface NewInvoiceForm extends InvoiceFormBase {
  clientId?: string;
  newClientName?: string;
  basisLabel?: string;
  description?: string;
  status: 'draft' | 'sent';
}

function readInvoiceBase(values: ViewStateValues): InvoiceFormBase {
  return compact({
    number: textIn(values, FIELD.number) ?? '',
    amount: textIn(values, FIELD.amount) ?? '',
    currency: optionIn(values, FIELD.currency) ?? '',
    issueDate: dateIn(values, FIELD.issueDate),
    terms: optionIn(values, FIELD.terms) ?? '',
    customDueDate: dateIn(values, FIELD.customDueDate),
    basisDate: dateIn(values, FIELD.basisDate),
    ownerUserId: userIn(values, FIELD.owner),
  });
}

export function readNewInvoice(values: ViewStateValues): NewInvoiceForm {
  return compact({
    clientId: optionIn(values, FIELD.client, ACTION.clientSelect),
    newClientName: textIn(values, FIELD.newClient),
    ...readInvoiceBase(values),
    basisLabel: textIn(values, FIELD.basisLabel),
    description: textIn(values, FIELD.description),
    status: optionIn(values, FIELD.status) === 'draft' ? ('draft' as const) : ('sent' as const),
  });
}

/**
 * The terms to hand a service: the menu's label ('Net 30'), or for a custom due date that date
 * ('2026-12-01', which parseTerms reads as fixed). Undefined when 'fixed' has no date (see invoiceFormErrors).
 */
export function formTerms(form: Pick<InvoiceFormBase, 'terms' | 'customDueDate'>): string | undefined {
  return form.terms === CUSTOM_DUE ? form.customDueDate : form.terms;
}

/**
 * What the form itself gets wrong, before any service sees it: no client (new invoices), both a picked
 * and a new client, "Custom due date" without a date, or a date without "Custom due date".
 */
export function invoiceFormErrors(
  form: Pick<NewInvoiceForm, 'clientId' | 'newClientName' | 'terms' | 'customDueDate'>,
  opts: { requireClient: boolean } = { requireClient: true },
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (opts.requireClient && !form.clientId && !form.newClientName) {
    errors[FIELD.client] = 'Pick a client, or type a new one below.';
  }
  if (form.clientId && form.newClientName) errors[FIELD.newClient] = 'Pick a client or type a new one, not both.';
  if (form.terms === CUSTOM_DUE && !form.customDueDate) {
    errors[FIELD.customDueDate] = 'Pick the due date, or choose other terms.';
  }
  if (form.terms !== CUSTOM_DUE && form.customDueDate) {
    errors[FIELD.customDueDate] = 'A custom due date needs the terms "Custom due date"; clear it or change the terms.';
  }
  return errors;
}

export interface EditInvoiceModalParams {
  invoice: InvoiceView;
  metadata: ModalMetadata;
  /** Accepted for symmetry with the other builders; the form shows the invoice's own dates. */
  today: string;
  currencies?: readonly string[];
}

export function editInvoiceModal(p: EditInvoiceModalParams): ModalView {
  const inv = p.invoice;
  const terms = termsValue(inv.terms);
  // The basis date is shown only when it is not the invoice date: left empty, it follows a new invoice date.
  const ownBasis = inv.terms.kind !== 'fixed' && (inv.basisDate !== inv.issueDate || inv.basisLabel);
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(inv)),
    ...invoiceInputs({
      number: inv.number,
      amount: toDecimalString(inv.totalMinor, inv.currency),
      currency: inv.currency,
      ...(p.currencies ? { currencies: p.currencies } : {}),
      issueDate: inv.issueDate,
      terms: terms.value,
      ...(terms.extra ? { termsExtra: terms.extra } : {}),
      ...(inv.terms.kind === 'fixed' ? { customDueDate: inv.terms.dueDate } : {}),
      ...(ownBasis ? { basisDate: inv.basisDate } : {}),
      ...(inv.basisLabel ? { basisLabel: inv.basisLabel } : {}),
      ownerUserId: inv.ownerUserId,
      ...(inv.description ? { description: inv.description } : {}),
    }),
  ];
  if (inv.paidMinor > 0n) {
    blocks.push(
      context(literal('Payments are recorded against it: the amount cannot go below them, nor the currency change.')),
    );
  }
  return modal({ callbackId: VIEW.editInvoice, title: 'Edit invoice', submit: 'Save', blocks, metadata: p.metadata });
}

export interface EditInvoiceForm extends InvoiceFormBase {
  /** null when cleared. */
  basisLabel: string | null;
  /** null when cleared. */
  description: string | null;
}

export function readEditInvoice(values: ViewStateValues): EditInvoiceForm {
  return {
    ...readInvoiceBase(values),
    basisLabel: textIn(values, FIELD.basisLabel) ?? null,
    description: textIn(values, FIELD.description) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Payment

export interface PaymentModalParams {
  invoice: InvoiceView;
  /** Today in the workspace's zone: the initial received date. */
  today: string;
  metadata: ModalMetadata;
  /** Default: the amount due, as a plain decimal ('6000.00'). */
  initialAmount?: string;
  initialDate?: string;
}

export function paymentModal(p: PaymentModalParams): ModalView {
  const inv = p.invoice;
  const overpayment: Checkboxes = {
    type: 'checkboxes',
    options: [option('Record more than is due (the client overpaid)', 'overpayment')],
  };
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(inv)),
    input(
      FIELD.paymentAmount,
      `Amount received (${inv.currency})`,
      {
        type: 'plain_text_input',
        initial_value: p.initialAmount ?? toDecimalString(inv.status.amountDueMinor, inv.currency),
        placeholder: plain('1,234.50'),
      },
      { hint: 'Less than the amount due records a part payment.' },
    ),
    input(FIELD.paymentDate, 'Received on', { type: 'datepicker', initial_date: p.initialDate ?? p.today }),
    input(
      FIELD.paymentReference,
      'Reference',
      { type: 'plain_text_input', max_length: 200, placeholder: plain('Bank reference, cheque number…') },
      { optional: true },
    ),
    input(FIELD.overpayment, 'Overpayment', overpayment, { optional: true }),
  ];
  return modal({ callbackId: VIEW.payment, title: 'Record payment', submit: 'Record', blocks, metadata: p.metadata });
}

export interface PaymentForm {
  amount: string;
  receivedOn?: string;
  reference?: string;
  overpayment: boolean;
}

export function readPayment(values: ViewStateValues): PaymentForm {
  return compact({
    amount: textIn(values, FIELD.paymentAmount) ?? '',
    receivedOn: dateIn(values, FIELD.paymentDate),
    reference: textIn(values, FIELD.paymentReference),
    overpayment: optionsIn(values, FIELD.overpayment).includes('overpayment'),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Chase

export const CHASE_METHODS = ['email', 'call', 'slack', 'meeting', 'other'] as const;
export type ChaseMethod = (typeof CHASE_METHODS)[number];

const CHASE_METHOD_LABEL: Readonly<Record<ChaseMethod, string>> = {
  email: 'Email',
  call: 'Call',
  slack: 'Slack message',
  meeting: 'Meeting',
  other: 'Other',
};

export interface ChaseModalParams {
  invoice: InvoiceView;
  /** Today in the workspace's zone. */
  today: string;
  metadata: ModalMetadata;
  initialNote?: string;
  /** The last 'chased' event, shown above the form; without it the invoice's last action is shown. */
  lastChase?: HistoryEvent;
  /** For the fallback date of the last chase (readers see their own zone); default UTC. */
  timeZone?: string;
}

/** "Last: chased by <@U1> on 2026-11-02 (call) — 'Paying Friday'", else the last action, else "No chase logged yet." */
function lastChaseText(p: ChaseModalParams): Mrkdwn {
  const e = p.lastChase;
  if (e) {
    const by = e.actorType === 'user' ? md` by ${mention(e.actorId)}` : literal('');
    const method = CHASE_METHODS.find((m) => m === e.details.method);
    const how = method ? md` (${esc(CHASE_METHOD_LABEL[method].toLowerCase())})` : literal('');
    const said = [e.details.response, e.details.note].find(
      (t): t is string => typeof t === 'string' && t.trim() !== '',
    );
    const date = slackDate(e.at, localDateOf(e.at, p.timeZone ?? 'UTC'));
    const promised =
      typeof e.details.promisedDate === 'string' ? md` · promised ${esc(e.details.promisedDate)}` : literal('');
    return md`Last: ${actionVerb(e.kind)}${by} on ${date}${how}${said ? md` — ${quote(said)}` : literal('')}${promised}`;
  }
  const last = lastActionText(p.invoice.status);
  return last ? md`Last: ${last}` : literal('No chase logged yet.');
}

/** The chase form's checkbox's one option: ticked, the chase (and its note) is shown on the status page. */
const SHARED = 'shared';

export function chaseModal(p: ChaseModalParams): ModalView {
  const inv = p.invoice;
  const methods = CHASE_METHODS.map((m) => option(CHASE_METHOD_LABEL[m], m));
  // Unticked by default: a note is internal unless someone chooses to show it.
  const shared: Checkboxes = {
    type: 'checkboxes',
    options: [option('Show this note to the client on their status page', SHARED)],
  };
  const promise = inv.status.promisedDate
    ? md` · Promised ${esc(inv.status.promisedDate)}${inv.status.promiseBroken ? literal(' — 💔 broken') : literal('')}`
    : literal('');
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(inv)),
    context(md`${lastChaseText(p)}${promise}`),
    input(FIELD.chaseMethod, 'How', { type: 'static_select', options: methods, initial_option: methods[0] }),
    input(
      FIELD.chaseNote,
      'What you did',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 3000,
        placeholder: plain('Called Jane in accounts payable'),
        ...(p.initialNote ? { initial_value: p.initialNote } : {}),
      },
      { optional: true },
    ),
    input(FIELD.chaseShared, 'Client’s status page', shared, {
      optional: true,
      hint: 'Ticked, the client sees what you wrote under “What you did”, word for word. “What they said” stays internal.',
    }),
    input(
      FIELD.chaseResponse,
      'What they said',
      { type: 'plain_text_input', multiline: true, max_length: 3000, placeholder: plain('Paying Friday') },
      { optional: true },
    ),
    input(
      FIELD.promisedDate,
      'They promised to pay by',
      { type: 'datepicker' },
      { optional: true, hint: `Today or later (today is ${p.today}).` },
    ),
    input(FIELD.nextFollowUp, 'Follow up again on', { type: 'datepicker' }, { optional: true }),
  ];
  return modal({ callbackId: VIEW.chase, title: 'Log a chase', submit: 'Log chase', blocks, metadata: p.metadata });
}

export interface ChaseForm {
  method: ChaseMethod;
  note?: string;
  response?: string;
  /** Show the chase and its note on the client's status page. */
  shared: boolean;
  promisedDate?: string;
  nextFollowUp?: string;
}

export function readChase(values: ViewStateValues): ChaseForm {
  const method = optionIn(values, FIELD.chaseMethod);
  return compact({
    method: CHASE_METHODS.find((m) => m === method) ?? 'other',
    note: textIn(values, FIELD.chaseNote),
    response: textIn(values, FIELD.chaseResponse),
    shared: optionsIn(values, FIELD.chaseShared).includes(SHARED),
    promisedDate: dateIn(values, FIELD.promisedDate),
    nextFollowUp: dateIn(values, FIELD.nextFollowUp),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Hold and void

export function holdModal(p: { invoice: InvoiceView; metadata: ModalMetadata }): ModalView {
  const kinds = [
    option("On hold: we're waiting on something", 'hold'),
    option('Disputed: the client disputes it', 'dispute'),
  ];
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(p.invoice)),
    input(FIELD.holdKind, 'What is it', { type: 'radio_buttons', options: kinds, initial_option: kinds[0] }),
    input(
      FIELD.reason,
      'Why',
      { type: 'plain_text_input', multiline: true, max_length: 2000, placeholder: plain('Waiting for a PO number') },
      { hint: 'Held and disputed invoices stay out of the chase alerts until released.' },
    ),
  ];
  return modal({ callbackId: VIEW.hold, title: 'Hold or dispute', submit: 'Save', blocks, metadata: p.metadata });
}

export interface HoldForm {
  kind: 'hold' | 'dispute';
  reason: string;
}

export function readHold(values: ViewStateValues): HoldForm {
  return {
    kind: optionIn(values, FIELD.holdKind) === 'dispute' ? 'dispute' : 'hold',
    reason: textIn(values, FIELD.reason) ?? '',
  };
}

export function voidModal(p: { invoice: InvoiceView; metadata: ModalMetadata }): ModalView {
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(p.invoice)),
    section(
      literal(
        '⚠️ *Voiding takes this invoice off the books for good.* It cannot be paid, chased or edited afterwards, and this cannot be undone. Its history stays.',
      ),
    ),
    input(
      FIELD.reason,
      'Why is it void',
      { type: 'plain_text_input', multiline: true, max_length: 2000, placeholder: plain('Raised twice by mistake') },
      { hint: 'Kept in the history.' },
    ),
  ];
  return modal({ callbackId: VIEW.void, title: 'Void invoice', submit: 'Void invoice', blocks, metadata: p.metadata });
}

export function readVoid(values: ViewStateValues): { reason: string } {
  return { reason: textIn(values, FIELD.reason) ?? '' };
}

// ---------------------------------------------------------------------------------------------------------
// Corrections: reverse a payment, issue a credit note

/** "$400.00 received 2026-10-05 · ref BACS 77": a payment as the reversal form offers it (plain text, cut). */
function paymentOption(p: PaymentLine, currency: string): PlainTextOption {
  const ref = p.reference ? ` · ref ${p.reference}` : '';
  return option(`${formatMoney(p.amountMinor, currency)} received ${p.receivedOn}${ref}`, p.id);
}

/** The payments that can still be reversed, newest first (the usual mistake is the last one recorded). */
export function reversePaymentModal(p: {
  invoice: InvoiceView;
  payments: readonly PaymentLine[];
  metadata: ModalMetadata;
}): ModalView {
  const options = [...p.payments]
    .reverse()
    .slice(0, MAX_OPTIONS)
    .map((payment) => paymentOption(payment, p.invoice.currency));
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(p.invoice)),
    section(
      literal(
        'Reverse a payment that was recorded by mistake (the wrong invoice, twice, a payment that bounced). The payment stays in the history, marked reversed, and the invoice goes back to what is then due. A reversal cannot be undone: record the payment again if it did come.',
      ),
    ),
    input(FIELD.reversedPayment, 'Which payment', {
      type: 'static_select',
      options,
      ...(options.length === 1 ? { initial_option: options[0] } : {}),
      placeholder: plain('Choose a payment'),
    }),
    input(
      FIELD.reason,
      'Why is it reversed',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 2000,
        placeholder: plain('Recorded against the wrong invoice'),
      },
      { hint: 'Kept in the history; not shown to the client.' },
    ),
  ];
  return modal({
    callbackId: VIEW.reversePayment,
    title: 'Reverse a payment',
    submit: 'Reverse payment',
    blocks,
    metadata: p.metadata,
  });
}

export function readReversePayment(values: ViewStateValues): { payment: string; reason: string } {
  return { payment: optionIn(values, FIELD.reversedPayment) ?? '', reason: textIn(values, FIELD.reason) ?? '' };
}

export function creditNoteModal(p: {
  invoice: InvoiceView;
  /** Today in the workspace's zone: the initial date. */
  today: string;
  metadata: ModalMetadata;
  /** A number to start from (the next free CN-…); the admin may change it. */
  suggestedNumber?: string;
}): ModalView {
  const inv = p.invoice;
  const due = toDecimalString(inv.status.amountDueMinor, inv.currency);
  const blocks: KnownBlock[] = [
    section(invoiceHeadline(inv)),
    input(FIELD.creditNumber, 'Credit note number', {
      type: 'plain_text_input',
      max_length: 40,
      placeholder: plain('CN-0001'),
      ...(p.suggestedNumber ? { initial_value: p.suggestedNumber } : {}),
    }),
    input(
      FIELD.creditAmount,
      `Amount credited (${inv.currency})`,
      { type: 'plain_text_input', initial_value: due, placeholder: plain('1,234.50') },
      {
        hint: `At most the ${formatMoney(inv.status.amountDueMinor, inv.currency)} still due (or more, kept on account below). The whole of it closes the invoice as Credited.`,
      },
    ),
    keepOnAccountInput(inv),
    input(FIELD.creditDate, 'Dated', { type: 'datepicker', initial_date: p.today }),
    input(
      FIELD.reason,
      'Why',
      { type: 'plain_text_input', multiline: true, max_length: 2000, placeholder: plain('One workshop day cancelled') },
      { hint: 'Kept in the history. The client sees the credit note’s number, date and amount, not this reason.' },
    ),
  ];
  return modal({
    callbackId: VIEW.creditNote,
    title: 'Issue credit note',
    submit: 'Issue credit note',
    blocks,
    metadata: p.metadata,
  });
}

export interface CreditNoteForm {
  number: string;
  amount: string;
  issuedOn?: string;
  reason: string;
}

export function readCreditNote(values: ViewStateValues): CreditNoteForm {
  return compact({
    number: textIn(values, FIELD.creditNumber) ?? '',
    amount: textIn(values, FIELD.creditAmount) ?? '',
    issuedOn: dateIn(values, FIELD.creditDate),
    reason: textIn(values, FIELD.reason) ?? '',
  });
}

// ---------------------------------------------------------------------------------------------------------
// History

/** The history modal keeps the newest events whose lines fit this many characters (a view is at most 250 kB). */
const MAX_HISTORY_CHARS = 60_000;

export function historyModal(p: {
  invoice: InvoiceView;
  events: readonly HistoryEvent[];
  timeZone: string;
}): ModalView {
  const lines = p.events.map((e) => eventLine(e, p.timeZone));
  let kept = 0;
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    size += (lines[i]?.length ?? 0) + 1;
    if (size > MAX_HISTORY_CHARS) break;
    kept += 1;
  }
  const earlier = lines.length - kept;
  const blocks: KnownBlock[] = [section(invoiceHeadline(p.invoice))];
  if (lines.length === 0) blocks.push(context(literal('No events yet.')));
  if (earlier > 0) {
    const ref = /^[^\s`]+$/.test(p.invoice.number) ? p.invoice.number : p.invoice.id;
    blocks.push(context(md`…and ${earlier} earlier events — \`npm run cli -- history ${esc(ref)}\``));
  }
  for (const text of packLines(lines.slice(earlier), { maxTexts: 90 })) blocks.push(section(text));
  return modal({ callbackId: VIEW.history, title: 'Invoice history', blocks, close: 'Close' });
}

// ---------------------------------------------------------------------------------------------------------
// Settings

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
