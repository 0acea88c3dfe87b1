// The new invoice modal.
import type { KnownBlock, ModalView } from '@slack/types';
import { plain } from '../blocks.js';
import { ACTION, FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { type InvoiceFormBase, invoiceInputs, readInvoiceBase } from './invoice-form.js';
import { compact, input, modal, option, optionIn, textIn, type ViewStateValues } from './shared.js';

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

export interface NewInvoiceForm extends InvoiceFormBase {
  clientId?: string;
  newClientName?: string;
  basisLabel?: string;
  description?: string;
  status: 'draft' | 'sent';
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
