// Every action, view callback and block id the app uses: builders set them, listeners match on them.

/** Buttons and menus. A button's value is the invoice id. */
export const ACTION = {
  markPaid: 'invoice.mark_paid',
  logChase: 'invoice.log_chase',
  markSent: 'invoice.mark_sent',
  hold: 'invoice.hold',
  release: 'invoice.release',
  /**
   * Overflow menu on a card: option values are `edit:<id>`, `void:<id>`, `history:<id>`, `credit:<id>` (issue a
   * credit note) and `reverse:<id>` (reverse a payment).
   */
  // Also the History button on paid and void cards (value `history:<id>`): an overflow needs two options.
  more: 'invoice.more',
  /** "Reverse a payment" on a paid card (beside History). Value: invoice id. */
  reversePayment: 'invoice.reverse_payment',
  homeNewInvoice: 'home.new_invoice',
  homeSettings: 'home.settings',
  homeRefresh: 'home.refresh',
  /** The owner's private "did they pay?" on the morning an invoice is due: "not yet". Value: invoice id. */
  notYet: 'invoice.not_yet',
  /** external_select over clients in the new-invoice modal (options handler). */
  clientSelect: 'client.select',
  /** external_select over every IANA time zone in the settings modal (options handler). */
  timeZoneSelect: 'settings.zone',
  /** external_select over the countries and regions whose public holidays we know (options handler). */
  holidaySelect: 'settings.holidays',
} as const;

/** Modal callback ids. private_metadata is JSON: see ModalMetadata. */
export const VIEW = {
  newInvoice: 'view.new_invoice',
  editInvoice: 'view.edit_invoice',
  payment: 'view.payment',
  chase: 'view.chase',
  hold: 'view.hold',
  void: 'view.void',
  /** Choose which payment to reverse, and why. */
  reversePayment: 'view.reverse_payment',
  creditNote: 'view.credit_note',
  settings: 'view.settings',
  history: 'view.history',
  /** /invoice import: choose the file (then "Checking…", then the report). */
  importFile: 'view.import_file',
  /** The dry run's report; submitting it imports the file for real. private_metadata: ImportMetadata (ui/io.ts). */
  importReport: 'view.import_report',
  /** Checking, importing, done or failed: nothing to submit. */
  importStatus: 'view.import_status',
  /** /invoice connect xero payments: post payments recorded here to the ledger, and into which account. */
  ledgerPush: 'view.ledger_push',
} as const;

/** Input blocks: block_id and action_id are the same string, so errors can name the block. */
export const FIELD = {
  client: 'f.client',
  newClient: 'f.new_client',
  number: 'f.number',
  amount: 'f.amount',
  currency: 'f.currency',
  issueDate: 'f.issue_date',
  terms: 'f.terms',
  customDueDate: 'f.custom_due_date',
  basisDate: 'f.basis_date',
  basisLabel: 'f.basis_label',
  owner: 'f.owner',
  description: 'f.description',
  status: 'f.status',
  paymentAmount: 'f.payment_amount',
  paymentDate: 'f.payment_date',
  paymentReference: 'f.payment_reference',
  overpayment: 'f.overpayment',
  chaseMethod: 'f.chase_method',
  chaseNote: 'f.chase_note',
  chaseResponse: 'f.chase_response',
  /** The chase form's "show this note to the client" checkbox (option value 'shared'). */
  chaseShared: 'f.chase_shared',
  promisedDate: 'f.promised_date',
  nextFollowUp: 'f.next_follow_up',
  holdKind: 'f.hold_kind',
  reason: 'f.reason',
  /** The payment to reverse (option value: the payment's id). */
  reversedPayment: 'f.reversed_payment',
  creditNumber: 'f.credit_number',
  creditAmount: 'f.credit_amount',
  creditDate: 'f.credit_date',
  financeChannel: 'f.finance_channel',
  timeZone: 'f.time_zone',
  alertTime: 'f.alert_time',
  digestWeekday: 'f.digest_weekday',
  digestTime: 'f.digest_time',
  staleDays: 'f.stale_days',
  workingDays: 'f.working_days',
  financeAdmins: 'f.finance_admins',
  financeAdminGroup: 'f.finance_admin_group',
  /** Public holidays: a country or one of its regions, as 'GB' or 'GB-SCT'. */
  holidays: 'f.holidays',
  importFile: 'f.import_file',
  importCurrency: 'f.import_currency',
  importDateOrder: 'f.import_date_order',
  pushEnabled: 'f.push_enabled',
  pushAccount: 'f.push_account',
} as const;

/** What a modal carries between open and submit. */
export interface ModalMetadata {
  /** The invoice the modal acts on. */
  invoiceId?: string;
  /** The invoice's version when the modal opened: a submit against an older one is a conflict. */
  version?: number;
  /** Where to answer (the channel the command came from), if anywhere. */
  channelId?: string;
  /** Idempotency key for the submit, fixed when the modal opens so a double submit records once. */
  key: string;
}
