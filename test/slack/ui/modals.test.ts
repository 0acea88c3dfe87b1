import type { ViewOutput } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ACTION, FIELD, VIEW } from '../../../src/slack/ui/ids.js';
import {
  chaseModal,
  editInvoiceModal,
  encodeMetadata,
  fieldErrors,
  formTerms,
  historyModal,
  holdModal,
  invoiceFormErrors,
  NEW_INVOICE_FIELDS,
  newInvoiceModal,
  PAYMENT_FIELDS,
  parseMetadata,
  paymentModal,
  readChase,
  readEditInvoice,
  readHold,
  readNewInvoice,
  readPayment,
  readSettings,
  readVoid,
  SETTINGS_FIELDS,
  settingsModal,
  voidModal,
} from '../../../src/slack/ui/modals/index.js';
import {
  ALICE,
  BOB,
  CLIENT_ID,
  INVOICE_ID,
  makeEvent,
  makeInvoice,
  makeWorkspace,
  overdueDisputedInvoice,
  sentInvoice,
  TODAY,
  ZONE,
} from './fixtures.js';

type Values = ViewOutput['state']['values'];
const metadata = { invoiceId: INVOICE_ID, version: 3, channelId: 'C0FIN', key: 'pay-1' };
const plain = (text: string) => ({ type: 'plain_text', text });

describe('paymentModal', () => {
  it('asks for the amount (pre-filled with what is due), the date, a reference and whether it is an overpayment', () => {
    expect(paymentModal({ invoice: overdueDisputedInvoice(), today: TODAY, metadata })).toEqual({
      type: 'modal',
      callback_id: 'view.payment',
      title: plain('Record payment'),
      submit: plain('Record'),
      close: plain('Cancel'),
      private_metadata: `{"invoiceId":"${INVOICE_ID}","version":3,"channelId":"C0FIN","key":"pay-1"}`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*INV-0042* · Acme Corp\n*$6,000.00 due* of $10,000.00 · 🔴 Overdue · 25 days',
          },
        },
        {
          type: 'input',
          block_id: 'f.payment_amount',
          label: plain('Amount received (USD)'),
          element: {
            type: 'plain_text_input',
            action_id: 'f.payment_amount',
            initial_value: '6000.00',
            placeholder: plain('1,234.50'),
          },
          hint: plain('Less than the amount due records a part payment.'),
        },
        {
          type: 'input',
          block_id: 'f.payment_date',
          label: plain('Received on'),
          element: { type: 'datepicker', action_id: 'f.payment_date', initial_date: '2026-11-14' },
        },
        {
          type: 'input',
          block_id: 'f.payment_reference',
          label: plain('Reference'),
          element: {
            type: 'plain_text_input',
            action_id: 'f.payment_reference',
            max_length: 200,
            placeholder: plain('Bank reference, cheque number…'),
          },
          optional: true,
        },
        {
          type: 'input',
          block_id: 'f.overpayment',
          label: plain('Overpayment'),
          element: {
            type: 'checkboxes',
            action_id: 'f.overpayment',
            options: [{ text: plain('Record more than is due (the client overpaid)'), value: 'overpayment' }],
          },
          optional: true,
        },
      ],
    });
  });

  it('takes the amount and date it is given instead, and shows yen without decimals', () => {
    const yen = makeInvoice({ currency: 'JPY', totalMinor: 150_000n });
    const view = paymentModal({
      invoice: yen,
      today: TODAY,
      metadata,
      initialAmount: '1000',
      initialDate: '2026-11-13',
    });
    expect(view.blocks[1]).toMatchObject({ label: plain('Amount received (JPY)'), element: { initial_value: '1000' } });
    expect(view.blocks[2]).toMatchObject({ element: { initial_date: '2026-11-13' } });
    const due = paymentModal({ invoice: yen, today: TODAY, metadata });
    expect(due.blocks[1]).toMatchObject({ element: { initial_value: '150000' } });
  });

  it('reads a submitted payment back', () => {
    const values: Values = {
      'f.payment_amount': { 'f.payment_amount': { type: 'plain_text_input', value: ' 2,500.00 ' } },
      'f.payment_date': { 'f.payment_date': { type: 'datepicker', selected_date: '2026-11-13' } },
      'f.payment_reference': { 'f.payment_reference': { type: 'plain_text_input', value: 'BACS 7781' } },
      'f.overpayment': {
        'f.overpayment': {
          type: 'checkboxes',
          selected_options: [
            { text: plain('Record more than is due (the client overpaid)') as never, value: 'overpayment' },
          ],
        },
      },
    };
    expect(readPayment(values)).toEqual({
      amount: '2,500.00',
      receivedOn: '2026-11-13',
      reference: 'BACS 7781',
      overpayment: true,
    });
  });

  it('reads empty optional fields as absent, and an unticked overpayment as false', () => {
    const values: Values = {
      'f.payment_amount': { 'f.payment_amount': { type: 'plain_text_input', value: '6000.00' } },
      'f.payment_date': { 'f.payment_date': { type: 'datepicker', selected_date: '2026-11-14' } },
      'f.payment_reference': { 'f.payment_reference': { type: 'plain_text_input', value: null } },
      'f.overpayment': { 'f.overpayment': { type: 'checkboxes', selected_options: [] } },
    };
    expect(readPayment(values)).toStrictEqual({ amount: '6000.00', receivedOn: '2026-11-14', overpayment: false });
  });
});

describe('newInvoiceModal', () => {
  const view = newInvoiceModal({
    metadata: { key: 'new-1', channelId: 'C0FIN' },
    suggestedNumber: 'INV-0043',
    today: TODAY,
    ownerUserId: ALICE,
    defaultCurrency: 'GBP',
    initial: { clientId: CLIENT_ID, clientName: 'Acme Corp', amount: '1,200' },
  });
  const block = (id: string) => view.blocks.find((b) => b.block_id === id) as unknown as Record<string, unknown>;

  it('names every input block after its field, with the same action id (the client picker excepted)', () => {
    expect(view).toMatchObject({ type: 'modal', callback_id: VIEW.newInvoice, title: plain('New invoice') });
    const inputs = view.blocks.filter((b) => b.type === 'input') as {
      block_id: string;
      element: { action_id: string };
    }[];
    expect(inputs.map((b) => b.block_id)).toEqual([
      FIELD.client,
      FIELD.newClient,
      FIELD.number,
      FIELD.amount,
      FIELD.currency,
      FIELD.issueDate,
      FIELD.terms,
      FIELD.customDueDate,
      FIELD.basisDate,
      FIELD.basisLabel,
      FIELD.owner,
      FIELD.description,
      FIELD.status,
    ]);
    for (const b of inputs)
      expect(b.element.action_id).toBe(b.block_id === FIELD.client ? ACTION.clientSelect : b.block_id);
  });

  it('pre-fills the client, number, amount, currency, dates, terms, owner and status', () => {
    expect(block(FIELD.client)).toMatchObject({
      optional: true,
      element: {
        type: 'external_select',
        min_query_length: 0,
        initial_option: { text: plain('Acme Corp'), value: CLIENT_ID },
      },
    });
    expect(block(FIELD.number)).toMatchObject({ element: { initial_value: 'INV-0043' } });
    expect(block(FIELD.amount)).toMatchObject({ element: { initial_value: '1,200', placeholder: plain('1,234.50') } });
    expect(block(FIELD.currency)).toMatchObject({
      element: { type: 'static_select', initial_option: { text: plain('GBP · British Pound'), value: 'GBP' } },
    });
    expect(block(FIELD.issueDate)).toMatchObject({ element: { type: 'datepicker', initial_date: TODAY } });
    expect(block(FIELD.terms)).toMatchObject({ element: { initial_option: { value: 'Net 30' } } });
    expect(block(FIELD.basisLabel)).toMatchObject({ optional: true, element: { placeholder: plain('delivery') } });
    expect(block(FIELD.owner)).toMatchObject({ element: { type: 'users_select', initial_user: ALICE } });
    expect(block(FIELD.status)).toMatchObject({
      element: { type: 'radio_buttons', initial_option: { value: 'sent' } },
    });
  });

  it('offers the standard terms and a custom due date', () => {
    const options = (block(FIELD.terms).element as { options: { value: string }[] }).options.map((o) => o.value);
    expect(options).toEqual([
      'Net 7',
      'Net 15',
      'Net 30',
      'Net 45',
      'Net 60',
      'Net 90',
      'Due on receipt',
      'End of month',
      'fixed',
    ]);
  });

  it('offers the common currencies, adding the default one when it is not among them', () => {
    const codes = (v: typeof view) =>
      (
        v.blocks.find((b) => b.block_id === FIELD.currency) as { element: { options: { value: string }[] } }
      ).element.options.map((o) => o.value);
    expect(codes(view).slice(0, 9)).toEqual(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CHF', 'NZD', 'SGD']);
    const kwd = newInvoiceModal({
      metadata: { key: 'k' },
      suggestedNumber: 'A-1',
      today: TODAY,
      ownerUserId: ALICE,
      defaultCurrency: 'KWD',
    });
    expect(codes(kwd)[0]).toBe('KWD');
    expect(codes(kwd).length).toBeLessThanOrEqual(100);
  });

  it('reads a submitted invoice back, with a client picked from the list', () => {
    const values: Values = {
      'f.client': {
        'client.select': {
          type: 'external_select',
          selected_option: { text: { type: 'plain_text', text: 'Acme Corp', emoji: true }, value: CLIENT_ID },
        },
      },
      'f.new_client': { 'f.new_client': { type: 'plain_text_input', value: null } },
      'f.number': { 'f.number': { type: 'plain_text_input', value: 'INV-0043' } },
      'f.amount': { 'f.amount': { type: 'plain_text_input', value: '12,500' } },
      'f.currency': {
        'f.currency': {
          type: 'static_select',
          selected_option: { text: plain('GBP · British Pound') as never, value: 'GBP' },
        },
      },
      'f.issue_date': { 'f.issue_date': { type: 'datepicker', selected_date: '2026-11-14' } },
      'f.terms': {
        'f.terms': { type: 'static_select', selected_option: { text: plain('Net 60') as never, value: 'Net 60' } },
      },
      'f.custom_due_date': { 'f.custom_due_date': { type: 'datepicker', selected_date: null } },
      'f.basis_date': { 'f.basis_date': { type: 'datepicker', selected_date: '2026-11-20' } },
      'f.basis_label': { 'f.basis_label': { type: 'plain_text_input', value: 'delivery' } },
      'f.owner': { 'f.owner': { type: 'users_select', selected_user: BOB } },
      'f.description': { 'f.description': { type: 'plain_text_input', value: 'Phase 3\nincl. hosting' } },
      'f.status': {
        'f.status': { type: 'radio_buttons', selected_option: { text: plain('Draft') as never, value: 'draft' } },
      },
    };
    const form = readNewInvoice(values);
    expect(form).toStrictEqual({
      clientId: CLIENT_ID,
      number: 'INV-0043',
      amount: '12,500',
      currency: 'GBP',
      issueDate: '2026-11-14',
      terms: 'Net 60',
      basisDate: '2026-11-20',
      basisLabel: 'delivery',
      ownerUserId: BOB,
      description: 'Phase 3\nincl. hosting',
      status: 'draft',
    });
    expect(formTerms(form)).toBe('Net 60');
    expect(invoiceFormErrors(form)).toEqual({});
  });

  it('reads a new client name and a custom due date, which becomes the terms', () => {
    const values: Values = {
      'f.client': { 'client.select': { type: 'external_select', selected_option: null } },
      'f.new_client': { 'f.new_client': { type: 'plain_text_input', value: '  Globex Ltd ' } },
      'f.number': { 'f.number': { type: 'plain_text_input', value: 'INV-0044' } },
      'f.amount': { 'f.amount': { type: 'plain_text_input', value: '900' } },
      'f.currency': {
        'f.currency': { type: 'static_select', selected_option: { text: plain('USD') as never, value: 'USD' } },
      },
      'f.issue_date': { 'f.issue_date': { type: 'datepicker', selected_date: '2026-11-14' } },
      'f.terms': {
        'f.terms': { type: 'static_select', selected_option: { text: plain('Custom') as never, value: 'fixed' } },
      },
      'f.custom_due_date': { 'f.custom_due_date': { type: 'datepicker', selected_date: '2026-12-24' } },
      'f.status': {
        'f.status': { type: 'radio_buttons', selected_option: { text: plain('Sent') as never, value: 'sent' } },
      },
    };
    const form = readNewInvoice(values);
    expect(form).toStrictEqual({
      newClientName: 'Globex Ltd',
      number: 'INV-0044',
      amount: '900',
      currency: 'USD',
      issueDate: '2026-11-14',
      terms: 'fixed',
      customDueDate: '2026-12-24',
      status: 'sent',
    });
    expect(formTerms(form)).toBe('2026-12-24');
  });

  it('says what the form itself gets wrong: no client, both clients, a custom due date missing or unasked for', () => {
    expect(invoiceFormErrors({ terms: 'Net 30' })).toEqual({
      [FIELD.client]: 'Pick a client, or type a new one below.',
    });
    expect(invoiceFormErrors({ clientId: CLIENT_ID, newClientName: 'Globex', terms: 'fixed' })).toEqual({
      [FIELD.newClient]: 'Pick a client or type a new one, not both.',
      [FIELD.customDueDate]: 'Pick the due date, or choose other terms.',
    });
    expect(invoiceFormErrors({ clientId: CLIENT_ID, terms: 'Net 30', customDueDate: '2026-12-01' })).toHaveProperty(
      FIELD.customDueDate,
    );
    expect(invoiceFormErrors({ terms: 'Net 30' }, { requireClient: false })).toEqual({});
  });
});

describe('editInvoiceModal', () => {
  it('pre-fills the invoice as it stands, including a basis date other than the invoice date', () => {
    const view = editInvoiceModal({ invoice: overdueDisputedInvoice(), metadata, today: TODAY });
    const block = (id: string) => view.blocks.find((b) => b.block_id === id);
    expect(view).toMatchObject({ callback_id: VIEW.editInvoice, title: plain('Edit invoice') });
    expect(block(FIELD.number)).toMatchObject({ element: { initial_value: 'INV-0042' } });
    expect(block(FIELD.amount)).toMatchObject({ element: { initial_value: '10000.00' } });
    expect(block(FIELD.currency)).toMatchObject({ element: { initial_option: { value: 'USD' } } });
    expect(block(FIELD.issueDate)).toMatchObject({ element: { initial_date: '2026-09-15' } });
    expect(block(FIELD.terms)).toMatchObject({ element: { initial_option: { value: 'Net 30' } } });
    expect(block(FIELD.basisDate)).toMatchObject({ element: { initial_date: '2026-09-20' } });
    expect(block(FIELD.basisLabel)).toMatchObject({ element: { initial_value: 'delivery' } });
    expect(block(FIELD.owner)).toMatchObject({ element: { initial_user: ALICE } });
    expect(block(FIELD.customDueDate)).toMatchObject({ element: { type: 'datepicker' } });
    expect(JSON.stringify(view.blocks)).toContain('Payments are recorded against it');
  });

  it('leaves the basis date empty when it is the invoice date, so it follows a new invoice date', () => {
    const view = editInvoiceModal({ invoice: sentInvoice(), metadata, today: TODAY });
    expect(view.blocks.find((b) => b.block_id === FIELD.basisDate)).toEqual({
      type: 'input',
      block_id: FIELD.basisDate,
      label: plain('Terms run from'),
      element: { type: 'datepicker', action_id: FIELD.basisDate },
      optional: true,
      hint: plain('Leave empty to count from the invoice date, or pick another date, e.g. delivery.'),
    });
  });

  it('selects a custom due date for fixed terms and adds terms outside the standard menu', () => {
    const fixed = editInvoiceModal({
      invoice: makeInvoice({ terms: { kind: 'fixed', dueDate: '2026-12-24' } }),
      metadata,
      today: TODAY,
    });
    expect(fixed.blocks.find((b) => b.block_id === FIELD.terms)).toMatchObject({
      element: { initial_option: { value: 'fixed' } },
    });
    expect(fixed.blocks.find((b) => b.block_id === FIELD.customDueDate)).toMatchObject({
      element: { initial_date: '2026-12-24' },
    });
    const eom = editInvoiceModal({
      invoice: makeInvoice({ terms: { kind: 'eom', days: 15 } }),
      metadata,
      today: TODAY,
    });
    expect(eom.blocks.find((b) => b.block_id === FIELD.terms)).toMatchObject({
      element: { initial_option: { text: plain('End of month + 15'), value: 'end of month + 15' } },
    });
  });

  it('reads cleared text fields as null so the edit clears them', () => {
    const values: Values = {
      'f.number': { 'f.number': { type: 'plain_text_input', value: 'INV-0042' } },
      'f.amount': { 'f.amount': { type: 'plain_text_input', value: '10000.00' } },
      'f.currency': {
        'f.currency': { type: 'static_select', selected_option: { text: plain('USD') as never, value: 'USD' } },
      },
      'f.issue_date': { 'f.issue_date': { type: 'datepicker', selected_date: '2026-11-02' } },
      'f.terms': {
        'f.terms': { type: 'static_select', selected_option: { text: plain('Net 45') as never, value: 'Net 45' } },
      },
      'f.custom_due_date': { 'f.custom_due_date': { type: 'datepicker', selected_date: null } },
      'f.basis_date': { 'f.basis_date': { type: 'datepicker', selected_date: null } },
      'f.basis_label': { 'f.basis_label': { type: 'plain_text_input', value: '' } },
      'f.owner': { 'f.owner': { type: 'users_select', selected_user: ALICE } },
      'f.description': { 'f.description': { type: 'plain_text_input', value: null } },
    };
    expect(readEditInvoice(values)).toStrictEqual({
      number: 'INV-0042',
      amount: '10000.00',
      currency: 'USD',
      issueDate: '2026-11-02',
      terms: 'Net 45',
      ownerUserId: ALICE,
      basisLabel: null,
      description: null,
    });
  });
});

describe('chaseModal', () => {
  it('shows the last chase above the form: who, when, how and what they said', () => {
    const lastChase = makeEvent(9, 'chased', { method: 'call', note: null, response: 'Paying Friday' });
    const view = chaseModal({ invoice: overdueDisputedInvoice(), today: TODAY, metadata, lastChase, timeZone: ZONE });
    expect(view.blocks[1]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            "Last: chased by <@U0BOB> on <!date^1793628300^{date_short}|2026-11-02> (call) — 'Paying Friday'" +
            ' · Promised 2026-11-06 — 💔 broken',
        },
      ],
    });
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual([
      FIELD.chaseMethod,
      FIELD.chaseNote,
      FIELD.chaseShared,
      FIELD.chaseResponse,
      FIELD.promisedDate,
      FIELD.nextFollowUp,
    ]);
  });

  it('offers to show the note to the client, unticked, saying the client reads it word for word', () => {
    const view = chaseModal({ invoice: sentInvoice(), today: TODAY, metadata });
    expect(view.blocks.find((b) => b.block_id === FIELD.chaseShared)).toEqual({
      type: 'input',
      block_id: FIELD.chaseShared,
      label: plain('Client’s status page'),
      optional: true,
      hint: plain(
        'Ticked, the client sees what you wrote under “What you did”, word for word. “What they said” stays internal.',
      ),
      element: {
        type: 'checkboxes',
        action_id: FIELD.chaseShared,
        options: [{ text: plain('Show this note to the client on their status page'), value: 'shared' }],
      },
    });
  });

  it('falls back to the invoice’s last action, and pre-fills the note it is given', () => {
    const view = chaseModal({ invoice: sentInvoice(), today: TODAY, metadata, initialNote: 'Emailed the PDF again' });
    expect(view.blocks[1]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Last: marked sent by <@U0ALICE> · 12 days ago' }],
    });
    expect(view.blocks.find((b) => b.block_id === FIELD.chaseNote)).toMatchObject({
      element: { initial_value: 'Emailed the PDF again' },
    });
  });

  it('reads a logged chase back', () => {
    const values: Values = {
      'f.chase_method': {
        'f.chase_method': { type: 'static_select', selected_option: { text: plain('Call') as never, value: 'call' } },
      },
      'f.chase_note': { 'f.chase_note': { type: 'plain_text_input', value: 'Spoke to Jane in AP' } },
      'f.chase_response': { 'f.chase_response': { type: 'plain_text_input', value: 'Paying Friday' } },
      'f.promised_date': { 'f.promised_date': { type: 'datepicker', selected_date: '2026-11-20' } },
      'f.next_follow_up': { 'f.next_follow_up': { type: 'datepicker', selected_date: null } },
    };
    expect(readChase(values)).toStrictEqual({
      method: 'call',
      note: 'Spoke to Jane in AP',
      response: 'Paying Friday',
      shared: false,
      promisedDate: '2026-11-20',
    });
  });

  it('reads the ticked checkbox as a shared chase', () => {
    const values: Values = {
      'f.chase_method': {
        'f.chase_method': { type: 'static_select', selected_option: { text: plain('Email') as never, value: 'email' } },
      },
      'f.chase_note': { 'f.chase_note': { type: 'plain_text_input', value: 'Sent a reminder' } },
      'f.chase_shared': {
        'f.chase_shared': {
          type: 'checkboxes',
          selected_options: [{ text: plain('Show this note to the client') as never, value: 'shared' }],
        },
      },
    };
    expect(readChase(values)).toStrictEqual({ method: 'email', note: 'Sent a reminder', shared: true });
  });
});

describe('holdModal and voidModal', () => {
  it('asks whether it is a hold or a dispute, and why', () => {
    const view = holdModal({ invoice: sentInvoice(), metadata });
    expect(view).toMatchObject({ callback_id: VIEW.hold, title: plain('Hold or dispute') });
    const values: Values = {
      'f.hold_kind': {
        'f.hold_kind': {
          type: 'radio_buttons',
          selected_option: { text: plain('Disputed') as never, value: 'dispute' },
        },
      },
      'f.reason': { 'f.reason': { type: 'plain_text_input', value: 'Wrong quantity on line 2' } },
    };
    expect(readHold(values)).toEqual({ kind: 'dispute', reason: 'Wrong quantity on line 2' });
  });

  it('warns that voiding is for good, and asks why', () => {
    const view = voidModal({ invoice: sentInvoice(), metadata });
    expect(view).toMatchObject({ callback_id: VIEW.void, title: plain('Void invoice'), submit: plain('Void invoice') });
    expect(JSON.stringify(view.blocks)).toContain('cannot be undone');
    expect(readVoid({ 'f.reason': { 'f.reason': { type: 'plain_text_input', value: ' Raised twice ' } } })).toEqual({
      reason: 'Raised twice',
    });
  });
});

describe('historyModal', () => {
  it('lists the events oldest first, one line each', () => {
    const events = [
      makeEvent(
        1,
        'created',
        { totalMinor: { $bigint: '1000000' }, currency: 'USD', dueDate: '2026-12-02' },
        {
          at: new Date('2026-11-02T09:00:00Z'),
        },
      ),
      makeEvent(2, 'chased', { method: 'call', response: 'Paying Friday', promisedDate: '2026-11-06' }),
      makeEvent(
        3,
        'part_paid',
        {
          amountMinor: { $bigint: '400000' },
          currency: 'USD',
          amountDueAfterMinor: { $bigint: '600000' },
          receivedOn: '2026-11-10',
          reference: 'BACS 7781',
        },
        { at: new Date('2026-11-10T16:30:00Z'), actorId: ALICE },
      ),
      makeEvent(
        4,
        'edited',
        { changes: { dueDate: {}, termsDays: {}, termsKind: {} } },
        { actorType: 'system', actorId: 'cli' },
      ),
    ];
    const view = historyModal({ invoice: sentInvoice(), events, timeZone: ZONE });
    expect(view).toMatchObject({ type: 'modal', callback_id: VIEW.history, title: plain('Invoice history') });
    expect(view).not.toHaveProperty('submit');
    expect(view.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '2026-11-02 09:00 · <@U0BOB> · created · $10,000.00 · due 2026-12-02',
          "2026-11-02 14:05 · <@U0BOB> · chased by call · they said 'Paying Friday' · promised 2026-11-06",
          '2026-11-10 16:30 · <@U0ALICE> · recorded $4,000.00 (part payment) · $6,000.00 still due · received 2026-11-10 · ref BACS 7781',
          '2026-11-02 14:05 · system · edited due date, terms',
        ].join('\n'),
      },
    });
  });

  it('keeps the newest events when there are too many, and says how to see the rest', () => {
    const events = Array.from({ length: 5000 }, (_, i) =>
      makeEvent(i + 1, 'chased', { method: 'email', note: `Reminder number ${i + 1} ${'x'.repeat(100)}` }),
    );
    const view = historyModal({ invoice: sentInvoice(), events, timeZone: ZONE });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view).length).toBeLessThan(250_000);
    const earlier = view.blocks[1] as { type: string; elements: { text: string }[] };
    expect(earlier.type).toBe('context');
    expect(earlier.elements[0]?.text).toMatch(/^…and [\d,]+ earlier events — `npm run cli -- history INV-0042`$/);
    const last = view.blocks.at(-1) as { text: { text: string } };
    expect(last.text.text).toContain("'Reminder number 5000 ");
    for (const b of view.blocks) {
      if (b.type === 'section') expect((b as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('settingsModal', () => {
  const workspace = makeWorkspace({ timeZone: 'America/Boise', financeAdminGroup: 'S0FINANCE' });
  const view = settingsModal({
    workspace,
    metadata: { key: 'settings-1', version: 3 },
    now: new Date('2026-11-23T15:00:00Z'),
  });
  const block = (id: string) => view.blocks.find((b) => b.block_id === id);

  it('shows the workspace settings, the time zone in a picker that searches every zone', () => {
    expect(view).toMatchObject({ callback_id: VIEW.settings, title: plain('Settings') });
    expect(block(FIELD.financeChannel)).toMatchObject({
      optional: true,
      element: { type: 'conversations_select', initial_conversation: 'C0FINANCE' },
    });
    expect(block(FIELD.timeZone)).toMatchObject({
      element: {
        type: 'external_select',
        action_id: ACTION.timeZoneSelect,
        min_query_length: 0,
        initial_option: { text: plain('America/Boise (UTC−07:00)'), value: 'America/Boise' },
      },
    });
    expect(block(FIELD.alertTime)).toMatchObject({ element: { type: 'timepicker', initial_time: '09:00' } });
    expect(block(FIELD.digestWeekday)).toMatchObject({
      element: { initial_option: { text: plain('Monday'), value: '1' } },
    });
    expect(block(FIELD.digestTime)).toMatchObject({ element: { initial_time: '08:30' } });
    expect(block(FIELD.staleDays)).toMatchObject({ element: { type: 'number_input', initial_value: '7' } });
    expect(block(FIELD.workingDays)).toMatchObject({
      element: {
        type: 'checkboxes',
        initial_options: [{ value: '1' }, { value: '2' }, { value: '3' }, { value: '4' }, { value: '5' }],
      },
    });
    expect(block(FIELD.financeAdmins)).toMatchObject({
      element: { type: 'multi_users_select', initial_users: [ALICE] },
    });
    expect(block(FIELD.financeAdminGroup)).toMatchObject({ element: { initial_value: 'S0FINANCE' } });
  });

  it('leaves out empty initial lists, which Slack refuses', () => {
    const empty = settingsModal({
      workspace: makeWorkspace({ financeAdmins: [], financeChannel: null }),
      metadata: { key: 'k' },
      now: new Date('2026-11-23T15:00:00Z'),
    });
    const json = JSON.stringify(empty.blocks);
    expect(json).not.toContain('initial_users');
    expect(json).not.toContain('initial_conversation');
  });

  it('reads the settings back as WorkspaceSettings', () => {
    const values: Values = {
      'f.finance_channel': { 'f.finance_channel': { type: 'conversations_select', selected_conversation: 'C0NEWFIN' } },
      'f.time_zone': {
        'settings.zone': {
          type: 'external_select',
          selected_option: { text: plain('Europe/Paris (UTC+01:00)') as never, value: 'Europe/Paris' },
        },
      },
      'f.alert_time': { 'f.alert_time': { type: 'timepicker', selected_time: '08:15' } },
      'f.digest_weekday': {
        'f.digest_weekday': { type: 'static_select', selected_option: { text: plain('Friday') as never, value: '5' } },
      },
      'f.digest_time': { 'f.digest_time': { type: 'timepicker', selected_time: '16:00' } },
      'f.stale_days': { 'f.stale_days': { type: 'number_input', value: '10' } },
      'f.working_days': {
        'f.working_days': {
          type: 'checkboxes',
          selected_options: [
            { text: plain('Monday') as never, value: '1' },
            { text: plain('Tuesday') as never, value: '2' },
            { text: plain('Sunday') as never, value: '0' },
          ],
        },
      },
      'f.finance_admins': { 'f.finance_admins': { type: 'multi_users_select', selected_users: [ALICE, BOB] } },
      'f.finance_admin_group': { 'f.finance_admin_group': { type: 'plain_text_input', value: null } },
    };
    expect(readSettings(values)).toStrictEqual({
      financeChannel: 'C0NEWFIN',
      timeZone: 'Europe/Paris',
      alertTime: '08:15',
      digestWeekday: 5,
      digestTime: '16:00',
      staleDays: 10,
      workingDays: [1, 2, 0],
      financeAdmins: [ALICE, BOB],
      financeAdminGroup: null,
    });
  });
});

describe('fieldErrors', () => {
  it('puts each service issue under its input block, capitalised', () => {
    expect(
      fieldErrors(
        [
          { field: 'total', message: 'must be more than zero' },
          { field: 'number', message: 'INV-0042 is already used' },
        ],
        NEW_INVOICE_FIELDS,
      ),
    ).toEqual({ [FIELD.amount]: 'Must be more than zero', [FIELD.number]: 'INV-0042 is already used' });
  });

  it('reads nested fields by their last part, and joins several messages on one block', () => {
    expect(
      fieldErrors(
        [
          { field: 'changes.total', message: 'must be more than zero' },
          { field: 'changes.total', message: 'cannot be less than what has been paid already ($4,000.00)' },
        ],
        NEW_INVOICE_FIELDS,
      ),
    ).toEqual({
      [FIELD.amount]: 'Must be more than zero; Cannot be less than what has been paid already ($4,000.00)',
    });
  });

  it('sends a field the form does not show to the first block, naming the field', () => {
    expect(fieldErrors([{ field: 'invoice', message: 'is required' }], PAYMENT_FIELDS)).toEqual({
      [FIELD.paymentAmount]: 'Invoice: is required',
    });
    expect(fieldErrors([{ field: 'name', message: 'is required' }], SETTINGS_FIELDS, FIELD.timeZone)).toEqual({
      [FIELD.timeZone]: 'Name: is required',
    });
  });
});

describe('metadata', () => {
  it('round-trips through private_metadata and refuses what is not ours', () => {
    expect(parseMetadata(encodeMetadata(metadata))).toEqual(metadata);
    expect(parseMetadata('')).toBeUndefined();
    expect(parseMetadata('not json')).toBeUndefined();
    expect(parseMetadata('{"invoiceId":"x"}')).toBeUndefined();
  });

  it('refuses metadata longer than Slack allows', () => {
    expect(() => encodeMetadata({ key: 'k'.repeat(3000) })).toThrow(RangeError);
  });
});
