import { expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/format.js';
import { getCreditNotes } from '../../src/db/queries/corrections.js';
import { getHistory } from '../../src/db/queries/views.js';
import { issueCreditNote, withdrawCreditNote } from '../../src/services/corrections.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import { voidInvoice } from '../../src/services/invoices.js';
import { eventText } from '../../src/slack/ui/phrases.js';
import { actionVerb } from '../../src/slack/ui/text.js';
import { pageEventText } from '../../src/web/page.js';
import { webhookType } from '../../src/webhooks/payload.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, asMember, BOB, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error('expected the service to refuse');
}

// 2026-10-05 14:00 in New York: INV-1 (issued 2026-09-01, net 30, $1,000.00) fell due on 2026-10-01.
describeEachDatabase('withdrawing a credit note', '2026-10-05T18:00:00Z', (get) => {
  async function creditedInFull() {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    const { result } = await issueCreditNote(ctx, teamId, OPERATOR, {
      invoice: 'INV-1',
      number: 'CN-7',
      issuedOn: '2026-10-02',
      reason: 'Project cancelled',
    });
    expect(result.invoice.status.state).toBe('credited');
    return { teamId, creditNoteId: result.creditNoteId };
  }

  it('gives back what was due: the invoice is Overdue again, the note kept and marked, and it counts no more', async () => {
    const { ctx, handle } = get();
    const { teamId, creditNoteId } = await creditedInFull();
    const { result, replayed } = await withdrawCreditNote(ctx, teamId, asAdmin(BOB, teamId), {
      invoice: 'INV-1',
      creditNote: creditNoteId,
      reason: 'Voided in Xero',
    });
    expect(replayed).toBe(false);
    expect(result.amountMinor).toBe(100_000n);
    expect(result.invoice.creditedMinor).toBe(0n);
    expect(result.invoice.paidOn).toBeNull();
    expect(result.invoice.status).toMatchObject({
      state: 'overdue',
      amountDueMinor: 100_000n,
      daysOverdue: 4,
      needsAction: true,
    });
    expect(
      await handle.raw(
        'select number, withdrawn_by, withdrawal_reason, withdrawn_at is not null as withdrawn from credit_notes',
        [],
      ),
    ).toEqual([{ number: 'CN-7', withdrawn_by: BOB.id, withdrawal_reason: 'Voided in Xero', withdrawn: true }]);
    expect(await getCreditNotes(ctx.db, { teamId, invoiceIds: [result.invoice.id] })).toEqual([]);
    const [event] = await getHistory(ctx.db, {
      teamId,
      invoiceId: result.invoice.id,
      kinds: ['credit_note_withdrawn'],
    });
    expect(event).toMatchObject({ kind: 'credit_note_withdrawn', actorId: BOB.id, visibility: 'shared' });
    expect(event?.details).toMatchObject({
      creditNoteId,
      number: 'CN-7',
      amountMinor: { $bigint: '100000' },
      reason: 'Voided in Xero',
      amountDueAfterMinor: { $bigint: '100000' },
    });
    // How it reads: on the card's history, in the CLI, on the client's page, and as a webhook.
    if (!event) throw new Error('no credit_note_withdrawn event');
    expect(String(eventText(event.kind, event.details))).toBe(
      "withdrew credit note CN-7 for $1,000.00 — 'Voided in Xero' · dated 2026-10-02 · $1,000.00 due again",
    );
    expect(String(actionVerb(event.kind))).toBe('withdrew a credit note');
    expect(describeEvent(event, 'USD')).toBe(
      'Withdrew credit note CN-7 for $1,000.00 dated 2026-10-02: Voided in Xero; $1,000.00 due again',
    );
    expect(pageEventText({ ...event, actorType: 'system' }, 'Studio')).toBe(
      'Credit note CN-7 was withdrawn: it no longer counts against this invoice',
    );
    expect(webhookType(event.kind, { invoiceId: result.invoice.id, clientId: null })).toBe(
      'invoice.credit_note_withdrawn',
    );
  });

  it('refuses a member before anything changes, and a note already withdrawn, and changes nothing', async () => {
    const { ctx, handle } = get();
    const { teamId, creditNoteId } = await creditedInFull();
    const input = { invoice: 'INV-1', creditNote: creditNoteId, reason: 'Voided in Xero' };
    expect((await refusal(withdrawCreditNote(ctx, teamId, asMember(BOB, teamId), input))).code).toBe('FORBIDDEN');
    expect(await handle.raw('select count(*)::int as n from credit_notes where withdrawn_at is null', [])).toEqual([
      { n: 1 },
    ]);
    await withdrawCreditNote(ctx, teamId, asAdmin(ALICE, teamId), input);
    const twice = await refusal(withdrawCreditNote(ctx, teamId, OPERATOR, { ...input, reason: 'Again' }));
    expect(twice.code).toBe('CREDIT_NOTE_ALREADY_WITHDRAWN');
    expect(twice.message).toBe(
      'Credit note CN-7 was already withdrawn (Voided in Xero); a withdrawal is never undone: issue a new credit note if one is due.',
    );
    expect(twice.issues).toEqual([{ field: 'creditNote', message: 'was already withdrawn' }]);
    const noReason = await refusal(withdrawCreditNote(ctx, teamId, OPERATOR, { ...input, reason: ' ' }));
    expect(noReason.issues[0]?.field).toBe('reason');
    expect(
      await handle.raw(
        "select credited_minor::text as credited, (select count(*)::int from events where kind = 'credit_note_withdrawn') as events from invoices",
        [],
      ),
    ).toEqual([{ credited: '0', events: 1 }]);
  });

  it('takes only its own amount off a part credit, and a void invoice refuses', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    const first = await issueCreditNote(ctx, teamId, OPERATOR, {
      invoice: 'INV-1',
      number: 'CN-1',
      amount: '250.00',
      reason: 'Discount',
    });
    await issueCreditNote(ctx, teamId, OPERATOR, { invoice: 'INV-1', number: 'CN-2', amount: '100.00', reason: 'x' });
    const { result } = await withdrawCreditNote(ctx, teamId, OPERATOR, {
      invoice: 'INV-1',
      creditNote: first.result.creditNoteId,
      reason: 'Issued twice',
    });
    expect(result.invoice.creditedMinor).toBe(10_000n);
    expect(result.invoice.status).toMatchObject({ state: 'overdue', amountDueMinor: 90_000n });
    const notes = await getCreditNotes(ctx.db, { teamId, invoiceIds: [result.invoice.id] });
    expect(notes.map((n) => n.number)).toEqual(['CN-2']);

    // An invoice with nothing credited any more can be voided; then nothing more is withdrawn from it.
    const other = await invoice(ctx, teamId, client.id, { number: 'INV-2' });
    const credit = await issueCreditNote(ctx, teamId, OPERATOR, { invoice: 'INV-2', number: 'CN-3', reason: 'x' });
    const input = { invoice: other.id, creditNote: credit.result.creditNoteId, reason: 'Wrong invoice' };
    await withdrawCreditNote(ctx, teamId, OPERATOR, input);
    await voidInvoice(ctx, teamId, OPERATOR, { invoice: 'INV-2', reason: 'Raised by mistake' });
    expect((await refusal(withdrawCreditNote(ctx, teamId, OPERATOR, input))).code).toBe('INVOICE_VOID');
    // A note of another invoice is not found on this one.
    const missing = await refusal(
      withdrawCreditNote(ctx, teamId, OPERATOR, { ...input, invoice: 'INV-1', creditNote: credit.result.creditNoteId }),
    );
    expect(missing.code).toBe('CREDIT_NOTE_NOT_FOUND');
  });
});
