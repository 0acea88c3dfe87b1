// The authorization policy as the services enforce it: every service that changes data, called by each kind of
// principal — a member, a finance admin, the CLI's operator, a finance admin of another workspace, a client's
// contact — does exactly what services/policy.ts says, and a refusal is FORBIDDEN with nothing written.
import { expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { createClient, updateClient } from '../../src/services/clients.js';
import type { LedgerContext } from '../../src/services/context.js';
import { isLedgerError } from '../../src/services/errors.js';
import { importInvoices } from '../../src/services/import.js';
import {
  createInvoice,
  editInvoice,
  logChase,
  markSent,
  placeHold,
  recordPayment,
  releaseHold,
  voidInvoice,
} from '../../src/services/invoices.js';
import {
  contactPrincipal,
  operatorPrincipal,
  POLICY,
  type Principal,
  slackPrincipal,
} from '../../src/services/policy.js';
import { revokeClientLink, shareClient } from '../../src/services/sharing.js';
import { addWebhookEndpoint, removeWebhookEndpoint } from '../../src/services/webhooks.js';
import { claimFirstAdmin, ensureWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const TEAM = 'T0ACME';
const OTHER = 'T0OTHER';
const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';

type Who = 'member' | 'finance admin' | 'operator' | 'admin of another workspace' | 'client contact';
const EVERYONE: readonly Who[] = [
  'member',
  'finance admin',
  'operator',
  'admin of another workspace',
  'client contact',
];

const ARTICLE: Record<Who, string> = {
  member: 'a',
  'finance admin': 'a',
  operator: 'the',
  'admin of another workspace': 'an',
  'client contact': 'a',
};

interface Fixture {
  ctx: LedgerContext;
  clientId: string;
  /** Sent, open, $1,000.00. */
  openId: string;
  /** Sent, on hold. */
  heldId: string;
  /** Draft. */
  draftId: string;
  webhookId: string;
}

const CSV = 'number,client,currency,total,issue_date,status\nIMP-1,Initech,USD,250.00,2026-10-01,sent\n';

/** Each writing service, called the way its interfaces call it, and which of the principals may. */
const CASES: {
  name: string;
  may: readonly Who[];
  run: (f: Fixture, p: Principal) => Promise<unknown>;
  /** False for what writes nothing even when allowed (a dry run). */
  writes?: false;
}[] = [
  {
    name: 'createInvoice',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) =>
      createInvoice(f.ctx, TEAM, p, {
        number: 'NEW-1',
        clientId: f.clientId,
        currency: 'USD',
        total: '10.00',
        issueDate: '2026-11-01',
      }),
  },
  {
    name: 'editInvoice (description and owner)',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) =>
      editInvoice(f.ctx, TEAM, p, {
        invoice: f.openId,
        expectedVersion: 1,
        changes: { description: 'Phase two', ownerUserId: 'U0NEWOWNER' },
      }),
  },
  {
    name: 'editInvoice (total)',
    may: ['finance admin', 'operator'],
    run: (f, p) => editInvoice(f.ctx, TEAM, p, { invoice: f.openId, expectedVersion: 1, changes: { total: '400.00' } }),
  },
  {
    name: 'editInvoice (terms)',
    may: ['finance admin', 'operator'],
    run: (f, p) => editInvoice(f.ctx, TEAM, p, { invoice: f.openId, expectedVersion: 1, changes: { terms: 'net 90' } }),
  },
  {
    name: 'editInvoice (number)',
    may: ['finance admin', 'operator'],
    run: (f, p) => editInvoice(f.ctx, TEAM, p, { invoice: f.openId, expectedVersion: 1, changes: { number: 'X-9' } }),
  },
  {
    name: 'editInvoice (issue date)',
    may: ['finance admin', 'operator'],
    run: (f, p) =>
      editInvoice(f.ctx, TEAM, p, { invoice: f.openId, expectedVersion: 1, changes: { issueDate: '2026-09-15' } }),
  },
  {
    name: 'editInvoice (currency)',
    may: ['finance admin', 'operator'],
    run: (f, p) => editInvoice(f.ctx, TEAM, p, { invoice: f.openId, expectedVersion: 1, changes: { currency: 'EUR' } }),
  },
  {
    name: 'markSent',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) => markSent(f.ctx, TEAM, p, { invoice: f.draftId }),
  },
  {
    name: 'logChase',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) => logChase(f.ctx, TEAM, p, { invoice: f.openId, method: 'email', note: 'Sent a reminder' }),
  },
  {
    name: 'placeHold',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) => placeHold(f.ctx, TEAM, p, { invoice: f.openId, kind: 'dispute', reason: 'Wrong rate' }),
  },
  {
    name: 'releaseHold',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) => releaseHold(f.ctx, TEAM, p, { invoice: f.heldId }),
  },
  {
    name: 'recordPayment',
    may: ['finance admin', 'operator'],
    run: (f, p) => recordPayment(f.ctx, TEAM, p, { invoice: f.openId, amount: '100.00' }),
  },
  {
    name: 'voidInvoice',
    may: ['finance admin', 'operator'],
    run: (f, p) => voidInvoice(f.ctx, TEAM, p, { invoice: f.openId, reason: 'Raised twice' }),
  },
  {
    name: 'createClient',
    may: ['member', 'finance admin', 'operator'],
    run: (f, p) => createClient(f.ctx, TEAM, p, { name: 'Globex' }),
  },
  {
    name: 'updateClient',
    may: ['finance admin', 'operator'],
    run: (f, p) => updateClient(f.ctx, TEAM, p, { clientId: f.clientId, changes: { contactEmail: 'x@evil.test' } }),
  },
  {
    name: 'importInvoices',
    may: ['finance admin', 'operator'],
    run: (f, p) => importInvoices(f.ctx, TEAM, p, CSV),
  },
  {
    name: 'importInvoices (dry run)',
    may: ['finance admin', 'operator'],
    writes: false,
    run: (f, p) => importInvoices(f.ctx, TEAM, p, CSV, { dryRun: true }),
  },
  {
    name: 'shareClient',
    may: ['finance admin', 'operator'],
    run: (f, p) => shareClient(f.ctx, TEAM, p, { client: f.clientId }),
  },
  {
    name: 'revokeClientLink',
    may: ['finance admin', 'operator'],
    run: (f, p) => revokeClientLink(f.ctx, TEAM, p, { client: f.clientId }),
  },
  {
    name: 'updateWorkspaceSettings',
    may: ['finance admin', 'operator'],
    run: (f, p) => updateWorkspaceSettings(f.ctx, TEAM, p, { staleDays: 3 }),
  },
  {
    name: 'addWebhookEndpoint',
    may: ['finance admin', 'operator'],
    run: (f, p) => addWebhookEndpoint(f.ctx, TEAM, p, { url: 'https://erp.example.com/hooks' }),
  },
  {
    name: 'removeWebhookEndpoint',
    may: ['finance admin', 'operator'],
    run: (f, p) => removeWebhookEndpoint(f.ctx.db, TEAM, p, f.webhookId),
  },
];

function principal(who: Who, clientId: string): Principal {
  const workspace = { teamId: TEAM, financeAdmins: [ADMIN], financeAdminGroup: null };
  switch (who) {
    case 'member':
      return slackPrincipal(workspace, MEMBER);
    case 'finance admin':
      return slackPrincipal(workspace, ADMIN);
    case 'operator':
      return operatorPrincipal('cli');
    case 'admin of another workspace':
      // A finance admin, but of another workspace: the ids it names are this one's.
      return slackPrincipal({ teamId: OTHER, financeAdmins: [ADMIN], financeAdminGroup: null }, ADMIN);
    case 'client contact':
      return contactPrincipal(TEAM, clientId, 'ap@acme.test');
  }
}

/** Everything a refused call could have written, in every table a service writes. */
async function snapshot(handle: DatabaseHandle) {
  const [row] = await handle.raw(
    `select (select count(*) from events)::int as events, (select count(*) from invoices)::int as invoices,
      (select count(*) from payments)::int as payments, (select count(*) from clients)::int as clients,
      (select count(*) from client_links)::int as links, (select count(*) from webhook_endpoints)::int as webhooks,
      (select count(*) from idempotency_keys)::int as keys,
      (select string_agg(version::text || ':' || total_minor::text || ':' || coalesce(description, ''), ',' order by id)
        from invoices) as invoice_facts,
      (select string_agg(version::text, ',' order by team_id) from workspaces) as workspace_versions,
      (select string_agg(coalesce(contact_email, '') || ':' || version::text, ',' order by id) from clients) as client_facts`,
    [],
  );
  return row;
}

describeEachDatabase('who may do what, as the services decide it', '2026-11-23T15:00:00Z', (get) => {
  async function fixture(): Promise<Fixture> {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx, { teamId: TEAM });
    await ensureWorkspace(ctx, { teamId: OTHER, name: 'Other' });
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeAdmins: [ADMIN] });
    const open = await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    const held = await invoice(ctx, teamId, client.id, { number: 'INV-2' });
    await placeHold(ctx, teamId, asAdmin({ type: 'user', id: ADMIN }, teamId), {
      invoice: held.id,
      kind: 'hold',
      reason: 'Waiting on PO',
    });
    const draft = await invoice(ctx, teamId, client.id, { number: 'INV-3', status: 'draft' });
    await shareClient(ctx, teamId, OPERATOR, { client: client.id });
    const hook = await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://books.example.com/in' });
    return { ctx, clientId: client.id, openId: open.id, heldId: held.id, draftId: draft.id, webhookId: hook.id };
  }

  for (const c of CASES) {
    for (const who of EVERYONE) {
      const allowed = c.may.includes(who);
      it(`${c.name} by ${ARTICLE[who]} ${who}: ${allowed ? 'done' : 'refused as FORBIDDEN, nothing written'}`, async () => {
        const f = await fixture();
        const before = await snapshot(get().handle);
        const p = principal(who, f.clientId);
        if (allowed) {
          const result = await c.run(f, p);
          if (typeof result === 'object' && result !== null && 'errors' in result) {
            expect((result as { errors: unknown[] }).errors).toEqual([]);
          }
          if (typeof result === 'boolean') expect(result).toBe(true);
          if (c.writes === false) expect(result).toMatchObject({ dryRun: true, created: 1, written: false });
          else expect(await snapshot(get().handle)).not.toEqual(before);
          return;
        }
        let refused: unknown;
        try {
          await c.run(f, p);
        } catch (error) {
          refused = error;
        }
        expect(isLedgerError(refused, 'FORBIDDEN'), String(refused)).toBe(true);
        const message = (refused as Error).message;
        if (who === 'admin of another workspace') expect(message).toContain('another workspace');
        else if (who === 'client contact') expect(message).toContain('only take your answers');
        else expect(message).toContain('Only the finance admins named in /invoice settings can');
        expect(await snapshot(get().handle)).toEqual(before);
      });
    }
  }

  it('names each refused field of a member’s edit, and writes nothing of it, not even the allowed part', async () => {
    const f = await fixture();
    const before = await snapshot(get().handle);
    let refused: unknown;
    try {
      await editInvoice(f.ctx, TEAM, principal('member', f.clientId), {
        invoice: f.openId,
        expectedVersion: 1,
        changes: { total: '1,000.00', terms: 'net 60', description: 'Only this would be allowed' },
      });
    } catch (error) {
      refused = error;
    }
    expect(isLedgerError(refused, 'FORBIDDEN')).toBe(true);
    // The unchanged total is not named: only what would really change.
    expect((refused as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual(['terms']);
    expect(await snapshot(get().handle)).toEqual(before);
  });

  it('lets a member resubmit the whole edit form unchanged but for the description', async () => {
    const f = await fixture();
    const { result } = await editInvoice(f.ctx, TEAM, principal('member', f.clientId), {
      invoice: f.openId,
      expectedVersion: 1,
      changes: { number: 'INV-1', currency: 'USD', total: '1,000.00', terms: 'net 30', description: 'Retainer' },
    });
    expect(result).toMatchObject({ description: 'Retainer', totalMinor: 100_000n });
  });

  it('has a rule for every operation it names, and the rules the table in the README gives', () => {
    expect(Object.fromEntries(Object.entries(POLICY).map(([op, rule]) => [op, [...rule.allow]]))).toEqual({
      createInvoice: ['member', 'finance_admin', 'operator'],
      editInvoice: ['member', 'finance_admin', 'operator'],
      editInvoiceTerms: ['finance_admin', 'operator'],
      markSent: ['member', 'finance_admin', 'operator'],
      logChase: ['member', 'finance_admin', 'operator'],
      placeHold: ['member', 'finance_admin', 'operator'],
      releaseHold: ['member', 'finance_admin', 'operator'],
      recordPayment: ['finance_admin', 'operator'],
      voidInvoice: ['finance_admin', 'operator'],
      reversePayment: ['finance_admin', 'operator'],
      issueCreditNote: ['finance_admin', 'operator'],
      withdrawCreditNote: ['finance_admin', 'operator'],
      applyAccountCredit: ['finance_admin', 'operator'],
      recordRefund: ['finance_admin', 'operator'],
      createClient: ['member', 'finance_admin', 'operator'],
      updateClient: ['finance_admin', 'operator'],
      import: ['finance_admin', 'operator'],
      shareClient: ['finance_admin', 'operator'],
      revokeClientLink: ['finance_admin', 'operator'],
      manageWebhooks: ['finance_admin', 'operator'],
      manageLedgerConnection: ['finance_admin'],
      updateSettings: ['finance_admin', 'operator'],
      manageRates: ['finance_admin', 'operator'],
      claimFirstAdmin: ['member'],
      postDigest: ['finance_admin', 'operator'],
      manageRetainers: ['finance_admin', 'operator'],
      manageInstallation: ['operator'],
      eraseWorkspace: ['operator'],
      answerAsClient: ['contact'],
    });
  });

  it('finds a finance admin by the user group too, and only by the group named in settings', () => {
    const workspace = { teamId: TEAM, financeAdmins: [], financeAdminGroup: 'S0FIN' };
    expect(slackPrincipal(workspace, MEMBER, ['S0FIN']).role).toBe('finance_admin');
    expect(slackPrincipal(workspace, MEMBER, ['S0OTHER']).role).toBe('member');
    expect(slackPrincipal({ ...workspace, financeAdminGroup: null }, MEMBER, ['S0FIN']).role).toBe('member');
  });
});

describeEachDatabase('the finance admins of a workspace', '2026-11-23T15:00:00Z', (get) => {
  const member = (id: string) => slackPrincipal({ teamId: TEAM, financeAdmins: [], financeAdminGroup: null }, id);

  it('lets the first person claim the first seat once, as an admin_claimed event, and nobody after', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    const claimed = await claimFirstAdmin(ctx, TEAM, member('U0FIRST'));
    expect(claimed.financeAdmins).toEqual(['U0FIRST']);
    expect(await handle.raw("select kind, actor_type, actor_id from events where kind = 'admin_claimed'", [])).toEqual([
      { kind: 'admin_claimed', actor_type: 'user', actor_id: 'U0FIRST' },
    ]);
    await expect(claimFirstAdmin(ctx, TEAM, member('U0SECOND'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a save that would leave no finance admin, on the admins and the group, and writes nothing', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await claimFirstAdmin(ctx, TEAM, member(ADMIN));
    const admin = slackPrincipal({ teamId: TEAM, financeAdmins: [ADMIN], financeAdminGroup: null }, ADMIN);
    const before = await snapshot(handle);
    await expect(
      updateWorkspaceSettings(ctx, TEAM, admin, { financeAdmins: [], financeAdminGroup: null }),
    ).rejects.toMatchObject({
      code: 'ADMIN_REQUIRED',
      issues: [
        { field: 'financeAdmins', message: expect.stringContaining('name at least one finance admin') },
        { field: 'financeAdminGroup', message: expect.stringContaining('name at least one finance admin') },
      ],
    });
    expect(await snapshot(handle)).toEqual(before);
    // Handing over to a group is a save that leaves an admin.
    const saved = await updateWorkspaceSettings(ctx, TEAM, admin, { financeAdmins: [], financeAdminGroup: 'S0FIN' });
    expect(saved).toMatchObject({ financeAdmins: [], financeAdminGroup: 'S0FIN' });
  });

  it('never reopens the first seat, even should the admins be emptied some other way', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await claimFirstAdmin(ctx, TEAM, member(ADMIN));
    // Not by a save (refused above): by hand in the database, as a restore or a mistake might.
    await handle.raw("update workspaces set finance_admins = '{}' where team_id = $1", [TEAM]);
    await expect(claimFirstAdmin(ctx, TEAM, member('U0LATE'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('counts a save that named admins as having had one: no claim after it', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    await updateWorkspaceSettings(ctx, TEAM, OPERATOR, { financeAdmins: [ADMIN] });
    await handle.raw("update workspaces set finance_admins = '{}' where team_id = $1", [TEAM]);
    await expect(claimFirstAdmin(ctx, TEAM, member('U0LATE'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets two people racing for the first seat end with one admin and one claim', async () => {
    const { ctx, handle } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Acme' });
    const results = await Promise.allSettled([
      claimFirstAdmin(ctx, TEAM, member('U0ONE')),
      claimFirstAdmin(ctx, TEAM, member('U0TWO')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await handle.raw("select count(*)::int as n from events where kind = 'admin_claimed'", [])).toEqual([
      { n: 1 },
    ]);
  });
});
