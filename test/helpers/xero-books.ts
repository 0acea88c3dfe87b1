// The books wired to the contract fake of Xero, as the sync tests use them: the test's clock (a wait for Xero's
// limits moves it), a fresh token key, no logging; and connecting a workspace through the fake's consent screen.
import { randomBytes } from 'node:crypto';
import { type Books, type BooksOptions, createBooks } from '../../src/books/index.js';
import type { Principal } from '../../src/services/policy.js';
import type { TestLedger } from './db.js';
import { FAKE_XERO_CLIENT, type FakeXero } from './fake-xero.js';
import { ALICE, asAdmin } from './ledger.js';

/** Books on `xero`; `options` replace any part (the sleep that records waits, a fetch that fails, callbacks…). */
export function xeroBooks(t: TestLedger, xero: FakeXero, options: Partial<BooksOptions> = {}): Books {
  return createBooks({
    ledger: t.ctx,
    xero: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
    tokenKey: randomBytes(32).toString('base64'),
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => {
      t.ctx.clock.advance(ms);
    },
    ...options,
  });
}

/**
 * Connects `teamId` to Xero as `principal` (Alice, a finance admin, unless given): the consent screen approved in
 * the fake, then the callback completed with the person still an admin (unless `whoIs` says otherwise).
 */
export async function connectXero(
  books: Books,
  xero: FakeXero,
  teamId: string,
  options: {
    principal?: Principal;
    withPayments?: boolean;
    whoIs?: (teamId: string, userId: string) => Promise<Principal>;
  } = {},
) {
  const principal = options.principal ?? asAdmin(ALICE, teamId);
  const withPayments = options.withPayments === undefined ? undefined : { withPayments: options.withPayments };
  const url = await books.startConnect(teamId, principal, 'xero', withPayments);
  const back = new URL(await xero.approve(url));
  return books.completeConnect(
    'xero',
    { state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' },
    options.whoIs ?? (async (team, user) => asAdmin({ type: 'user', id: user }, team)),
  );
}
