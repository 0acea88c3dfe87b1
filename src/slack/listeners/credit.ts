// Credit on account, refunds and withdrawing a credit note from Slack (finance admins; the services decide): the
// card's buttons open the forms, the client record's button opens the refund of credit on account, and each
// submission records through its service, then brings the invoice's cards up to date.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import {
  accountCreditBalance,
  accountCreditBalances,
  carded,
  getAccountCredits,
  getRefunds,
} from '../../db/queries/account-credit.js';
import { getCreditNotes } from '../../db/queries/corrections.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { todayIn } from '../../domain/dates.js';
import { applyAccountCredit, refundAccountCredit, refundOverpayment } from '../../services/account-credit.js';
import { findClient } from '../../services/clients.js';
import { withdrawCreditNote } from '../../services/corrections.js';
import { isLedgerError } from '../../services/errors.js';
import { getInvoice } from '../../services/invoices.js';
import { may, type Principal } from '../../services/policy.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import {
  applyCreditModal,
  CREDIT_ACTION,
  CREDIT_FIELD,
  CREDIT_FIELDS,
  CREDIT_VIEW,
  type CreditForm,
  type CreditModalMetadata,
  clientCreditBlocks,
  readCreditForm,
  refundedMessage,
  refundModal,
  withdrawCreditNoteModal,
} from '../ui/modals/credit.js';
import { fieldErrors } from '../ui/modals/index.js';
import type { SlackMessage } from '../ui/text.js';
import { afterAck } from '../work-queue.js';
import { explain, isForeignUser, newKey, principalOf, workspaceOf } from './shared.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;

interface Clicked {
  workspace: WorkspaceRow;
  principal: Principal;
  value: string;
  today: string;
  open(view: unknown): Promise<void>;
  tell(message: SlackMessage): Promise<void>;
}

interface Submitted {
  workspace: WorkspaceRow;
  principal: Principal;
  userId: string;
  m: CreditModalMetadata;
  form: CreditForm;
  client: WebClient;
}

/** The withdraw form has no amount: a refusal about the payments (a ledger's) goes on the note it is about. */
const WITHDRAW_FIELDS = { ...CREDIT_FIELDS, amount: CREDIT_FIELD.note };

export function registerCredit(app: App, deps: SlackDeps, live: Live): void {
  const onClick = (actionId: string, denied: string, handler: (c: Clicked) => Promise<void>) => {
    app.action<BlockAction>(actionId, async (args: ActionArgs) => {
      await args.ack();
      const { body, client } = args;
      const channelId = body.channel?.id ?? body.container?.channel_id;
      const tell = async (message: SlackMessage) => {
        if (body.response_url) {
          await args.respond({ response_type: 'ephemeral', replace_original: false, ...(message as { text: string }) });
        } else if (channelId) {
          await client.chat.postEphemeral({ channel: channelId, user: body.user.id, ...(message as { text: string }) });
        } else {
          await client.chat.postMessage({ channel: body.user.id, ...(message as { text: string }) });
        }
      };
      try {
        if (isForeignUser(body)) return void (await tell(errorMessage('Only members of this workspace can do this.')));
        const workspace = await workspaceOf(deps, body.team?.id ?? body.user.team_id ?? '', body.team?.domain);
        const principal = await principalOf(deps, client, workspace, body.user.id);
        // Early, so a member is not shown a form they cannot submit; the services refuse too.
        if (principal.role !== 'finance_admin') return void (await tell(deniedMessage(denied)));
        const action = body.actions[0];
        await handler({
          workspace,
          principal,
          value: action?.type === 'button' ? (action.value ?? '') : '',
          today: todayIn(workspace.timeZone, deps.ledger.clock.now()),
          open: async (view) => {
            await client.views.open({ trigger_id: body.trigger_id, view: view as never });
          },
          tell,
        });
      } catch (error) {
        await tell(errorMessage(explain(deps, error, 'handling that button'))).catch((e) => deps.logger.error(e));
      }
    });
  };

  onClick(CREDIT_ACTION.apply, 'apply credit on account', async (c) => {
    const invoice = await getInvoice(deps.ledger, c.workspace.teamId, c.value, c.workspace);
    const balanceMinor = await accountCreditBalance(deps.ledger.db, {
      teamId: c.workspace.teamId,
      clientId: invoice.clientId,
      currency: invoice.currency,
    });
    if (balanceMinor <= 0n || invoice.status.amountDueMinor <= 0n) {
      return c.tell(errorMessage(`${invoice.clientName} has no credit on account for ${invoice.number}.`));
    }
    await c.open(applyCreditModal({ invoice, balanceMinor, today: c.today, metadata: invoiceMetadata(invoice.id) }));
  });

  onClick(CREDIT_ACTION.refund, 'record refunds', async (c) => {
    const invoice = await getInvoice(deps.ledger, c.workspace.teamId, c.value, c.workspace);
    const refundable =
      invoice.status.overpaidMinor < invoice.paidMinor ? invoice.status.overpaidMinor : invoice.paidMinor;
    if (refundable <= 0n) return c.tell(errorMessage(`${invoice.number} is not overpaid: nothing to refund.`));
    await c.open(
      refundModal({
        invoice,
        clientName: invoice.clientName,
        currency: invoice.currency,
        refundableMinor: refundable,
        today: c.today,
        metadata: invoiceMetadata(invoice.id),
      }),
    );
  });

  onClick(CREDIT_ACTION.refundAccount, 'record refunds', async (c) => {
    const [clientId = '', currency = ''] = c.value.split(':');
    const balance = await accountCreditBalance(deps.ledger.db, { teamId: c.workspace.teamId, clientId, currency });
    const row = await findClient(deps.ledger, c.workspace.teamId, clientId);
    if (!row || balance <= 0n) return c.tell(errorMessage(`There is no credit on account in ${currency} to refund.`));
    await c.open(
      refundModal({
        clientName: row.name,
        currency,
        refundableMinor: balance,
        today: c.today,
        metadata: { key: newKey(), clientId, currency },
      }),
    );
  });

  onClick(CREDIT_ACTION.withdraw, 'withdraw credit notes', async (c) => {
    const invoice = await getInvoice(deps.ledger, c.workspace.teamId, c.value, c.workspace);
    const notes = await getCreditNotes(deps.ledger.db, { teamId: c.workspace.teamId, invoiceIds: [invoice.id] });
    if (notes.length === 0) return c.tell(errorMessage(`${invoice.number} has no credit note to withdraw.`));
    await c.open(withdrawCreditNoteModal({ invoice, notes, metadata: invoiceMetadata(invoice.id) }));
  });

  const onSubmit = (
    callbackId: string,
    fields: Readonly<Record<string, string>>,
    handler: (s: Submitted) => Promise<() => Promise<void>>,
  ) => {
    app.view<SlackViewAction>(callbackId, async (args: ViewArgs) => {
      const { body, view, ack } = args;
      if (isForeignUser(body)) {
        return void (await ack({
          response_action: 'errors',
          errors: { [CREDIT_FIELD.reason]: 'Only members of this workspace can do this.' },
        }));
      }
      let after: () => Promise<void>;
      try {
        const workspace = await workspaceOf(deps, body.team?.id ?? body.user.team_id ?? '', body.team?.domain);
        after = await handler({
          workspace,
          principal: await principalOf(deps, args.client, workspace, body.user.id),
          userId: body.user.id,
          m: readCreditMetadata(view.private_metadata, view.id),
          form: readCreditForm(view.state.values),
          client: args.client,
        });
      } catch (error) {
        const issues = isLedgerError(error) ? error.issues : [];
        const errors =
          issues.length > 0
            ? fieldErrors(issues, fields, CREDIT_FIELD.reason)
            : { [CREDIT_FIELD.reason]: explain(deps, error, 'saving that form').slice(0, 2000) };
        return void (await ack({ response_action: 'errors', errors }));
      }
      await ack();
      try {
        await afterAck(deps, after);
      } catch (error) {
        deps.logger.error('After a submission, updating Slack failed:', error);
      }
    });
  };

  onSubmit(CREDIT_VIEW.apply, CREDIT_FIELDS, async (s) => {
    const { result } = await applyAccountCredit(
      deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        invoice: s.m.invoiceId ?? '',
        ...(s.form.amount ? { amount: s.form.amount } : {}),
        ...(s.form.date ? { appliedOn: s.form.date } : {}),
        reason: s.form.reason,
      },
      { idempotencyKey: s.m.key },
    );
    return async () => {
      await live.invoiceChanged(s.workspace.teamId, result.invoice.id);
      await clientCreditChanged(deps, live, invoiceClient(s.workspace.teamId, result.invoice));
    };
  });

  onSubmit(CREDIT_VIEW.refund, CREDIT_FIELDS, async (s) => {
    const common = {
      ...(s.form.amount ? { amount: s.form.amount } : {}),
      ...(s.form.date ? { refundedOn: s.form.date } : {}),
      method: s.form.method ?? null,
      reference: s.form.reference ?? null,
      reason: s.form.reason,
    };
    if (s.m.invoiceId) {
      const { result } = await refundOverpayment(
        deps.ledger,
        s.workspace.teamId,
        s.principal,
        { invoice: s.m.invoiceId, ...common },
        { idempotencyKey: s.m.key },
      );
      return () => live.invoiceChanged(s.workspace.teamId, result.invoice.id);
    }
    const { result, replayed } = await refundAccountCredit(
      deps.ledger,
      s.workspace.teamId,
      s.principal,
      { client: s.m.clientId ?? '', currency: s.m.currency ?? '', ...common },
      { idempotencyKey: s.m.key },
    );
    return async () => {
      if (replayed) return;
      await clientCreditChanged(deps, live, { teamId: s.workspace.teamId, ...result });
      await s.client.chat.postMessage({ channel: s.userId, ...(refundedMessage(result) as { text: string }) });
    };
  });

  onSubmit(CREDIT_VIEW.withdraw, WITHDRAW_FIELDS, async (s) => {
    const { result } = await withdrawCreditNote(
      deps.ledger,
      s.workspace.teamId,
      s.principal,
      { invoice: s.m.invoiceId ?? '', creditNote: s.form.creditNote ?? '', reason: s.form.reason },
      { idempotencyKey: s.m.key },
    );
    return async () => {
      await live.invoiceChanged(s.workspace.teamId, result.invoice.id);
      if (result.onAccountMinor > 0n) {
        await clientCreditChanged(deps, live, invoiceClient(s.workspace.teamId, result.invoice));
      }
    };
  });
}

function invoiceClient(teamId: string, invoice: { clientId: string; currency: string }) {
  return { teamId, clientId: invoice.clientId, currency: invoice.currency };
}

function invoiceMetadata(invoiceId: string): CreditModalMetadata {
  return { key: newKey(), invoiceId };
}

function readCreditMetadata(raw: string | undefined, viewId: string): CreditModalMetadata {
  try {
    const m = JSON.parse(raw || '{}') as Partial<CreditModalMetadata>;
    const out: CreditModalMetadata = { key: typeof m.key === 'string' && m.key ? m.key : `view:${viewId}` };
    if (typeof m.invoiceId === 'string') out.invoiceId = m.invoiceId;
    if (typeof m.clientId === 'string') out.clientId = m.clientId;
    if (typeof m.currency === 'string') out.currency = m.currency;
    return out;
  } catch {
    return { key: `view:${viewId}` };
  }
}

/** The client record's credit section: the balance per currency, its movements, and (for admins) refund buttons. */
export async function clientCreditSection(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
  clientId: string,
): Promise<KnownBlock[]> {
  const teamId = workspace.teamId;
  const [balances, credits, refunds] = [
    await accountCreditBalances(deps.ledger.db, { teamId, clientId }),
    await getAccountCredits(deps.ledger.db, { teamId, clientId }),
    await getRefunds(deps.ledger.db, { teamId, clientId }),
  ];
  if (credits.length === 0 && refunds.length === 0) return [];
  const principal = await principalOf(deps, client, workspace, userId);
  return clientCreditBlocks({
    clientId,
    balances,
    credits,
    refunds,
    canManage: may(principal, 'recordRefund', teamId),
  });
}

/** The client's credit on account changed: their other open invoices' cards redraw (the Apply button follows it). */
export async function clientCreditChanged(
  deps: SlackDeps,
  live: Live,
  params: { teamId: string; clientId: string; currency: string },
): Promise<void> {
  for (const invoiceId of await carded(deps.ledger.db, params)) await live.invoiceChanged(params.teamId, invoiceId);
}
