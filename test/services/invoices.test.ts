import { describe, expect, it } from 'vitest';
import { getHistory } from '../../src/db/queries/views.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import {
  createInvoice,
  dispute,
  editInvoice,
  getInvoice,
  logChase,
  markSent,
  placeHold,
  recordPayment,
  releaseHold,
  voidInvoice,
} from '../../src/services/invoices.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, BOB, invoice, workspaceWithClient } from '../helpers/ledger.js';

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
describeEachDatabase('invoices', '2026-09-10T18:00:00Z', (get) => {
  describe('creating', () => {
    it('records a sent invoice with its due date, basis and two events', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const inv = await invoice(ctx, teamId, client.id, {
        number: 'INV-001',
        total: '$12,500.00',
        terms: 'net 60',
        basisDate: '2026-09-01',
        basisLabel: 'delivery',
        issueDate: '2026-09-03',
      });
      expect(inv.totalMinor).toBe(1_250_000n);
      expect(inv.dueDate).toBe('2026-10-31');
      expect(inv.dueBasis).toBe('net 60 from 2026-09-01 (delivery)');
      expect(inv.status.state).toBe('sent');
      expect(inv.status.amountDueMinor).toBe(1_250_000n);
      expect(inv.ownerUserId).toBe(ALICE.id);
      expect(inv.status.lastAction).toMatchObject({ kind: 'sent', by: ALICE.id });
      const history = await getHistory(ctx.db, { teamId, invoiceId: inv.id });
      expect(history.map((e) => e.kind)).toEqual(['created', 'sent']);
      expect(history[0]?.details).toMatchObject({ totalMinor: { $bigint: '1250000' }, dueDate: '2026-10-31' });
    });

    it("uses the client's default terms when none are given", async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const { result } = await createInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        number: 'INV-7',
        clientId: client.id,
        currency: 'EUR',
        total: '€99.90',
        issueDate: '2026-09-01',
      });
      expect(result.dueBasis).toBe('net 30 from 2026-09-01');
      expect(result.status.state).toBe('draft');
      expect(result.totalMinor).toBe(9990n);
    });

    it('picks a client by name in any case, or creates it in the same transaction', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const base = { currency: 'USD', total: '10', issueDate: '2026-09-01' };
      const known = await createInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        ...base,
        number: 'N-1',
        clientName: 'ACME CORP',
      });
      expect(known.result.clientId).toBe(client.id);
      const fresh = await createInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        ...base,
        number: 'N-2',
        clientName: 'Hooli',
      });
      expect(fresh.result.clientName).toBe('Hooli');
      // A refused invoice leaves no new client behind.
      await expect(
        createInvoice(ctx, teamId, asAdmin(ALICE, teamId), { ...base, number: 'n-1', clientName: 'Ghost' }),
      ).rejects.toThrow();
      const names = await handle.raw('select name from clients order by name', []);
      expect(names.map((r) => r.name)).toEqual(['Acme Corp', 'Hooli']);
    });

    it('keeps money exact in JPY and KWD', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const yen = await invoice(ctx, teamId, client.id, { number: 'J-1', currency: 'JPY', total: '¥1,234,567' });
      const dinar = await invoice(ctx, teamId, client.id, { number: 'K-1', currency: 'KWD', total: '1,234.567' });
      const big = await invoice(ctx, teamId, client.id, { number: 'B-1', total: 900_719_925_474_099_312n });
      expect(yen.totalMinor).toBe(1_234_567n);
      expect(dinar.totalMinor).toBe(1_234_567n);
      expect(big.totalMinor).toBe(900_719_925_474_099_312n);
    });

    it.each([
      [{ total: '0' }, 'total', 'must be more than zero'],
      [{ total: -5n }, 'total', 'must be more than zero'],
      [{ total: '12.345' }, 'total', 'USD has 2'],
      [{ currency: 'XYZ' }, 'currency', 'is not an ISO 4217 currency code'],
      [{ issueDate: '2026-02-30' }, 'issueDate', 'must be a real date'],
      [{ terms: { kind: 'fixed', dueDate: '2026-08-01' } }, 'terms', 'would fall before the invoice date 2026-09-01'],
      [{ terms: 'net thirty' }, 'terms', 'net thirty'],
      [{ number: `INV ${'7'.repeat(252)}` }, 'number', 'must be at most 255 characters'],
      [{ number: 'INV\u00077' }, 'number', 'control character (U+0007)'],
      [{ number: '' }, 'number', 'is required'],
      [{ ownerUserId: 'alice' }, 'ownerUserId', 'must be a Slack user id'],
    ] as const)('refuses %o, naming the field %s', async (change, field, message) => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const error = await refusal(invoice(ctx, teamId, client.id, { number: 'INV-1', ...(change as object) }));
      expect(error.code).toBe('VALIDATION');
      expect(error.issues[0]?.field).toBe(field);
      expect(error.issues[0]?.message).toContain(message);
      expect(await handle.raw('select count(*)::int as n from invoices', [])).toEqual([{ n: 0 }]);
    });

    it('refuses a duplicate invoice number in any case, and names it', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-001' });
      const error = await refusal(invoice(ctx, teamId, client.id, { number: 'inv-001' }));
      expect(error.code).toBe('DUPLICATE_INVOICE_NUMBER');
      expect(error.message).toBe('Invoice INV-001 already exists; use another number.');
    });

    it('writes nothing when a step fails half way (the event cannot be written)', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const badActor = { type: 'robot', id: 'R2' } as never;
      await expect(
        createInvoice(ctx, teamId, badActor, {
          number: 'INV-9',
          clientId: client.id,
          currency: 'USD',
          total: '10',
          issueDate: '2026-09-01',
        }),
      ).rejects.toThrow();
      expect(await handle.raw('select count(*)::int as n from invoices', [])).toEqual([{ n: 0 }]);
      expect(await handle.raw(`select count(*)::int as n from events where kind = 'created'`, [])).toEqual([{ n: 0 }]);
    });
  });

  describe('state follows the clock in the workspace time zone', () => {
    it('is Sent the day before, Due on, and Overdue the day after the due date', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', terms: { kind: 'fixed', dueDate: '2026-09-15' } });
      ctx.clock.set('2026-09-15T03:59:00Z'); // 23:59 on the 14th in New York
      expect((await getInvoice(ctx, teamId, 'INV-1')).status.state).toBe('sent');
      ctx.clock.set('2026-09-15T04:00:00Z'); // midnight on the 15th in New York
      expect((await getInvoice(ctx, teamId, 'INV-1')).status.state).toBe('due');
      ctx.clock.set('2026-09-16T04:00:00Z');
      const late = await getInvoice(ctx, teamId, 'inv-1');
      expect(late.status.state).toBe('overdue');
      expect(late.status.daysOverdue).toBe(1);
    });
  });

  describe('payments', () => {
    it('leaves an amount due after a partial payment and is Paid when the rest arrives', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', total: '1,000.00' });
      const part = await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        amount: '400',
        reference: 'wire 1',
      });
      expect(part.result.invoice.status.state).toBe('sent');
      expect(part.result.invoice.status.amountDueMinor).toBe(60_000n);
      expect(part.result.invoice.status.lastAction?.kind).toBe('part_paid');
      const rest = await recordPayment(ctx, teamId, asAdmin(BOB, teamId), {
        invoice: 'INV-1',
        receivedOn: '2026-09-09',
      });
      expect(rest.result.amountMinor).toBe(60_000n);
      expect(rest.result.invoice.status.state).toBe('paid');
      expect(rest.result.invoice.paidOn).toBe('2026-09-09');
      const history = await getHistory(ctx.db, { teamId, invoiceId: rest.result.invoice.id });
      expect(history.map((e) => [e.kind, e.actorId])).toEqual([
        ['created', 'U0ALICE'],
        ['sent', 'U0ALICE'],
        ['part_paid', 'U0ALICE'],
        ['paid', 'U0BOB'],
      ]);
    });

    it('refuses more than is due unless it is recorded as an overpayment', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', total: '100' });
      const error = await refusal(
        recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1', amount: '150' }),
      );
      expect(error.code).toBe('OVERPAYMENT');
      expect(error.message).toBe(
        '$150.00 is more than the $100.00 due on INV-1; record it as an overpayment if the client really paid more.',
      );
      const over = await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        amount: '150',
        overpayment: true,
      });
      expect(over.result.invoice.status.state).toBe('paid');
      expect(over.result.invoice.status.overpaidMinor).toBe(5_000n);
    });

    it('refuses paying a void invoice, a paid one, and a date in the future', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'V-1' });
      await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'V-1', reason: 'raised twice' });
      expect((await refusal(recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'V-1' }))).code).toBe(
        'INVOICE_VOID',
      );
      await invoice(ctx, teamId, client.id, { number: 'P-1' });
      await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P-1' });
      expect((await refusal(recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P-1' }))).code).toBe(
        'INVOICE_PAID',
      );
      await invoice(ctx, teamId, client.id, { number: 'F-1' });
      const future = await refusal(
        recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'F-1', receivedOn: '2026-09-11' }),
      );
      expect(future.issues).toEqual([
        { field: 'receivedOn', message: 'cannot be in the future (today is 2026-09-10)' },
      ]);
    });

    it('records a retried request once and hands back the first result', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', total: '1000' });
      const first = await recordPayment(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        { invoice: 'INV-1', amount: '100' },
        { idempotencyKey: 'k1' },
      );
      const again = await recordPayment(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        { invoice: 'INV-1', amount: '100' },
        { idempotencyKey: 'k1' },
      );
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect(again.result.paymentId).toBe(first.result.paymentId);
      expect(again.result.amountMinor).toBe(10_000n);
      expect(again.result.invoice.status.amountDueMinor).toBe(90_000n);
      expect(await handle.raw('select count(*)::int as n from payments', [])).toEqual([{ n: 1 }]);
      const reused = await refusal(
        logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1', method: 'email' }, { idempotencyKey: 'k1' }),
      );
      expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('never over-pays when two payments of the whole amount arrive at once', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', total: '500' });
      const outcomes = await Promise.allSettled([
        recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1', amount: '500' }),
        recordPayment(ctx, teamId, asAdmin(BOB, teamId), { invoice: 'INV-1', amount: '500' }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect((rejected.reason as LedgerError).code).toBe('INVOICE_PAID');
      expect(await handle.raw('select paid_minor::text as paid from invoices', [])).toEqual([{ paid: '50000' }]);
    });

    it('records once when the same retried request arrives twice at the same moment', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', total: '500' });
      const both = await Promise.all([
        recordPayment(
          ctx,
          teamId,
          asAdmin(ALICE, teamId),
          { invoice: 'INV-1', amount: '100' },
          { idempotencyKey: 'slack-retry-1' },
        ),
        recordPayment(
          ctx,
          teamId,
          asAdmin(ALICE, teamId),
          { invoice: 'INV-1', amount: '100' },
          { idempotencyKey: 'slack-retry-1' },
        ),
      ]);
      expect(both.map((b) => b.replayed).sort()).toEqual([false, true]);
      expect(await handle.raw('select count(*)::int as n from payments', [])).toEqual([{ n: 1 }]);
    });
  });

  describe('chases, promises and holds', () => {
    it('keeps the last chase and its promise, and the promise breaks the day after', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1', terms: { kind: 'fixed', dueDate: '2026-09-10' } });
      const chased = await logChase(ctx, teamId, asAdmin(BOB, teamId), {
        invoice: 'INV-1',
        method: 'call',
        note: 'Called AP',
        response: 'Paying Friday',
        promisedDate: '2026-09-11',
        nextFollowUp: '2026-09-14',
      });
      expect(chased.result.status.lastAction).toMatchObject({ kind: 'chased', by: 'U0BOB' });
      expect(chased.result.promisedDate).toBe('2026-09-11');
      ctx.clock.set('2026-09-11T18:00:00Z');
      expect((await getInvoice(ctx, teamId, 'INV-1')).status.promiseBroken).toBe(false);
      ctx.clock.set('2026-09-12T18:00:00Z');
      expect((await getInvoice(ctx, teamId, 'INV-1')).status.promiseBroken).toBe(true);
    });

    it('refuses chasing a draft or a paid invoice, and a promise in the past', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'D-1', status: 'draft' });
      expect(
        (await refusal(logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'D-1', method: 'email' }))).code,
      ).toBe('INVOICE_NOT_SENT');
      await invoice(ctx, teamId, client.id, { number: 'S-1' });
      const past = await refusal(
        logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'S-1', method: 'email', promisedDate: '2026-09-09' }),
      );
      expect(past.issues[0]?.field).toBe('promisedDate');
      const method = await refusal(
        logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'S-1', method: 'pigeon' as never }),
      );
      expect(method.message).toBe('method: must be one of email, call, slack, meeting, other');
    });

    it('puts an invoice in dispute with its reason and releases it', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1' });
      const disputed = await dispute(ctx, teamId, asAdmin(BOB, teamId), {
        invoice: 'INV-1',
        reason: 'Wrong hours on line 2',
      });
      expect(disputed.result.status.hold).toMatchObject({
        kind: 'dispute',
        reason: 'Wrong hours on line 2',
        by: 'U0BOB',
      });
      const twice = await refusal(
        placeHold(ctx, teamId, asAdmin(BOB, teamId), { invoice: 'INV-1', kind: 'hold', reason: 'x' }),
      );
      expect(twice.code).toBe('ALREADY_ON_HOLD');
      const released = await releaseHold(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        note: 'Credit agreed',
      });
      expect(released.result.status.hold).toBeNull();
      expect((await refusal(releaseHold(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1' }))).code).toBe(
        'NOT_ON_HOLD',
      );
    });
  });

  describe('marking sent, voiding and editing', () => {
    it('marks a draft sent once', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'D-1', status: 'draft' });
      const sent = await markSent(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'D-1' });
      expect(sent.result.status.state).toBe('sent');
      expect((await refusal(markSent(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'D-1' }))).code).toBe(
        'INVOICE_ALREADY_SENT',
      );
    });

    it('voids with a reason, leaves every total, and refuses to void money already received', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'V-1' });
      const voided = await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'V-1',
        reason: 'raised in error',
      });
      expect(voided.result.status.lifecycle).toBe('void');
      expect(voided.result.status.amountDueMinor).toBe(0n);
      expect(
        (await refusal(voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'V-1', reason: 'again' }))).code,
      ).toBe('INVOICE_VOID');
      await invoice(ctx, teamId, client.id, { number: 'P-1' });
      await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P-1', amount: '1' });
      expect(
        (await refusal(voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P-1', reason: 'x' }))).code,
      ).toBe('INVOICE_HAS_PAYMENTS');
    });

    it('edits with the current version, recomputes the due date, and refuses an old version', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      const inv = await invoice(ctx, teamId, client.id, { number: 'E-1' });
      const edited = await editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'E-1',
        expectedVersion: inv.version,
        changes: { terms: 'eom+15', total: '2000' },
      });
      expect(edited.result.dueDate).toBe('2026-10-15');
      expect(edited.result.dueBasis).toBe('end of month + 15 from 2026-09-01');
      expect(edited.result.totalMinor).toBe(200_000n);
      // the edit is history, not a chase: the last action stays what it was
      expect(edited.result.status.lastAction?.kind).toBe('sent');
      const conflict = await refusal(
        editInvoice(ctx, teamId, asAdmin(BOB, teamId), {
          invoice: 'E-1',
          expectedVersion: inv.version,
          changes: { total: '5' },
        }),
      );
      expect(conflict.code).toBe('CONFLICT');
      expect((await getInvoice(ctx, teamId, 'E-1')).totalMinor).toBe(200_000n);
      const history = await getHistory(ctx.db, { teamId, invoiceId: inv.id });
      expect(history.at(-1)).toMatchObject({
        kind: 'edited',
        details: { changes: { totalMinor: { from: { $bigint: '100000' }, to: { $bigint: '200000' } } } },
      });
    });

    it('refuses a total below what has been paid', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'E-1', total: '1000' });
      const paid = await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'E-1', amount: '600' });
      const error = await refusal(
        editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
          invoice: 'E-1',
          expectedVersion: paid.result.invoice.version,
          changes: { total: '500' },
        }),
      );
      expect(error.issues).toEqual([
        { field: 'total', message: 'cannot be less than what has been paid already ($600.00)' },
      ]);
    });
  });

  describe('the history is append-only', () => {
    it('refuses to update or delete an event, in the database itself', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1' });
      await expect(handle.raw(`update events set kind = 'paid'`, [])).rejects.toThrow(/append-only: UPDATE/);
      await expect(handle.raw('delete from events', [])).rejects.toThrow(/append-only: DELETE/);
      expect(await handle.raw('select count(*)::int as n from events', [])).toEqual([{ n: 3 }]);
    });
  });

  describe('tenants', () => {
    it('never lets one workspace see or change another one', async () => {
      const { ctx } = get();
      const a = await workspaceWithClient(ctx, { teamId: 'T0AAA' });
      const b = await workspaceWithClient(ctx, { teamId: 'T0BBB' });
      const mine = await invoice(ctx, a.teamId, a.client.id, { number: 'INV-1' });
      // Same number and same client name are fine in another workspace.
      await invoice(ctx, b.teamId, b.client.id, { number: 'INV-1', total: '7' });
      expect((await getInvoice(ctx, b.teamId, 'INV-1')).totalMinor).toBe(700n);
      expect((await refusal(getInvoice(ctx, b.teamId, mine.id))).code).toBe('INVOICE_NOT_FOUND');
      expect((await refusal(recordPayment(ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: mine.id }))).code).toBe(
        'INVOICE_NOT_FOUND',
      );
      const crossClient = await refusal(invoice(ctx, b.teamId, a.client.id, { number: 'X-1' }));
      expect(crossClient.code).toBe('CLIENT_NOT_FOUND');
      expect((await getHistory(ctx.db, { teamId: b.teamId, invoiceId: mine.id })).length).toBe(0);
    });
  });
});
