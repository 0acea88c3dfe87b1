// Adversarial, end to end through the signed Bolt app: who may do what in Slack, tried the way an attacker
// would — a member who is not a finance admin, a person from another organisation in a shared channel, a finance
// admin of another workspace naming this one's ids, someone just removed from the finance user group — through
// slash commands, card buttons and crafted view submissions with edited private_metadata; the first-admin seat
// and an admin list emptied by a save; and replayed requests. Each case asserts what the person sees AND that
// nothing was written (every table a service writes, counted and fingerprinted before and after).
import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/services/clients.js';
import { shareClient } from '../../src/services/sharing.js';
import { addWebhookEndpoint } from '../../src/services/webhooks.js';
import { ensureWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { GROUP_TTL_MS } from '../../src/slack/principal.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';
import {
  blockActionPayload,
  FORM,
  formBody,
  slashCommandBody,
  stateValue,
  type ValuesInput,
  viewSubmissionPayload,
} from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const OTHER = 'T0OTHER';
const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';
const OTHER_ADMIN = 'U0OADMIN';
const OWNER = 'U0ALICE';

// Each test starts on Monday 23 November 2026, 10:00 in New York, with ADMIN the one finance admin.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: 'C0FIN' },
});

/** This workspace's open $1,000.00 invoice (net 30 from 2026-09-01), another workspace's, and a webhook here. */
let ids: { open: string; draft: string; foreign: string; webhook: string; clientId: string };

beforeEach(async () => {
  const { client } = await workspaceWithClient(t.ledger, { teamId: TEAM });
  const open = await invoice(t.ledger, TEAM, client.id, { number: 'INV-1' });
  const draft = await invoice(t.ledger, TEAM, client.id, { number: 'INV-2', status: 'draft' });
  await ensureWorkspace(t.ledger, { teamId: OTHER, name: 'Elsewhere' });
  await updateWorkspaceSettings(t.ledger, OTHER, OPERATOR, { financeAdmins: [OTHER_ADMIN] });
  const { result: otherClient } = await createClient(
    t.ledger,
    OTHER,
    asAdmin({ type: 'user', id: OTHER_ADMIN }, OTHER),
    {
      name: 'Other Co',
    },
  );
  const foreign = await invoice(t.ledger, OTHER, otherClient.id, { number: 'OTH-1' });
  const hook = await addWebhookEndpoint(t.ledger, TEAM, OPERATOR, { url: 'https://books.example.com/in' });
  ids = { open: open.id, draft: draft.id, foreign: foreign.id, webhook: hook.id, clientId: client.id };
  t.fake.reset();
});

const json = (value: unknown) => JSON.stringify(value ?? null);

interface Ledger {
  events: number;
  invoices: number;
  payments: number;
  clients: number;
  links: number;
  webhooks: number;
  deliveries: number;
  keys: number;
  invoices_facts: string;
  workspaces_facts: string;
}

/** Every row a service writes, counted, and the facts an attacker would change, fingerprinted. */
async function ledger(): Promise<Ledger> {
  const [row] = await t.handle.raw(
    `select (select count(*) from events)::int as events, (select count(*) from invoices)::int as invoices,
      (select count(*) from payments)::int as payments, (select count(*) from clients)::int as clients,
      (select count(*) from client_links)::int as links, (select count(*) from webhook_endpoints)::int as webhooks,
      (select count(*) from deliveries)::int as deliveries, (select count(*) from idempotency_keys)::int as keys,
      (select string_agg(concat_ws(':', number, version, currency, total_minor, paid_minor, issue_date, due_date,
        terms_kind, terms_days, voided_at), ',' order by number) from invoices) as invoices_facts,
      (select string_agg(concat_ws(':', team_id, version, finance_admins::text, finance_admin_group), ','
        order by team_id) from workspaces) as workspaces_facts`,
    [],
  );
  return row as unknown as Ledger;
}

let replies = 0;

/** `/invoice <text>` typed by `userId` in `teamId`: what the app answered privately through the response_url. */
async function command(userId: string, text: string, teamId = TEAM): Promise<Args> {
  replies += 1;
  const id = `cmd-${replies}`;
  await t.as(userId, teamId).slashCommand({ text, response_url: t.fake.responseUrl(id) });
  const answer = await t.fake.waitFor('response_url', (c) => c.id === id);
  await t.bot.idle();
  return answer.args;
}

// ---------------------------------------------------------------------------------------------------------------
// Crafted view submissions

/** The whole edit form, as the modal shows INV-1, with `changes` over it. */
function editValues(changes: ValuesInput = {}): ValuesInput {
  return {
    [FIELD.number]: { [FIELD.number]: 'INV-1' },
    [FIELD.amount]: { [FIELD.amount]: '1,000.00' },
    [FIELD.currency]: { [FIELD.currency]: stateValue.select('USD') },
    [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('2026-09-01') },
    [FIELD.terms]: { [FIELD.terms]: stateValue.select('Net 30') },
    [FIELD.owner]: { [FIELD.owner]: stateValue.user(OWNER) },
    ...changes,
  };
}

/** The settings form as a person saves it: the working days it always has, the admins and group given. */
function settingsValues(admins: string[], group?: string): ValuesInput {
  return {
    [FIELD.workingDays]: { [FIELD.workingDays]: stateValue.checkboxes(['1', '2', '3', '4', '5']) },
    [FIELD.financeAdmins]: { [FIELD.financeAdmins]: { type: 'multi_users_select', selected_users: admins } },
    ...(group ? { [FIELD.financeAdminGroup]: { [FIELD.financeAdminGroup]: group } } : {}),
  };
}

interface Form {
  name: string;
  callback: string;
  values: () => ValuesInput;
  /** What a finance admin's submission of the same form does (a control: the form itself is good). */
  adminDoes?: (before: Ledger, after: Ledger) => void;
  /** What the member is told, and on which block. */
  refusal: { block: string; says: string };
  settings?: true;
}

const money = (say: string) => ({ block: '', says: `Only the finance admins named in /invoice settings can ${say}` });
const field = (block: string) => ({ block, says: 'Only finance admins can change this' });

const FORMS: Form[] = [
  {
    name: 'Mark paid (the whole $1,000.00)',
    callback: VIEW.payment,
    values: () => ({
      [FIELD.paymentAmount]: { [FIELD.paymentAmount]: '1,000.00' },
      [FIELD.paymentDate]: { [FIELD.paymentDate]: stateValue.date('2026-11-23') },
      [FIELD.overpayment]: { [FIELD.overpayment]: stateValue.checkboxes([]) },
    }),
    adminDoes: (b, a) => expect(a.payments).toBe(b.payments + 1),
    refusal: { ...money('record payments'), block: FIELD.paymentAmount },
  },
  {
    name: 'Void',
    callback: VIEW.void,
    values: () => ({ [FIELD.reason]: { [FIELD.reason]: 'Raised twice' } }),
    adminDoes: (_b, a) =>
      expect(a.invoices_facts).toMatch(/INV-1:2:USD:100000:0:2026-09-01:2026-10-01:net:30:2026-11-23/),
    refusal: { ...money('void invoices'), block: FIELD.reason },
  },
  {
    name: 'Edit: total 1,000.00 → 400.00',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.amount]: { [FIELD.amount]: '400.00' } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain('INV-1:2:USD:40000:'),
    refusal: field(FIELD.amount),
  },
  {
    name: 'Edit: total → 0.01',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.amount]: { [FIELD.amount]: '0.01' } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain('INV-1:2:USD:1:'),
    refusal: field(FIELD.amount),
  },
  {
    name: 'Edit: total → 1,000,000.00',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.amount]: { [FIELD.amount]: '1,000,000.00' } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain('INV-1:2:USD:100000000:'),
    refusal: field(FIELD.amount),
  },
  {
    name: 'Edit: terms net 30 → net 90',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.terms]: { [FIELD.terms]: stateValue.select('Net 90') } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain(':2026-11-30:net:90'),
    refusal: field(FIELD.terms),
  },
  {
    name: 'Edit: number INV-1 → INV-999',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.number]: { [FIELD.number]: 'INV-999' } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain('INV-999:2:'),
    refusal: field(FIELD.number),
  },
  {
    name: 'Edit: currency USD → EUR',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.currency]: { [FIELD.currency]: stateValue.select('EUR') } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain('INV-1:2:EUR:'),
    refusal: field(FIELD.currency),
  },
  {
    name: 'Edit: issue date 2026-09-01 → 2026-11-01',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('2026-11-01') } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain(':2026-11-01:2026-12-01:'),
    refusal: field(FIELD.issueDate),
  },
  {
    name: 'Edit: basis date → 2026-09-15',
    callback: VIEW.editInvoice,
    values: () => editValues({ [FIELD.basisDate]: { [FIELD.basisDate]: stateValue.date('2026-09-15') } }),
    adminDoes: (_b, a) => expect(a.invoices_facts).toContain(':2026-09-01:2026-10-15:net:30'),
    refusal: field(FIELD.terms),
  },
  {
    name: 'Settings: make my own user group the finance admins',
    callback: VIEW.settings,
    values: () => settingsValues([ADMIN], 'S0MINE'),
    adminDoes: (_b, a) => expect(a.workspaces_facts).toContain(`{${ADMIN}}:S0MINE`),
    refusal: { ...money('change the settings'), block: FIELD.financeChannel },
    settings: true,
  },
  {
    // A finance admin is refused this too: see 'the finance admin seat' below.
    name: 'Settings: empty the finance admins',
    callback: VIEW.settings,
    values: () => settingsValues([]),
    refusal: { ...money('change the settings'), block: FIELD.financeChannel },
    settings: true,
  },
  {
    name: 'Settings: add myself as a finance admin',
    callback: VIEW.settings,
    values: () => settingsValues([ADMIN, MEMBER]),
    adminDoes: (_b, a) => expect(a.workspaces_facts).toContain(`{${ADMIN},${MEMBER}}`),
    refusal: { ...money('change the settings'), block: FIELD.financeChannel },
    settings: true,
  },
];

type Attacker = 'a member' | 'a person from another organisation' | 'a member naming another workspace’s invoice';

const ATTACKERS: Attacker[] = [
  'a member',
  'a person from another organisation',
  'a member naming another workspace’s invoice',
];

/** The form submitted by `userId` as Slack would send it, possibly edited on the way (private_metadata, user). */
async function submit(form: Form, as: Attacker | 'the finance admin' | 'another workspace’s finance admin') {
  const invoiceId = as === 'a member naming another workspace’s invoice' ? ids.foreign : ids.open;
  const metadata = form.settings ? { key: `k-${replies++}` } : { key: `k-${replies++}`, invoiceId, version: 1 };
  const userId = as === 'the finance admin' ? ADMIN : as === 'another workspace’s finance admin' ? OTHER_ADMIN : MEMBER;
  const teamId = as === 'another workspace’s finance admin' ? OTHER : TEAM;
  const payload = viewSubmissionPayload({
    team_id: teamId,
    user_id: userId,
    callback_id: form.callback,
    private_metadata: JSON.stringify(metadata),
    values: form.values(),
  });
  // A person from another organisation in a shared channel: their user belongs to their own workspace.
  if (as === 'a person from another organisation') payload.user.team_id = OTHER;
  const response = await t.as(userId, teamId).payload(payload);
  await t.bot.idle();
  return response;
}

describe('a crafted view submission (edited private_metadata) records nothing for someone who may not', () => {
  for (const form of FORMS) {
    for (const attacker of ATTACKERS) {
      if (form.settings && attacker === 'a member naming another workspace’s invoice') continue;
      it(`${form.name}, by ${attacker}: refused on the form, nothing written`, async () => {
        const before = await ledger();
        const response = await submit(form, attacker);
        expect(response.status).toBe(200);
        const errors = (response.body as { response_action?: string; errors?: Record<string, string> }).errors ?? {};
        expect((response.body as { response_action?: string }).response_action).toBe('errors');
        const said = Object.values(errors).join(' ');
        if (attacker === 'a person from another organisation') {
          expect(said).toContain('Only members of this workspace can do this.');
        } else if (attacker === 'a member naming another workspace’s invoice' && form.callback === VIEW.editInvoice) {
          // A member may edit a description: the invoice is looked for, in this workspace only, and is not there.
          expect(said).toContain(`There is no invoice ${ids.foreign} in this workspace.`);
        } else {
          expect(said).toContain(form.refusal.says);
          if (form.refusal.block) expect(Object.keys(errors)).toContain(form.refusal.block);
        }
        expect(await ledger()).toEqual(before);
        // Nothing changed, so no card was redrawn and no App Home republished.
        expect(t.fake.calls('chat.update')).toEqual([]);
      });
    }

    const adminDoes = form.adminDoes;
    if (adminDoes) {
      it(`${form.name}, by the finance admin: done (the form itself is good)`, async () => {
        const before = await ledger();
        const response = await submit(form, 'the finance admin');
        expect(response.body, json(response.body)).toBe('');
        adminDoes(before, await ledger());
      });
    }

    if (!form.settings) {
      it(`${form.name}, by another workspace’s finance admin naming this workspace’s invoice: not found, nothing written`, async () => {
        const before = await ledger();
        const response = await submit(form, 'another workspace’s finance admin');
        expect(json(response.body)).toContain(`There is no invoice ${ids.open} in this workspace.`);
        expect(await ledger()).toEqual(before);
      });
    }
  }

  it('stops the original attack: a member’s Edit from the card cannot turn a $1,000.00 invoice into a paid $400.00', async () => {
    const card = await t.bot.live.postCard(TEAM, 'C0CHAN', ids.open);
    t.fake.reset();
    await t.as(MEMBER).blockAction({
      action_id: ACTION.more,
      element: 'overflow',
      selected_option: { value: `edit:${ids.open}` },
      message_ts: card.ts,
    });
    // The form opens (a member may still change the description and the owner)…
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.editInvoice);
    const before = await ledger();
    // …but the total is the finance admins' to change: refused on its field.
    const response = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: opened.args.view.private_metadata,
      values: editValues({ [FIELD.amount]: { [FIELD.amount]: '400.00' } }),
    });
    expect(response.body).toEqual({
      response_action: 'errors',
      errors: { [FIELD.amount]: 'Only finance admins can change this' },
    });
    await t.bot.idle();
    expect(await ledger()).toEqual(before);
    expect(t.fake.calls('chat.update')).toEqual([]);
  });

  it('lets a member change what touches no money from the same form: the description and the owner', async () => {
    const before = await ledger();
    const response = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: JSON.stringify({ key: 'member-edit', invoiceId: ids.open, version: 1 }),
      values: editValues({
        [FIELD.description]: { [FIELD.description]: 'Phase two' },
        [FIELD.owner]: { [FIELD.owner]: stateValue.user(MEMBER) },
      }),
    });
    expect(response.body).toBe('');
    const after = await ledger();
    expect(after.events).toBe(before.events + 1);
    // The money is as it was.
    expect(after.invoices_facts).toContain('INV-1:2:USD:100000:0:2026-09-01:2026-10-01:net:30');
  });

  it('refuses a member’s edit aimed at another invoice by editing private_metadata, on the same terms', async () => {
    const before = await ledger();
    const response = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: JSON.stringify({ key: 'retarget', invoiceId: ids.draft, version: 1 }),
      values: editValues({ [FIELD.number]: { [FIELD.number]: 'INV-2' }, [FIELD.amount]: { [FIELD.amount]: '0.01' } }),
    });
    expect(json(response.body)).toContain('Only finance admins can change this');
    expect(await ledger()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Buttons and commands

describe('a member’s button or command that handles money is refused before any form opens, nothing written', () => {
  const buttons: { name: string; params: () => Args; says: string }[] = [
    { name: 'Mark paid', params: () => ({ action_id: ACTION.markPaid, value: ids.open }), says: 'record payments' },
    {
      name: 'Void (card menu)',
      params: () => ({ action_id: ACTION.more, element: 'overflow', selected_option: { value: `void:${ids.open}` } }),
      says: 'void invoices',
    },
  ];
  for (const button of buttons) {
    it(`${button.name}, by a member: told privately who may, no form`, async () => {
      const card = await t.bot.live.postCard(TEAM, 'C0CHAN', ids.open);
      t.fake.reset();
      const before = await ledger();
      const answer = t.fake.responseUrl(`btn-${button.name}`);
      await t.as(MEMBER).blockAction({ ...button.params(), message_ts: card.ts, response_url: answer } as never);
      const told = await t.fake.waitFor('response_url', (c) => c.id === `btn-${button.name}`);
      await t.bot.idle();
      expect(told.args.text).toContain(`Only the people named in \`/invoice settings\` can ${button.says}`);
      expect(told.args.response_type).toBe('ephemeral');
      expect(t.fake.calls('views.open')).toEqual([]);
      expect(await ledger()).toEqual(before);
    });

    it(`${button.name}, by a person from another organisation: refused, no form`, async () => {
      const before = await ledger();
      const answer = t.fake.responseUrl(`foreign-${button.name}`);
      const payload = { ...button.params(), response_url: answer, team_id: TEAM, user_id: MEMBER } as Args;
      const full = blockActionPayload(payload as never);
      full.user.team_id = OTHER;
      await t.as(MEMBER).payload(full);
      const told = await t.fake.waitFor('response_url', (c) => c.id === `foreign-${button.name}`);
      await t.bot.idle();
      expect(told.args.text).toContain('only its members can act on it');
      expect(t.fake.calls('views.open')).toEqual([]);
      expect(await ledger()).toEqual(before);
    });
  }

  const commands: { text: () => string; says: string; label?: string }[] = [
    { text: () => 'paid INV-1', says: 'record payments' },
    { text: () => 'paid INV-1 400 2026-11-20', says: 'record payments' },
    { text: () => 'import', says: 'import invoices' },
    { text: () => 'share Acme Corp', says: 'share a client’s status page' },
    { text: () => 'share Acme Corp new', says: 'share a client’s status page' },
    { text: () => 'share Acme Corp revoke', says: 'share a client’s status page' },
    { text: () => 'webhooks', says: 'manage the ledger webhooks' },
    { text: () => 'webhooks add https://attacker.example.com/steal', says: 'manage the ledger webhooks' },
    { text: () => `webhooks remove ${ids.webhook}`, says: 'manage the ledger webhooks', label: 'webhooks remove <id>' },
    { text: () => 'digest post', says: 'post the digest' },
    { text: () => 'settings', says: 'change the settings' },
  ];
  for (const c of commands) {
    for (const who of ['a member', 'another workspace’s member'] as const) {
      it(`/invoice ${c.label ?? c.text()}, by ${who}: refused privately, nothing written`, async () => {
        // (In their own workspace, which has its finance admin: the first seat is not theirs to claim either.)
        const before = await ledger();
        const answer = await command(MEMBER, c.text(), who === 'a member' ? TEAM : OTHER);
        expect(answer.response_type).toBe('ephemeral');
        expect(answer.text).toContain(`Only the people named in \`/invoice settings\` can ${c.says}`);
        expect(t.fake.calls('views.open')).toEqual([]);
        expect(await ledger()).toEqual(before);
      });
    }
  }

  const foreignIds: { text: () => string; says: () => string; label?: string }[] = [
    { text: () => 'paid INV-1', says: () => 'INV-1' },
    { text: () => 'share Acme Corp new', says: () => 'Acme Corp' },
    { text: () => `webhooks remove ${ids.webhook}`, says: () => ids.webhook, label: 'webhooks remove <id>' },
  ];
  for (const c of foreignIds) {
    it(`/invoice ${c.label ?? c.text()}, by another workspace’s finance admin naming this one’s: not found there, nothing written`, async () => {
      const before = await ledger();
      const answer = await command(OTHER_ADMIN, c.text(), OTHER);
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain(c.says());
      expect(answer.text).not.toContain('/c/');
      expect(t.fake.calls('views.open')).toEqual([]);
      expect(await ledger()).toEqual(before);
    });
  }

  for (const who of ['a member', 'a person from another organisation'] as const) {
    it(`the import report’s "Import" submit, by ${who}: refused in the modal, no file read, nothing written`, async () => {
      const before = await ledger();
      const payload = viewSubmissionPayload({
        team_id: TEAM,
        user_id: MEMBER,
        callback_id: VIEW.importReport,
        private_metadata: JSON.stringify({ key: 'import-1', fileId: 'F0CSV', fileName: 'book.csv' }),
      });
      if (who === 'a person from another organisation') payload.user.team_id = OTHER;
      const response = await t.as(MEMBER).payload(payload);
      await t.bot.idle();
      expect((response.body as { response_action: string }).response_action).toBe('update');
      expect(json(response.body)).toContain(
        who === 'a member'
          ? 'Only the people named in /invoice settings can import invoices'
          : 'Only members of this workspace can import.',
      );
      expect(t.fake.calls('files.info')).toEqual([]);
      expect(await ledger()).toEqual(before);
    });
  }

  it('lets a member log a chase, put an invoice on hold and mark a draft sent: the work that stays open to everyone', async () => {
    const before = await ledger();
    const chase = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.chase,
      private_metadata: JSON.stringify({ key: 'm-chase', invoiceId: ids.open }),
      values: {
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.radio('email') },
        [FIELD.chaseNote]: { [FIELD.chaseNote]: 'Sent a reminder' },
      },
    });
    expect(chase.body).toBe('');
    const hold = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.hold,
      private_metadata: JSON.stringify({ key: 'm-hold', invoiceId: ids.open }),
      values: {
        [FIELD.holdKind]: { [FIELD.holdKind]: stateValue.radio('hold') },
        [FIELD.reason]: { [FIELD.reason]: 'Waiting on their PO' },
      },
    });
    expect(hold.body).toBe('');
    await t.as(MEMBER).blockAction({ action_id: ACTION.markSent, value: ids.draft });
    await t.bot.idle();
    const kinds = await t.handle.raw('select kind from events where actor_id = $1 order by id', [MEMBER]);
    expect(kinds.map((k) => k.kind)).toEqual(['chased', 'held', 'sent']);
    expect((await ledger()).events).toBe(before.events + 3);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The finance admins themselves

describe('the finance admin seat', () => {
  it('refuses a save that would leave no finance admin (no people, no group), on those fields; nothing written', async () => {
    const before = await ledger();
    const response = await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.settings,
      private_metadata: JSON.stringify({ key: 'empty' }),
      values: settingsValues([]),
    });
    const errors = (response.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual([FIELD.financeAdminGroup, FIELD.financeAdmins].sort());
    expect(errors[FIELD.financeAdmins]).toContain('Name at least one finance admin or a user group');
    expect(await ledger()).toEqual(before);
  });

  it('so the next member to open /invoice settings does not become the admin', async () => {
    await t.as(ADMIN).viewSubmission({
      callback_id: VIEW.settings,
      private_metadata: JSON.stringify({ key: 'empty-2' }),
      values: settingsValues([]),
    });
    const before = await ledger();
    const answer = await command(MEMBER, 'settings');
    expect(answer.text).toContain('Only the people named in `/invoice settings` can change the settings');
    expect(t.fake.calls('views.open')).toEqual([]);
    expect(await ledger()).toEqual(before);
  });

  it('is claimed once in a new workspace, by the first to open settings, as an admin_claimed event; never again', async () => {
    const team = 'T0FRESH';
    const first = await t.as('U0FIRST', team).slashCommand({ text: 'settings' });
    expect(first.status).toBe(200);
    const opened = await t.fake.waitFor('views.open');
    expect(opened.args.view.callback_id).toBe(VIEW.settings);
    await t.bot.idle();
    expect(await t.handle.raw('select kind, actor_id from events where team_id = $1 order by id', [team])).toEqual([
      { kind: 'admin_claimed', actor_id: 'U0FIRST' },
    ]);
    // The second person is refused, and the first seat is not claimed again even after the admins are gone.
    await t.handle.raw("update workspaces set finance_admins = '{}' where team_id = $1", [team]);
    const before = await ledger();
    const answer = await command('U0SECOND', 'settings', team);
    expect(answer.text).toContain('Only the people named in `/invoice settings` can change the settings');
    expect(await ledger()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The finance user group: a removal applies within GROUP_TTL_MS

describe('a person removed from the finance user group', () => {
  let groups = 0;

  /** A fresh group (the bot's cache is per group, and each test starts at the same instant) with `members`. */
  async function group(members: string[]): Promise<string> {
    groups += 1;
    const id = `S0FIN${groups}`;
    t.fake.setUsergroup(id, members);
    await updateWorkspaceSettings(t.ledger, TEAM, OPERATOR, { financeAdminGroup: id });
    return id;
  }

  function pay(userId: string, key: string) {
    return t.as(userId).viewSubmission({
      callback_id: VIEW.payment,
      private_metadata: JSON.stringify({ key, invoiceId: ids.open }),
      values: {
        [FIELD.paymentAmount]: { [FIELD.paymentAmount]: '100.00' },
        [FIELD.paymentDate]: { [FIELD.paymentDate]: stateValue.date('2026-11-23') },
      },
    });
  }

  it('says the bound: 30 seconds', () => {
    expect(GROUP_TTL_MS).toBe(30_000);
  });

  it('may record a payment as a member of the group, and may not once removed and the bound has passed', async () => {
    const id = await group(['U0GROUPIE']);
    expect((await pay('U0GROUPIE', 'g-1')).body).toBe('');
    t.fake.setUsergroup(id, []);
    t.clock.advance(GROUP_TTL_MS + 1);
    const before = await ledger();
    const refused = await pay('U0GROUPIE', 'g-2');
    expect(json(refused.body)).toContain('Only the finance admins named in /invoice settings can record payments');
    expect(await ledger()).toEqual(before);
  });

  it('may not void, edit the total or change settings either, once the bound has passed', async () => {
    const id = await group(['U0GROUPIE']);
    expect((await pay('U0GROUPIE', 'g-3')).body).toBe('');
    t.fake.setUsergroup(id, []);
    t.clock.advance(GROUP_TTL_MS + 1);
    const before = await ledger();
    for (const form of [FORMS[1], FORMS[2], FORMS[9]] as Form[]) {
      const response = await t.as('U0GROUPIE').viewSubmission({
        callback_id: form.callback,
        private_metadata: JSON.stringify({ key: `g-${form.name}`, invoiceId: ids.open, version: 2 }),
        values: form.values(),
      });
      expect((response.body as { response_action?: string }).response_action).toBe('errors');
    }
    expect(await ledger()).toEqual(before);
  });

  it('asks Slack once per group per bound, however many requests (usergroups.users.list is tier 2)', async () => {
    await group(['U0GROUPIE']);
    for (let i = 0; i < 5; i++) {
      await command('U0GROUPIE', 'webhooks');
      t.clock.advance(5_000);
    }
    expect(t.fake.calls('usergroups.users.list')).toHaveLength(1);
    t.clock.advance(GROUP_TTL_MS);
    await command('U0GROUPIE', 'webhooks');
    expect(t.fake.calls('usergroups.users.list')).toHaveLength(2);
  });

  it('is a member when Slack will not say who is in the group (fails closed), and is told so', async () => {
    await updateWorkspaceSettings(t.ledger, TEAM, OPERATOR, { financeAdminGroup: 'S0NOSUCHGROUP' });
    const before = await ledger();
    const answer = await command('U0GROUPIE', 'paid INV-1');
    expect(answer.text).toContain('Only the people named in `/invoice settings` can record payments');
    expect(await ledger()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Replays: the same signed request again, inside Slack's 5 minutes

describe('a replayed request records once', () => {
  /** The same slash command body, signed and sent twice (a replay carries the same trigger_id). */
  async function replayCommand(text: string, id: string, answers = true) {
    const body = formBody(
      slashCommandBody({
        team_id: TEAM,
        user_id: ADMIN,
        text,
        trigger_id: `trigger-${id}`,
        response_url: t.fake.responseUrl(id),
      }),
    );
    await t.as(ADMIN).postSigned(body, FORM);
    if (answers) await t.fake.waitFor('response_url', (c) => c.id === id);
    await t.bot.idle();
    // A replay arrives a little later: a clock-derived key would differ.
    t.clock.advance(1_000);
    await t.as(ADMIN).postSigned(body, FORM);
    if (answers) await t.fake.waitForCount('response_url', 2);
    await t.bot.idle();
    return t.fake
      .calls('response_url')
      .filter((c) => c.id === id)
      .map((c) => c.args.text as string);
  }

  it('/invoice share Acme Corp new: one new link; the replay makes none and says so', async () => {
    await shareClient(t.ledger, TEAM, OPERATOR, { client: ids.clientId });
    const [first, second] = await replayCommand('share Acme Corp new', 'share-new');
    expect(first).toContain('/c/');
    expect(second).toContain('That request was already handled');
    expect(second).not.toContain('/c/');
    const shared = await t.handle.raw("select count(*)::int as n from events where kind = 'link_shared'", []);
    expect(shared).toEqual([{ n: 2 }]);
    expect(await t.handle.raw('select count(*)::int as n from client_links where revoked_at is null', [])).toEqual([
      { n: 1 },
    ]);
  });

  it('/invoice webhooks add: one endpoint; the replay adds none and never shows the secret again', async () => {
    const [first, second] = await replayCommand('webhooks add https://erp.example.com/hooks', 'hook-add');
    expect(first).toContain('erp.example.com/hooks');
    expect(second).toContain('That request was already handled');
    const rows = await t.handle.raw('select secret from webhook_endpoints where url like $1', [
      'https://erp.example.com%',
    ]);
    expect(rows).toHaveLength(1);
    expect(second).not.toContain(String(rows[0]?.secret));
  });

  it('/invoice digest post: one digest for the finance channel', async () => {
    const [first, second] = await replayCommand('digest post', 'digest');
    expect(first).toContain('The digest is on its way');
    expect(second).toContain('That request was already handled');
    expect(await t.handle.raw("select count(*)::int as n from deliveries where kind = 'digest'", [])).toEqual([
      { n: 1 },
    ]);
  });

  it('/invoice paid INV-1 500: records nothing by itself (it opens the form), however often it comes', async () => {
    const before = await ledger();
    await replayCommand('paid INV-1 500', 'paid', false);
    expect(t.fake.calls('views.open')).toHaveLength(2);
    expect(await ledger()).toEqual(before);
  });

  for (const form of [
    {
      name: 'the payment form',
      callback: VIEW.payment,
      values: FORMS[0]?.values ?? (() => ({})),
      count: 'select count(*)::int as n from payments',
    },
    {
      name: 'the chase form',
      callback: VIEW.chase,
      values: () => ({
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.radio('call') },
        [FIELD.chaseNote]: { [FIELD.chaseNote]: 'Rang them' },
      }),
      count: "select count(*)::int as n from events where kind = 'chased'",
    },
  ]) {
    it(`${form.name}: the same view_submission twice records one`, async () => {
      const payload = viewSubmissionPayload({
        team_id: TEAM,
        user_id: ADMIN,
        callback_id: form.callback,
        private_metadata: JSON.stringify({ key: `replay-${form.callback}`, invoiceId: ids.open }),
        values: form.values(),
      });
      expect((await t.as(ADMIN).payload(payload)).body).toBe('');
      expect((await t.as(ADMIN).payload(payload)).body).toBe('');
      await t.bot.idle();
      expect(await t.handle.raw(form.count, [])).toEqual([{ n: 1 }]);
    });

    it(`${form.name} without a key of its own in private_metadata: a replay still records one`, async () => {
      const payload = viewSubmissionPayload({
        team_id: TEAM,
        user_id: ADMIN,
        callback_id: form.callback,
        private_metadata: JSON.stringify({ invoiceId: ids.open }),
        values: form.values(),
      });
      await t.as(ADMIN).payload(payload);
      await t.as(ADMIN).payload(payload);
      await t.bot.idle();
      expect(await t.handle.raw(form.count, [])).toEqual([{ n: 1 }]);
    });
  }
});
