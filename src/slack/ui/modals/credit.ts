// Credit on a client's account, refunds and withdrawing a credit note in Slack: the forms (apply credit on account,
// refund an overpayment or credit on account, withdraw a credit note), the "keep the rest on account" choice of the
// credit note form, the card's buttons and lines, and the client record's lines. Pure builders, self-contained.
import type { ViewOutput } from '@slack/bolt';
import type {
  ActionsBlock,
  Button,
  Checkboxes,
  InputBlock,
  KnownBlock,
  ModalView,
  PlainTextOption,
} from '@slack/types';
import type { AccountCreditLine, RefundLine } from '../../../db/queries/account-credit.js';
import type { CreditNoteLine } from '../../../db/queries/corrections.js';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { formatMoney, toDecimalString } from '../../../domain/money.js';
import { isOpen } from '../../../domain/status.js';
import { plain, section } from '../blocks.js';
import { invoiceHeadline } from '../phrases.js';
import { esc, inline, joinMd, literal, type Mrkdwn, md, money, type SlackMessage } from '../text.js';

type Values = ViewOutput['state']['values'];

export const CREDIT_VIEW = {
  apply: 'view.apply_account_credit',
  refund: 'view.refund',
  withdraw: 'view.withdraw_credit_note',
} as const;

/** Buttons: on a card the value is the invoice id; on the client record `<client id>:<currency>`. */
export const CREDIT_ACTION = {
  apply: 'credit.apply',
  refund: 'credit.refund',
  withdraw: 'credit.withdraw',
  refundAccount: 'credit.refund_account',
} as const;

export const CREDIT_FIELD = {
  keepOnAccount: 'f.credit_keep_on_account',
  amount: 'f.credit_on_account_amount',
  date: 'f.credit_on_account_date',
  method: 'f.refund_method',
  reference: 'f.refund_reference',
  note: 'f.withdrawn_credit_note',
  reason: 'f.credit_reason',
} as const;

/** Service field → block, for the errors shown on each form. */
export const CREDIT_FIELDS: Readonly<Record<string, string>> = {
  amount: CREDIT_FIELD.amount,
  appliedOn: CREDIT_FIELD.date,
  refundedOn: CREDIT_FIELD.date,
  method: CREDIT_FIELD.method,
  reference: CREDIT_FIELD.reference,
  creditNote: CREDIT_FIELD.note,
  reason: CREDIT_FIELD.reason,
};

/** The forms' private_metadata: the invoice (apply, refund of an overpayment, withdraw) or the client and currency. */
export interface CreditModalMetadata {
  key: string;
  invoiceId?: string;
  clientId?: string;
  currency?: string;
  channelId?: string;
}

const KEEP = 'keep';

/** The credit note form's explicit choice: a credit larger than what is due keeps the rest on the client's account. */
export function keepOnAccountInput(inv: InvoiceView): InputBlock {
  const element: Checkboxes = {
    type: 'checkboxes',
    action_id: CREDIT_FIELD.keepOnAccount,
    options: [option(`Keep what is more than due as credit on ${inv.clientName}'s account`, KEEP)],
  };
  return input(CREDIT_FIELD.keepOnAccount, 'More than is due', element, {
    optional: true,
    hint: 'Without this, a credit larger than what is due is refused. The credit on account can be applied to another of their invoices, or refunded.',
  });
}

export function readKeepOnAccount(values: Values): boolean {
  const options = values[CREDIT_FIELD.keepOnAccount]?.[CREDIT_FIELD.keepOnAccount]?.selected_options ?? [];
  return options.some((o) => o.value === KEEP);
}

export function applyCreditModal(p: {
  invoice: InvoiceView;
  balanceMinor: bigint;
  today: string;
  metadata: CreditModalMetadata;
}): ModalView {
  const inv = p.invoice;
  const most = p.balanceMinor < inv.status.amountDueMinor ? p.balanceMinor : inv.status.amountDueMinor;
  return modal(CREDIT_VIEW.apply, 'Apply credit', 'Apply credit', p.metadata, [
    section(invoiceHeadline(inv)),
    section(
      md`${inline(inv.clientName, 100)} has *${money(p.balanceMinor, inv.currency)}* of credit on account. Applying it takes it off what is due here.`,
    ),
    amountInput(`Amount applied (${inv.currency})`, toDecimalString(most, inv.currency), {
      hint: `At most ${formatMoney(most, inv.currency)}: the credit on account, and what is due.`,
    }),
    input(CREDIT_FIELD.date, 'Dated', { type: 'datepicker', initial_date: p.today }),
    reasonInput('Agreed with the client on the phone'),
  ]);
}

/** A refund of an invoice's overpayment (invoice given) or of credit on the client's account. */
export function refundModal(p: {
  invoice?: InvoiceView;
  clientName: string;
  currency: string;
  refundableMinor: bigint;
  today: string;
  metadata: CreditModalMetadata;
}): ModalView {
  const what = p.invoice
    ? md`${inline(p.invoice.number, 40)} is overpaid by *${money(p.refundableMinor, p.currency)}*.`
    : md`${inline(p.clientName, 100)} has *${money(p.refundableMinor, p.currency)}* of credit on account.`;
  return modal(CREDIT_VIEW.refund, 'Record a refund', 'Record refund', p.metadata, [
    ...(p.invoice ? [section(invoiceHeadline(p.invoice))] : []),
    section(md`${what} Record here money that went back to the client.`),
    amountInput(`Amount refunded (${p.currency})`, toDecimalString(p.refundableMinor, p.currency), {
      hint: `At most ${formatMoney(p.refundableMinor, p.currency)}.`,
    }),
    input(CREDIT_FIELD.date, 'Refunded on', { type: 'datepicker', initial_date: p.today }),
    input(
      CREDIT_FIELD.method,
      'Method',
      { type: 'plain_text_input', max_length: 60, placeholder: plain('bank transfer') },
      { optional: true },
    ),
    input(
      CREDIT_FIELD.reference,
      'Reference',
      { type: 'plain_text_input', max_length: 200, placeholder: plain('BACS 42') },
      { optional: true },
    ),
    reasonInput('Paid twice'),
  ]);
}

export function withdrawCreditNoteModal(p: {
  invoice: InvoiceView;
  notes: readonly CreditNoteLine[];
  metadata: CreditModalMetadata;
}): ModalView {
  const currency = p.invoice.currency;
  const options = [...p.notes]
    .reverse()
    .slice(0, 100)
    .map((n) => option(`${n.number} · ${formatMoney(n.amountMinor, currency)} on ${n.issuedOn}`, n.id));
  return modal(CREDIT_VIEW.withdraw, 'Withdraw credit note', 'Withdraw', p.metadata, [
    section(invoiceHeadline(p.invoice)),
    section(
      literal(
        'A withdrawn credit note stays in the history, marked withdrawn, and counts for nothing: the invoice goes back to what is then due, and what it kept on the client’s account is taken back. It cannot be undone.',
      ),
    ),
    input(CREDIT_FIELD.note, 'Which credit note', {
      type: 'static_select',
      options,
      ...(options.length === 1 ? { initial_option: options[0] } : {}),
      placeholder: plain('Choose a credit note'),
    }),
    reasonInput('Issued against the wrong invoice'),
  ]);
}

export interface CreditForm {
  amount?: string;
  date?: string;
  method?: string;
  reference?: string;
  creditNote?: string;
  reason: string;
}

export function readCreditForm(values: Values): CreditForm {
  const text = (block: string) => values[block]?.[block]?.value?.trim() || undefined;
  const out: CreditForm = { reason: text(CREDIT_FIELD.reason) ?? '' };
  const amount = text(CREDIT_FIELD.amount);
  if (amount) out.amount = amount;
  const date = values[CREDIT_FIELD.date]?.[CREDIT_FIELD.date]?.selected_date;
  if (date) out.date = date;
  const method = text(CREDIT_FIELD.method);
  if (method) out.method = method;
  const reference = text(CREDIT_FIELD.reference);
  if (reference) out.reference = reference;
  const note = values[CREDIT_FIELD.note]?.[CREDIT_FIELD.note]?.selected_option?.value;
  if (note) out.creditNote = note;
  return out;
}

/** The card's buttons: apply credit on account to an open invoice, refund an overpaid one, withdraw a credit note. */
export function creditButtons(inv: InvoiceView, accountCreditMinor: bigint): Button[] {
  const out: Button[] = [];
  if (inv.status.lifecycle === 'void') return out;
  if (isOpen(inv.status.state) && inv.sentAt && accountCreditMinor > 0n) {
    out.push(button('Apply credit on account', CREDIT_ACTION.apply, inv.id));
  }
  if (inv.status.overpaidMinor > 0n && inv.paidMinor > 0n) {
    out.push(button('Refund overpayment', CREDIT_ACTION.refund, inv.id));
  }
  if (inv.creditedMinor > 0n) out.push(button('Withdraw credit note', CREDIT_ACTION.withdraw, inv.id));
  return out;
}

/** The card's lines: credit on account applied here or kept from here, refunds of its overpayment. */
export function creditCardLines(
  inv: Pick<InvoiceView, 'id' | 'currency'>,
  credits: readonly AccountCreditLine[],
  refunds: readonly RefundLine[],
): Mrkdwn[] {
  const out: Mrkdwn[] = [];
  for (const c of credits) {
    if (c.invoiceId !== inv.id) continue;
    const amount = money(c.amountMinor, c.currency);
    if (c.kind === 'applied') out.push(md`💳 ${amount} of credit on account applied on ${esc(c.onDate)}`);
    else if (c.kind === 'kept') out.push(md`💳 ${amount} kept on the client's account on ${esc(c.onDate)}`);
    else out.push(md`💳 ${amount} of credit on account taken back on ${esc(c.onDate)}`);
  }
  for (const r of refunds) {
    if (r.invoiceId !== inv.id) continue;
    out.push(md`↩️ ${money(r.amountMinor, r.currency)} refunded on ${esc(r.refundedOn)}${refundHow(r)}`);
  }
  return out;
}

/** The client record's section: the credit on account per currency, its movements, and a refund button each. */
export function clientCreditBlocks(p: {
  clientId: string;
  balances: ReadonlyMap<string, bigint>;
  credits: readonly AccountCreditLine[];
  refunds: readonly RefundLine[];
  canManage: boolean;
}): KnownBlock[] {
  if (p.credits.length === 0 && p.refunds.length === 0) return [];
  const lines = clientCreditLines(p);
  const blocks: KnownBlock[] = [section(joinMd(lines, '\n'))];
  const buttons = [...p.balances.entries()]
    .filter(([, minor]) => minor > 0n)
    .map(([currency, minor]) =>
      button(
        `Refund ${formatMoney(minor, currency)} on account`,
        CREDIT_ACTION.refundAccount,
        `${p.clientId}:${currency}`,
      ),
    );
  if (p.canManage && buttons.length > 0)
    blocks.push({ type: 'actions', elements: buttons.slice(0, 5) } as ActionsBlock);
  return blocks;
}

/** '*Credit on account*: $300.00' then the latest movements, newest last (the CLI prints the same facts). */
export function clientCreditLines(p: {
  balances: ReadonlyMap<string, bigint>;
  credits: readonly AccountCreditLine[];
  refunds: readonly RefundLine[];
}): Mrkdwn[] {
  const balances = [...p.balances.entries()].filter(([, m]) => m > 0n);
  const head =
    balances.length === 0
      ? literal('*Credit on account*: none')
      : md`*Credit on account*: ${joinMd(
          balances.map(([c, m]) => money(m, c)),
          ' + ',
        )}`;
  const moves: { on: string; line: Mrkdwn }[] = [
    ...p.credits.map((c) => ({
      on: c.onDate,
      line:
        c.kind === 'kept'
          ? md`${esc(c.onDate)} ${money(c.amountMinor, c.currency)} kept from ${inline(c.invoiceNumber, 40)}`
          : c.kind === 'applied'
            ? md`${esc(c.onDate)} ${money(c.amountMinor, c.currency)} applied to ${inline(c.invoiceNumber, 40)}`
            : md`${esc(c.onDate)} ${money(c.amountMinor, c.currency)} taken back (credit note of ${inline(c.invoiceNumber, 40)} withdrawn)`,
    })),
    ...p.refunds.map((r) => ({
      on: r.refundedOn,
      line: md`${esc(r.refundedOn)} ${money(r.amountMinor, r.currency)} refunded${
        r.invoiceNumber ? md` (overpaid on ${inline(r.invoiceNumber, 40)})` : literal(' from the account')
      }${refundHow(r)}`,
    })),
  ];
  const latest = moves.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0)).slice(-10);
  return [head, ...latest.map((m) => md`• ${m.line}`)];
}

export function refundedMessage(p: {
  clientName: string;
  amountMinor: bigint;
  currency: string;
  balanceAfterMinor: bigint;
}): SlackMessage {
  const text = md`↩️ Recorded a refund of ${money(p.amountMinor, p.currency)} of ${inline(p.clientName, 100)}'s credit on account; ${money(p.balanceAfterMinor, p.currency)} left.`;
  return { text, blocks: [section(text)] };
}

function refundHow(r: RefundLine): Mrkdwn {
  const parts = [r.method, r.reference ? `ref ${r.reference}` : null].filter((x): x is string => !!x);
  return parts.length > 0 ? md` · ${inline(parts.join(' · '), 200)}` : literal('');
}

function amountInput(label: string, initial: string, opts: { hint: string }): InputBlock {
  return input(
    CREDIT_FIELD.amount,
    label,
    { type: 'plain_text_input', initial_value: initial, placeholder: plain('1,234.50') },
    opts,
  );
}

function reasonInput(placeholder: string): InputBlock {
  return input(
    CREDIT_FIELD.reason,
    'Why',
    { type: 'plain_text_input', multiline: true, max_length: 2000, placeholder: plain(placeholder) },
    { hint: 'Kept in the history; not shown to the client.' },
  );
}

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value };
}

function button(text: string, actionId: string, value: string): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value };
}

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

function modal(
  callbackId: string,
  title: string,
  submit: string,
  metadata: CreditModalMetadata,
  blocks: KnownBlock[],
): ModalView {
  const json = JSON.stringify(metadata);
  if (json.length > 3000) throw new RangeError(`Modal metadata is ${json.length} characters; Slack allows 3000`);
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, 24),
    submit: plain(submit, 24),
    close: plain('Cancel', 24),
    private_metadata: json,
    blocks,
  };
}
