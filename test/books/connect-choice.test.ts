// Connecting the books, on each database: a grant of several organisations waits for the person's choice (bound to
// the same state, used once, tokens sealed here); the role is checked again when the person comes back; a break is
// told once across replicas and restarts; and the App Homes are redrawn as a sync moves, not more than every 30 s.
import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { markBroken, type WhoIs } from '../../src/books/connections.js';
import { type BooksOptions, createBooks } from '../../src/books/index.js';
import { events, ledgerAuthStates, ledgerConnections, ledgerPendingGrants } from '../../src/db/schema.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { FAKE_XERO_CLIENT, type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin, asMember, BOB } from '../helpers/ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0ACME';
const OTHER = 'T0OTHER';
const KEY = randomBytes(32).toString('base64');

let xero: FakeXero;
beforeAll(async () => {
  xero = await startFakeXero();
});
afterAll(async () => {
  await xero.close();
});

/** The person in the state is still a finance admin of that workspace when they come back. */
const stillAdmin: WhoIs = async (teamId, userId) => asAdmin({ type: 'user', id: userId }, teamId);
/** They were removed from the finance admins (or the group) in the meantime. */
const nowMember: WhoIs = async (teamId, userId) => asMember({ type: 'user', id: userId }, teamId);

function booksFor(t: TestLedger, more: Partial<BooksOptions> = {}) {
  return createBooks({
    ledger: t.ctx,
    xero: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
    tokenKey: KEY,
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => t.ctx.clock.advance(ms),
    ...more,
  });
}

type Books = ReturnType<typeof booksFor>;

/** A finance admin's link, approved in the fake Xero: what the browser brings back to the callback. */
async function approved(books: Books, teamId = TEAM, person = ALICE) {
  const back = new URL(await xero.approve(await books.startConnect(teamId, asAdmin(person, teamId), 'xero')));
  return { state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' };
}

async function choiceOf(books: Books, teamId = TEAM, person = ALICE) {
  const outcome = await books.completeConnect('xero', await approved(books, teamId, person), stillAdmin);
  if (outcome.kind !== 'choose') throw new Error('expected a choice');
  return outcome;
}

async function countOf(t: TestLedger, table: typeof ledgerPendingGrants | typeof ledgerAuthStates): Promise<number> {
  const [row] = await t.ctx.db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

async function connectedEvents(t: TestLedger) {
  return t.ctx.db.select().from(events).where(eq(events.kind, 'ledger_connected'));
}

describeEachDatabase('connecting the books', NOW, (get) => {
  let books: Books;
  beforeEach(async () => {
    const t = get();
    xero.reset();
    xero.setNow(NOW);
    books = booksFor(t);
    await ensureWorkspace(t.ctx, { teamId: TEAM, name: 'Studio', timeZone: 'America/New_York' });
    await ensureWorkspace(t.ctx, { teamId: OTHER, name: 'Other', timeZone: 'UTC' });
  });

  it('offers every organisation of a grant of several, connects none until one is chosen, and keeps the tokens sealed here', async () => {
    const t = get();
    const globex = xero.addTenant('Globex <Holdings> & Co');

    const outcome = await choiceOf(books);

    expect(outcome).toMatchObject({
      kind: 'choose',
      teamId: TEAM,
      userId: 'U0ALICE',
      tenants: [
        { id: xero.tenant.id, name: 'Acme Agency Ltd' },
        { id: globex, name: 'Globex <Holdings> & Co' },
      ],
    });
    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
    expect(await connectedEvents(t)).toHaveLength(0);
    const [grant] = await t.ctx.db.select().from(ledgerPendingGrants);
    expect(grant).toMatchObject({ teamId: TEAM, userId: 'U0ALICE', provider: 'xero' });
    expect(grant?.accessTokenEnc).toMatch(/^v1\./);
    expect(JSON.stringify(grant)).not.toMatch(/"x[ar]-[0-9a-f]+"/);

    const connected = await books.chooseTenant('xero', { state: outcome.state, tenantId: globex }, stillAdmin);

    expect(connected).toEqual({
      teamId: TEAM,
      userId: 'U0ALICE',
      provider: 'xero',
      tenantName: 'Globex <Holdings> & Co',
    });
    expect(await books.connection(TEAM, 'xero')).toMatchObject({
      tenantId: globex,
      status: 'ok',
      connectedBy: 'U0ALICE',
    });
    expect(await countOf(t, ledgerPendingGrants)).toBe(0);
    const [event] = await connectedEvents(t);
    expect(event?.details).toMatchObject({ tenantId: globex, tenantsGranted: 2 });
    // The organisation not chosen is given back: the grant no longer reaches it.
    const removed = xero.calls().filter((c) => c.method === 'DELETE' && c.path.startsWith('/connections/'));
    expect(removed.map((c) => c.status)).toEqual([204]);
    // The choice is used once.
    await expect(
      books.chooseTenant('xero', { state: outcome.state, tenantId: xero.tenant.id }, stillAdmin),
    ).rejects.toThrow(/already made or has expired/);
    expect((await books.connection(TEAM, 'xero'))?.tenantId).toBe(globex);
    // The kept tokens are the grant's: the sync asks Xero for the organisation chosen.
    expect(await books.syncNow(TEAM, 'xero')).toMatchObject({ finished: true });
    expect(xero.calls('/api.xro/2.0/Contacts').at(-1)?.headers['xero-tenant-id']).toBe(globex);
  });

  it('connects a grant of one organisation at once, with no choice to make', async () => {
    const outcome = await books.completeConnect('xero', await approved(books), stillAdmin);
    expect(outcome).toEqual({
      kind: 'connected',
      teamId: TEAM,
      userId: 'U0ALICE',
      provider: 'xero',
      tenantName: 'Acme Agency Ltd',
    });
    expect(await countOf(get(), ledgerPendingGrants)).toBe(0);
  });

  it('refuses an organisation that was not granted without using the choice up, and a choice after 10 minutes', async () => {
    const t = get();
    const globex = xero.addTenant('Globex');
    const first = await choiceOf(books);
    await expect(
      books.chooseTenant('xero', { state: first.state, tenantId: 'someone-elses-tenant' }, stillAdmin),
    ).rejects.toThrow(/not one of the Xero organisations you allowed/);
    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
    expect(await books.chooseTenant('xero', { state: first.state, tenantId: globex }, stillAdmin)).toMatchObject({
      tenantName: 'Globex',
    });

    const late = await choiceOf(books);
    t.ctx.clock.advance(10 * 60_000 + 1_000);
    await expect(
      books.chooseTenant('xero', { state: late.state, tenantId: xero.tenant.id }, stillAdmin),
    ).rejects.toThrow(/not valid or has expired/);
    expect((await books.connection(TEAM, 'xero'))?.tenantId).toBe(globex);
  });

  it('binds the choice to its workspace and person: an altered state or another workspace’s takes nothing', async () => {
    xero.addTenant('Globex');
    const choice = await choiceOf(books);
    // The same choice claimed for another workspace: the signature no longer holds.
    const [body = '', signature = ''] = choice.state.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const altered = `${Buffer.from(JSON.stringify({ ...payload, t: OTHER })).toString('base64url')}.${signature}`;
    await expect(books.chooseTenant('xero', { state: altered, tenantId: xero.tenant.id }, stillAdmin)).rejects.toThrow(
      /not valid/,
    );
    // Another workspace's own signed state finds no grant of its own to take this organisation from.
    const others = await approved(books, OTHER, BOB);
    await expect(
      books.chooseTenant('xero', { state: others.state, tenantId: xero.tenant.id }, stillAdmin),
    ).rejects.toThrow(/already made or has expired/);
    expect(await books.connection(OTHER, 'xero')).toBeUndefined();
    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
    // The real choice still stands.
    await books.chooseTenant('xero', { state: choice.state, tenantId: xero.tenant.id }, stillAdmin);
    expect((await books.connection(TEAM, 'xero'))?.tenantName).toBe('Acme Agency Ltd');
  });

  it('refuses the callback to a person who is no longer a finance admin: no code exchanged, the link not used up, nothing written', async () => {
    const t = get();
    const back = await approved(books);

    await expect(books.completeConnect('xero', back, nowMember)).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(xero.calls('/connect/token')).toHaveLength(0);
    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
    expect(await connectedEvents(t)).toHaveLength(0);
    expect(await countOf(t, ledgerAuthStates)).toBe(1);
    // A principal of another workspace is refused the same way.
    const foreign: WhoIs = async (_teamId, userId) => asAdmin({ type: 'user', id: userId }, OTHER);
    await expect(books.completeConnect('xero', back, foreign)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
  });

  it('refuses the choice to a person who lost the role after the callback; the grant waits unchanged', async () => {
    const t = get();
    xero.addTenant('Globex');
    const choice = await choiceOf(books);

    await expect(
      books.chooseTenant('xero', { state: choice.state, tenantId: xero.tenant.id }, nowMember),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(await books.connection(TEAM, 'xero')).toBeUndefined();
    expect(await countOf(t, ledgerPendingGrants)).toBe(1);
    expect(await connectedEvents(t)).toHaveLength(0);
  });

  it('tells a break once across two replicas and a restart, and the next break again after reconnecting', async () => {
    const t = get();
    const told: string[] = [];
    const tell: BooksOptions['connectionBroken'] = async (teamId, reason, provider) => {
      told.push(`${teamId} ${provider}: ${reason}`);
    };
    const one = booksFor(t, { connectionBroken: tell });
    const two = booksFor(t, { connectionBroken: tell });
    await one.completeConnect('xero', await approved(one), stillAdmin);
    await one.syncNow(TEAM, 'xero');
    xero.revokeConsent();
    t.ctx.clock.advance(40 * 60_000);

    await Promise.all([one.syncNow(TEAM, 'xero'), two.syncNow(TEAM, 'xero'), one.syncDue(), two.syncDue()]);
    await Promise.all([one.syncDue(), two.syncDue()]);
    await booksFor(t, { connectionBroken: tell }).syncDue();

    expect(told).toEqual([expect.stringMatching(/^T0ACME xero: Xero refused to renew the connection/)]);
    expect((await one.connection(TEAM, 'xero'))?.brokenToldAt).toEqual(t.ctx.clock.now());

    await one.completeConnect('xero', await approved(one), stillAdmin);
    expect(await one.connection(TEAM, 'xero')).toMatchObject({ status: 'ok', brokenToldAt: null, brokenAt: null });
    xero.revokeConsent();
    t.ctx.clock.advance(40 * 60_000);
    await two.syncNow(TEAM, 'xero');
    await one.syncDue();
    expect(told).toHaveLength(2);
  });

  it('tells a break found outside a sync at the next tick, and tells it later when no one could be told', async () => {
    const t = get();
    let attempts = 0;
    const told: string[] = [];
    const flaky = booksFor(t, {
      connectionBroken: async (_teamId, reason) => {
        attempts += 1;
        if (attempts === 1) throw new Error('Slack is down');
        told.push(reason);
      },
    });
    await flaky.completeConnect('xero', await approved(flaky), stillAdmin);
    // Another part of the app found the refresh refused (a payment being posted, say).
    await markBroken(t.ctx, TEAM, { id: 'xero' }, 'Xero refused to renew the connection.');

    await flaky.syncDue();
    expect([attempts, told]).toEqual([1, []]);
    const [row] = await t.ctx.db.select().from(ledgerConnections).where(eq(ledgerConnections.teamId, TEAM));
    expect(row?.brokenToldAt).toBeNull();

    await flaky.syncDue();
    await flaky.syncDue();
    expect([attempts, told]).toEqual([2, ['Xero refused to renew the connection.']]);
  });

  it('redraws the App Homes as a long sync moves, at most every 30 s, and at its end; a quick one only at its end', async () => {
    const t = get();
    xero.addContact({ name: 'Northwind' });
    let step = 20_000;
    // Each call to the Accounting API takes `step` of the test's clock.
    const slow: typeof fetch = async (input, init) => {
      if (new URL(String(input)).pathname.startsWith('/api.xro/')) t.ctx.clock.advance(step);
      return fetch(input, init);
    };
    const start = t.ctx.clock.now().getTime();
    const drawn: number[] = [];
    const watched = booksFor(t, {
      fetch: slow,
      connectionChanged: async () => {
        drawn.push(t.ctx.clock.now().getTime() - start);
      },
    });
    await watched.completeConnect('xero', await approved(watched), stillAdmin);
    expect(drawn).toEqual([0]);

    // Four pages (contacts, open, paid, credit notes) at 20, 40, 60 and 80 s: the first is too soon after the start,
    // the second is shown, the third is within 30 s of it, the fourth is shown; the end is always shown.
    await watched.syncNow(TEAM, 'xero');
    expect(drawn).toEqual([0, 40_000, 80_000, 80_000]);

    // Ten minutes on, a quick sync: only its end, and a second one straight after not at all.
    step = 0;
    t.ctx.clock.advance(10 * 60_000);
    await watched.syncNow(TEAM, 'xero');
    await watched.syncNow(TEAM, 'xero');
    expect(drawn).toEqual([0, 40_000, 80_000, 80_000, 680_000]);
  });
});
