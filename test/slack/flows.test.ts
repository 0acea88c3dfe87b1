// Slack end to end, the rest of the flows: paid and chase from the command line, the chase, hold, void,
// edit and history forms, Mark sent — each seen as a person would: the modal, the message, the card.
import { describe, expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import { sentInvoice as sentBy } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});

const json = (value: unknown) => JSON.stringify(value ?? null);

async function invoice(number: string, status: 'draft' | 'sent' = 'sent') {
  const result = await sentBy(t.ledger, TEAM, BOB, { number, currency: 'EUR', total: '€800.00', status });
  // Forget earlier calls, but keep the card's message in the fake channel so it can be updated.
  t.fake.reset();
  const card = await t.bot.live.postCard(TEAM, 'C0CHAN', result.id);
  return { invoice: result, card };
}

describe('from the command line', () => {
  it('opens the payment form pre-filled from "/invoice paid INV-7 500 2026-11-20"', async () => {
    await invoice('INV-7');
    await t.as(ADMIN).slashCommand({ text: 'paid INV-7 500 2026-11-20' });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.payment);
    expect(json(opened.args.view.blocks)).toContain('"initial_value":"500"');
    expect(json(opened.args.view.blocks)).toContain('"initial_date":"2026-11-20"');
  });

  it('opens the chase form with what happened, and records the chase from it', async () => {
    const { invoice: inv, card } = await invoice('INV-8');
    await t.as(BOB).slashCommand({ text: 'chase INV-8 called AP, paying Friday' });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.chase);
    expect(json(opened.args.view.blocks)).toContain('called AP, paying Friday');
    const response = await t.as(BOB).viewSubmission({
      callback_id: VIEW.chase,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.select('call') },
        [FIELD.chaseNote]: { [FIELD.chaseNote]: 'called AP, paying Friday' },
        [FIELD.chaseResponse]: { [FIELD.chaseResponse]: 'Friday <!here>' },
        [FIELD.promisedDate]: { [FIELD.promisedDate]: stateValue.date('2026-11-27') },
        [FIELD.nextFollowUp]: { [FIELD.nextFollowUp]: stateValue.date(null) },
      },
    });
    expect(response.status).toBe(200);
    const updated = await t.fake.waitFor('chat.update');
    expect(updated.args.ts).toBe(card.ts);
    expect(json(updated.args.blocks)).toContain('2026-11-27');
    const events = await getHistory(t.ledger.db, { teamId: TEAM, invoiceId: inv.id });
    expect(events.at(-1)).toMatchObject({
      kind: 'chased',
      actorId: BOB,
      details: { method: 'call', response: 'Friday <!here>', promisedDate: '2026-11-27' },
    });
    // The next chase starts from the last one.
    t.fake.reset();
    await t.as(BOB).blockAction({ action_id: ACTION.logChase, value: inv.id, message_ts: card.ts });
    const again = await t.fake.waitFor('views.open');
    expect(json(again.args.view.blocks)).toContain('Friday &lt;!here&gt;');
  });

  it('refuses a promise in the past on its field', async () => {
    const { invoice: inv } = await invoice('INV-9');
    const response = await t.as(BOB).viewSubmission({
      callback_id: VIEW.chase,
      private_metadata: JSON.stringify({ key: 'k', invoiceId: inv.id }),
      values: {
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.select('email') },
        [FIELD.promisedDate]: { [FIELD.promisedDate]: stateValue.date('2026-11-01') },
      },
    });
    expect(response.body).toMatchObject({ response_action: 'errors' });
    expect(Object.keys((response.body as { errors: object }).errors)).toEqual([FIELD.promisedDate]);
  });
});

describe('the owner\'s private "did they pay?"', () => {
  it('answers "Not yet" in place and lets the finance channel hear at once', async () => {
    const { invoice: inv } = await invoice('N-1');
    const today = '2026-11-23';
    await t.handle.raw(
      `insert into deliveries (team_id, key, kind, invoice_id, local_date, channel_id, next_attempt_at)
       values ($1, $2, 'became_due', $3::uuid, $4::date, 'C0FIN', '2026-11-23T16:00:00Z')`,
      [TEAM, `became_due:${inv.id}:${today}`, inv.id, today],
    );
    await t.as(BOB).blockAction({ action_id: ACTION.notYet, value: inv.id });
    const answer = await t.fake.waitFor('response_url');
    expect(answer.args).toMatchObject({ replace_original: true });
    expect(answer.args.text).toContain('N-1 is not paid yet');
    // It was waiting until 16:00 (the owner's window); now it may go at the clock's 15:00.
    const [row] = await t.handle.raw(
      `select next_attempt_at = '2026-11-23T15:00:00Z'::timestamptz as released from deliveries`,
      [],
    );
    expect(row).toEqual({ released: true });
  });
});

describe('card buttons', () => {
  it('marks a draft sent, once, and the card shows it', async () => {
    const { invoice: inv, card } = await invoice('D-1', 'draft');
    await t.as(BOB).blockAction({ action_id: ACTION.markSent, value: inv.id, message_ts: card.ts });
    const updated = await t.fake.waitFor('chat.update');
    expect(json(updated.args.blocks)).not.toContain(ACTION.markSent);
    expect((await getInvoice(t.ledger, TEAM, inv.id)).status.state).toBe('overdue');
  });

  it('puts an invoice in dispute with a reason, and releases it', async () => {
    const { invoice: inv, card } = await invoice('H-1');
    await t.as(BOB).blockAction({ action_id: ACTION.hold, value: inv.id, message_ts: card.ts });
    const opened = await t.fake.waitFor('views.open');
    await t.as(BOB).viewSubmission({
      callback_id: VIEW.hold,
      private_metadata: opened.args.view.private_metadata,
      values: {
        [FIELD.holdKind]: { [FIELD.holdKind]: stateValue.radio('dispute') },
        [FIELD.reason]: { [FIELD.reason]: 'Wrong hours on line 2' },
      },
    });
    const disputed = await t.fake.waitFor('chat.update');
    expect(json(disputed.args.blocks)).toContain('Wrong hours on line 2');
    expect(json(disputed.args.blocks)).toContain(ACTION.release);
    await t.bot.idle();
    await t.as(BOB).blockAction({ action_id: ACTION.release, value: inv.id, message_ts: card.ts });
    const [, released] = await t.fake.waitForCount('chat.update', 2);
    expect(json(released?.args.blocks)).not.toContain('Wrong hours on line 2');
  });

  it('voids with a reason for an admin only, and shows the history', async () => {
    const { invoice: inv, card } = await invoice('V-1');
    await t.as(BOB).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `void:${inv.id}` },
      message_ts: card.ts,
    });
    expect((await t.fake.waitFor('response_url')).args.text).toContain('can void invoices');
    t.fake.reset();
    await t.as(ADMIN).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `void:${inv.id}` },
      message_ts: card.ts,
    });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.void);
    await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.void,
      private_metadata: opened.args.view.private_metadata,
      values: { [FIELD.reason]: { [FIELD.reason]: 'Raised twice' } },
    });
    const updated = await t.fake.waitFor('chat.update');
    expect(json(updated.args.blocks)).toContain('Void');
    await t.bot.idle();
    await t.as(BOB).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `history:${inv.id}` },
      message_ts: card.ts,
    });
    const [, history] = await t.fake.waitForCount('views.open', 2);
    expect(json(history?.args.view.blocks)).toContain('Raised twice');
    expect(json(history?.args.view.blocks)).toContain('<@U0BOB>');
  });

  it('edits an invoice against the version it was opened with, and refuses a stale edit', async () => {
    const { invoice: inv, card } = await invoice('E-1');
    // The total and the terms: a finance admin's edit (a member's is refused, see test/security/authz.test.ts).
    await t.as(ADMIN).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `edit:${inv.id}` },
      message_ts: card.ts,
    });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.editInvoice);
    const values = {
      [FIELD.number]: { [FIELD.number]: 'E-1' },
      [FIELD.amount]: { [FIELD.amount]: '900.00' },
      [FIELD.currency]: { [FIELD.currency]: stateValue.select('EUR') },
      [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('2026-10-01') },
      [FIELD.terms]: { [FIELD.terms]: stateValue.select('Net 60') },
      [FIELD.owner]: { [FIELD.owner]: stateValue.user(BOB) },
    };
    const first = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: opened.args.view.private_metadata,
      values,
    });
    expect(first.body).toBe('');
    const edited = await getInvoice(t.ledger, TEAM, inv.id);
    expect(edited).toMatchObject({ totalMinor: 90_000n, dueBasis: 'net 60 from 2026-10-01' });
    // The same form submitted again after that change (a second tab): a conflict, shown on the form.
    const stale = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: JSON.stringify({ ...JSON.parse(opened.args.view.private_metadata), key: 'other-key' }),
      values,
    });
    expect(stale.body).toMatchObject({ response_action: 'errors' });
    expect(json(stale.body)).toContain('changed by someone else');
  });
});
