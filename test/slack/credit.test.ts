// Slack end to end, credit on account, refunds and withdrawing a credit note (signed requests to Bolt, the fake
// Slack): a credit note larger than what is due kept on the client's account when the admin ticks the box, the
// client record showing it, applied to another invoice from its card, refunded from the client record; an
// overpayment refunded from the card; a credit note withdrawn from the card, refused for one from Xero. Members are
// told who can, and no form opens.
import { describe, expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { ledgerConnections, ledgerLinks } from '../../src/db/schema.js';
import { issueCreditNote } from '../../src/services/corrections.js';
import { getInvoice, recordPayment } from '../../src/services/invoices.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { CREDIT_ACTION, CREDIT_FIELD, CREDIT_VIEW } from '../../src/slack/ui/modals/credit.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args, Call } from '../helpers/fake-slack.js';
import { asAdmin, sentInvoice } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

// 2026-11-23 10:00 in New York: invoices issued 2026-10-01 net 30 fell due on 2026-10-31.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});

const json = (value: unknown) => JSON.stringify(value ?? null);
const admin = () => asAdmin({ type: 'user', id: ADMIN }, TEAM);

let replies = 0;
async function command(userId: string, text: string): Promise<Args> {
  replies += 1;
  const id = `credit-${replies}`;
  await t.as(userId).slashCommand({ text, response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  return answer.args;
}

async function card(number: string, total = '€800.00') {
  const inv = await sentInvoice(t.ledger, TEAM, BOB, { number, currency: 'EUR', total });
  return { inv, ts: (await t.bot.live.postCard(TEAM, 'C0CHAN', inv.id)).ts };
}

/** Clicks a button (without forgetting the cards the fake holds) and returns what it led to: the next `method` call. */
async function click(userId: string, actionId: string, value: string, ts: string, method = 'views.open') {
  const before = t.fake.calls(method).length;
  await t.as(userId).blockAction({ action_id: actionId, value, message_ts: ts });
  return (await t.fake.waitForCount(method, before + 1)).at(-1) as Call;
}

/** The next update of the card at `ts`, after those seen so far. */
async function nextUpdate(ts: string, seen = updatesOf(ts)) {
  return (await t.fake.waitForCount('chat.update', seen + 1, (c) => c.args.ts === ts)).at(-1) as Call;
}

function updatesOf(ts: string): number {
  return t.fake.calls('chat.update').filter((c) => c.args.ts === ts).length;
}

function creditValues(amount: string, keep: boolean) {
  return {
    [FIELD.creditNumber]: { [FIELD.creditNumber]: stateValue.text('CN-0001') },
    [FIELD.creditAmount]: { [FIELD.creditAmount]: stateValue.text(amount) },
    [CREDIT_FIELD.keepOnAccount]: {
      [CREDIT_FIELD.keepOnAccount]: { type: 'checkboxes', selected_options: keep ? [{ value: 'keep' }] : [] },
    },
    [FIELD.creditDate]: { [FIELD.creditDate]: stateValue.date('2026-11-23') },
    [FIELD.reason]: { [FIELD.reason]: stateValue.text('Project cancelled') },
  };
}

function formValues(fields: { amount?: string; reason?: string | null; method?: string; note?: string }) {
  return {
    [CREDIT_FIELD.amount]: { [CREDIT_FIELD.amount]: stateValue.text(fields.amount ?? null) },
    [CREDIT_FIELD.date]: { [CREDIT_FIELD.date]: stateValue.date('2026-11-23') },
    [CREDIT_FIELD.method]: { [CREDIT_FIELD.method]: stateValue.text(fields.method ?? null) },
    [CREDIT_FIELD.reference]: { [CREDIT_FIELD.reference]: stateValue.text(null) },
    [CREDIT_FIELD.note]: { [CREDIT_FIELD.note]: stateValue.select(fields.note ?? '') },
    [CREDIT_FIELD.reason]: { [CREDIT_FIELD.reason]: stateValue.text(fields.reason ?? null) },
  };
}

describe('credit kept on the client’s account', () => {
  it('keeps the excess when ticked, shows it on the client record, applies it to another invoice and refunds the rest', async () => {
    const first = await card('K-1');
    const second = await card('K-2', '€500.00');
    // The credit note form: over what is due, refused unless the box is ticked.
    await t.as(ADMIN).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `credit:${first.inv.id}` },
      message_ts: first.ts,
    });
    const opened = await t.fake.waitFor('views.open');
    expect(json(opened.args.view.blocks)).toContain('Keep what is more than due as credit on Globex');
    const refused = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.creditNote,
      private_metadata: opened.args.view.private_metadata,
      values: creditValues('€1,100.00', false),
    });
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: { [FIELD.creditAmount]: 'Is more than the €800.00 still due' },
    });
    const kept = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.creditNote,
      private_metadata: opened.args.view.private_metadata,
      values: creditValues('€1,100.00', true),
    });
    expect(kept.body).toBe('');
    const credited = await t.fake.waitFor('chat.update', (c) => c.args.ts === first.ts);
    expect(json(credited.args.blocks)).not.toContain(CREDIT_ACTION.apply);
    expect(json(credited.args.blocks)).toContain('Credited on 2026-11-23');
    expect(json(credited.args.blocks)).toContain('€300.00 kept on the client');

    // The client record: the credit, where it came from, and a refund button for an admin (not for a member).
    const record = await command(ADMIN, 'client Globex');
    expect(json(record.blocks)).toContain('*Credit on account*: €300.00');
    expect(json(record.blocks)).toContain('€300.00 kept from K-1');
    expect(json(record.blocks)).toContain(CREDIT_ACTION.refundAccount);
    expect(json((await command(BOB, 'client Globex')).blocks)).not.toContain(CREDIT_ACTION.refundAccount);

    // The client's other card was redrawn: it now offers the credit. A member is refused, an admin applies part of it.
    const offered = await t.fake.waitFor('chat.update', (c) => c.args.ts === second.ts);
    expect(json(offered.args.blocks)).toContain(CREDIT_ACTION.apply);
    const forms = t.fake.calls('views.open').length;
    expect((await click(BOB, CREDIT_ACTION.apply, second.inv.id, second.ts, 'response_url')).args.text).toContain(
      'can apply credit on account',
    );
    expect(t.fake.calls('views.open')).toHaveLength(forms);
    const apply = await click(ADMIN, CREDIT_ACTION.apply, second.inv.id, second.ts);
    expect(apply.args.view.callback_id).toBe(CREDIT_VIEW.apply);
    expect(json(apply.args.view.blocks)).toContain('Globex has *€300.00* of credit on account');
    const tooMuch = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.apply,
      private_metadata: apply.args.view.private_metadata,
      values: formValues({ amount: '400', reason: 'Agreed' }),
    });
    expect(tooMuch.body).toEqual({
      response_action: 'errors',
      errors: { [CREDIT_FIELD.amount]: 'Is more than the €300.00 on account' },
    });
    const seen = updatesOf(second.ts);
    const done = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.apply,
      private_metadata: apply.args.view.private_metadata,
      values: formValues({ amount: '200', reason: 'Agreed with Ada' }),
    });
    expect(done.body).toBe('');
    const applied = await nextUpdate(second.ts, seen);
    expect(json(applied.args.blocks)).toContain('€300.00 due');
    expect(json(applied.args.blocks)).toContain('€200.00 of credit on account applied on 2026-11-23');
    expect((await getInvoice(t.ledger, TEAM, second.inv.id)).status.amountDueMinor).toBe(30_000n);

    // The rest refunded from the client record's button: the admin hears it in their DM.
    const again = await command(ADMIN, 'client Globex');
    expect(json(again.blocks)).toContain('*Credit on account*: €100.00');
    const clientId = second.inv.clientId;
    const refund = await click(ADMIN, CREDIT_ACTION.refundAccount, `${clientId}:EUR`, second.ts);
    expect(refund.args.view.callback_id).toBe(CREDIT_VIEW.refund);
    await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.refund,
      private_metadata: refund.args.view.private_metadata,
      values: formValues({ amount: '100', method: 'bank transfer', reason: 'Client asked' }),
    });
    const told = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(told.args.text).toContain('Recorded a refund of €100.00 of Globex');
    expect(told.args.text).toContain('€0.00 left');
    const last = await command(ADMIN, 'client Globex');
    expect(json(last.blocks)).toContain('*Credit on account*: none');
    expect(json(last.blocks)).toContain('€100.00 refunded from the account · bank transfer');
  });
});

describe('refunding an overpayment from the card', () => {
  it('opens the refund form on an overpaid card, refuses more than the overpayment, and updates the card', async () => {
    const { inv } = await card('O-1');
    await recordPayment(t.ledger, TEAM, admin(), { invoice: 'O-1', amount: '900', overpayment: true });
    t.fake.reset();
    const { ts } = await t.bot.live.postCard(TEAM, 'C0CHAN', inv.id);
    expect(json((await t.fake.waitFor('chat.postMessage')).args.blocks)).toContain(CREDIT_ACTION.refund);
    expect((await click(BOB, CREDIT_ACTION.refund, inv.id, ts, 'response_url')).args.text).toContain(
      'can record refunds',
    );
    const opened = await click(ADMIN, CREDIT_ACTION.refund, inv.id, ts);
    expect(json(opened.args.view.blocks)).toContain('O-1 is overpaid by *€100.00*');
    const missing = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.refund,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ amount: '150', reason: null }),
    });
    expect(Object.keys((missing.body as { errors: object }).errors)).toEqual([CREDIT_FIELD.reason]);
    const over = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.refund,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ amount: '150', reason: 'Paid too much' }),
    });
    expect(over.body).toEqual({
      response_action: 'errors',
      errors: { [CREDIT_FIELD.amount]: 'Is more than the €100.00 refundable' },
    });
    await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.refund,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ amount: '100', method: 'SEPA', reason: 'Paid too much' }),
    });
    const updated = await t.fake.waitFor('chat.update', (c) => c.args.ts === ts);
    expect(json(updated.args.blocks)).toContain('€100.00 refunded on 2026-11-23 · SEPA');
    expect(json(updated.args.blocks)).not.toContain(CREDIT_ACTION.refund);
    expect((await getInvoice(t.ledger, TEAM, inv.id)).status.state).toBe('paid');
    const history = await getHistory(t.ledger.db, { teamId: TEAM, invoiceId: inv.id, kinds: ['refunded'] });
    expect(history).toHaveLength(1);
  });
});

describe('withdrawing a credit note from the card', () => {
  it('withdraws for an admin with a reason: the card is Overdue again; a member is refused', async () => {
    const { inv } = await card('W-1');
    const { result } = await issueCreditNote(t.ledger, TEAM, admin(), {
      invoice: 'W-1',
      number: 'CN-9',
      reason: 'Cancelled',
    });
    t.fake.reset();
    const { ts } = await t.bot.live.postCard(TEAM, 'C0CHAN', inv.id);
    expect(json((await t.fake.waitFor('chat.postMessage')).args.blocks)).toContain(CREDIT_ACTION.withdraw);
    expect((await click(BOB, CREDIT_ACTION.withdraw, inv.id, ts, 'response_url')).args.text).toContain(
      'can withdraw credit notes',
    );
    const opened = await click(ADMIN, CREDIT_ACTION.withdraw, inv.id, ts);
    expect(opened.args.view.callback_id).toBe(CREDIT_VIEW.withdraw);
    expect(json(opened.args.view.blocks)).toContain('CN-9 · €800.00 on 2026-11-23');
    const noReason = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.withdraw,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ note: result.creditNoteId, reason: null }),
    });
    expect(Object.keys((noReason.body as { errors: object }).errors)).toEqual([CREDIT_FIELD.reason]);
    await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.withdraw,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ note: result.creditNoteId, reason: 'Issued in error' }),
    });
    const updated = await t.fake.waitFor('chat.update', (c) => c.args.ts === ts);
    expect(json(updated.args.blocks)).toContain('Overdue');
    expect(json(updated.args.blocks)).toContain('€800.00 due');
    const history = await getHistory(t.ledger.db, {
      teamId: TEAM,
      invoiceId: inv.id,
      kinds: ['credit_note_withdrawn'],
    });
    expect(history[0]).toMatchObject({ actorId: ADMIN, details: { reason: 'Issued in error' } });
  });

  it('refuses a credit note on an invoice from Xero, saying to withdraw it in Xero', async () => {
    const { inv } = await card('X-1');
    const { result } = await issueCreditNote(t.ledger, TEAM, admin(), { invoice: 'X-1', number: 'CN-7', reason: 'x' });
    await t.ledger.db.insert(ledgerConnections).values({
      teamId: TEAM,
      provider: 'xero',
      tenantId: 'tenant-1',
      tenantName: 'Studio Ltd',
      status: 'ok',
      connectedBy: ADMIN,
      connectedAt: t.ledger.clock.now(),
    });
    await t.ledger.db
      .insert(ledgerLinks)
      .values({ teamId: TEAM, provider: 'xero', kind: 'invoice', externalId: 'xero-x-1', localId: inv.id });
    const { ts } = await t.bot.live.postCard(TEAM, 'C0CHAN', inv.id);
    const opened = await click(ADMIN, CREDIT_ACTION.withdraw, inv.id, ts);
    const refused = await t.as(ADMIN).viewSubmission({
      callback_id: CREDIT_VIEW.withdraw,
      private_metadata: opened.args.view.private_metadata,
      values: formValues({ note: result.creditNoteId, reason: 'Wrong' }),
    });
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: {
        [CREDIT_FIELD.note]:
          'X-1 comes from Xero: withdraw its credit notes in Xero; the change reaches here at the next sync.',
      },
    });
    expect((await getInvoice(t.ledger, TEAM, inv.id)).status.state).toBe('credited');
  });
});
