// The credit note modal.
import type { KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { formatMoney, toDecimalString } from '../../../domain/money.js';
import { plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { keepOnAccountInput } from './credit.js';
import { compact, dateIn, input, modal, textIn, type ViewStateValues } from './shared.js';

export const CREDIT_NOTE_FIELDS: Readonly<Record<string, string>> = {
  number: FIELD.creditNumber,
  amount: FIELD.creditAmount,
  issuedOn: FIELD.creditDate,
  reason: FIELD.reason,
};

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
