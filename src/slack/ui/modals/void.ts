// The void modal.
import type { KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { plain, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { literal } from '../text.js';
import { input, modal, textIn, type ViewStateValues } from './shared.js';

export const VOID_FIELDS: Readonly<Record<string, string>> = {
  reason: FIELD.reason,
};

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
