// Small fixtures for service and view tests: a workspace, a client and invoices in known states.

import { createClient } from '../../src/services/clients.js';
import type { Actor, LedgerContext } from '../../src/services/context.js';
import { type CreateInvoiceInput, createInvoice } from '../../src/services/invoices.js';
import { operatorPrincipal, type Principal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';

export const ALICE: Actor = { type: 'user', id: 'U0ALICE' };
export const BOB: Actor = { type: 'user', id: 'U0BOB' };

/** A Slack user acting as a finance admin of `teamId` (services/policy.ts): may do everything there. */
export function asAdmin(person: Actor, teamId: string): Principal {
  return { type: 'user', id: person.id, teamId, role: 'finance_admin' };
}

/** A Slack user acting as a plain member of `teamId`. */
export function asMember(person: Actor, teamId: string): Principal {
  return { type: 'user', id: person.id, teamId, role: 'member' };
}

/** The CLI's operator, as tests set up a workspace the way an operator would. */
export const OPERATOR: Principal = operatorPrincipal('test');

export async function workspaceWithClient(
  ctx: LedgerContext,
  options: { teamId?: string; timeZone?: string; clientName?: string } = {},
) {
  const teamId = options.teamId ?? 'T0ACME';
  const workspace = await ensureWorkspace(ctx, {
    teamId,
    name: 'Studio',
    timeZone: options.timeZone ?? 'America/New_York',
  });
  const { result: client } = await createClient(ctx, teamId, asAdmin(ALICE, teamId), {
    name: options.clientName ?? 'Acme Corp',
    contactName: 'Ada Payable',
    contactEmail: 'ap@acme.test',
  });
  return { teamId, workspace, client };
}

export async function invoice(
  ctx: LedgerContext,
  teamId: string,
  clientId: string,
  input: Partial<CreateInvoiceInput> & { number: string },
) {
  const { result } = await createInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
    clientId,
    currency: 'USD',
    total: '1,000.00',
    issueDate: '2026-09-01',
    terms: { kind: 'net', days: 30 },
    status: 'sent',
    ...input,
  });
  return result;
}

/**
 * A sent invoice made the way a person in Slack would: the client by name (created when new), $1,200.00 net 30
 * from 2026-10-01 unless `input` says otherwise, by `by` (a Slack user id).
 */
export async function sentInvoice(
  ctx: LedgerContext,
  teamId: string,
  by: string,
  input: Partial<CreateInvoiceInput> & { number: string },
) {
  const { result } = await createInvoice(ctx, teamId, asAdmin({ type: 'user', id: by }, teamId), {
    clientName: 'Globex',
    currency: 'USD',
    total: '1,200.00',
    issueDate: '2026-10-01',
    terms: 'net 30',
    status: 'sent',
    ...input,
  });
  return result;
}
