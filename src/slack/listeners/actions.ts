// Buttons on cards and on the App Home. Each acknowledges first, then opens a modal with the trigger
// or calls a service and brings every live view of the invoice up to date.
import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { releaseNow } from '../../db/deliveries.js';
import { getPayments, suggestCreditNoteNumber } from '../../db/queries/corrections.js';
import type { InvoiceView } from '../../db/queries/invoices.js';
import { suggestInvoiceNumber } from '../../db/queries/search.js';
import { getHistory } from '../../db/queries/views.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { todayIn } from '../../domain/dates.js';
import { getInvoice, markSent, releaseHold } from '../../services/invoices.js';
import type { Principal } from '../../services/policy.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { notYetMessage } from '../ui/alerts.js';
import { ACTION } from '../ui/ids.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import {
  creditNoteModal,
  editInvoiceModal,
  historyModal,
  holdModal,
  newInvoiceModal,
  paymentModal,
  reversePaymentModal,
  voidModal,
} from '../ui/modals/index.js';
import type { Mrkdwn } from '../ui/text.js';
import { openChase, openSettings } from './commands.js';
import { explain, isForeignUser, newKey, principalOf, workspaceOf } from './shared.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

interface Ctx {
  deps: SlackDeps;
  live: Live;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  /** Who clicked, resolved once for this request; the services decide what they may do. */
  principal: Principal;
  triggerId: string;
  channelId: string | undefined;
  /** Tells the person something privately, wherever they clicked. */
  tell(message: { text: Mrkdwn; blocks?: unknown[] }): Promise<void>;
}

type Handler = (ctx: Ctx, value: string, args: ActionArgs) => Promise<void>;

export function registerActions(app: App, deps: SlackDeps, live: Live): void {
  const on = (actionId: string, handler: Handler) => {
    app.action<BlockAction>(actionId, async (args) => {
      await args.ack();
      const { body, client } = args;
      const channelId = body.channel?.id ?? body.container?.channel_id;
      const tell = async (message: { text: Mrkdwn; blocks?: unknown[] }) => {
        if (body.response_url) {
          await args.respond({ response_type: 'ephemeral', replace_original: false, ...(message as { text: string }) });
        } else if (channelId) {
          await client.chat.postEphemeral({ channel: channelId, user: body.user.id, ...(message as { text: string }) });
        } else {
          await client.chat.postMessage({ channel: body.user.id, ...(message as { text: string }) });
        }
      };
      try {
        if (isForeignUser(body)) {
          await tell(errorMessage('This belongs to another organisation’s workspace: only its members can act on it.'));
          return;
        }
        const teamId = body.team?.id ?? body.user.team_id ?? '';
        const workspace = await workspaceOf(deps, teamId, body.team?.domain);
        const action = body.actions[0];
        const value =
          action?.type === 'button'
            ? (action.value ?? '')
            : action?.type === 'overflow'
              ? action.selected_option.value
              : '';
        await handler(
          {
            deps,
            live,
            client,
            workspace,
            userId: body.user.id,
            principal: await principalOf(deps, client, workspace, body.user.id),
            triggerId: body.trigger_id,
            channelId,
            tell,
          },
          value,
          args,
        );
      } catch (error) {
        await tell(errorMessage(explain(deps, error, 'handling that button'))).catch((e) => deps.logger.error(e));
      }
    });
  };

  on(ACTION.markPaid, (ctx, invoiceId) => openPayment(ctx, invoiceId));
  on(ACTION.logChase, (ctx, invoiceId) =>
    openChase(ctx.deps, ctx.client, ctx.workspace, invoiceId, ctx.triggerId, ctx.channelId),
  );
  on(ACTION.hold, async (ctx, invoiceId) => {
    const invoice = await getInvoice(ctx.deps.ledger, ctx.workspace.teamId, invoiceId);
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: holdModal({ invoice, metadata: { key: newKey(), invoiceId, version: invoice.version } }),
    });
  });
  on(ACTION.markSent, async (ctx, invoiceId, { body }) => {
    await markSent(
      ctx.deps.ledger,
      ctx.workspace.teamId,
      ctx.principal,
      { invoice: invoiceId },
      { idempotencyKey: clickKey(body) },
    );
    await ctx.live.invoiceChanged(ctx.workspace.teamId, invoiceId);
  });
  on(ACTION.release, async (ctx, invoiceId, { body }) => {
    await releaseHold(
      ctx.deps.ledger,
      ctx.workspace.teamId,
      ctx.principal,
      { invoice: invoiceId },
      { idempotencyKey: clickKey(body) },
    );
    await ctx.live.invoiceChanged(ctx.workspace.teamId, invoiceId);
  });
  on(ACTION.more, async (ctx, value) => {
    const [what, invoiceId = ''] = value.split(':');
    const invoice = await getInvoice(ctx.deps.ledger, ctx.workspace.teamId, invoiceId);
    const metadata = { key: newKey(), invoiceId, version: invoice.version };
    if (what === 'edit') {
      const today = todayIn(ctx.workspace.timeZone, ctx.deps.ledger.clock.now());
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: editInvoiceModal({ invoice, metadata, today }) });
    } else if (what === 'void') {
      if (!isAdmin(ctx)) return ctx.tell(deniedMessage('void invoices'));
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: voidModal({ invoice, metadata }) });
    } else if (what === 'reverse') {
      await openReversal(ctx, invoice);
    } else if (what === 'credit') {
      if (!isAdmin(ctx)) return ctx.tell(deniedMessage('issue credit notes'));
      if (invoice.status.amountDueMinor <= 0n) {
        return ctx.tell(errorMessage(`Nothing is due on ${invoice.number}, so there is nothing to credit.`));
      }
      await ctx.client.views.open({
        trigger_id: ctx.triggerId,
        view: creditNoteModal({
          invoice,
          metadata,
          today: todayIn(ctx.workspace.timeZone, ctx.deps.ledger.clock.now()),
          suggestedNumber: await suggestCreditNoteNumber(ctx.deps.ledger.db, ctx.workspace.teamId),
        }),
      });
    } else {
      const events = await getHistory(ctx.deps.ledger.db, { teamId: ctx.workspace.teamId, invoiceId, latest: 200 });
      await ctx.client.views.open({
        trigger_id: ctx.triggerId,
        view: historyModal({ invoice, events, timeZone: ctx.workspace.timeZone }),
      });
    }
  });
  on(ACTION.reversePayment, async (ctx, invoiceId) =>
    openReversal(ctx, await getInvoice(ctx.deps.ledger, ctx.workspace.teamId, invoiceId)),
  );
  on(ACTION.notYet, async (ctx, invoiceId, args) => {
    const invoice = await getInvoice(ctx.deps.ledger, ctx.workspace.teamId, invoiceId);
    const today = todayIn(ctx.workspace.timeZone, ctx.deps.ledger.clock.now());
    // The owner answered: the channel need not wait out the rest of the "did they pay?" window.
    await releaseNow(
      ctx.deps.ledger.db,
      ctx.workspace.teamId,
      [`became_due:${invoiceId}:${today}`],
      ctx.deps.ledger.clock.now(),
    );
    const answer = notYetMessage(invoice);
    if (args.body.response_url) await args.respond({ replace_original: true, ...answer });
    else await ctx.tell(answer);
  });
  on(ACTION.homeNewInvoice, async (ctx) => {
    const today = todayIn(ctx.workspace.timeZone, ctx.deps.ledger.clock.now());
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: newInvoiceModal({
        metadata: { key: newKey() },
        suggestedNumber: await suggestInvoiceNumber(ctx.deps.ledger.db, ctx.workspace.teamId),
        today,
        ownerUserId: ctx.userId,
        defaultCurrency: 'USD',
      }),
    });
  });
  on(ACTION.homeSettings, (ctx) =>
    openSettings(ctx.deps, ctx.client, ctx.workspace, ctx.userId, ctx.triggerId, ctx.tell),
  );
  on(ACTION.homeRefresh, (ctx) => ctx.live.publishHome(ctx.workspace.teamId, ctx.userId, ctx.client));
}

async function openPayment(ctx: Ctx, invoiceId: string): Promise<void> {
  if (!isAdmin(ctx)) return ctx.tell(deniedMessage('record payments'));
  const invoice = await getInvoice(ctx.deps.ledger, ctx.workspace.teamId, invoiceId);
  await ctx.client.views.open({
    trigger_id: ctx.triggerId,
    view: paymentModal({
      invoice,
      today: todayIn(ctx.workspace.timeZone, ctx.deps.ledger.clock.now()),
      metadata: {
        key: newKey(),
        invoiceId,
        version: invoice.version,
        ...(ctx.channelId ? { channelId: ctx.channelId } : {}),
      },
    }),
  });
}

/** The reversal form, listing the invoice's payments that can still be reversed. */
async function openReversal(ctx: Ctx, invoice: InvoiceView): Promise<void> {
  if (!isAdmin(ctx)) return ctx.tell(deniedMessage('reverse payments'));
  const payments = (
    await getPayments(ctx.deps.ledger.db, { teamId: ctx.workspace.teamId, invoiceIds: [invoice.id] })
  ).filter((p) => p.reversedAt === null);
  if (payments.length === 0) {
    return ctx.tell(errorMessage(`${invoice.number} has no payment to reverse.`));
  }
  await ctx.client.views.open({
    trigger_id: ctx.triggerId,
    view: reversePaymentModal({
      invoice,
      payments,
      metadata: { key: newKey(), invoiceId: invoice.id, version: invoice.version },
    }),
  });
}

/** An early refusal, for the person's sake only (no form they cannot submit): the services decide. */
function isAdmin(ctx: Ctx): boolean {
  return ctx.principal.role === 'finance_admin';
}

/** A redelivered click (same action_ts) records once; a second real click is refused by the service itself. */
function clickKey(body: BlockAction): string {
  const action = body.actions[0];
  return `click:${body.container?.message_ts ?? body.view?.id ?? ''}:${action?.action_id}:${action?.action_ts}`;
}
