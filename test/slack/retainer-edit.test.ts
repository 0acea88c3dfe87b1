// Slack end to end, editing a retainer (signed requests, the fake Slack): `/invoice recurring edit ID` and the list's
// Edit button open the form prefilled with what the retainer bills now; saving it unchanged changes nothing; a save
// records one retainer_edited event (before → after) and the finance admin hears what changed and when the next
// invoice comes; a form drawn before someone else's change is refused; a member is refused the form and the save.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/services/clients.js';
import { createRetainer, editRetainer, type RetainerView } from '../../src/services/retainers.js';
import { parseInvoiceCommand } from '../../src/slack/command.js';
import { RETAINER_EDIT_VIEW } from '../../src/slack/ui/retainer-edit.js';
import { RETAINER_ACTION, RETAINER_FIELD } from '../../src/slack/ui/retainers.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { asAdmin } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

// Each test starts on Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: 'C0FIN' },
});

const json = (value: unknown) => JSON.stringify(value ?? null);

let replies = 0;

/** `/invoice <text>` typed by `userId`: what the app answered through the command's response_url. */
async function command(userId: string, text: string): Promise<Args> {
  replies += 1;
  const id = `edit-${replies}`;
  await t.as(userId).slashCommand({ text, response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  return answer.args;
}

async function retainer(): Promise<RetainerView> {
  const admin = asAdmin({ type: 'user', id: ADMIN }, TEAM);
  const { result: client } = await createClient(t.ledger, TEAM, admin, { name: 'Acme Corp' });
  const { result } = await createRetainer(t.ledger, TEAM, admin, {
    clientId: client.id,
    currency: 'USD',
    amount: '4,500',
    terms: 'net 15',
    description: 'Monthly design retainer',
    cadence: 'monthly',
    dayOfMonth: 1,
    startDate: '2026-11-23',
  });
  return result;
}

interface Element {
  type: string;
  initial_value?: string;
  initial_option?: { value: string };
  initial_user?: string;
  initial_date?: string;
}

/** What Slack submits for a form left as it was drawn: each input's initial value. */
function valuesAsDrawn(view: { blocks: { type: string; block_id?: string; element?: Element }[] }) {
  const values: Record<string, Record<string, Args>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input' || !block.block_id || !block.element) continue;
    const e = block.element;
    const value =
      e.type === 'plain_text_input'
        ? stateValue.text(e.initial_value ?? null)
        : e.type === 'static_select'
          ? stateValue.select(e.initial_option?.value ?? null)
          : e.type === 'radio_buttons'
            ? stateValue.radio(e.initial_option?.value ?? null)
            : e.type === 'users_select'
              ? stateValue.user(e.initial_user ?? null)
              : stateValue.date(e.initial_date ?? null);
    values[block.block_id] = { [block.block_id]: value };
  }
  return values;
}

function submit(userId: string, opened: Args, changes: Record<string, Args> = {}) {
  const values = valuesAsDrawn(opened.view);
  for (const [block, value] of Object.entries(changes)) values[block] = { [block]: value };
  return t.as(userId).viewSubmission({
    callback_id: RETAINER_EDIT_VIEW,
    private_metadata: opened.view.private_metadata,
    values,
  });
}

describe('/invoice recurring edit', () => {
  it('opens the form prefilled, saves the change as one event, and says what changed and when the next invoice comes', async () => {
    const r = await retainer();
    const answer = await t.as(ADMIN).slashCommand({ text: `recurring edit ${r.id.slice(0, 8)}` });
    expect(answer.status).toBe(200);
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(RETAINER_EDIT_VIEW);
    const drawn = valuesAsDrawn(opened.args.view);
    expect(drawn[RETAINER_FIELD.amount]).toEqual({ [RETAINER_FIELD.amount]: stateValue.text('4500.00') });
    expect(drawn[RETAINER_FIELD.terms]).toEqual({ [RETAINER_FIELD.terms]: stateValue.select('Net 15') });
    expect(drawn[RETAINER_FIELD.day]).toEqual({ [RETAINER_FIELD.day]: stateValue.select('1') });
    expect(drawn[RETAINER_FIELD.owner]).toEqual({ [RETAINER_FIELD.owner]: stateValue.user(ADMIN) });
    expect(json(opened.args.view.blocks)).toContain('Changes apply to the invoices not made yet');

    // Saved as drawn: nothing changes, nothing is recorded.
    const unchanged = await submit(ADMIN, opened.args);
    expect(unchanged.status).toBe(200);
    const same = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(same.args.text).toContain('Nothing changed: *Acme Corp* · $4,500.00 monthly on the 1st');
    expect(await t.handle.raw("select count(*)::int as n from events where kind = 'retainer_edited'", [])).toEqual([
      { n: 0 },
    ]);

    // A bad amount is refused on its field.
    await t.as(ADMIN).slashCommand({ text: `recurring edit ${r.id}` });
    const second = await t.fake.waitFor(
      'views.open',
      (c) => c.args.view.private_metadata !== opened.args.view.private_metadata,
    );
    const bad = await submit(ADMIN, second.args, { [RETAINER_FIELD.amount]: stateValue.text('lots') });
    expect(bad.body).toMatchObject({ response_action: 'errors' });
    expect(Object.keys((bad.body as { errors: object }).errors)).toEqual([RETAINER_FIELD.amount]);

    const saved = await submit(ADMIN, second.args, {
      [RETAINER_FIELD.amount]: stateValue.text('5,000'),
      [RETAINER_FIELD.terms]: stateValue.select('Net 30'),
      [RETAINER_FIELD.day]: stateValue.select('15'),
      [RETAINER_FIELD.owner]: stateValue.user(BOB),
    });
    expect(saved.status).toBe(200);
    expect(saved.body ?? '').toEqual('');
    const told = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === ADMIN && String(c.args.text).startsWith('✏️'),
    );
    expect(told.args.text).toContain(
      '✏️ Retainer edited — amount $4,500.00 → $5,000.00 · terms net 15 → net 30 · owner <@U0ADMIN> → <@U0BOB> · day 1st → 15th',
    );
    expect(told.args.text).toContain('The next invoice is made on 2026-12-15.');
    // The same form again (a double click) records nothing more.
    await submit(ADMIN, second.args, { [RETAINER_FIELD.amount]: stateValue.text('5,000') });
    await t.bot.idle();
    const events = await t.handle.raw(
      "select actor_id, details->'changes' as changes from events where kind = 'retainer_edited'",
      [],
    );
    expect(events).toEqual([
      {
        actor_id: ADMIN,
        changes: {
          amount: { from: '$4,500.00', to: '$5,000.00' },
          terms: { from: 'net 15', to: 'net 30' },
          owner: { from: ADMIN, to: BOB },
          dayOfMonth: { from: '1st', to: '15th' },
        },
      },
    ]);
    const list = await command(ADMIN, 'recurring');
    expect(json(list.blocks)).toContain('$5,000.00 monthly on the 15th · net 30');
  });

  it('opens from the list’s Edit button, and refuses a form drawn before someone else’s change', async () => {
    const r = await retainer();
    const list = await command(ADMIN, 'recurring');
    expect(json(list.blocks)).toContain(RETAINER_ACTION.edit);
    await t
      .as(ADMIN)
      .blockAction({ action_id: RETAINER_ACTION.edit, value: r.id, response_url: t.fake.responseUrl('b') });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(RETAINER_EDIT_VIEW);

    // Meanwhile someone changes it elsewhere (the command line, another form).
    await editRetainer(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), { retainer: r.id, amount: '4,800' });
    const stale = await submit(ADMIN, opened.args, { [RETAINER_FIELD.amount]: stateValue.text('9,000') });
    expect(stale.body).toMatchObject({ response_action: 'errors' });
    expect(json(stale.body)).toContain('changed meanwhile');
    expect(await t.handle.raw('select amount_minor::text as amount from retainers', [])).toEqual([
      { amount: '480000' },
    ]);
  });

  it('refuses a member the command, the button and a crafted save; nothing changes', async () => {
    const r = await retainer();
    const typed = await command(BOB, `recurring edit ${r.id.slice(0, 8)}`);
    expect(typed.text).toContain(
      '🔒 Only the people named in `/invoice settings` can set up, edit, pause, resume or end retainers',
    );
    const seen = await command(BOB, 'recurring');
    expect(json(seen.blocks)).not.toContain(RETAINER_ACTION.edit);
    await t
      .as(BOB)
      .blockAction({ action_id: RETAINER_ACTION.edit, value: r.id, response_url: t.fake.responseUrl('bob') });
    expect((await t.fake.waitFor('response_url', (c) => c.id === 'bob')).args.text).toContain('🔒');
    expect(t.fake.calls('views.open')).toHaveLength(0);

    // A form an admin opened, submitted by the member (or forged): refused.
    await t.as(ADMIN).slashCommand({ text: `recurring edit ${r.id}` });
    const opened = await t.fake.waitFor('views.open');
    const forged = await submit(BOB, opened.args, { [RETAINER_FIELD.amount]: stateValue.text('1') });
    expect(forged.body).toMatchObject({ response_action: 'errors' });
    expect(await t.handle.raw('select amount_minor::text as amount from retainers', [])).toEqual([
      { amount: '450000' },
    ]);
    expect(await t.handle.raw("select count(*)::int as n from events where kind = 'retainer_edited'", [])).toEqual([
      { n: 0 },
    ]);

    // An unknown id is said in words.
    expect((await command(ADMIN, 'recurring edit 12345678')).text).toContain('There is no retainer 12345678 here');
  });
});

describe('reading /invoice recurring edit', () => {
  it('takes the id, and asks for it when it is missing', () => {
    expect(parseInvoiceCommand('recurring edit 6F1C2A3B')).toEqual({
      kind: 'recurring',
      action: 'edit',
      id: '6f1c2a3b',
    });
    expect(parseInvoiceCommand('retainers edit')).toMatchObject({ kind: 'missing' });
    expect(parseInvoiceCommand('recurring change 6f1c2a3b')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('new, edit, pause, resume or end'),
    });
  });
});
