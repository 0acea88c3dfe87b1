// The client's status link and answers, on both databases: only a hash is kept; rotation and revocation
// end a link; answers are shared events by the client's contact, in one transaction with the channel's message.
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { getClientPage } from '../../src/db/queries/client-page.js';
import { clientLinks, deliveries, events, invoices } from '../../src/db/schema.js';
import { createClient } from '../../src/services/clients.js';
import { isLedgerError } from '../../src/services/errors.js';
import { getInvoice, logChase, placeHold, recordPayment, voidInvoice } from '../../src/services/invoices.js';
import {
  answerAsClient,
  checkFormToken,
  formToken,
  hashToken,
  openClientLink,
  revokeClientLink,
  shareClient,
} from '../../src/services/sharing.js';
import { updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error))
      return { code: error.code, fields: error.issues.map((i) => i.field), message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describeEachDatabase('client status links', '2026-11-23T15:00:00Z', (get) => {
  it('keeps only the hash of the token and opens the link with the token alone', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const shared = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'acme corp' });
    expect(shared.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(shared.client.id).toBe(client.id);
    const rows = await ctx.db.select().from(clientLinks);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(hashToken(shared.token));
    expect(JSON.stringify(rows)).not.toContain(shared.token);
    // Nor in the event that records who shared it.
    const recorded = await ctx.db.select().from(events).where(eq(events.kind, 'link_shared'));
    expect(recorded).toHaveLength(1);
    expect(JSON.stringify(recorded[0]?.details)).not.toContain(shared.token);

    const opened = await openClientLink(ctx, shared.token);
    expect(opened?.client.name).toBe('Acme Corp');
    expect(opened?.workspace.teamId).toBe(teamId);
  });

  it('a new link ends the old one; revoking ends the live one; forged and malformed tokens open nothing', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    const first = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    const second = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    expect(second.replaced?.id).toBe(first.link.id);
    expect(await openClientLink(ctx, first.token)).toBeUndefined();
    expect((await openClientLink(ctx, second.token))?.link.id).toBe(second.link.id);

    const { revoked } = await revokeClientLink(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    expect(revoked?.id).toBe(second.link.id);
    expect(await openClientLink(ctx, second.token)).toBeUndefined();
    expect((await revokeClientLink(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' })).revoked).toBeNull();

    const forged = `${second.token.slice(0, 42)}${second.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await openClientLink(ctx, forged)).toBeUndefined();
    expect(await openClientLink(ctx, 'short')).toBeUndefined();
    expect(await openClientLink(ctx, `${second.token}x`)).toBeUndefined();
    expect(await openClientLink(ctx, "' or 1=1 --")).toBeUndefined();
  });

  it('a link opens its own client only, in its own workspace', async () => {
    const { ctx } = get();
    const acme = await workspaceWithClient(ctx, { teamId: 'T0ACME' });
    const other = await workspaceWithClient(ctx, { teamId: 'T0OTHER', clientName: 'Acme Corp' });
    await invoice(ctx, acme.teamId, acme.client.id, { number: 'INV-1' });
    await invoice(ctx, other.teamId, other.client.id, { number: 'INV-1', total: '9,999.00' });
    const { result: globex } = await createClient(ctx, acme.teamId, asAdmin(ALICE, acme.teamId), { name: 'Globex' });
    await invoice(ctx, acme.teamId, globex.id, { number: 'INV-2' });

    const link = await shareClient(ctx, acme.teamId, asAdmin(ALICE, acme.teamId), { client: 'Acme Corp' });
    const opened = await openClientLink(ctx, link.token);
    if (!opened) throw new Error('link did not open');
    const page = await getClientPage(ctx.db, { ...opened, now: ctx.clock.now() });
    expect(page.open.map((i) => [i.teamId, i.number, i.totalMinor])).toEqual([['T0ACME', 'INV-1', 100000n]]);
  });

  it('two links made at the same moment: one is live, the other is told so', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' })),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(isLedgerError(outcome.reason, 'CONFLICT')).toBe(true);
    }
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    const live = (await ctx.db.select().from(clientLinks)).filter((l) => l.revokedAt === null);
    expect(live).toHaveLength(1);
  });

  it('refuses a client that does not exist, naming the field', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    expect(await refusal(shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Nobody Ltd' }))).toMatchObject({
      code: 'CLIENT_NOT_FOUND',
      fields: ['client'],
    });
  });

  it('form tokens are bound to the link and expire', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    const { link } = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    const { link: other } = await shareClient(ctx, teamId, asAdmin(ALICE, teamId), { client: 'Acme Corp' });
    const now = ctx.clock.now();
    const token = formToken(link, now);
    expect(checkFormToken(link, token, now)).toBe(true);
    expect(checkFormToken(other, token, now)).toBe(false);
    expect(checkFormToken(link, token, new Date(now.getTime() + 13 * 3_600_000))).toBe(false);
    expect(checkFormToken(link, `${token.slice(0, -1)}0`, now)).toBe(token.endsWith('0'));
    expect(checkFormToken(link, 'nonsense', now)).toBe(false);
  });
});

describeEachDatabase('client answers', '2026-11-23T15:00:00Z', (get) => {
  async function setup() {
    const { ctx } = get();
    const base = await workspaceWithClient(ctx);
    await updateWorkspaceSettings(ctx, base.teamId, OPERATOR, { financeChannel: 'C0FINANCE' });
    const inv = await invoice(ctx, base.teamId, base.client.id, { number: 'INV-7', issueDate: '2026-10-01' });
    const shared = await shareClient(ctx, base.teamId, asAdmin(ALICE, base.teamId), { client: 'Acme Corp' });
    const opened = await openClientLink(ctx, shared.token);
    if (!opened) throw new Error('link did not open');
    return { ctx, ...base, inv, opened };
  }

  it('a scheduled date becomes the promise, attributed to the contact, shared, with one channel message', async () => {
    const { ctx, teamId, inv, opened } = await setup();
    const { result } = await answerAsClient(ctx, opened, {
      kind: 'scheduled',
      invoiceId: inv.id,
      date: '2026-12-04',
      reference: 'BACS 42',
      name: 'Ada',
    });
    expect(result.invoiceNumber).toBe('INV-7');
    const after = await getInvoice(ctx, teamId, inv.id);
    expect(after.promisedDate).toBe('2026-12-04');
    expect(after.status.lastAction).toMatchObject({ kind: 'client_scheduled', by: 'ap@acme.test' });
    const [event] = await ctx.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, teamId), eq(events.kind, 'client_scheduled')));
    expect(event).toMatchObject({ actorType: 'contact', actorId: 'ap@acme.test', visibility: 'shared' });
    expect(event?.details).toMatchObject({ date: '2026-12-04', reference: 'BACS 42', name: 'Ada', via: 'status page' });
    const queued = await ctx.db.select().from(deliveries).where(eq(deliveries.kind, 'client_answer'));
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ channelId: 'C0FINANCE', invoiceId: inv.id, status: 'pending' });

    // The date passes unpaid: a broken promise, like any other, for the nudges.
    ctx.clock.set('2026-12-05T15:00:00Z');
    expect((await getInvoice(ctx, teamId, inv.id)).status.promiseBroken).toBe(true);
  });

  it('a dispute puts the invoice in dispute with the reason; a second one is refused', async () => {
    const { ctx, teamId, inv, opened } = await setup();
    await answerAsClient(ctx, opened, { kind: 'dispute', invoiceId: inv.id, reason: 'Hours do not match the PO' });
    const after = await getInvoice(ctx, teamId, inv.id);
    expect(after.status.hold).toMatchObject({ kind: 'dispute', reason: 'Hours do not match the PO' });
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'dispute', invoiceId: inv.id, reason: 'again' })),
    ).toMatchObject({ code: 'ALREADY_ON_HOLD', fields: ['reason'] });
  });

  it('a dispute replaces an internal hold', async () => {
    const { ctx, teamId, inv, opened } = await setup();
    await placeHold(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-7', kind: 'hold', reason: 'waiting for PO' });
    await answerAsClient(ctx, opened, { kind: 'dispute', invoiceId: inv.id, reason: 'Wrong rate' });
    expect((await getInvoice(ctx, teamId, inv.id)).status.hold).toMatchObject({
      kind: 'dispute',
      reason: 'Wrong rate',
    });
  });

  it('refuses bad answers naming the field, and writes nothing', async () => {
    const { ctx, inv, opened } = await setup();
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'approved', invoiceId: inv.id, name: ' ' })),
    ).toMatchObject({ code: 'VALIDATION', fields: ['name'] });
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'scheduled', invoiceId: inv.id, date: '2026-11-22' })),
    ).toMatchObject({ code: 'VALIDATION', fields: ['date'] });
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'scheduled', invoiceId: inv.id, date: '2026-02-30' })),
    ).toMatchObject({ code: 'VALIDATION', fields: ['date'] });
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'scheduled', invoiceId: inv.id, date: '2028-01-01' })),
    ).toMatchObject({ code: 'VALIDATION', fields: ['date'] });
    expect(
      await refusal(answerAsClient(ctx, opened, { kind: 'question', invoiceId: inv.id, reason: '' })),
    ).toMatchObject({ code: 'VALIDATION', fields: ['reason'] });
    const clientEvents = await ctx.db.select().from(events).where(eq(events.actorType, 'contact'));
    expect(clientEvents).toHaveLength(0);
    expect(await ctx.db.select().from(deliveries)).toHaveLength(0);
  });

  it("another client's invoice, a draft, a void or a paid invoice cannot be answered on", async () => {
    const { ctx, teamId, client, opened } = await setup();
    const { result: globex } = await createClient(ctx, teamId, asAdmin(ALICE, teamId), { name: 'Globex' });
    const theirs = await invoice(ctx, teamId, globex.id, { number: 'G-1' });
    const draft = await invoice(ctx, teamId, client.id, { number: 'INV-8', status: 'draft' });
    const voided = await invoice(ctx, teamId, client.id, { number: 'INV-9' });
    await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-9', reason: 'duplicate' });
    const paid = await invoice(ctx, teamId, client.id, { number: 'INV-10' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-10' });
    const approve = (invoiceId: string) =>
      refusal(answerAsClient(ctx, opened, { kind: 'approved', invoiceId, name: 'Ada' }));
    expect((await approve(theirs.id)).code).toBe('INVOICE_NOT_FOUND');
    expect((await approve(draft.id)).code).toBe('INVOICE_NOT_FOUND');
    expect((await approve(voided.id)).code).toBe('INVOICE_VOID');
    expect((await approve(paid.id)).code).toBe('INVOICE_PAID');
    expect((await approve('00000000-0000-4000-8000-000000000000')).code).toBe('INVOICE_NOT_FOUND');
  });

  it('the same form sent twice records once', async () => {
    const { ctx, inv, opened } = await setup();
    const input = { kind: 'approved', invoiceId: inv.id, name: 'Ada' } as const;
    const first = await answerAsClient(ctx, opened, input, { idempotencyKey: 'page:n1' });
    const again = await answerAsClient(ctx, opened, input, { idempotencyKey: 'page:n1' });
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(await ctx.db.select().from(events).where(eq(events.kind, 'client_approved'))).toHaveLength(1);
    expect(await ctx.db.select().from(deliveries)).toHaveLength(1);
  });

  it("the page shows an invoice's latest 50 shared events and says how many earlier ones there are", async () => {
    const { ctx, inv, opened } = await setup();
    for (let i = 1; i <= 54; i++) {
      await answerAsClient(ctx, opened, { kind: 'question', invoiceId: inv.id, reason: `question ${i}` });
    }
    const page = await getClientPage(ctx.db, { ...opened, now: ctx.clock.now() });
    const shown = page.events.get(inv.id) ?? [];
    expect(shown).toHaveLength(50);
    expect(page.earlierEvents.get(inv.id)).toBe(5); // 'sent' and questions 1-4
    expect(shown[0]?.details.reason).toBe('question 5');
    expect(shown.at(-1)?.details.reason).toBe('question 54');
    expect(shown.every((e, i) => i === 0 || (shown[i - 1]?.id ?? 0n) < e.id)).toBe(true);
    expect(shown[0]?.at).toBeInstanceOf(Date);
    expect(typeof shown[0]?.id).toBe('bigint');
  });

  it('lists a sent invoice cancelled in the last 90 days as cancelled, never a voided draft or an old one', async () => {
    const { ctx, teamId, client, inv, opened } = await setup();
    ctx.clock.set('2026-07-01T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'OLD-VOID', issueDate: '2026-06-01' });
    await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'OLD-VOID', reason: 'duplicate' });
    ctx.clock.set('2026-11-23T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'VOIDED', issueDate: '2026-11-01' });
    await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'VOIDED', reason: 'INTERNAL: client went bust' });
    await invoice(ctx, teamId, client.id, { number: 'DRAFT-VOID', status: 'draft' });
    await voidInvoice(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'DRAFT-VOID', reason: 'typo' });
    const page = await getClientPage(ctx.db, { ...opened, now: ctx.clock.now() });
    expect(page.cancelled.map((i) => i.number)).toEqual(['VOIDED']);
    expect(page.open.map((i) => i.id)).toEqual([inv.id]);
    expect(page.paid).toEqual([]);
  });

  it('reads sends and payments recorded before the status page existed (written internal) as shared', async () => {
    const { ctx, teamId, inv, opened } = await setup();
    await ctx.db.insert(events).values([
      { teamId, invoiceId: inv.id, kind: 'part_paid', actorType: 'user', actorId: 'U0OLD', at: ctx.clock.now() },
      { teamId, invoiceId: inv.id, kind: 'chased', actorType: 'user', actorId: 'U0OLD', at: ctx.clock.now() },
    ]);
    const page = await getClientPage(ctx.db, { ...opened, now: ctx.clock.now() });
    expect((page.events.get(inv.id) ?? []).map((e) => e.kind)).toEqual(['sent', 'part_paid']);
  });

  it('the page shows shared events only: not the internal chase note, not the hold', async () => {
    const { ctx, teamId, inv, opened } = await setup();
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-7',
      method: 'call',
      note: 'INTERNAL: grumpy CFO',
    });
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-7',
      method: 'email',
      note: 'Reminder sent',
      shared: true,
    });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-7',
      amount: '250.00',
      reference: 'BACS 1',
    });
    await answerAsClient(ctx, opened, { kind: 'question', invoiceId: inv.id, reason: 'Which PO?' });
    const page = await getClientPage(ctx.db, { ...opened, now: ctx.clock.now() });
    const kinds = (page.events.get(inv.id) ?? []).map((e) => e.kind);
    expect(kinds).toEqual(['sent', 'chased', 'part_paid', 'client_question']);
    expect(
      JSON.stringify(page.events.get(inv.id), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    ).not.toContain('grumpy');
    expect(page.payments.get(inv.id)).toMatchObject([
      { amountMinor: 25000n, receivedOn: '2026-11-23', reference: 'BACS 1' },
    ]);
    const row = (await ctx.db.select().from(invoices).where(eq(invoices.id, inv.id)))[0];
    expect(row?.paidMinor).toBe(25000n);
  });
});
