// Slack end to end, retainers: a finance admin sets one up through `/invoice recurring new` (signed requests, the
// fake Slack), lists it, and on its day the jobs make the invoice and the owner hears of it; pause from the list's
// button; a member sees the list but is refused the form and the buttons; the client record shows the retainer.
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { createClient } from '../../src/services/clients.js';
import { ACTION } from '../../src/slack/ui/ids.js';
import { RETAINER_ACTION, RETAINER_FIELD, RETAINER_VIEW } from '../../src/slack/ui/retainers.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
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
  const id = `recurring-${replies}`;
  await t.as(userId).slashCommand({ text, response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  return answer.args;
}

function formValues(clientId: string, overrides: Record<string, Args> = {}) {
  const values: Record<string, Record<string, Args>> = {
    [RETAINER_FIELD.client]: { [ACTION.clientSelect]: stateValue.external(clientId, 'Acme Corp') },
    [RETAINER_FIELD.amount]: { [RETAINER_FIELD.amount]: stateValue.text('4,500') },
    [RETAINER_FIELD.currency]: { [RETAINER_FIELD.currency]: stateValue.select('USD') },
    [RETAINER_FIELD.terms]: { [RETAINER_FIELD.terms]: stateValue.select('Net 15') },
    [RETAINER_FIELD.description]: { [RETAINER_FIELD.description]: stateValue.text('Monthly design retainer') },
    [RETAINER_FIELD.owner]: { [RETAINER_FIELD.owner]: stateValue.user(ADMIN) },
    [RETAINER_FIELD.cadence]: { [RETAINER_FIELD.cadence]: stateValue.select('monthly') },
    [RETAINER_FIELD.day]: { [RETAINER_FIELD.day]: stateValue.select('31') },
    [RETAINER_FIELD.startDate]: { [RETAINER_FIELD.startDate]: stateValue.date('2026-11-23') },
    [RETAINER_FIELD.endDate]: { [RETAINER_FIELD.endDate]: stateValue.date(null) },
    [RETAINER_FIELD.count]: { [RETAINER_FIELD.count]: stateValue.text(null) },
    [RETAINER_FIELD.createAs]: { [RETAINER_FIELD.createAs]: stateValue.radio('draft') },
    [RETAINER_FIELD.numberPrefix]: { [RETAINER_FIELD.numberPrefix]: stateValue.text(null) },
  };
  for (const [block, value] of Object.entries(overrides)) {
    const action = block === RETAINER_FIELD.client ? ACTION.clientSelect : block;
    values[block] = { [action]: value };
  }
  return values;
}

async function acme() {
  const { result } = await createClient(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), {
    name: 'Acme Corp',
  });
  return result;
}

describe('/invoice recurring', () => {
  it('sets one up through the form, lists it, makes its invoice on the 30th of November and tells the owner', async () => {
    const client = await acme();
    await t.as(ADMIN).slashCommand({ text: 'recurring new' });
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(RETAINER_VIEW);
    expect(json(opened.args.view.blocks)).toContain('31, or the last day of a shorter month');
    expect(json(opened.args.view.blocks)).toContain('The last working day');

    // A start before today is refused on its field, and nothing is set up.
    const early = await t.as(ADMIN).viewSubmission({
      callback_id: RETAINER_VIEW,
      private_metadata: opened.args.view.private_metadata,
      values: formValues(client.id, { [RETAINER_FIELD.startDate]: stateValue.date('2026-11-01') }),
    });
    expect(early.body).toMatchObject({ response_action: 'errors' });
    expect(Object.keys((early.body as { errors: object }).errors)).toEqual([RETAINER_FIELD.startDate]);
    expect(await t.handle.raw('select count(*)::int as n from retainers', [])).toEqual([{ n: 0 }]);

    const saved = await t.as(ADMIN).viewSubmission({
      callback_id: RETAINER_VIEW,
      private_metadata: opened.args.view.private_metadata,
      values: formValues(client.id),
    });
    expect(saved.status).toBe(200);
    expect(saved.body ?? '').toEqual('');
    const told = await t.fake.waitFor('chat.postMessage', (c) => c.args.channel === ADMIN);
    expect(told.args.text).toContain('✅ Retainer set up: *Acme Corp* · $4,500.00 monthly on the 31st');
    expect(told.args.text).toContain('The next invoice is made on 2026-11-30.');
    // The same form again (a double click) sets up nothing more.
    await t.as(ADMIN).viewSubmission({
      callback_id: RETAINER_VIEW,
      private_metadata: opened.args.view.private_metadata,
      values: formValues(client.id),
    });
    await t.bot.idle();
    expect(await t.handle.raw('select count(*)::int as n from retainers', [])).toEqual([{ n: 1 }]);

    const list = await command(ADMIN, 'recurring');
    expect(list.response_type).toBe('ephemeral');
    expect(list.text).toBe('1 retainer: Acme Corp $4,500.00');
    const listed = json(list.blocks);
    expect(listed).toContain(
      '*Acme Corp* · $4,500.00 monthly on the 31st, or the last day of a shorter month · net 15 · made as drafts · Monthly design retainer\\nnext 2026-11-30 · 0 made · owner <@U0ADMIN>',
    );
    expect(listed).toContain(RETAINER_ACTION.pause);
    expect(listed).toContain(RETAINER_ACTION.end);

    // On 30 November, after the alert time, the jobs make the invoice and the owner gets its card in a DM.
    const scheduler = createScheduler(posterEnv(t.ledger, t.fake));
    t.clock.set('2026-11-30T04:59:00Z'); // 23:59 on the 29th in New York
    await scheduler.tick();
    expect(await t.handle.raw('select count(*)::int as n from invoices', [])).toEqual([{ n: 0 }]);
    t.clock.set('2026-11-30T05:01:00Z'); // just after midnight: made, told at 09:00
    await scheduler.tick();
    expect(await t.handle.raw('select number, issue_date::text as d from invoices', [])).toEqual([
      { number: 'ACME-RET-2026-11-30', d: '2026-11-30' },
    ]);
    expect(t.fake.calls('chat.postMessage').filter((c) => c.args.channel === 'DU0ADMIN')).toHaveLength(0);
    t.clock.set('2026-11-30T14:00:30Z');
    await scheduler.tick();
    await scheduler.tick();
    const notices = t.fake.calls('chat.postMessage').filter((c) => c.args.channel === 'DU0ADMIN');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.args.text).toContain(
      ':repeat: ACME-RET-2026-11-30 for Acme Corp ($4,500.00) was made by its retainer as a draft: send it to the client when it is ready (Mark sent on the card), dated 2026-11-30 · <@U0ADMIN> — ACME-RET-2026-11-30 · Acme Corp: $4,500.00 due of $4,500.00 · 📝 Draft · not sent yet',
    );
    expect(json(notices[0]?.args.blocks)).toContain(ACTION.markSent);
    await scheduler.stop();

    // The client record shows the retainer and what it made.
    const record = await command(BOB, 'client Acme Corp');
    expect(json(record.blocks)).toContain('*Retainers* — 1');
    expect(json(record.blocks)).toContain('next 2026-12-31 · 1 made');
  });

  it('pauses from the list’s button for a finance admin; a member sees the list but is refused the form and the buttons', async () => {
    const client = await acme();
    await t.as(ADMIN).slashCommand({ text: 'recurring new' });
    const opened = await t.fake.waitFor('views.open');
    await t.as(ADMIN).viewSubmission({
      callback_id: RETAINER_VIEW,
      private_metadata: opened.args.view.private_metadata,
      values: formValues(client.id, { [RETAINER_FIELD.cadence]: stateValue.select('quarterly') }),
    });
    await t.bot.idle();
    const [row] = await t.handle.raw('select id from retainers', []);
    const id = String(row?.id);

    // A member: the list without buttons, no form, and a crafted button press changes nothing.
    const seen = await command(BOB, 'recurring');
    expect(json(seen.blocks)).toContain('quarterly on the 31st');
    expect(json(seen.blocks)).not.toContain(RETAINER_ACTION.pause);
    const denied = await command(BOB, 'recurring new');
    expect(denied.text).toContain(
      '🔒 Only the people named in `/invoice settings` can set up, edit, pause, resume or end retainers',
    );
    expect(t.fake.calls('views.open')).toHaveLength(1);
    await t
      .as(BOB)
      .blockAction({ action_id: RETAINER_ACTION.pause, value: id, response_url: t.fake.responseUrl('bob') });
    expect((await t.fake.waitFor('response_url', (c) => c.id === 'bob')).args.text).toContain(
      'can set up, edit, pause, resume or end retainers',
    );
    const forged = await command(BOB, `recurring end ${id.slice(0, 8)}`);
    expect(forged.text).toContain('🔒');
    expect(await t.handle.raw('select status from retainers', [])).toEqual([{ status: 'active' }]);

    // The admin pauses it from the list: the list is redrawn in place, with Resume.
    await t.as(ADMIN).blockAction({
      action_id: RETAINER_ACTION.pause,
      value: id,
      response_url: t.fake.responseUrl('pause'),
    });
    const paused = await t.fake.waitFor('response_url', (c) => c.id === 'pause');
    expect(paused.args.replace_original).toBe(true);
    expect(paused.args.text).toContain('⏸ Paused — no invoices until it is resumed; the days while paused are skipped');
    expect(json(paused.args.blocks)).toContain(RETAINER_ACTION.resume);
    expect(json(paused.args.blocks)).toContain('⏸ paused · 0 made');
    expect(
      await t.handle.raw("select kind, actor_id from events where kind like 'retainer_%' order by id", []),
    ).toEqual([
      { kind: 'retainer_created', actor_id: ADMIN },
      { kind: 'retainer_paused', actor_id: ADMIN },
    ]);

    // Paused on its day: nothing is made.
    t.clock.set('2026-11-30T15:00:00Z');
    await createScheduler(posterEnv(t.ledger, t.fake)).tick();
    expect(await t.handle.raw('select count(*)::int as n from invoices', [])).toEqual([{ n: 0 }]);

    // Resumed by typing on its day: from today, today's included; then ended.
    const resumed = await command(ADMIN, `recurring resume ${id.slice(0, 8)}`);
    expect(resumed.text).toContain('▶️ Resumed — invoices again from today');
    expect(resumed.text).toContain('The next invoice is made on 2026-11-30.');
    const ended = await command(ADMIN, `recurring end ${id}`);
    expect(ended.text).toContain('⏹ Ended');
    expect((await command(ADMIN, 'recurring')).text).toBe('No retainers yet.');
    expect((await command(ADMIN, 'recurring all')).text).toBe('1 retainer: Acme Corp $4,500.00');
    expect((await command(ADMIN, 'recurring pause 12345678')).text).toContain('There is no retainer 12345678 here');
  });
});
