// The hold modal: put an invoice on hold or mark it disputed.
import type { KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { input, modal, option, optionIn, textIn, type ViewStateValues } from './shared.js';

export const HOLD_FIELDS: Readonly<Record<string, string>> = {
  reason: FIELD.reason,
  kind: FIELD.holdKind,
};

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
