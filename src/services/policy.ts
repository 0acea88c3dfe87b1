// Who may do what: one table of operations, one principal per request, one check every writing service makes.
//
// A principal is resolved once per request by the interface that received it (Slack: from the workspace's
// settings and the finance user group's membership; the CLI: the machine's operator; the status page: the
// link's client contact) and passed to every service, which calls authorize() before it changes anything.
// A listener may refuse early (not to open a form the person cannot submit), but the service decides.
import type { WorkspaceRow } from '../db/schema.js';
import type { Actor } from './context.js';
import { LedgerError } from './errors.js';

/**
 * - `member`: anyone in the workspace's Slack.
 * - `finance_admin`: a person (or a member of the user group) named in `/invoice settings`.
 * - `operator`: whoever runs the CLI on the machine that holds the database; a finance admin of every
 *   workspace in it (they hold the database itself anyway), named in every event it records.
 * - `contact`: a client's billing contact, on the client's status page: only their own answers.
 */
export type Role = 'member' | 'finance_admin' | 'operator' | 'contact';

export type Principal =
  | { readonly type: 'user'; readonly id: string; readonly teamId: string; readonly role: 'member' | 'finance_admin' }
  | { readonly type: 'system'; readonly id: string; readonly role: 'operator' }
  | {
      readonly type: 'contact';
      readonly id: string;
      readonly teamId: string;
      readonly clientId: string;
      readonly role: 'contact';
    };

const STAFF = ['member', 'finance_admin', 'operator'] as const satisfies readonly Role[];
const ADMINS = ['finance_admin', 'operator'] as const satisfies readonly Role[];

/** Every operation that changes data, who may do it, and how a refusal names it ("Only … can <what>"). */
export const POLICY = {
  createInvoice: { allow: STAFF, what: 'create invoices' },
  /** An invoice's description and owner: what touches no money, terms, client or status. */
  editInvoice: { allow: STAFF, what: 'edit invoices' },
  /** An invoice's number, client, currency, total, dates or terms. */
  editInvoiceTerms: { allow: ADMINS, what: 'change an invoice’s number, client, currency, total, dates or terms' },
  markSent: { allow: STAFF, what: 'mark invoices sent' },
  logChase: { allow: STAFF, what: 'log chases' },
  placeHold: { allow: STAFF, what: 'put invoices on hold or in dispute' },
  releaseHold: { allow: STAFF, what: 'release holds and disputes' },
  recordPayment: { allow: ADMINS, what: 'record payments' },
  voidInvoice: { allow: ADMINS, what: 'void invoices' },
  /** Taking back a payment recorded by mistake (an event with a reason; the payment is kept, marked reversed). */
  reversePayment: { allow: ADMINS, what: 'reverse payments' },
  issueCreditNote: { allow: ADMINS, what: 'issue credit notes' },
  /** Taking back a credit note (voided in the books): kept, marked withdrawn, counting for nothing. */
  withdrawCreditNote: { allow: ADMINS, what: 'withdraw credit notes' },
  /** Taking credit kept on a client's account off another of their open invoices. */
  applyAccountCredit: { allow: ADMINS, what: 'apply credit on account' },
  /** Money going back: an invoice's overpayment, or credit on a client's account. */
  recordRefund: { allow: ADMINS, what: 'record refunds' },
  createClient: { allow: STAFF, what: 'add clients' },
  updateClient: { allow: ADMINS, what: 'change a client’s details, terms or contact' },
  import: { allow: ADMINS, what: 'import invoices' },
  shareClient: { allow: ADMINS, what: 'share a client’s status page' },
  revokeClientLink: { allow: ADMINS, what: 'end a client’s status page' },
  manageWebhooks: { allow: ADMINS, what: 'manage the ledger webhooks' },
  /** Connecting, disconnecting or restarting the sync of the books (Xero, QuickBooks Online). */
  manageLedgerConnection: { allow: ['finance_admin'], what: 'connect or disconnect the books' },
  updateSettings: { allow: ADMINS, what: 'change the settings' },
  /** The reporting currency and the exchange rates into it (one total across currencies). */
  manageRates: { allow: ADMINS, what: 'set the reporting currency and exchange rates' },
  /** Becoming the first finance admin of a workspace that never had one: once, ever (see claimFirstAdmin). */
  claimFirstAdmin: { allow: ['member'], what: 'claim the first finance admin seat' },
  postDigest: { allow: ADMINS, what: 'post the digest' },
  /** Setting up a retainer (a recurring invoice), pausing, resuming or ending it. */
  manageRetainers: { allow: ADMINS, what: 'set up, edit, pause, resume or end retainers' },
  /** What Slack tells the app of itself: an install (OAuth), a token's rotation, an uninstall or revocation. */
  manageInstallation: { allow: ['operator'], what: 'record the app’s installation' },
  /** Deleting every row of a workspace (a deletion request, or RETENTION_DAYS after an uninstall). */
  eraseWorkspace: { allow: ['operator'], what: 'delete a workspace’s data' },
  answerAsClient: { allow: ['contact'], what: 'answer on a client’s status page' },
} as const satisfies Record<string, { allow: readonly Role[]; what: string }>;

export type Operation = keyof typeof POLICY;

/** The Slack user's principal: a finance admin when named in settings, or in the finance group (membership given). */
export function slackPrincipal(
  workspace: Pick<WorkspaceRow, 'teamId' | 'financeAdmins' | 'financeAdminGroup'>,
  userId: string,
  /** The user groups the person is known (freshly) to belong to; only the finance group matters. */
  userGroups: readonly string[] = [],
): Principal {
  return { type: 'user', id: userId, teamId: workspace.teamId, role: roleOf(workspace, userId, userGroups) };
}

/** Deny by default: only the people (or the user group) named in settings are finance admins. */
export function roleOf(
  workspace: Pick<WorkspaceRow, 'financeAdmins' | 'financeAdminGroup'>,
  userId: string,
  userGroups: readonly string[] = [],
): 'member' | 'finance_admin' {
  if (workspace.financeAdmins.includes(userId)) return 'finance_admin';
  const group = workspace.financeAdminGroup;
  return group !== null && userGroups.includes(group) ? 'finance_admin' : 'member';
}

/**
 * The CLI's principal: the operator of the machine that holds the database, a finance admin everywhere in it.
 * `name` is what its events say did it (`import` for imports, as before).
 */
export function operatorPrincipal(name = 'cli'): Principal {
  return { type: 'system', id: name, role: 'operator' };
}

/** The client's billing contact, as the status page's link identifies them. */
export function contactPrincipal(teamId: string, clientId: string, contactId: string): Principal {
  return { type: 'contact', id: contactId, teamId, clientId, role: 'contact' };
}

export function may(principal: Principal, operation: Operation, teamId: string): boolean {
  if (principal.type !== 'system' && principal.teamId !== teamId) return false;
  return (POLICY[operation].allow as readonly Role[]).includes(principal.role);
}

/** Throws FORBIDDEN unless the principal may do this in this workspace. `fields`: the form fields to mark. */
export function authorize(
  principal: Principal,
  operation: Operation,
  teamId: string,
  fields: readonly string[] = [],
): void {
  if (may(principal, operation, teamId)) return;
  throw forbidden(principal, operation, teamId, fields);
}

export function forbidden(
  principal: Principal,
  operation: Operation,
  teamId: string,
  fields: readonly string[] = [],
): LedgerError {
  const what = POLICY[operation].what;
  const message =
    principal.type !== 'system' && principal.teamId !== teamId
      ? 'That belongs to another workspace: only its own members can act on it.'
      : principal.type === 'contact'
        ? 'This page can only take your answers on your invoices.'
        : `Only the finance admins named in /invoice settings can ${what}. Ask one of them to do it, or to add you.`;
  return new LedgerError(
    'FORBIDDEN',
    message,
    fields.map((field) => ({ field, message: `only finance admins can change this` })),
  );
}

/** What events record of a principal: who did it, never their role. */
export function actorOf(principal: Principal): Actor {
  return { type: principal.type, id: principal.id };
}
