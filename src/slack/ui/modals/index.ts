// The modals, one file each (shared.ts holds what they share): each builder returns a View, each read* turns the
// submitted view.state.values back into plain input for a service, and fieldErrors puts a service's field issues
// under the right input blocks.

export {
  CHASE_FIELDS,
  CHASE_METHODS,
  type ChaseForm,
  type ChaseMethod,
  type ChaseModalParams,
  chaseModal,
  readChase,
} from './chase.js';
export { CREDIT_NOTE_FIELDS, type CreditNoteForm, creditNoteModal, readCreditNote } from './credit-note.js';
export {
  type EditInvoiceForm,
  type EditInvoiceModalParams,
  editInvoiceModal,
  readEditInvoice,
} from './edit-invoice.js';
export { historyModal } from './history.js';
export { HOLD_FIELDS, type HoldForm, holdModal, readHold } from './hold.js';
export { COMMON_CURRENCIES, formTerms, type InvoiceFormBase, invoiceFormErrors } from './invoice-form.js';
export {
  NEW_INVOICE_FIELDS,
  type NewInvoiceForm,
  type NewInvoiceModalParams,
  newInvoiceModal,
  readNewInvoice,
} from './new-invoice.js';
export { PAYMENT_FIELDS, type PaymentForm, type PaymentModalParams, paymentModal, readPayment } from './payment.js';
export { REVERSE_PAYMENT_FIELDS, readReversePayment, reversePaymentModal } from './reverse-payment.js';
export { holidayValue, readSettings, SETTINGS_FIELDS, settingsModal, WEEKDAYS } from './settings.js';
export { encodeMetadata, fieldErrors, parseMetadata, type ViewStateValues } from './shared.js';
export { readVoid, VOID_FIELDS, voidModal } from './void.js';
