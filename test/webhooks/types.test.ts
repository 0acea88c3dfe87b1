// The webhook's `type` for each event kind: named kinds keep their names; a new kind still goes out under its subject.
import { describe, expect, it } from 'vitest';
import { webhookType } from '../../src/webhooks/payload.js';

const onInvoice = { invoiceId: 'i', clientId: 'c' };
const onClient = { invoiceId: null, clientId: 'c' };

describe('webhookType', () => {
  it('names the ledger and the client answers', () => {
    expect(webhookType('part_paid', onInvoice)).toBe('invoice.payment_recorded');
    expect(webhookType('edited', onInvoice)).toBe('invoice.updated');
    expect(webhookType('client_scheduled', onInvoice)).toBe('invoice.payment_scheduled');
    expect(webhookType('client_approved', onInvoice)).toBe('invoice.client_approved');
    expect(webhookType('client_question', onInvoice)).toBe('invoice.client_question');
    expect(webhookType('client_disputed', onInvoice)).toBe('invoice.client_disputed');
    expect(webhookType('link_shared', onClient)).toBe('client.link_shared');
    expect(webhookType('link_revoked', onClient)).toBe('client.link_revoked');
    expect(webhookType('payment_reversed', onInvoice)).toBe('invoice.payment_reversed');
    expect(webhookType('credit_note_issued', onInvoice)).toBe('invoice.credited');
  });

  it('names credit on account and refunds in the style of the other corrections', () => {
    expect(webhookType('account_credit_applied', onInvoice)).toBe('invoice.account_credit_applied');
    expect(webhookType('refunded', onInvoice)).toBe('invoice.refunded');
    expect(webhookType('account_credit_refunded', onClient)).toBe('client.account_credit_refunded');
    expect(webhookType('credit_note_withdrawn', onInvoice)).toBe('invoice.credit_note_withdrawn');
  });

  it('sends a kind it does not know yet under its subject', () => {
    expect(webhookType('reminded', onInvoice)).toBe('invoice.reminded');
    expect(webhookType('client_merged', onClient)).toBe('client.merged');
    expect(webhookType('settings_changed', { invoiceId: null, clientId: null })).toBe('workspace.settings_changed');
  });
});
