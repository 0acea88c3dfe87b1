// The reverse-payment modal: a payment recorded by mistake, reversed.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { PaymentLine } from '../../../db/queries/corrections.js';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { formatMoney } from '../../../domain/money.js';
import { plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { literal } from '../text.js';
import { input, MAX_OPTIONS, modal, option, optionIn, textIn, type ViewStateValues } from './shared.js';

export const REVERSE_PAYMENT_FIELDS: Readonly<Record<string, string>> = {
  payment: FIELD.reversedPayment,
  reason: FIELD.reason,
};

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
