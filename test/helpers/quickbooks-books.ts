// The books wired to the contract fake of QuickBooks Online, as the QuickBooks sync tests use them (Xero configured
// too, never reached): the test's clock (a wait for the limits moves it), a fresh token key, no logging; and
// connecting a workspace through the fake's consent screen, the company (realm) chosen there.
import { randomBytes } from 'node:crypto';
import { type Books, createBooks } from '../../src/books/index.js';
import type { TestLedger } from './db.js';
import type { FakeQuickBooks } from './fake-quickbooks.js';
import { ALICE, asAdmin } from './ledger.js';

export function quickbooksBooks(t: TestLedger, qbo: FakeQuickBooks): Books {
  return createBooks({
    ledger: t.ctx,
    xero: {
      clientId: 'x',
      clientSecret: 'y',
      apiUrl: 'http://127.0.0.1:9',
      identityUrl: 'http://127.0.0.1:9',
      loginUrl: 'http://127.0.0.1:9',
    },
    quickbooks: qbo.settings(),
    tokenKey: randomBytes(32).toString('base64'),
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => t.ctx.clock.advance(ms),
  });
}

/** Connects `teamId` to QuickBooks as Alice (a finance admin), who is still an admin when she comes back. */
export async function connectQuickBooks(books: Books, qbo: FakeQuickBooks, teamId: string) {
  const url = await books.startConnect(teamId, asAdmin(ALICE, teamId), 'quickbooks');
  const back = new URL(await qbo.approve(url));
  return books.completeConnect(
    'quickbooks',
    {
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
      realmId: back.searchParams.get('realmId') ?? '',
    },
    async (team, userId) => asAdmin({ type: 'user', id: userId }, team),
  );
}
