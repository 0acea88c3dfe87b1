// An invoice sent on an earlier day (as an import knows it was): createInvoice's and markSent's optional sentOn.
import { expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { startOfLocalDay } from '../../src/domain/dates.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import { markSent } from '../../src/services/invoices.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error('expected the service to refuse');
}

// 2026-09-10 14:00 in New York.
describeEachDatabase('sending on an earlier day', '2026-09-10T18:00:00Z', (get) => {
  it('creates an invoice sent at the start of the day it went out, and says that day in its event', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const inv = await invoice(ctx, teamId, client.id, {
      number: 'INV-1',
      issueDate: '2026-08-03',
      sentOn: '2026-08-04',
    });
    expect(inv.sentAt).toEqual(startOfLocalDay('2026-08-04', 'America/New_York'));
    const history = await getHistory(ctx.db, { teamId, invoiceId: inv.id });
    expect(history.find((e) => e.kind === 'sent')).toMatchObject({
      at: new Date('2026-09-10T18:00:00Z'),
      details: { sentOn: '2026-08-04' },
    });
  });

  it('marks a draft sent on an earlier day, and sends it now without one', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const admin = asAdmin(ALICE, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-2', issueDate: '2026-08-03', status: 'draft' });
    await invoice(ctx, teamId, client.id, { number: 'INV-3', issueDate: '2026-08-03', status: 'draft' });
    const { result: earlier } = await markSent(ctx, teamId, admin, { invoice: 'INV-2', sentOn: '2026-08-20' });
    expect(earlier.sentAt).toEqual(startOfLocalDay('2026-08-20', 'America/New_York'));
    const { result: now } = await markSent(ctx, teamId, admin, { invoice: 'INV-3' });
    expect(now.sentAt).toEqual(new Date('2026-09-10T18:00:00Z'));
  });

  it('refuses a sent day before the invoice date or after today, naming sentOn', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const early = await refusal(
      invoice(ctx, teamId, client.id, { number: 'INV-4', issueDate: '2026-08-03', sentOn: '2026-08-02' }),
    );
    expect(early.issues).toEqual([{ field: 'sentOn', message: 'is before the invoice date 2026-08-03' }]);
    await invoice(ctx, teamId, client.id, { number: 'INV-5', issueDate: '2026-08-03', status: 'draft' });
    const late = await refusal(
      markSent(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-5', sentOn: '2026-09-11' }),
    );
    expect(late.issues).toEqual([{ field: 'sentOn', message: 'cannot be in the future (today is 2026-09-10)' }]);
  });
});
