// Modal submissions. Validate and record before acknowledging, so a mistake is shown on its field
// (response_action: errors) and nothing is recorded until it is right; Slack calls come after the ack.
import type { AllMiddlewareArgs, App, SlackViewAction, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { issueCreditNote, reversePayment } from '../../services/corrections.js';
import { type FieldIssue, isLedgerError } from '../../services/errors.js';
import {
  createInvoice,
  editInvoice,
  logChase,
  placeHold,
  recordPayment,
  voidInvoice,
} from '../../services/invoices.js';
import type { Principal } from '../../services/policy.js';
import { getWorkspace, updateWorkspaceSettings } from '../../services/workspaces.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { FIELD, type ModalMetadata, VIEW } from '../ui/ids.js';
import { readKeepOnAccount } from '../ui/modals/credit.js';
import {
  CHASE_FIELDS,
  CREDIT_NOTE_FIELDS,
  fieldErrors,
  formTerms,
  HOLD_FIELDS,
  invoiceFormErrors,
  NEW_INVOICE_FIELDS,
  PAYMENT_FIELDS,
  REVERSE_PAYMENT_FIELDS,
  readChase,
  readCreditNote,
  readEditInvoice,
  readHold,
  readNewInvoice,
  readPayment,
  readReversePayment,
  readSettings,
  readVoid,
  SETTINGS_FIELDS,
  VOID_FIELDS,
} from '../ui/modals/index.js';
import { afterAck } from '../work-queue.js';
import { clientCreditChanged } from './credit.js';
import { explain, isForeignUser, principalOf, readMetadata, workspaceOf } from './shared.js';

type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;
type Values = SlackViewAction['view']['state']['values'];

interface Submission {
  deps: SlackDeps;
  workspace: WorkspaceRow;
  /** Who submitted, resolved once for this request; the services decide what they may do. */
  principal: Principal;
  userId: string;
  metadata: ModalMetadata;
  values: Values;
  args: ViewArgs;
}

/** Mistakes in the form itself, already on their blocks. */
class FormErrors extends Error {
  constructor(readonly errors: Record<string, string>) {
    super('the form has mistakes');
  }
}

/** What a submit handler returns: after the ack, the invoice (as read once after the commit) whose live views must catch up. */
type Outcome = { invoice?: InvoiceView; after?: () => Promise<void> };

export function registerViews(app: App, deps: SlackDeps, live: Live): void {
  const on = (
    callbackId: string,
    fields: Record<string, string>,
    fallbackBlock: string,
    handler: (s: Submission) => Promise<Outcome>,
  ) => {
    app.view<SlackViewAction>(callbackId, async (args) => {
      const { body, view, ack } = args;
      if (isForeignUser(body)) {
        await ack({
          response_action: 'errors',
          errors: { [fallbackBlock]: 'Only members of this workspace can do this.' },
        });
        return;
      }
      let outcome: Outcome;
      let workspace: WorkspaceRow;
      try {
        workspace = await workspaceOf(deps, body.team?.id ?? body.user.team_id ?? '', body.team?.domain);
        outcome = await handler({
          deps,
          workspace,
          principal: await principalOf(deps, args.client, workspace, body.user.id),
          userId: body.user.id,
          metadata: readMetadata(view.private_metadata, view.id),
          values: view.state.values,
          args,
        });
      } catch (error) {
        if (error instanceof FormErrors) {
          await ack({ response_action: 'errors', errors: error.errors });
          return;
        }
        const issues: FieldIssue[] = isLedgerError(error) && error.issues.length > 0 ? [...error.issues] : [];
        const errors =
          issues.length > 0
            ? fieldErrors(issues, fields)
            : { [fallbackBlock]: explain(deps, error, 'saving that form').slice(0, 2000) };
        await ack({ response_action: 'errors', errors });
        return;
      }
      await ack();
      try {
        await afterAck(deps, async () => {
          const { invoice } = outcome;
          if (invoice) await live.invoiceChanged(workspace.teamId, invoice.id, { invoice });
          await outcome.after?.();
        });
      } catch (error) {
        deps.logger.error('After a submission, updating Slack failed:', error);
      }
    });
  };

  on(VIEW.newInvoice, NEW_INVOICE_FIELDS, FIELD.number, async (s) => {
    const form = readNewInvoice(s.values);
    const mistakes = invoiceFormErrors(form);
    if (Object.keys(mistakes).length > 0) throw new FormErrors(mistakes);
    const { result: invoice, replayed } = await createInvoice(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        number: form.number,
        ...(form.clientId ? { clientId: form.clientId } : { clientName: form.newClientName }),
        currency: form.currency,
        total: form.amount,
        issueDate: form.issueDate ?? '',
        terms: formTerms(form) ?? '',
        ...(form.basisDate ? { basisDate: form.basisDate } : {}),
        basisLabel: form.basisLabel ?? null,
        ownerUserId: form.ownerUserId ?? s.userId,
        description: form.description ?? null,
        status: form.status,
      },
      { idempotencyKey: s.metadata.key },
    );
    return {
      after: async () => {
        if (replayed) return;
        // Read once after the commit, with the invoice createInvoice read: the card and the homes share them.
        const known = { workspace: await getWorkspace(s.deps.ledger, s.workspace.teamId), invoice };
        const channel = s.workspace.financeChannel ?? s.metadata.channelId ?? s.userId;
        try {
          await live.postCard(s.workspace.teamId, channel, invoice.id, { known });
        } catch (error) {
          // The app is not in that channel: the creator still gets the card, in their DM with the app.
          s.deps.logger.warn(`Could not post ${invoice.number} to ${channel}: ${explain(s.deps, error, 'posting')}`);
          await live.postCard(s.workspace.teamId, s.userId, invoice.id, { known });
        }
        await live.refreshHomes(s.workspace.teamId, known);
      },
    };
  });

  on(VIEW.payment, PAYMENT_FIELDS, FIELD.paymentAmount, async (s) => {
    const form = readPayment(s.values);
    const { result } = await recordPayment(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        invoice: s.metadata.invoiceId ?? '',
        amount: form.amount,
        ...(form.receivedOn ? { receivedOn: form.receivedOn } : {}),
        reference: form.reference ?? null,
        overpayment: form.overpayment,
      },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result.invoice };
  });

  on(VIEW.chase, CHASE_FIELDS, FIELD.chaseMethod, async (s) => {
    const form = readChase(s.values);
    const { result } = await logChase(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        invoice: s.metadata.invoiceId ?? '',
        method: form.method as 'email',
        note: form.note ?? null,
        response: form.response ?? null,
        shared: form.shared,
        ...(form.promisedDate ? { promisedDate: form.promisedDate } : {}),
        ...(form.nextFollowUp ? { nextFollowUp: form.nextFollowUp } : {}),
      },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result };
  });

  on(VIEW.hold, HOLD_FIELDS, FIELD.reason, async (s) => {
    const form = readHold(s.values);
    const { result } = await placeHold(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      { invoice: s.metadata.invoiceId ?? '', kind: form.kind, reason: form.reason },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result };
  });

  on(VIEW.void, VOID_FIELDS, FIELD.reason, async (s) => {
    const form = readVoid(s.values);
    const { result } = await voidInvoice(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      { invoice: s.metadata.invoiceId ?? '', reason: form.reason },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result };
  });

  on(VIEW.reversePayment, REVERSE_PAYMENT_FIELDS, FIELD.reason, async (s) => {
    const form = readReversePayment(s.values);
    const { result } = await reversePayment(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      { invoice: s.metadata.invoiceId ?? '', payment: form.payment, reason: form.reason },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result.invoice };
  });

  on(VIEW.creditNote, CREDIT_NOTE_FIELDS, FIELD.creditAmount, async (s) => {
    const form = readCreditNote(s.values);
    const { result } = await issueCreditNote(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        invoice: s.metadata.invoiceId ?? '',
        number: form.number,
        amount: form.amount,
        ...(form.issuedOn ? { issuedOn: form.issuedOn } : {}),
        reason: form.reason,
        keepOnAccount: readKeepOnAccount(s.values),
      },
      { idempotencyKey: s.metadata.key },
    );
    const { clientId, currency } = result.invoice;
    const kept = result.onAccountMinor > 0n;
    return {
      invoice: result.invoice,
      ...(kept
        ? { after: () => clientCreditChanged(s.deps, live, { teamId: s.workspace.teamId, clientId, currency }) }
        : {}),
    };
  });

  on(VIEW.editInvoice, NEW_INVOICE_FIELDS, FIELD.number, async (s) => {
    const form = readEditInvoice(s.values);
    const mistakes = invoiceFormErrors({ ...form, clientId: 'kept' }, { requireClient: false });
    if (Object.keys(mistakes).length > 0) throw new FormErrors(mistakes);
    const { result } = await editInvoice(
      s.deps.ledger,
      s.workspace.teamId,
      s.principal,
      {
        invoice: s.metadata.invoiceId ?? '',
        expectedVersion: s.metadata.version ?? 0,
        changes: {
          number: form.number,
          currency: form.currency,
          total: form.amount,
          ...(form.issueDate ? { issueDate: form.issueDate } : {}),
          terms: formTerms(form) ?? '',
          ...(form.basisDate ? { basisDate: form.basisDate } : {}),
          basisLabel: form.basisLabel,
          ...(form.ownerUserId ? { ownerUserId: form.ownerUserId } : {}),
          description: form.description,
        },
      },
      { idempotencyKey: s.metadata.key },
    );
    return { invoice: result };
  });

  on(VIEW.settings, SETTINGS_FIELDS, FIELD.financeChannel, async (s) => {
    const form = readSettings(s.values);
    await updateWorkspaceSettings(s.deps.ledger, s.workspace.teamId, s.principal, form);
    return { after: () => live.refreshHomes(s.workspace.teamId) };
  });
}
