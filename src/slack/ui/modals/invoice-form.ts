// The invoice form the new and edit invoice modals share: currency and terms menus, the inputs, reading them back.
import type { InputBlock, PlainTextOption } from '@slack/types';
import { INVOICE_NUMBER_MAX } from '../../../domain/invoice-number.js';
import { describeTerms, type PaymentTerms, TERMS_CHOICES } from '../../../domain/terms.js';
import { plain } from '../blocks.js';
import { FIELD } from '../ids.js';
import { isUserId } from '../text.js';
import type { NewInvoiceForm } from './new-invoice.js';
import {
  compact,
  dateIn,
  input,
  MAX_OPTIONS,
  option,
  optionIn,
  textIn,
  userIn,
  type ViewStateValues,
} from './shared.js';

/** The currencies offered first; any other ISO code can be passed in `currencies`. */
export const COMMON_CURRENCIES: readonly string[] = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'NZD',
  'SGD',
  'HKD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'INR',
  'CNY',
  'ZAR',
  'BRL',
  'MXN',
  'AED',
  'SAR',
  'ILS',
  'KRW',
  'TWD',
  'THB',
  'MYR',
  'PHP',
  'IDR',
  'TRY',
];

let currencyNames: Intl.DisplayNames | null | undefined;

function currencyOption(code: string): PlainTextOption {
  if (currencyNames === undefined) {
    try {
      currencyNames = new Intl.DisplayNames('en', { type: 'currency' });
    } catch {
      currencyNames = null;
    }
  }
  const name = currencyNames?.of(code);
  return option(name && name !== code ? `${code} · ${name}` : code, code);
}

/** The currency menu: the list given (the common ones by default), with the selected one always in it. */
function currencySelect(selected: string, currencies: readonly string[] = COMMON_CURRENCIES): InputBlock['element'] {
  const listed = currencies.includes(selected) ? currencies : [selected, ...currencies];
  const codes = [...new Set(listed)].filter((c) => /^[A-Z]{3}$/.test(c)).slice(0, MAX_OPTIONS);
  const options = codes.map(currencyOption);
  const initial = options.find((o) => o.value === selected);
  return { type: 'static_select', options, ...(initial ? { initial_option: initial } : {}) };
}

const CUSTOM_DUE = 'fixed';

/** The terms menu: the standard choices, the invoice's own terms if they are not one of them, and a custom date. */
function termsSelect(selected: string, extra?: { label: string; value: string }): InputBlock['element'] {
  const options = TERMS_CHOICES.map((t) => option(t.label, t.label));
  if (extra && !options.some((o) => o.value === extra.value)) options.push(option(extra.label, extra.value));
  options.push(option('Custom due date', CUSTOM_DUE));
  const initial = options.find((o) => o.value === selected);
  return { type: 'static_select', options, ...(initial ? { initial_option: initial } : {}) };
}

/** The menu value for terms: a TERMS_CHOICES label, another parseable phrase ('net 20'), or 'fixed'. */
export function termsValue(terms: PaymentTerms): { value: string; extra?: { label: string; value: string } } {
  if (terms.kind === 'fixed') return { value: CUSTOM_DUE };
  const choice = TERMS_CHOICES.find(
    (t) => t.kind === terms.kind && (t.kind === 'receipt' || ('days' in t && 'days' in terms && t.days === terms.days)),
  );
  if (choice) return { value: choice.label };
  const described = describeTerms(terms);
  const label = described.charAt(0).toUpperCase() + described.slice(1);
  return { value: described, extra: { label, value: described } };
}

export function invoiceInputs(p: {
  number: string;
  amount?: string;
  currency: string;
  currencies?: readonly string[];
  issueDate: string;
  terms: string;
  termsExtra?: { label: string; value: string };
  customDueDate?: string;
  basisDate?: string;
  basisLabel?: string;
  ownerUserId?: string | null;
  description?: string;
}): InputBlock[] {
  return [
    input(FIELD.number, 'Invoice number', {
      type: 'plain_text_input',
      initial_value: p.number,
      max_length: INVOICE_NUMBER_MAX,
      placeholder: plain('INV-0042'),
    }),
    input(
      FIELD.amount,
      'Amount',
      {
        type: 'plain_text_input',
        placeholder: plain('1,234.50'),
        ...(p.amount ? { initial_value: p.amount } : {}),
      },
      { hint: 'The invoice total, like 1,234.50 or 12k.' },
    ),
    input(FIELD.currency, 'Currency', currencySelect(p.currency, p.currencies)),
    input(FIELD.issueDate, 'Invoice date', { type: 'datepicker', initial_date: p.issueDate }),
    input(FIELD.terms, 'Payment terms', termsSelect(p.terms, p.termsExtra)),
    input(
      FIELD.customDueDate,
      'Custom due date',
      { type: 'datepicker', ...(p.customDueDate ? { initial_date: p.customDueDate } : {}) },
      { optional: true, hint: 'Only with the terms "Custom due date".' },
    ),
    input(
      FIELD.basisDate,
      'Terms run from',
      { type: 'datepicker', ...(p.basisDate ? { initial_date: p.basisDate } : {}) },
      { optional: true, hint: 'Leave empty to count from the invoice date, or pick another date, e.g. delivery.' },
    ),
    input(
      FIELD.basisLabel,
      'That date is the date of',
      {
        type: 'plain_text_input',
        max_length: 40,
        placeholder: plain('delivery'),
        ...(p.basisLabel ? { initial_value: p.basisLabel } : {}),
      },
      { optional: true, hint: 'Shown beside the due date, e.g. "net 60 from 2026-09-01 (delivery)".' },
    ),
    input(
      FIELD.owner,
      'Owner',
      { type: 'users_select', ...(isUserId(p.ownerUserId) ? { initial_user: p.ownerUserId } : {}) },
      { optional: true, hint: 'Who chases this invoice.' },
    ),
    input(
      FIELD.description,
      'Description',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 2000,
        ...(p.description ? { initial_value: p.description } : {}),
      },
      { optional: true },
    ),
  ];
}

export interface InvoiceFormBase {
  number: string;
  amount: string;
  currency: string;
  issueDate?: string;
  /** A TERMS_CHOICES label (or another phrase parseTerms reads), or 'fixed' for a custom due date. */
  terms: string;
  customDueDate?: string;
  basisDate?: string;
  ownerUserId?: string;
}

export function readInvoiceBase(values: ViewStateValues): InvoiceFormBase {
  return compact({
    number: textIn(values, FIELD.number) ?? '',
    amount: textIn(values, FIELD.amount) ?? '',
    currency: optionIn(values, FIELD.currency) ?? '',
    issueDate: dateIn(values, FIELD.issueDate),
    terms: optionIn(values, FIELD.terms) ?? '',
    customDueDate: dateIn(values, FIELD.customDueDate),
    basisDate: dateIn(values, FIELD.basisDate),
    ownerUserId: userIn(values, FIELD.owner),
  });
}

/**
 * The terms to hand a service: the menu's label ('Net 30'), or for a custom due date that date
 * ('2026-12-01', which parseTerms reads as fixed). Undefined when 'fixed' has no date (see invoiceFormErrors).
 */
export function formTerms(form: Pick<InvoiceFormBase, 'terms' | 'customDueDate'>): string | undefined {
  return form.terms === CUSTOM_DUE ? form.customDueDate : form.terms;
}

/**
 * What the form itself gets wrong, before any service sees it: no client (new invoices), both a picked
 * and a new client, "Custom due date" without a date, or a date without "Custom due date".
 */
export function invoiceFormErrors(
  form: Pick<NewInvoiceForm, 'clientId' | 'newClientName' | 'terms' | 'customDueDate'>,
  opts: { requireClient: boolean } = { requireClient: true },
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (opts.requireClient && !form.clientId && !form.newClientName) {
    errors[FIELD.client] = 'Pick a client, or type a new one below.';
  }
  if (form.clientId && form.newClientName) errors[FIELD.newClient] = 'Pick a client or type a new one, not both.';
  if (form.terms === CUSTOM_DUE && !form.customDueDate) {
    errors[FIELD.customDueDate] = 'Pick the due date, or choose other terms.';
  }
  if (form.terms !== CUSTOM_DUE && form.customDueDate) {
    errors[FIELD.customDueDate] = 'A custom due date needs the terms "Custom due date"; clear it or change the terms.';
  }
  return errors;
}
