// Which ledger webhook endpoints are failing, as the App Home reads it (where, how often, since when, why,
// when next, how much is waiting), and the delivery pass telling its caller when an endpoint flips.
import { describe, expect, it } from 'vitest';
import type { LedgerContext } from '../../src/services/context.js';
import { addWebhookEndpoint } from '../../src/services/webhooks.js';
import { deliverWebhooks, type WebhookEnv } from '../../src/webhooks/deliver.js';
import {
  FAILING_PENDING_CAP,
  failingWebhookEndpoints,
  listWebhookEndpoints,
  webhookDisplayUrl,
} from '../../src/webhooks/endpoints.js';
import type { WebhookSender } from '../../src/webhooks/send.js';
import { describeEachDatabase } from '../helpers/db.js';
import { invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

/** Every request to a host named "erp…" answers 500 (with a body that is never read); any other answers 204. */
function stubSend(state: { erpDown: boolean } = { erpDown: true }): WebhookSender {
  return async (request) => ({ status: state.erpDown && request.url.hostname.startsWith('erp') ? 500 : 204 });
}

/** Every name resolves to one public address (a documentation-free one): no real DNS in tests. */
const resolve = async () => ['93.184.216.34'];

describe('webhookDisplayUrl', () => {
  it('shows host and path only: no user info, query or fragment, and a hostile path stays percent-encoded', () => {
    expect(webhookDisplayUrl('https://user:pw@erp.example.com/hooks?token=s3cret#frag')).toBe('erp.example.com/hooks');
    expect(webhookDisplayUrl('https://erp.example.com:8443/')).toBe('erp.example.com:8443');
    expect(webhookDisplayUrl(new URL('https://erp.example.com/<!channel>').toString())).toBe(
      'erp.example.com/%3C!channel%3E',
    );
  });
});

// Monday 2026-11-23, 10:00 in New York.
describeEachDatabase('failing webhook endpoints', '2026-11-23T15:00:00Z', (get) => {
  function env(ctx: LedgerContext, extra: Partial<WebhookEnv> = {}): WebhookEnv {
    // Other test workers' transactions on the same server count too (see horizonWaitMs): wait for them.
    return {
      db: ctx.db,
      clock: ctx.clock,
      logger: { warn: () => {} },
      resolve,
      send: stubSend(),
      horizonWaitMs: 20_000,
      ...extra,
    };
  }

  it('lists only the failing endpoint of the workspace, with where, how often, since when, why and when next', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://books.example.com/ok' });
    const erp = await addWebhookEndpoint(ctx, teamId, OPERATOR, {
      url: 'https://erp.example.com/hooks?token=s3cret#frag',
    });
    // Another workspace's failing endpoint is never shown here.
    const other = await workspaceWithClient(ctx, { teamId: 'T0OTHER' });
    await addWebhookEndpoint(ctx, other.teamId, OPERATOR, { url: 'https://erp.example.com/other', replay: true });
    ctx.clock.set('2026-11-23T15:05:00Z');
    await invoice(ctx, teamId, client.id, { number: 'INV-001' }); // created and sent: two events

    ctx.clock.set('2026-11-23T15:06:00Z');
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 2, failed: 2 });
    ctx.clock.set('2026-11-23T15:06:30Z');
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 2 });

    const failing = await failingWebhookEndpoints(ctx.db, teamId);
    expect(failing).toEqual([
      {
        id: erp.id,
        displayUrl: 'erp.example.com/hooks',
        consecutiveFailures: 2,
        lastFailureAt: new Date('2026-11-23T15:06:30Z'),
        // Every failure of the run is on the oldest waiting event: the invoice's creation at 15:05.
        waitingSince: new Date('2026-11-23T15:05:00Z'),
        lastError: expect.stringMatching(/^event \d+: HTTP 500$/),
        // 30 s after the first failure, a minute after the second.
        nextAttemptAt: new Date('2026-11-23T15:07:30Z'),
        pending: 2,
        pendingCapped: false,
      },
    ]);
    const shown = JSON.stringify(failing);
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('pw@');
    expect(shown).not.toContain(erp.secret);
    expect(await failingWebhookEndpoints(ctx.db, other.teamId)).toHaveLength(1);
  });

  it(`counts what is waiting only up to ${FAILING_PENDING_CAP.toLocaleString('en-US')} and says there are more`, async () => {
    const { ctx, handle } = get();
    const { teamId } = await workspaceWithClient(ctx);
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://erp.example.com/hooks' });
    await handle.raw(
      `insert into events (team_id, kind, actor_type, actor_id, at)
       select $1, 'chased', 'system', 'test', $2::timestamptz + g * interval '1 second' from generate_series(1, 1005) g`,
      [teamId, '2026-11-23T15:00:00Z'],
    );
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 1 });

    expect(await failingWebhookEndpoints(ctx.db, teamId)).toMatchObject([
      { pending: 1_000, pendingCapped: true, waitingSince: new Date('2026-11-23T15:00:01Z') },
    ]);
    // The CLI's list still counts them all.
    expect(await listWebhookEndpoints(ctx.db, teamId)).toMatchObject([{ pending: 1_005, pendingCapped: false }]);
  });

  it('is empty when every endpoint is healthy, and again once a failing one recovers', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://erp.example.com/hooks' });
    expect(await failingWebhookEndpoints(ctx.db, teamId)).toEqual([]);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    const erpDown = { erpDown: true };
    await deliverWebhooks(env(ctx, { send: stubSend(erpDown) }));
    expect(await failingWebhookEndpoints(ctx.db, teamId)).toHaveLength(1);

    erpDown.erpDown = false;
    ctx.clock.advance(30_000);
    expect(await deliverWebhooks(env(ctx, { send: stubSend(erpDown) }))).toEqual({ delivered: 2, failed: 0 });
    expect(await failingWebhookEndpoints(ctx.db, teamId)).toEqual([]);
  });

  it('tells its caller when an endpoint starts failing and when it recovers, once each, not on every retry', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://erp.example.com/hooks' });
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://books.example.com/ok' });
    const flips: string[] = [];
    const erpDown = { erpDown: true };
    const watched = env(ctx, {
      send: stubSend(erpDown),
      onFailingChanged: async (team) => {
        flips.push(team);
      },
    });

    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    expect(await deliverWebhooks(watched)).toEqual({ delivered: 2, failed: 1 });
    expect(flips).toEqual([teamId]);

    ctx.clock.advance(30_000);
    expect(await deliverWebhooks(watched)).toEqual({ delivered: 0, failed: 1 });
    expect(flips).toEqual([teamId]);

    erpDown.erpDown = false;
    ctx.clock.advance(60_000);
    expect(await deliverWebhooks(watched)).toEqual({ delivered: 2, failed: 0 });
    expect(flips).toEqual([teamId, teamId]);

    // Healthy deliveries say nothing.
    await invoice(ctx, teamId, client.id, { number: 'INV-002' });
    expect(await deliverWebhooks(watched)).toEqual({ delivered: 4, failed: 0 });
    expect(flips).toEqual([teamId, teamId]);
  });

  it('logs a caller that fails, and delivers all the same', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await addWebhookEndpoint(ctx, teamId, OPERATOR, { url: 'https://erp.example.com/hooks' });
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    const warnings: unknown[][] = [];
    const report = await deliverWebhooks(
      env(ctx, {
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
        onFailingChanged: async () => {
          throw new Error('Slack is down');
        },
      }),
    );
    expect(report).toEqual({ delivered: 0, failed: 1 });
    expect(warnings.at(-1)).toEqual([
      `After a webhook of ${teamId} started failing or recovered:`,
      new Error('Slack is down'),
    ]);
  });
});
