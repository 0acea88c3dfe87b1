// The /invoice connect status over both ledgers: the connected one alone, else each that can be connected, else
// why none can. Whole payloads.
import { describe, expect, it } from 'vitest';
import type { LedgerConnectionRow } from '../../../src/db/schema.js';
import { connectionsStatusMessage } from '../../../src/slack/ui/connect.js';

const NOW = new Date('2026-11-23T15:00:00Z');

const connected: LedgerConnectionRow = {
  teamId: 'T0ACME',
  provider: 'quickbooks',
  tenantId: '9341455130122345',
  tenantName: 'Acme Agency LLC',
  status: 'ok',
  brokenReason: null,
  brokenAt: null,
  brokenToldAt: null,
  accessTokenEnc: 'v1.x',
  refreshTokenEnc: 'v1.y',
  accessExpiresAt: NOW,
  connectedBy: 'U0ADMIN',
  connectedAt: new Date('2026-11-23T14:00:00Z'),
  syncCursor: null,
  syncState: { phase: 'open', page: 3 },
  syncDone: 1200,
  syncTotal: 5000,
  lastSyncAt: null,
  lastSyncError: null,
  nextSyncAt: NOW,
  claimToken: null,
  claimedUntil: null,
  createdAt: NOW,
};

const text = (t: string) => ({ text: t, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: t } }] });

describe('the books’ status', () => {
  it('shows only the connected ledger, with its sync progress', () => {
    const message = connectionsStatusMessage([
      { label: 'Xero', connection: undefined, unavailable: undefined, now: NOW },
      { label: 'QuickBooks', connection: connected, unavailable: undefined, now: NOW },
    ]);
    expect(message).toEqual(
      text(
        '📒 Connected to QuickBooks: *Acme Agency LLC*, by <@U0ADMIN> <!date^1795442400^{date_short_pretty} at {time}|2026-11-23 14:00 UTC>.\n' +
          'Syncing from QuickBooks: 1,200 of 5,000.\n' +
          '`/invoice connect quickbooks sync` syncs now; `/invoice connect quickbooks disconnect` ends it.',
      ),
    );
  });

  it('lists each ledger that can be connected when none is, and leaves out one not set up', () => {
    expect(
      connectionsStatusMessage([
        { label: 'Xero', connection: undefined, unavailable: undefined, now: NOW },
        { label: 'QuickBooks', connection: undefined, unavailable: 'QuickBooks is not set up.', now: NOW },
      ]),
    ).toEqual(text('📒 Xero is not connected. A finance admin connects it with `/invoice connect xero`.'));
    expect(
      connectionsStatusMessage([
        {
          label: 'Xero',
          connection: { ...connected, provider: 'xero', status: 'disconnected' },
          unavailable: undefined,
          now: NOW,
        },
        { label: 'QuickBooks', connection: undefined, unavailable: undefined, now: NOW },
      ]),
    ).toEqual(
      text(
        '📒 Xero is not connected. A finance admin connects it with `/invoice connect xero`.\n\n' +
          '📒 QuickBooks is not connected. A finance admin connects it with `/invoice connect quickbooks`.',
      ),
    );
  });

  it('says why neither can be connected when neither is set up', () => {
    expect(
      connectionsStatusMessage([
        { label: 'Xero', connection: undefined, unavailable: 'Xero is not set up.', now: NOW },
        { label: 'QuickBooks', connection: undefined, unavailable: 'QuickBooks is not set up.', now: NOW },
      ]),
    ).toEqual(
      text(
        '📒 Xero cannot be connected here yet: Xero is not set up.\n\n' +
          '📒 QuickBooks cannot be connected here yet: QuickBooks is not set up.',
      ),
    );
  });
});
