// The builders of posting payments to the ledger: where a payment stands (on a card and under /invoice connect),
// the setting's modal, and the refusal said once — whole payloads, with the ledger's and people's text escaped.
import { describe, expect, it } from 'vitest';
import type { LedgerPushRow, LedgerPushSettingRow } from '../../../src/db/schema.js';
import { parseInvoiceCommand } from '../../../src/slack/command.js';
import { invoiceCard } from '../../../src/slack/ui/card.js';
import { FIELD, VIEW } from '../../../src/slack/ui/ids.js';
import {
  pushFailedMessage,
  pushLine,
  pushLines,
  pushSettingModal,
  pushStatusLines,
  readPushForm,
} from '../../../src/slack/ui/ledger-push.js';
import { NOW, sentInvoice, ZONE } from './fixtures.js';

const AT = new Date('2026-11-14T15:30:00Z');
const RETRY_UNIX = Math.floor(AT.getTime() / 1000);

function push(overrides: Partial<LedgerPushRow> = {}): LedgerPushRow {
  return {
    teamId: 'T0ACME',
    id: '00000000-0000-4000-8000-000000000001',
    provider: 'xero',
    tenantId: 'tenant-1',
    eventId: 4182n,
    invoiceId: '00000000-0000-4000-8000-000000000002',
    paymentId: '00000000-0000-4000-8000-000000000003',
    externalInvoiceId: 'xero-inv',
    amountMinor: 50000n,
    currency: 'USD',
    paidOn: '2026-11-14',
    accountId: 'acc-1',
    accountCode: '090',
    reference: 'recorded in Slack, receivables event 4182',
    idempotencyKey: 'receivables-event-4182-x',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: AT,
    lastError: null,
    uncertainSince: null,
    externalPaymentId: null,
    claimToken: null,
    claimedUntil: null,
    createdAt: AT,
    sentAt: null,
    failedAt: null,
    ...overrides,
  };
}

const setting: LedgerPushSettingRow = {
  teamId: 'T0ACME',
  provider: 'xero',
  tenantId: 'tenant-1',
  enabled: true,
  accountId: 'acc-1',
  accountCode: '090',
  accountName: 'Business <Bank> & Co',
  updatedBy: 'U0ALICE',
  updatedAt: AT,
};

describe('where a payment stands in the ledger', () => {
  it('says on its way, sent, retrying with the time, or refused with what to do, escaping Xero’s words', () => {
    expect(pushLine(push(), 'Xero', ZONE)).toBe('⏳ Payment of $500.00 is on its way to Xero.');
    expect(pushLine(push({ status: 'sent', externalPaymentId: 'p' }), 'Xero', ZONE)).toBe(
      '✅ Payment of $500.00 sent to Xero.',
    );
    expect(pushLine(push({ lastError: 'No answer from api.xero.com <!channel>' }), 'Xero', ZONE)).toBe(
      `⚠️ Payment of $500.00 not yet in Xero: No answer from api.xero.com &lt;!channel&gt;; retrying <!date^${RETRY_UNIX}^{date_short_pretty} at {time}|2026-11-14 15:30>.`,
    );
    expect(pushLine(push({ status: 'failed', lastError: 'Xero refused it: too much' }), 'Xero', ZONE, 'INV-7')).toBe(
      '❌ Payment of $500.00 on INV-7 not in Xero: Xero refused it: too much It stays recorded here; record it in Xero by hand.',
    );
  });

  it('puts the latest three on the card, in a context above its time', () => {
    const lines = pushLines(
      [push(), push({ status: 'sent' }), push({ amountMinor: 100n }), push({ status: 'sent' })],
      ZONE,
    );
    expect(lines).toHaveLength(3);
    const card = invoiceCard(sentInvoice(), { now: NOW, timeZone: ZONE, ledgerLines: lines });
    const contexts = card.blocks.filter((b) => b.type === 'context');
    expect(contexts).toHaveLength(2);
    expect(contexts[0]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '✅ Payment of $500.00 sent to Xero.\n⏳ Payment of $1.00 is on its way to Xero.\n✅ Payment of $500.00 sent to Xero.',
        },
      ],
    });
    expect(
      invoiceCard(sentInvoice(), { now: NOW, timeZone: ZONE }).blocks.filter((b) => b.type === 'context'),
    ).toHaveLength(1);
  });

  it('lists the setting and what is not yet in the ledger under /invoice connect', () => {
    expect(
      pushStatusLines({
        label: 'Xero',
        setting,
        on: true,
        unsupported: undefined,
        unsent: [{ ...push({ status: 'failed', lastError: 'refused' }), number: 'INV-7' }],
        timeZone: ZONE,
      }),
    ).toEqual([
      'Payments recorded in Slack go to Xero, into *Business &lt;Bank&gt; &amp; Co (090)* (set by <@U0ALICE>); `/invoice connect xero payments` changes it.',
      '❌ Payment of $500.00 on INV-7 not in Xero: refused It stays recorded here; record it in Xero by hand.',
    ]);
    expect(
      pushStatusLines({
        label: 'Xero',
        setting: undefined,
        on: false,
        unsupported: undefined,
        unsent: [],
        timeZone: ZONE,
      }),
    ).toEqual([
      'Payments recorded in Slack are not posted to Xero (off); `/invoice connect xero payments` turns it on.',
    ]);
    expect(
      pushStatusLines({
        label: 'QuickBooks',
        setting: undefined,
        on: false,
        unsupported: 'Posting payments is not supported for QuickBooks yet.',
        unsent: [],
        timeZone: ZONE,
      }),
    ).toEqual(['Posting payments: Posting payments is not supported for QuickBooks yet.']);
  });

  it('says a refusal with what to do', () => {
    const message = pushFailedMessage({
      label: 'Xero',
      number: 'INV-7',
      amountMinor: 50000n,
      currency: 'USD',
      reason: 'Xero refused it: Payment amount exceeds the amount outstanding on this document',
    });
    expect(message.text).toBe(
      '❌ Xero refused the payment of $500.00 on INV-7 recorded in Slack: Xero refused it: Payment amount exceeds the amount outstanding on this document It stays recorded here. Record it in Xero by hand (or fix what Xero says, then record it there), so the books agree; it is not sent again.',
    );
    expect(message.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: message.text } }]);
  });
});

describe('the setting’s modal', () => {
  const accounts = [
    { externalId: 'acc-1', code: '090', name: 'Business <Bank> & Co', type: 'BANK', currency: 'USD' },
    { externalId: 'acc-2', code: null, name: 'Stripe clearing', type: 'CURRLIAB', currency: null },
  ];

  it('offers on or off and the accounts by name and code, showing what is chosen now', () => {
    const view = pushSettingModal({ label: 'Xero', provider: 'xero', accounts, setting, on: true });
    expect(view.callback_id).toBe(VIEW.ledgerPush);
    expect(view.private_metadata).toBe('{"provider":"xero"}');
    expect(view.title).toEqual({ type: 'plain_text', text: 'Payments to Xero' });
    const [, enabled, account] = view.blocks;
    expect(enabled).toEqual({
      type: 'input',
      block_id: FIELD.pushEnabled,
      label: { type: 'plain_text', text: 'Post payments to Xero' },
      element: {
        type: 'radio_buttons',
        action_id: FIELD.pushEnabled,
        options: [
          { text: { type: 'plain_text', text: 'On: post them to Xero' }, value: 'on' },
          { text: { type: 'plain_text', text: 'Off: record them in Xero' }, value: 'off' },
        ],
        initial_option: { text: { type: 'plain_text', text: 'On: post them to Xero' }, value: 'on' },
      },
    });
    expect(account).toEqual({
      type: 'input',
      block_id: FIELD.pushAccount,
      optional: true,
      label: { type: 'plain_text', text: 'Paid into' },
      hint: { type: 'plain_text', text: 'Bank accounts and accounts that take payments in Xero' },
      element: {
        type: 'static_select',
        action_id: FIELD.pushAccount,
        placeholder: { type: 'plain_text', text: 'Choose an account' },
        options: [
          { text: { type: 'plain_text', text: 'Business <Bank> & Co (090)' }, value: 'acc-1' },
          { text: { type: 'plain_text', text: 'Stripe clearing' }, value: 'acc-2' },
        ],
        initial_option: { text: { type: 'plain_text', text: 'Business <Bank> & Co (090)' }, value: 'acc-1' },
      },
    });
  });

  it('starts off, says when Xero has no account to pay into, and reads what was chosen', () => {
    const off = pushSettingModal({ label: 'Xero', provider: 'xero', accounts: [], setting: undefined, on: false });
    expect(JSON.stringify(off.blocks)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Off: record them in Xero"},"value":"off"}',
    );
    expect(JSON.stringify(off.blocks)).toContain('lists no active bank account');
    expect(
      readPushForm({
        [FIELD.pushEnabled]: { [FIELD.pushEnabled]: { type: 'radio_buttons', selected_option: { value: 'on' } } },
        [FIELD.pushAccount]: { [FIELD.pushAccount]: { type: 'static_select', selected_option: { value: 'acc-1' } } },
      } as never),
    ).toEqual({ enabled: true, accountId: 'acc-1' });
  });

  it('is opened by /invoice connect xero payments', () => {
    expect(parseInvoiceCommand('connect xero payments')).toEqual({
      kind: 'connect',
      action: 'payments',
      provider: 'xero',
    });
  });
});
