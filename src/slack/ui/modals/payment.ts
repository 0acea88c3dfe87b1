// The payment modal: record money received.
import type { Checkboxes, KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { toDecimalString } from '../../../domain/money.js';
import { plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { compact, dateIn, input, modal, option, optionsIn, textIn, type ViewStateValues } from './shared.js';

export const PAYMENT_FIELDS: Readonly<Record<string, string>> = {
  amount: FIELD.paymentAmount,
  receivedOn: FIELD.paymentDate,
  reference: FIELD.paymentReference,
  method: FIELD.paymentReference,
  overpayment: FIELD.overpayment,
};

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
