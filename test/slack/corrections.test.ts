// Slack end to end, the corrections: a finance admin reverses a payment from a paid card and the card turns back to
// Overdue in place; a credit note from the card's menu, refused on its field when larger than what is due, then
// closing the invoice as Credited. Each seen as a person would: the form, the refusal, the card.
import { describe, expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import { asAdmin, sentInvoice } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

// 2026-11-23 10:00 in New York: an invoice issued 2026-10-01 net 30 fell due on 2026-10-31.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});

const json = (value: unknown) => JSON.stringify(value ?? null);

async function cardOf(number: string, paid: boolean) {
  const inv = await sentInvoice(t.ledger, TEAM, BOB, { number, currency: 'EUR', total: '€800.00' });
  const payment = paid
    ? (
        await recordPayment(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), {
          invoice: number,
          reference: 'SEPA 1142',
        })
      ).result
    : undefined;
  t.fake.reset();
  const card = await t.bot.live.postCard(TEAM, 'C0CHAN', inv.id);
  return { inv, card, paymentId: payment?.paymentId };
}

describe('reversing a payment from the card', () => {
  it('takes a payment back for a finance admin: the same card turns back to Overdue', async () => {
    const { inv, card, paymentId } = await cardOf('R-1', true);
    const posted = await t.fake.waitFor('chat.postMessage');
    expect(json(posted.args.blocks)).toContain('Paid');
    expect(json(posted.args.blocks)).toContain(ACTION.reversePayment);

    // A member is told who can, and no form opens.
    await t.as(BOB).blockAction({ action_id: ACTION.reversePayment, value: inv.id, message_ts: card.ts });
    expect((await t.fake.waitFor('response_url')).args.text).toContain('can reverse payments');
    expect(t.fake.calls('views.open')).toHaveLength(0);

    await t.as(ADMIN).blockAction({ action_id: ACTION.reversePayment, value: inv.id, message_ts: card.ts });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.reversePayment);
    expect(json(opened.args.view.blocks)).toContain('€800.00 received 2026-11-23 · ref SEPA 1142');

    // The reason is required: without it, the form says so on its field and nothing changes.
    const missing = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.reversePayment,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.reversedPayment]: { [FIELD.reversedPayment]: stateValue.select(paymentId ?? '') },
        [FIELD.reason]: { [FIELD.reason]: stateValue.text(null) },
      },
    });
    expect(missing.body).toMatchObject({ response_action: 'errors' });
    expect(Object.keys((missing.body as { errors: object }).errors)).toEqual([FIELD.reason]);
    expect((await getInvoice(t.ledger, TEAM, inv.id)).status.state).toBe('paid');

    const submitted = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.reversePayment,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.reversedPayment]: { [FIELD.reversedPayment]: stateValue.select(paymentId ?? '') },
        [FIELD.reason]: { [FIELD.reason]: stateValue.text('Recorded against the wrong invoice') },
      },
    });
    expect(submitted.status).toBe(200);
    const updated = await t.fake.waitFor('chat.update');
    expect(updated.args).toMatchObject({ channel: 'C0CHAN', ts: card.ts });
    expect(json(updated.args.blocks)).toContain('Overdue');
    expect(json(updated.args.blocks)).toContain('€800.00 due');
    expect(json(updated.args.blocks)).toContain(ACTION.markPaid);
    expect(updated.args.text).toContain('Overdue');
    const history = await getHistory(t.ledger.db, { teamId: TEAM, invoiceId: inv.id, kinds: ['payment_reversed'] });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ actorId: ADMIN, details: { reason: 'Recorded against the wrong invoice' } });

    // The same form sent again (Slack retrying, a double click) records nothing more.
    await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.reversePayment,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.reversedPayment]: { [FIELD.reversedPayment]: stateValue.select(paymentId ?? '') },
        [FIELD.reason]: { [FIELD.reason]: stateValue.text('Recorded against the wrong invoice') },
      },
    });
    await t.bot.idle();
    expect(
      await getHistory(t.ledger.db, { teamId: TEAM, invoiceId: inv.id, kinds: ['payment_reversed'] }),
    ).toHaveLength(1);

    // Nothing is left to reverse: the card's menu no longer offers it, and the button says so.
    expect(json(updated.args.blocks)).not.toContain(`reverse:${inv.id}`);
    await t.as(ADMIN).blockAction({ action_id: ACTION.reversePayment, value: inv.id, message_ts: card.ts });
    const [, told] = await t.fake.waitForCount('response_url', 2);
    expect(told?.args.text).toContain('R-1 has no payment to reverse.');
  });
});

describe('a credit note from the card', () => {
  it('is refused on its amount when larger than what is due, then closes the invoice as Credited', async () => {
    const { inv, card } = await cardOf('C-1', false);
    await t.as(ADMIN).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `credit:${inv.id}` },
      message_ts: card.ts,
    });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.creditNote);
    expect(json(opened.args.view.blocks)).toContain('CN-0001');
    const values = (amount: string) => ({
      [FIELD.creditNumber]: { [FIELD.creditNumber]: stateValue.text('CN-0001') },
      [FIELD.creditAmount]: { [FIELD.creditAmount]: stateValue.text(amount) },
      [FIELD.creditDate]: { [FIELD.creditDate]: stateValue.date('2026-11-23') },
      [FIELD.reason]: { [FIELD.reason]: stateValue.text('Project cancelled') },
    });
    const tooMuch = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.creditNote,
      private_metadata: opened.args.view.private_metadata,
      values: values('€900.00'),
    });
    expect(tooMuch.body).toEqual({
      response_action: 'errors',
      errors: { [FIELD.creditAmount]: 'Is more than the €800.00 still due' },
    });
    await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.creditNote,
      private_metadata: opened.args.view.private_metadata,
      values: values('800'),
    });
    const updated = await t.fake.waitFor('chat.update');
    expect(updated.args).toMatchObject({ channel: 'C0CHAN', ts: card.ts });
    expect(json(updated.args.blocks)).toContain('Credited on 2026-11-23');
    expect(json(updated.args.blocks)).toContain('credited in full');
    expect(json(updated.args.blocks)).not.toContain('Paid');
    expect(json(updated.args.blocks)).not.toContain(ACTION.markPaid);
  });
});
