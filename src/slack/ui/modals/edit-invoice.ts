// The edit invoice modal.
import type { KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import { toDecimalString } from '../../../domain/money.js';
import { context, section } from '../blocks.js';
import { FIELD, type ModalMetadata, VIEW } from '../ids.js';
import { invoiceHeadline } from '../phrases.js';
import { literal } from '../text.js';
import { type InvoiceFormBase, invoiceInputs, readInvoiceBase, termsValue } from './invoice-form.js';
import { modal, textIn, type ViewStateValues } from './shared.js';

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
