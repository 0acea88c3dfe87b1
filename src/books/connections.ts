// The ledger connection of a workspace: connecting (a signed, single-use authorize state bound to the person),
// its tokens (sealed at rest, refreshed before they expire, the rotated refresh token stored in the same write),
// broken and disconnected states, and the claim that lets one replica at a time sync it.
import { randomUUID } from 'node:crypto';
import { and, eq, gt, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
import { type LedgerConnectionRow, ledgerAuthStates, ledgerConnections, ledgerPendingGrants } from '../db/schema.js';
import type { Actor, LedgerContext } from '../services/context.js';
import { authorize, type Principal } from '../services/policy.js';
import { appendEvent, loadWorkspace } from '../services/write.js';
import { nonce, pkcePair, type StatePayload, sha256Hex, signState, type TokenBox, verifyState } from './crypto.js';
import { isProviderError, type LedgerProvider, type ProviderId, type Tenant, type TokenSet } from './provider.js';

export const STATE_TTL_MS = 10 * 60_000;
/** How long the organisations' choice waits after the callback (the tokens are kept, sealed, until then). */
export const CHOICE_TTL_MS = 10 * 60_000;
/** Refresh an access token this long before it expires (Xero's last 30 minutes). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export type ConnectErrorCode =
  | 'STATE_INVALID'
  | 'STATE_USED'
  | 'NO_ORGANISATION'
  | 'NOT_CONNECTED'
  | 'BROKEN'
  /** Another ledger is connected to the workspace: one at a time. */
  | 'OTHER_LEDGER';

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly code: ConnectErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectionDeps {
  ctx: LedgerContext;
  provider: LedgerProvider;
  box: TokenBox;
  redirectUri: string;
}

const place = (teamId: string, provider: ProviderId, which: 'access' | 'refresh') => `${teamId}/${provider}/${which}`;

/** The authorize link for this person in this workspace: signed, single use, expires in 10 minutes. */
export async function startConnect(
  deps: ConnectionDeps,
  teamId: string,
  userId: string,
  /** Also ask for what posting payments needs (scopes add to the consent already given). */
  options: { withPayments?: boolean } = {},
): Promise<string> {
  const { ctx, provider, box } = deps;
  await loadWorkspace(ctx.db, teamId);
  const now = ctx.clock.now();
  const n = nonce();
  const { verifier, challenge } = pkcePair();
  await ctx.db
    .delete(ledgerAuthStates)
    .where(and(eq(ledgerAuthStates.teamId, teamId), lt(ledgerAuthStates.expiresAt, now)));
  // A choice never made: its sealed tokens go too.
  await ctx.db
    .delete(ledgerPendingGrants)
    .where(and(eq(ledgerPendingGrants.teamId, teamId), lt(ledgerPendingGrants.expiresAt, now)));
  await ctx.db.insert(ledgerAuthStates).values({
    nonceHash: sha256Hex(n),
    teamId,
    userId,
    provider: provider.id,
    codeVerifier: verifier,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
    createdAt: now,
  });
  const state = signState(box.stateKey, {
    t: teamId,
    u: userId,
    p: provider.id,
    n,
    e: Math.floor((now.getTime() + STATE_TTL_MS) / 1000),
  });
  return provider.authorizeUrl({
    state,
    codeChallenge: challenge,
    redirectUri: deps.redirectUri,
    ...(options.withPayments ? { withPayments: true } : {}),
  });
}

export interface Connected {
  teamId: string;
  userId: string;
  provider: ProviderId;
  tenantName: string;
}

/** The callback's outcome: connected at once (one organisation granted), or the organisations to choose from. */
export type ConnectOutcome =
  | ({ kind: 'connected' } & Connected)
  | {
      kind: 'choose';
      teamId: string;
      userId: string;
      tenants: Tenant[];
      /** The same nonce, team, person and provider, signed again to expire with the choice: the form carries it. */
      state: string;
    };

/** Who the person in a state is now: the policy's principal with the current admins and group (not at start). */
export type WhoIs = (teamId: string, userId: string) => Promise<Principal>;

function checkedState(deps: ConnectionDeps, state: string, now: Date): StatePayload {
  const payload = verifyState(deps.box.stateKey, state, now.getTime());
  if (!payload || payload.p !== deps.provider.id) {
    throw new ConnectError('STATE_INVALID', 'This link is not valid or has expired. Run /invoice connect again.');
  }
  return payload;
}

/**
 * The callback: checks the state (signature, expiry, same provider), that its person is still a finance admin
 * (before anything is written or used up), uses the state once, and exchanges the code. One organisation granted
 * is connected at once; several wait, their tokens sealed here, for the person to choose one (chooseTenant).
 */
export async function completeConnect(
  deps: ConnectionDeps,
  params: { state: string; code: string; realmId?: string | undefined },
  whoIs: WhoIs,
): Promise<ConnectOutcome> {
  const { ctx, provider, box } = deps;
  const now = ctx.clock.now();
  const payload = checkedState(deps, params.state, now);
  authorize(await whoIs(payload.t, payload.u), 'manageLedgerConnection', payload.t);
  // Single use: the first callback with this state deletes it; any other finds nothing.
  const [claimed] = await ctx.db
    .delete(ledgerAuthStates)
    .where(
      and(
        eq(ledgerAuthStates.nonceHash, sha256Hex(payload.n)),
        eq(ledgerAuthStates.teamId, payload.t),
        eq(ledgerAuthStates.userId, payload.u),
        eq(ledgerAuthStates.provider, provider.id),
        gt(ledgerAuthStates.expiresAt, now),
      ),
    )
    .returning();
  if (!claimed) {
    throw new ConnectError('STATE_USED', 'This link was already used or has expired. Run /invoice connect again.');
  }
  const tokens = await provider.exchangeCode({
    code: params.code,
    redirectUri: deps.redirectUri,
    codeVerifier: claimed.codeVerifier,
  });
  const tenants = await provider.listTenants(tokens.accessToken, params.realmId);
  const [only] = tenants;
  if (!only) {
    throw new ConnectError(
      'NO_ORGANISATION',
      `No ${provider.label} organisation was chosen. Run /invoice connect again.`,
    );
  }
  if (tenants.length === 1) {
    await ctx.db.transaction((tx) => storeConnection(tx, deps, payload, only, tokens, tenants.length));
    return { kind: 'connected', teamId: payload.t, userId: payload.u, provider: provider.id, tenantName: only.name };
  }
  const nonceHash = sha256Hex(payload.n);
  const expiresAt = new Date(now.getTime() + CHOICE_TTL_MS);
  const pending = (which: 'access' | 'refresh') => `${payload.t}/${provider.id}/pending/${nonceHash}/${which}`;
  await ctx.db
    .delete(ledgerPendingGrants)
    .where(and(eq(ledgerPendingGrants.teamId, payload.t), lt(ledgerPendingGrants.expiresAt, now)));
  await ctx.db.insert(ledgerPendingGrants).values({
    nonceHash,
    teamId: payload.t,
    userId: payload.u,
    provider: provider.id,
    accessTokenEnc: box.seal(tokens.accessToken, pending('access')),
    refreshTokenEnc: box.seal(tokens.refreshToken, pending('refresh')),
    accessExpiresAt: tokens.expiresAt,
    tenants: tenants.map((t) => ({
      id: t.id,
      name: t.name,
      ...(t.connectionId ? { connectionId: t.connectionId } : {}),
    })),
    expiresAt,
    createdAt: now,
  });
  return {
    kind: 'choose',
    teamId: payload.t,
    userId: payload.u,
    tenants,
    state: signState(box.stateKey, { ...payload, e: Math.floor(expiresAt.getTime() / 1000) }),
  };
}

/**
 * The choice among several organisations: the state the choice page carried (same nonce, team and person), the
 * person still a finance admin, the grant used once, the organisation one of those granted.
 */
export async function chooseTenant(
  deps: ConnectionDeps,
  params: { state: string; tenantId: string },
  whoIs: WhoIs,
): Promise<Connected> {
  const { ctx, provider, box } = deps;
  const now = ctx.clock.now();
  const payload = checkedState(deps, params.state, now);
  authorize(await whoIs(payload.t, payload.u), 'manageLedgerConnection', payload.t);
  const { connected, others, accessToken } = await ctx.db.transaction(async (tx) => {
    const [grant] = await tx
      .delete(ledgerPendingGrants)
      .where(
        and(
          eq(ledgerPendingGrants.nonceHash, sha256Hex(payload.n)),
          eq(ledgerPendingGrants.teamId, payload.t),
          eq(ledgerPendingGrants.userId, payload.u),
          eq(ledgerPendingGrants.provider, provider.id),
          gt(ledgerPendingGrants.expiresAt, now),
        ),
      )
      .returning();
    if (!grant) {
      throw new ConnectError('STATE_USED', 'This choice was already made or has expired. Run /invoice connect again.');
    }
    const tenant = grant.tenants.find((t) => t.id === params.tenantId);
    if (!tenant) {
      // Nothing is used up: the transaction (the grant's deletion) rolls back, and the page can be used again.
      throw new ConnectError(
        'NO_ORGANISATION',
        `That is not one of the ${provider.label} organisations you allowed. Choose one on the page.`,
      );
    }
    const pending = (which: 'access' | 'refresh') =>
      `${grant.teamId}/${provider.id}/pending/${grant.nonceHash}/${which}`;
    const tokens: TokenSet = {
      accessToken: box.open(grant.accessTokenEnc, pending('access')),
      refreshToken: box.open(grant.refreshTokenEnc, pending('refresh')),
      expiresAt: grant.accessExpiresAt,
    };
    await storeConnection(tx, deps, payload, tenant, tokens, grant.tenants.length);
    return {
      connected: { teamId: payload.t, userId: payload.u, provider: provider.id, tenantName: tenant.name },
      others: grant.tenants.filter((t) => t.id !== tenant.id),
      accessToken: tokens.accessToken,
    };
  });
  // The organisations not chosen are not ours to read: end the grant's access to them (best effort; the sync
  // only ever asks for the one chosen).
  for (const other of others) {
    await provider.forgetTenant?.(accessToken, other).catch(() => undefined);
  }
  return connected;
}

/** Stores (or replaces) the workspace's connection to this organisation, with its event. Clears a break. */
async function storeConnection(
  tx: Transaction,
  deps: ConnectionDeps,
  payload: StatePayload,
  tenant: Tenant,
  tokens: TokenSet,
  granted: number,
): Promise<void> {
  const { ctx, provider, box } = deps;
  const now = ctx.clock.now();
  const teamId = payload.t;
  const actor: Actor = { type: 'user', id: payload.u };
  const [previous] = await tx
    .select()
    .from(ledgerConnections)
    .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider.id)))
    .for('update');
  const sameTenant = previous?.tenantId === tenant.id;
  const values = {
    tenantId: tenant.id,
    tenantName: tenant.name,
    status: 'ok',
    brokenReason: null,
    brokenAt: null,
    // The next break is a new one: it is told again.
    brokenToldAt: null,
    accessTokenEnc: box.seal(tokens.accessToken, place(teamId, provider.id, 'access')),
    refreshTokenEnc: box.seal(tokens.refreshToken, place(teamId, provider.id, 'refresh')),
    accessExpiresAt: tokens.expiresAt,
    connectedBy: payload.u,
    connectedAt: now,
    nextSyncAt: now,
    // Another organisation starts from nothing; the same one carries on where it was.
    ...(sameTenant ? {} : { syncCursor: null, syncState: null, syncDone: 0, syncTotal: 0 }),
  } as const;
  if (previous) {
    await tx
      .update(ledgerConnections)
      .set(values)
      .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider.id)));
  } else {
    await tx.insert(ledgerConnections).values({ teamId, provider: provider.id, ...values });
  }
  await appendEvent(tx, {
    teamId,
    kind: 'ledger_connected',
    actor,
    at: now,
    details: { provider: provider.id, tenantId: tenant.id, tenantName: tenant.name, tenantsGranted: granted },
  });
}

export async function getConnection(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
): Promise<LedgerConnectionRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(ledgerConnections)
    .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider)));
  return row;
}

/**
 * A usable access token: the stored one, or a fresh one when it expires within REFRESH_MARGIN_MS. Xero rotates the
 * refresh token on every refresh, so both are written in one statement. A refused refresh (invalid_grant) breaks
 * the connection: it says so once, and nothing syncs until someone reconnects.
 */
export async function accessToken(deps: ConnectionDeps, teamId: string): Promise<string> {
  const { ctx, provider, box } = deps;
  const row = await getConnection(ctx, teamId, provider.id);
  if (!row || row.status === 'disconnected' || !row.accessTokenEnc || !row.refreshTokenEnc) {
    throw new ConnectError('NOT_CONNECTED', `${provider.label} is not connected.`);
  }
  if (row.status === 'broken')
    throw new ConnectError('BROKEN', row.brokenReason ?? `${provider.label} needs reconnecting.`);
  const now = ctx.clock.now();
  if (row.accessExpiresAt && row.accessExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS) {
    return box.open(row.accessTokenEnc, place(teamId, provider.id, 'access'));
  }
  let tokens: TokenSet;
  try {
    tokens = await provider.refresh(box.open(row.refreshTokenEnc, place(teamId, provider.id, 'refresh')));
  } catch (error) {
    if (isProviderError(error, 'INVALID_GRANT')) {
      const reason = `${provider.label} refused to renew the connection (the access was revoked or has lapsed). A finance admin can reconnect with /invoice connect ${provider.id}.`;
      await markBroken(ctx, teamId, provider, reason);
      throw new ConnectError('BROKEN', reason);
    }
    throw error;
  }
  await ctx.db
    .update(ledgerConnections)
    .set({
      accessTokenEnc: box.seal(tokens.accessToken, place(teamId, provider.id, 'access')),
      refreshTokenEnc: box.seal(tokens.refreshToken, place(teamId, provider.id, 'refresh')),
      accessExpiresAt: tokens.expiresAt,
    })
    .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider.id)));
  return tokens.accessToken;
}

/** Marks the connection broken with why, once: the event is written only when it was ok. Returns whether it changed. */
export async function markBroken(
  ctx: LedgerContext,
  teamId: string,
  provider: Pick<LedgerProvider, 'id'>,
  reason: string,
): Promise<boolean> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const changed = await tx
      .update(ledgerConnections)
      .set({
        status: 'broken',
        brokenReason: reason,
        brokenAt: now,
        brokenToldAt: null,
        claimToken: null,
        claimedUntil: null,
      })
      .where(
        and(
          eq(ledgerConnections.teamId, teamId),
          eq(ledgerConnections.provider, provider.id),
          eq(ledgerConnections.status, 'ok'),
        ),
      )
      .returning({ teamId: ledgerConnections.teamId });
    if (changed.length === 0) return false;
    await appendEvent(tx, {
      teamId,
      kind: 'ledger_broken',
      actor: { type: 'system', id: provider.id },
      at: now,
      details: { provider: provider.id, reason },
    });
    return true;
  });
}

/**
 * Claims the telling of a break: the one update that finds it untold marks it told, so across replicas and
 * restarts exactly one process tells it. The reason and the claim's instant (to give it back if no one could be
 * reached), or undefined when it is not broken or already told.
 */
export async function claimBrokenTelling(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
): Promise<{ reason: string; at: Date } | undefined> {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .update(ledgerConnections)
    .set({ brokenToldAt: now })
    .where(
      and(
        eq(ledgerConnections.teamId, teamId),
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.status, 'broken'),
        isNull(ledgerConnections.brokenToldAt),
      ),
    )
    .returning({ reason: ledgerConnections.brokenReason });
  return row ? { reason: row.reason ?? 'it needs reconnecting.', at: now } : undefined;
}

/** Gives a claimed telling back (no one could be told): the next look tells it. Only the claim made at `at`. */
export async function releaseBrokenTelling(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  at: Date,
): Promise<void> {
  await ctx.db
    .update(ledgerConnections)
    .set({ brokenToldAt: null })
    .where(
      and(
        eq(ledgerConnections.teamId, teamId),
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.status, 'broken'),
        eq(ledgerConnections.brokenToldAt, at),
      ),
    );
}

/** Broken connections no one has told the finance admins of yet (a break found outside a sync, a crash). */
export async function untoldBreaks(ctx: LedgerContext): Promise<{ teamId: string; provider: string }[]> {
  return ctx.db
    .select({ teamId: ledgerConnections.teamId, provider: ledgerConnections.provider })
    .from(ledgerConnections)
    .where(and(eq(ledgerConnections.status, 'broken'), isNull(ledgerConnections.brokenToldAt)));
}

/** The workspace's connections that are not disconnected, every provider. */
export async function activeConnections(ctx: LedgerContext, teamId: string): Promise<LedgerConnectionRow[]> {
  return ctx.db
    .select()
    .from(ledgerConnections)
    .where(and(eq(ledgerConnections.teamId, teamId), ne(ledgerConnections.status, 'disconnected')))
    .orderBy(ledgerConnections.provider);
}

/** Revokes the grant at the provider (best effort) and forgets the tokens. Says whether the provider confirmed. */
export async function disconnect(
  deps: ConnectionDeps,
  teamId: string,
  userId: string,
): Promise<{ wasConnected: boolean; revoked: boolean }> {
  const { ctx, provider, box } = deps;
  const row = await getConnection(ctx, teamId, provider.id);
  if (!row || row.status === 'disconnected') return { wasConnected: false, revoked: false };
  let revoked = false;
  if (row.refreshTokenEnc) {
    try {
      await provider.revoke(box.open(row.refreshTokenEnc, place(teamId, provider.id, 'refresh')));
      revoked = true;
    } catch {
      revoked = false;
    }
  }
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(ledgerConnections)
      .set({
        status: 'disconnected',
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessExpiresAt: null,
        syncState: null,
        claimToken: null,
        claimedUntil: null,
      })
      .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider.id)));
    await appendEvent(tx, {
      teamId,
      kind: 'ledger_disconnected',
      actor: { type: 'user', id: userId },
      at: now,
      details: { provider: provider.id, tenantName: row.tenantName, revoked },
    });
  });
  return { wasConnected: true, revoked };
}

// --- the sync's claim and place ---------------------------------------------------------------------------------

/** Claims the connection for one sync (across replicas) until `until`; undefined when another holds it or it is not ok. */
export async function claimSync(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  options: { ttlMs: number; onlyIfDue: boolean },
): Promise<string | undefined> {
  const now = ctx.clock.now();
  const token = randomUUID();
  const [row] = await ctx.db
    .update(ledgerConnections)
    .set({ claimToken: token, claimedUntil: new Date(now.getTime() + options.ttlMs) })
    .where(
      and(
        eq(ledgerConnections.teamId, teamId),
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.status, 'ok'),
        or(isNull(ledgerConnections.claimedUntil), lt(ledgerConnections.claimedUntil, now)),
        options.onlyIfDue ? lte(ledgerConnections.nextSyncAt, now) : sql`true`,
      ),
    )
    .returning({ token: ledgerConnections.claimToken });
  return row?.token ?? undefined;
}

/**
 * Starts the connection over as a first sync (open invoices, those paid in the last 90 days), now: what was
 * refused before (fixed here since) is taken in, and what is already here writes nothing. False while a sync runs.
 */
export async function restartSync(ctx: LedgerContext, teamId: string, provider: ProviderId): Promise<boolean> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .update(ledgerConnections)
    .set({ syncCursor: null, syncState: null, syncDone: 0, syncTotal: 0, nextSyncAt: now })
    .where(
      and(
        eq(ledgerConnections.teamId, teamId),
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.status, 'ok'),
        or(isNull(ledgerConnections.claimedUntil), lt(ledgerConnections.claimedUntil, now)),
      ),
    )
    .returning({ teamId: ledgerConnections.teamId });
  return rows.length > 0;
}

/** Brings the next sync of the connections to these organisations forward to now (a webhook said they changed). */
export async function syncSoon(ctx: LedgerContext, provider: ProviderId, tenantIds: string[]): Promise<number> {
  if (tenantIds.length === 0) return 0;
  const rows = await ctx.db
    .update(ledgerConnections)
    .set({ nextSyncAt: ctx.clock.now() })
    .where(
      and(
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.status, 'ok'),
        inArray(ledgerConnections.tenantId, tenantIds),
      ),
    )
    .returning({ teamId: ledgerConnections.teamId });
  return rows.length;
}

/** Connections whose next sync is due and that no one holds. */
export async function dueConnections(ctx: LedgerContext): Promise<{ teamId: string; provider: string }[]> {
  const now = ctx.clock.now();
  return ctx.db
    .select({ teamId: ledgerConnections.teamId, provider: ledgerConnections.provider })
    .from(ledgerConnections)
    .where(
      and(
        eq(ledgerConnections.status, 'ok'),
        lte(ledgerConnections.nextSyncAt, now),
        or(isNull(ledgerConnections.claimedUntil), lt(ledgerConnections.claimedUntil, now)),
      ),
    );
}

/** Writes the sync's place (and extends the claim); false when the claim was lost (another replica took over). */
export async function saveProgress(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  token: string,
  set: Partial<
    Pick<
      LedgerConnectionRow,
      'syncState' | 'syncDone' | 'syncTotal' | 'syncCursor' | 'lastSyncAt' | 'lastSyncError' | 'nextSyncAt'
    >
  > & { release?: boolean; ttlMs?: number },
): Promise<boolean> {
  const now = ctx.clock.now();
  const { release, ttlMs, ...fields } = set;
  const claim = release
    ? { claimToken: null, claimedUntil: null }
    : { claimedUntil: new Date(now.getTime() + (ttlMs ?? 5 * 60_000)) };
  const rows = await ctx.db
    .update(ledgerConnections)
    .set({ ...fields, ...claim })
    .where(
      and(
        eq(ledgerConnections.teamId, teamId),
        eq(ledgerConnections.provider, provider),
        eq(ledgerConnections.claimToken, token),
      ),
    )
    .returning({ teamId: ledgerConnections.teamId });
  return rows.length > 0;
}
