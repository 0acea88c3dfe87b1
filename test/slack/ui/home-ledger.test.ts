// The App Home and the books' connection: whether a card can be trusted to follow Xero (a sync's progress, or in
// step since when), and a broken connection at the top for everyone, with the way back for the finance admins.
import { describe, expect, it } from 'vitest';
import type { LedgerConnectionRow } from '../../../src/db/schema.js';
import { connectionStatusMessage } from '../../../src/slack/ui/connect.js';
import { homeView } from '../../../src/slack/ui/home.js';
import { makeOverview, NOW, TEAM, TODAY, ZONE } from './fixtures.js';

const base = {
  overview: makeOverview(2),
  today: TODAY,
  timeZone: ZONE,
  now: NOW,
  isEmpty: false,
  canHandleMoney: true,
  financeChannel: 'C0FINANCE',
};

/** Connected to Acme Agency Ltd on 2026-11-01, last synced at 09:04 London today (it is 09:30), nothing running. */
function connection(o: Partial<LedgerConnectionRow> = {}): LedgerConnectionRow {
  return {
    teamId: TEAM,
    provider: 'xero',
    tenantId: 'tenant-1',
    tenantName: 'Acme Agency Ltd',
    status: 'ok',
    brokenReason: null,
    brokenAt: null,
    brokenToldAt: null,
    accessTokenEnc: 'v1.sealed',
    refreshTokenEnc: 'v1.sealed',
    accessExpiresAt: new Date('2026-11-14T10:00:00Z'),
    connectedBy: 'U0ALICE',
    connectedAt: new Date('2026-11-01T10:00:00Z'),
    syncCursor: new Date('2026-11-14T08:59:00Z'),
    syncState: null,
    syncDone: 0,
    syncTotal: 0,
    lastSyncAt: new Date('2026-11-14T09:04:00Z'),
    lastSyncError: null,
    nextSyncAt: new Date('2026-11-14T09:14:00Z'),
    claimToken: null,
    claimedUntil: null,
    createdAt: new Date('2026-11-01T10:00:00Z'),
    ...o,
  };
}

const syncing = { syncState: { mode: 'first', phase: 'open', page: 13 }, lastSyncAt: null };

function contextTexts(view: ReturnType<typeof homeView>): string[] {
  const context = view.blocks[2] as { type: string; elements: { text: string }[] };
  return context.elements.map((e) => e.text);
}

function sections(view: ReturnType<typeof homeView>): string[] {
  return view.blocks.flatMap((b) => {
    const block = b as { type: string; text?: { text: string } };
    return block.type === 'section' && block.text ? [block.text.text] : [];
  });
}

describe('the App Home with the books connected', () => {
  it('shows a running sync with its count and the total as the ledger reports it, with thousands separators', () => {
    const view = homeView({
      ...base,
      ledgerConnections: [connection({ ...syncing, syncDone: 1_200, syncTotal: 5_000 })],
    });
    expect(contextTexts(view).at(-1)).toBe('📒 Syncing from Xero: 1,200 of 5,000');
    // Nothing else moves: the warning slots stay empty.
    expect(view.blocks.slice(3)).toEqual(homeView(base).blocks.slice(3));
  });

  it('says "so far" while the ledger has not said how many there are', () => {
    const view = homeView({
      ...base,
      ledgerConnections: [connection({ ...syncing, syncDone: 1_200, syncTotal: 1_200 })],
    });
    expect(contextTexts(view).at(-1)).toBe('📒 Syncing from Xero: 1,200 so far');
  });

  it('says it is in step with the time of the last sync in the workspace’s zone, with the date when not today', () => {
    expect(contextTexts(homeView({ ...base, ledgerConnections: [connection()] })).at(-1)).toBe(
      '📒 In step with Xero · last sync 09:04',
    );
    const yesterday = connection({ lastSyncAt: new Date('2026-11-13T23:59:00Z') });
    expect(contextTexts(homeView({ ...base, ledgerConnections: [yesterday] })).at(-1)).toBe(
      '📒 In step with Xero · last sync 2026-11-13 23:59',
    );
    const problems = connection({ lastSyncError: '2 records not taken in: INV-9: …' });
    expect(contextTexts(homeView({ ...base, ledgerConnections: [problems] })).at(-1)).toBe(
      '📒 In step with Xero · last sync 09:04 · ⚠️ `/invoice connect` says what went wrong',
    );
    const fresh = connection({ lastSyncAt: null });
    expect(contextTexts(homeView({ ...base, ledgerConnections: [fresh] })).at(-1)).toBe(
      '📒 Connected to Xero: the first sync starts in a moment',
    );
  });

  it('warns everyone at the top of a broken connection, and tells only the finance admins how to reconnect', () => {
    const broken = connection({
      status: 'broken',
      tenantName: 'Acme <!channel> & Co',
      brokenAt: new Date('2026-11-14T08:40:00Z'),
      brokenReason: 'Xero refused to renew the connection.',
    });
    const unix = Math.floor(new Date('2026-11-14T08:40:00Z').getTime() / 1000);
    const admin = homeView({ ...base, ledgerConnections: [broken] });
    expect(admin.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `⚠️ *The Xero connection to Acme &lt;!channel&gt; &amp; Co is broken* since <!date^${unix}^{date_short_pretty} at {time}|2026-11-14 08:40>: Xero refused to renew it. Until it is reconnected, payments and changes made in Xero do not reach here, so a card may be out of date. Reconnect it with \`/invoice connect xero\`.`,
      },
    });
    // No "in step" line for a broken connection.
    expect(contextTexts(admin).join('\n')).not.toContain('Xero');

    const member = homeView({ ...base, canHandleMoney: false, ledgerConnections: [broken] });
    const [warning = ''] = sections(member);
    expect(warning).toMatch(/^⚠️ \*The Xero connection to Acme &lt;!channel&gt; &amp; Co is broken\*/);
    expect(warning).toMatch(/A finance admin can reconnect it\.$/);
    expect(warning).not.toContain('/invoice connect');
    // The rest of the home is as it was, below the warning.
    expect(member.blocks.slice(4)).toEqual(homeView({ ...base, canHandleMoney: false }).blocks.slice(3));
  });

  it('shows nothing of the books when none are connected', () => {
    expect(homeView({ ...base, ledgerConnections: [] })).toEqual(homeView(base));
  });
});

describe('/invoice connect while a sync runs', () => {
  it('shows the same count as the App Home', () => {
    const message = connectionStatusMessage({
      label: 'Xero',
      connection: connection({ ...syncing, syncDone: 1_200, syncTotal: 5_000 }),
      unavailable: undefined,
      now: NOW,
    });
    expect(message.text).toContain('Syncing from Xero: 1,200 of 5,000.');
  });
});
