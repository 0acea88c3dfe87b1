import { describe, expect, it } from 'vitest';
import { invoiceCard } from '../../../src/slack/ui/card.js';
import { ACTION } from '../../../src/slack/ui/ids.js';
import { CREDIT_ACTION } from '../../../src/slack/ui/modals/credit.js';
import {
  INVOICE_ID,
  makeInvoice,
  NOW,
  NOW_UNIX,
  overdueDisputedInvoice,
  paidInvoice,
  sentInvoice,
  ZONE,
} from './fixtures.js';

const asOf = {
  type: 'context',
  elements: [{ type: 'mrkdwn', text: `As of <!date^${NOW_UNIX}^{date_short_pretty} at {time}|2026-11-14 09:30>` }],
};

const menuOption = (text: string, what: string) => ({
  text: { type: 'plain_text', text },
  value: `${what}:${INVOICE_ID}`,
});

/** The menu of a sent invoice: it can be credited; with `paid`, a payment recorded on it can be reversed. */
const moreMenu = (opts: { paid?: boolean } = {}) => ({
  type: 'overflow',
  action_id: ACTION.more,
  options: [
    menuOption('Edit', 'edit'),
    menuOption('Void', 'void'),
    menuOption('History', 'history'),
    menuOption('Issue credit note', 'credit'),
    ...(opts.paid ? [menuOption('Reverse a payment', 'reverse')] : []),
  ],
});

const button = (text: string, actionId: string, style?: 'primary', value = INVOICE_ID) => ({
  type: 'button',
  text: { type: 'plain_text', text, emoji: true },
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

const historyButton = button('History', ACTION.more, undefined, `history:${INVOICE_ID}`);

describe('invoiceCard', () => {
  it('shows a sent invoice with its due date, basis, owner, last action and the buttons to act on it', () => {
    expect(invoiceCard(sentInvoice(), { now: NOW, timeZone: ZONE })).toEqual({
      text: 'INV-0042 · Acme Corp: $10,000.00 due of $10,000.00 · 🔵 Sent · due in 18 days',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n*$10,000.00 due* of $10,000.00' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Status*\n🔵 Sent · due in 18 days' },
            { type: 'mrkdwn', text: '*Due*\n2026-12-02 · net 30 from 2026-11-02' },
            { type: 'mrkdwn', text: '*Owner*\n<@U0ALICE>' },
            { type: 'mrkdwn', text: '*Last action*\nmarked sent by <@U0ALICE> · 12 days ago' },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Description*\nWebsite redesign, phase 2' } },
        {
          type: 'actions',
          elements: [
            button('Mark paid', ACTION.markPaid, 'primary'),
            button('Log chase', ACTION.logChase),
            button('Hold or dispute', ACTION.hold),
            moreMenu(),
          ],
        },
        asOf,
      ],
    });
  });

  it('shows an overdue, part-paid invoice in dispute with a broken promise, and offers to resolve the dispute', () => {
    expect(invoiceCard(overdueDisputedInvoice(), { now: NOW, timeZone: ZONE })).toEqual({
      text:
        'INV-0042 · Acme Corp: $6,000.00 due of $10,000.00 · 🔴 Overdue · 25 days · ⚠️ disputed · ' +
        '💔 promised 2026-11-06, broken',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n*$6,000.00 due* of $10,000.00' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Status*\n🔴 Overdue · 25 days' },
            { type: 'mrkdwn', text: '*Due*\n2026-10-20 · net 30 from 2026-09-20 (delivery)' },
            { type: 'mrkdwn', text: '*Owner*\n<@U0ALICE>' },
            { type: 'mrkdwn', text: '*Last action*\nchased by <@U0BOB> · 3 days ago' },
            { type: 'mrkdwn', text: '*⚠️ Disputed* since 2026-11-08 by <@U0BOB>\nSays milestone 2 is not delivered' },
            { type: 'mrkdwn', text: '*Promised to pay by*\n2026-11-06 — 💔 broken' },
            { type: 'mrkdwn', text: '*Next follow-up*\n2026-11-17' },
          ],
        },
        {
          type: 'actions',
          elements: [
            button('Mark paid', ACTION.markPaid, 'primary'),
            button('Log chase', ACTION.logChase),
            button('Resolve dispute', ACTION.release),
            moreMenu({ paid: true }),
          ],
        },
        asOf,
      ],
    });
  });

  it('shows a paid invoice with no action buttons but its history and reversing a payment recorded by mistake', () => {
    expect(invoiceCard(paidInvoice(), { now: NOW, timeZone: ZONE })).toEqual({
      text: 'INV-0042 · Acme Corp: $10,000.00 · ✅ Paid on 2026-11-10',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n*$10,000.00* paid in full' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Status*\n✅ Paid on 2026-11-10' },
            { type: 'mrkdwn', text: '*Due*\n2026-12-02 · net 30 from 2026-11-02' },
            { type: 'mrkdwn', text: '*Owner*\n<@U0ALICE>' },
            { type: 'mrkdwn', text: '*Last action*\nmarked paid by <@U0BOB> · 4 days ago' },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Description*\nWebsite redesign, phase 2' } },
        { type: 'actions', elements: [historyButton, button('Reverse a payment', ACTION.reversePayment)] },
        asOf,
      ],
    });
  });

  it('shows a credited invoice as Credited, not Paid, with its history and withdrawing the credit note', () => {
    const credited = makeInvoice({
      creditedMinor: 1_000_000n,
      paidOn: '2026-11-12',
      lastAction: { kind: 'credit_note_issued', at: new Date('2026-11-12T14:00:00Z'), by: 'U0BOB' },
    });
    const card = invoiceCard(credited, { now: NOW, timeZone: ZONE });
    expect(card.text).toBe('INV-0042 · Acme Corp: $10,000.00 · 🧾 Credited on 2026-11-12');
    expect(card.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n*$10,000.00* credited in full' },
    });
    expect(card.blocks).toContainEqual({
      type: 'actions',
      elements: [
        historyButton,
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Withdraw credit note', emoji: true },
          action_id: CREDIT_ACTION.withdraw,
          value: credited.id,
        },
      ],
    });
    expect(JSON.stringify(card.blocks)).toContain('issued a credit note by <@U0BOB> · 2 days ago');
  });

  it('shows a partial credit beside what is still due', () => {
    const card = invoiceCard(makeInvoice({ creditedMinor: 250_000n }), { now: NOW, timeZone: ZONE });
    expect(card.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n*$7,500.00 due* of $10,000.00 · $2,500.00 credited' },
    });
  });

  it('offers Mark sent instead of Log chase on a draft', () => {
    const card = invoiceCard(makeInvoice({ sentAt: null, lastAction: null }), { now: NOW, timeZone: ZONE });
    const actions = card.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: ACTION.markPaid },
        { action_id: ACTION.markSent },
        { action_id: ACTION.hold },
        { action_id: ACTION.more },
      ],
    });
    expect(card.text).toBe('INV-0042 · Acme Corp: $10,000.00 due of $10,000.00 · 📝 Draft · not sent yet');
  });

  it('marks an invoice Due today in yellow, and says "nothing yet" when no one has acted on it', () => {
    const card = invoiceCard(makeInvoice({ issueDate: '2026-10-15', lastAction: null }), { now: NOW, timeZone: ZONE });
    expect(card.blocks[1]).toMatchObject({
      fields: [{ text: '*Status*\n🟡 Due today' }, {}, {}, { text: '*Last action*\nnothing yet' }],
    });
  });

  it('shows a void invoice struck through, with its reason and only a History button', () => {
    const inv = makeInvoice({ voidedAt: new Date('2026-11-12T10:00:00Z'), voidReason: 'Raised twice' });
    const card = invoiceCard(inv, { now: NOW, timeZone: ZONE });
    expect(card.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*INV-0042* · Acme Corp\n~$10,000.00~ void' },
    });
    expect(card.blocks[1]).toMatchObject({
      fields: [{ text: '*Status*\n⚫ Void' }, {}, {}, {}, { text: '*Void because*\nRaised twice' }],
    });
    expect(card.blocks.find((b) => b.type === 'actions')).toEqual({
      type: 'actions',
      elements: [historyButton],
    });
  });

  it('shows an invoice on hold with a Release hold button', () => {
    const inv = makeInvoice({ hold: { kind: 'hold', reason: 'Waiting for a PO', since: NOW, by: null } });
    const card = invoiceCard(inv, { now: NOW, timeZone: ZONE });
    expect(JSON.stringify(card.blocks)).toContain('*⏸️ On hold* since 2026-11-14\\nWaiting for a PO');
    expect(card.blocks.find((b) => b.type === 'actions')).toMatchObject({
      elements: [{}, {}, { action_id: ACTION.release, text: { text: 'Release hold' } }, {}],
    });
  });

  it('cuts a long description and keeps it escaped', () => {
    const card = invoiceCard(makeInvoice({ description: `${'<b>&'.repeat(1000)}` }), { now: NOW, timeZone: ZONE });
    const description = card.blocks[2];
    expect(description).toMatchObject({ type: 'section' });
    const text = (description as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(1000 + '*Description*\n'.length);
    expect(text).not.toContain('<b>');
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toMatch(/&[a-z]*…$/);
  });
});
