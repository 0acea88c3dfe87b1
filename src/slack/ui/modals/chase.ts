// The chase modal: log a chase, a promise, the next follow-up.
import type { Checkboxes, KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import type { HistoryEvent } from '../../../db/queries/views.js';
import { localDateOf } from '../../../domain/dates.js';
import { context, plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline, lastActionText, quote } from '../phrases.js';
import { actionVerb, esc, literal, type Mrkdwn, md, mention, slackDate } from '../text.js';
import { compact, dateIn, input, modal, option, optionIn, optionsIn, textIn, type ViewStateValues } from './shared.js';

export const CHASE_FIELDS: Readonly<Record<string, string>> = {
  method: FIELD.chaseMethod,
  note: FIELD.chaseNote,
  response: FIELD.chaseResponse,
  shared: FIELD.chaseShared,
  promisedDate: FIELD.promisedDate,
  nextFollowUp: FIELD.nextFollowUp,
};

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
