// "Add to Slack": any workspace installs the app through Bolt's OAuth, each with its own token, and every post,
// card update and App Home goes out with the token of the workspace it is for — checked by a fake Slack that knows
// which workspace each token belongs to and refuses any other. Uninstalling stops one workspace only; reinstalling
// resumes it. Token rotation refreshes before expiry, once.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staleCards } from '../../src/db/cards.js';
import { transientHolder } from '../../src/db/holder.js';
import { events, slackInstallations } from '../../src/db/schema.js';
import { type AppServer, createApp } from '../../src/http.js';
import { createJobs } from '../../src/jobs/index.js';
import { createClient } from '../../src/services/clients.js';
import { fixedClock } from '../../src/services/context.js';
import {
  claimFirstAdmin,
  firstAdminOpen,
  getWorkspace,
  updateWorkspaceSettings,
} from '../../src/services/workspaces.js';
import { BOT_EVENTS, BOT_SCOPES } from '../../src/slack/install/scopes.js';
import { SECRET } from '../helpers/bot.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { type FakeSlack, type InstallApproval, startFakeSlack } from '../helpers/fake-slack.js';
import { asMember, invoice, OPERATOR } from '../helpers/ledger.js';
import { appHomeOpenedEvent, slackClient } from '../helpers/signed.js';

const OAUTH = { clientId: '111.222', clientSecret: 'client-secret' };
const STATE_SECRET = 'state-secret-of-at-least-32-characters!';
const ALPHA = 'T0ALPHA';
const BETA = 'T0BETA';
const NOW = '2026-11-23T15:00:00Z';

let fake: FakeSlack;
let bot: AppServer;
let baseUrl: string;
const clock = fixedClock(NOW);
let ledger: { db: Awaited<ReturnType<typeof testDatabase>>['db']; clock: typeof clock };
const installed: { teamId: string; userId: string; token: string | undefined }[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ strictTokens: true, oauth: OAUTH });
  const handle = await testDatabase('pglite');
  ledger = { db: handle.db, clock };
  bot = createApp({
    settings: {
      install: { ...OAUTH, stateSecret: STATE_SECRET, tokenKey: randomBytes(32).toString('base64') },
      signingSecret: SECRET,
      appToken: undefined,
      mode: 'http',
    },
    ledger,
    apiUrl: fake.apiUrl,
    port: 0,
    logLevel: LogLevel.ERROR,
    databaseHealthy: async () => true,
    onInstalled: async (_deps, teamId, userId, client: WebClient) => {
      installed.push({ teamId, userId, token: client.token });
    },
  });
  await bot.start();
  baseUrl = `http://127.0.0.1:${bot.port()}`;
});
afterAll(async () => {
  await bot.stop();
  await fake.close();
});
beforeEach(async () => {
  await bot.idle();
  await emptyDatabase(await testDatabase('pglite'));
  fake.reset();
  installed.length = 0;
  clock.set(NOW);
  fake.addWorkspace({ teamId: ALPHA, teamName: 'Alpha & Co', botUserId: 'U0BOTA', botId: 'B0BOTA' });
  fake.addWorkspace({ teamId: BETA, teamName: 'Beta', botUserId: 'U0BOTB', botId: 'B0BOTB' });
});

/** /slack/install: Slack's consent screen URL and the state cookie it set. */
async function startInstall(): Promise<{ authorize: URL; state: string; cookie: string }> {
  const res = await fetch(`${baseUrl}/slack/install`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location') ?? '');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { authorize, state: authorize.searchParams.get('state') ?? '', cookie };
}

/** The whole flow, as a person's browser does it: /slack/install, Slack's consent, back to the redirect URL. */
async function install(approval: InstallApproval): Promise<{ status: number; page: string }> {
  const { state, cookie } = await startInstall();
  const code = fake.approveInstall(approval);
  const res = await fetch(`${baseUrl}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
    headers: { cookie },
  });
  const page = await res.text();
  await bot.idle();
  return { status: res.status, page };
}

/** Calls made with a token of `teamId` (the fake says whose each token is). */
function callsOf(teamId: string, method?: string) {
  return fake.calls(method).filter((c) => c.team === teamId);
}

describe('installing from "Add to Slack"', () => {
  it('sends the person to Slack with the scopes and a state, and stores the workspace’s own token sealed', async () => {
    const { authorize, state, cookie } = await startInstall();
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(OAUTH.clientId);
    expect(authorize.searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
    expect(cookie).toBe(`slack-app-oauth-state=${state}`);

    const done = await install({ teamId: ALPHA, userId: 'U0ALICE' });
    expect(done.status).toBe(200);
    expect(done.page).toContain('Installed in Alpha &amp; Co');
    const token = fake.tokensOf(ALPHA).at(-1);
    const [row] = await ledger.db.select().from(slackInstallations).where(eq(slackInstallations.teamId, ALPHA));
    expect(row).toMatchObject({
      botUserId: 'U0BOTA',
      botId: 'B0BOTA',
      installerUserId: 'U0ALICE',
      uninstalledAt: null,
    });
    expect(row?.botTokenEnc).not.toContain(token ?? 'no token');
    expect(row?.botScopes).toEqual(BOT_SCOPES);
    // The installer is the first finance admin, recorded as their own act; the hook got the workspace's client.
    expect((await getWorkspace(ledger, ALPHA)).financeAdmins).toEqual(['U0ALICE']);
    const kinds = await ledger.db
      .select({ kind: events.kind, actorId: events.actorId })
      .from(events)
      .where(eq(events.teamId, ALPHA));
    expect(kinds).toEqual([
      { kind: 'app_installed', actorId: 'slack' },
      { kind: 'admin_claimed', actorId: 'U0ALICE' },
    ]);
    expect(installed).toEqual([{ teamId: ALPHA, userId: 'U0ALICE', token }]);
  });

  it('refuses a forged state, and a real one brought back by another browser, exchanging no code', async () => {
    const { state, cookie } = await startInstall();
    // The state is signed (a JWT): another payload under the same signature does not verify.
    const [head, , signature] = state.split('.');
    const payload = { installOptions: { scopes: ['admin'] }, now: new Date().toJSON() };
    const forged = `${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    const code = fake.approveInstall({ teamId: ALPHA, userId: 'U0MALLORY' });
    const tampered = await fetch(`${baseUrl}/slack/oauth_redirect?code=${code}&state=${forged}`, {
      headers: { cookie: `slack-app-oauth-state=${forged}` },
    });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('expired, was already used, or was started in another browser');
    // The real state, but not from the browser that started (no cookie): refused too.
    const noCookie = await fetch(`${baseUrl}/slack/oauth_redirect?code=${code}&state=${state}`);
    expect(noCookie.status).toBe(400);
    expect(cookie).toContain(state);
    expect(fake.calls('oauth.v2.access')).toHaveLength(0);
    expect(await ledger.db.select().from(slackInstallations)).toHaveLength(0);
  });

  it('refuses an organisation-wide (Enterprise Grid) install in words, and gives its token back', async () => {
    fake.addWorkspace({ teamId: ALPHA, enterpriseId: 'E0ORG' });
    const done = await install({ teamId: ALPHA, userId: 'U0ALICE', orgWide: true });
    expect(done.status).toBe(400);
    expect(done.page).toContain('organisation-wide (Enterprise Grid) install is not supported');
    expect(fake.calls('auth.revoke')).toHaveLength(1);
    expect(await ledger.db.select().from(slackInstallations)).toHaveLength(0);
    expect(installed).toEqual([]);
  });

  it('lets nobody claim the first finance admin seat by typing first', async () => {
    await install({ teamId: ALPHA, userId: 'U0ALICE' });
    expect(await firstAdminOpen(ledger, await getWorkspace(ledger, ALPHA))).toBe(false);
    await expect(claimFirstAdmin(ledger, ALPHA, asMember({ type: 'user', id: 'U0EVE' }, ALPHA))).rejects.toThrow(
      /person who installed the app is the first finance admin/,
    );
  });
});

describe('two workspaces, each with its own token', () => {
  async function bookIn(teamId: string, channel: string) {
    await updateWorkspaceSettings(ledger, teamId, OPERATOR, { financeChannel: channel, timeZone: 'America/New_York' });
    const { result: client } = await createClient(ledger, teamId, OPERATOR, {
      name: `Client of ${teamId}`,
      contactName: 'Ada',
      contactEmail: 'ada@example.com',
    });
    clock.set('2026-10-01T15:00:00Z');
    const inv = await invoice(ledger, teamId, client.id, {
      number: `INV-${teamId}`,
      terms: { kind: 'fixed', dueDate: '2026-11-20' },
    });
    clock.set(NOW);
    return inv;
  }

  async function bothInstalled() {
    await install({ teamId: ALPHA, userId: 'U0ALICE' });
    await install({ teamId: BETA, userId: 'U0BOB' });
    return { alpha: await bookIn(ALPHA, 'C0FINA'), beta: await bookIn(BETA, 'C0FINB') };
  }

  function jobs() {
    return createJobs({
      tokens: bot.tokens,
      apiUrl: fake.apiUrl,
      ledger,
      logger: bot.deps.logger,
      holder: transientHolder(),
    }).scheduler;
  }

  it('posts, updates cards and publishes App Homes in each workspace with that workspace’s token', async () => {
    const { alpha, beta } = await bothInstalled();
    const tokenA = fake.tokensOf(ALPHA).at(-1);
    const tokenB = fake.tokensOf(BETA).at(-1);
    expect(tokenA).not.toBe(tokenB);

    // The jobs: today's overdue alert in each finance channel.
    const report = await jobs().tick();
    expect(report.delivered).toBeGreaterThanOrEqual(2);
    expect(callsOf(ALPHA, 'chat.postMessage').map((c) => c.args.channel)).toContain('C0FINA');
    expect(callsOf(BETA, 'chat.postMessage').map((c) => c.args.channel)).toContain('C0FINB');
    expect(fake.messages('C0FINA').some((m) => m.text.includes('INV-T0ALPHA'))).toBe(true);

    // A card update, in each workspace, after a change.
    await bot.live.postCard(ALPHA, 'C0FINA', alpha.id);
    await bot.live.postCard(BETA, 'C0FINB', beta.id);
    clock.set('2026-11-24T15:00:00Z');
    await bot.live.invoiceChanged(ALPHA, alpha.id);
    await bot.live.invoiceChanged(BETA, beta.id);
    expect(callsOf(ALPHA, 'chat.update').every((c) => c.args.channel === 'C0FINA')).toBe(true);
    expect(callsOf(BETA, 'chat.update').every((c) => c.args.channel === 'C0FINB')).toBe(true);
    expect(callsOf(ALPHA, 'chat.update').length).toBeGreaterThan(0);
    expect(callsOf(BETA, 'chat.update').length).toBeGreaterThan(0);

    // App Home opened in each: published with that workspace's token.
    await slackClient(baseUrl, SECRET, { fake, team_id: ALPHA, user_id: 'U0ALICE' }).eventCallback({
      team_id: ALPHA,
      event: appHomeOpenedEvent({ user_id: 'U0ALICE' }),
    });
    await slackClient(baseUrl, SECRET, { fake, team_id: BETA, user_id: 'U0BOB' }).eventCallback({
      team_id: BETA,
      event: appHomeOpenedEvent({ user_id: 'U0BOB' }),
    });
    await bot.idle();
    expect(callsOf(ALPHA, 'views.publish').map((c) => c.args.user_id)).toEqual(['U0ALICE']);
    expect(callsOf(BETA, 'views.publish').map((c) => c.args.user_id)).toEqual(['U0BOB']);
    // Nothing went out with a token the fake does not know, or with no token.
    expect(fake.calls().filter((c) => c.method !== 'oauth.v2.access' && !c.team)).toEqual([]);
  });

  it('stops everything for an uninstalled workspace only, and resumes it when it is installed again', async () => {
    const { alpha, beta } = await bothInstalled();
    await bot.live.postCard(ALPHA, 'C0FINA', alpha.id);
    await bot.live.postCard(BETA, 'C0FINB', beta.id);
    await slackClient(baseUrl, SECRET, { fake, team_id: BETA, user_id: 'U0BOB' }).eventCallback({
      team_id: BETA,
      event: appHomeOpenedEvent({ user_id: 'U0BOB' }),
    });
    await bot.idle();

    // Beta uninstalls: Slack revokes its tokens and tells the app.
    fake.revokeTeam(BETA);
    const events1 = slackClient(baseUrl, SECRET, { fake, team_id: BETA, user_id: 'U0BOB' });
    expect((await events1.eventCallback({ team_id: BETA, event: { type: 'app_uninstalled' } })).status).toBe(200);
    await bot.idle();
    fake.reset();

    await jobs().tick();
    clock.set('2026-11-24T15:00:00Z');
    await bot.live.invoiceChanged(ALPHA, alpha.id);
    await bot.live.invoiceChanged(BETA, beta.id);
    await bot.live.sync();
    expect(callsOf(BETA)).toEqual([]);
    // Its stale cards are not even picked up by the sweep (they would crowd out other workspaces' for 30 days).
    expect((await staleCards(ledger.db, { now: clock.now() })).map((c) => c.teamId)).not.toContain(BETA);
    expect(fake.calls().filter((c) => c.response?.error === 'token_revoked')).toEqual([]);
    expect(callsOf(ALPHA, 'chat.update').length).toBeGreaterThan(0);
    expect(callsOf(ALPHA, 'chat.postMessage').length).toBeGreaterThan(0);
    // Its data stays, and says so.
    const [gone] = await ledger.db.select().from(slackInstallations).where(eq(slackInstallations.teamId, BETA));
    expect(gone).toMatchObject({ uninstallReason: 'app_uninstalled', botTokenEnc: null });
    expect((await getWorkspace(ledger, BETA)).financeChannel).toBe('C0FINB');

    // Installed again (by someone else): a new token, the same admin, and the cards move again.
    fake.reset();
    await install({ teamId: BETA, userId: 'U0CAROL' });
    const newToken = fake.tokensOf(BETA).at(-1);
    clock.set('2026-11-25T15:00:00Z');
    await bot.live.invoiceChanged(BETA, beta.id);
    const updates = callsOf(BETA, 'chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((c) => c.token === newToken)).toBe(true);
    expect((await getWorkspace(ledger, BETA)).financeAdmins).toEqual(['U0BOB']);
    const claims = await ledger.db
      .select()
      .from(events)
      .where(and(eq(events.teamId, BETA), eq(events.kind, 'admin_claimed')));
    expect(claims).toHaveLength(1);
  });
});

describe('tokens revoked', () => {
  it('stops posting when the bot token is revoked, and not when only a person’s token is', async () => {
    await install({ teamId: ALPHA, userId: 'U0ALICE' });
    const events1 = slackClient(baseUrl, SECRET, { fake, team_id: ALPHA, user_id: 'U0ALICE' });
    const revoked = (tokens: { oauth?: string[]; bot?: string[] }) =>
      events1.eventCallback({ team_id: ALPHA, event: { type: 'tokens_revoked', tokens } });
    await revoked({ oauth: ['U0ALICE'] });
    await bot.idle();
    expect(await bot.tokens.tokenFor(ALPHA)).toBe(fake.tokensOf(ALPHA).at(-1));
    await revoked({ bot: ['U0BOTA'] });
    await bot.idle();
    expect(await bot.tokens.tokenFor(ALPHA)).toBeNull();
    const [row] = await ledger.db.select().from(slackInstallations).where(eq(slackInstallations.teamId, ALPHA));
    expect(row?.uninstallReason).toBe('tokens_revoked');
  });
});

describe('token rotation', () => {
  it('refreshes a rotating token before it expires, once however many ask, and posts with the new one', async () => {
    await install({ teamId: ALPHA, userId: 'U0ALICE', rotation: { expiresIn: 12 * 3600 } });
    const first = fake.tokensOf(ALPHA).at(-1);
    expect((await bot.tokens.tokenFor(ALPHA)) ?? '').toBe(first);
    expect(fake.calls('oauth.v2.access')).toHaveLength(1); // the install's exchange only

    clock.set(new Date(new Date(NOW).getTime() + 10 * 3600_000)); // 2 hours left
    const tokens = await Promise.all([bot.tokens.tokenFor(ALPHA), bot.tokens.tokenFor(ALPHA)]);
    const refreshes = fake.calls('oauth.v2.access').filter((c) => c.args.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    const second = fake.tokensOf(ALPHA).at(-1);
    expect(second).not.toBe(first);
    expect(tokens).toEqual([second, second]);
    // Bolt's requests get the new one too: an App Home opened now is published with it.
    await slackClient(baseUrl, SECRET, { fake, team_id: ALPHA, user_id: 'U0ALICE' }).eventCallback({
      team_id: ALPHA,
      event: appHomeOpenedEvent({ user_id: 'U0ALICE' }),
    });
    await bot.idle();
    expect(fake.last('views.publish')?.token).toBe(second);
  });
});

describe('the pages at / and /privacy', () => {
  it('says what the app does, with "Add to Slack" and the privacy statement, all from this server', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('<a class="button" href="/slack/install">Add to Slack</a>');
    expect(page).toContain('href="/privacy"');
    expect(page).not.toMatch(/(src|href)="https?:/);
    const privacy = await (await fetch(`${baseUrl}/privacy`)).text();
    expect(privacy).toContain('kept for 30 days');
    expect(privacy).toContain('npm run cli -- workspace delete --team T…');
  });

  it('asks Slack for what the manifest declares, and the manifest names the redirect URL and the events', () => {
    const manifest = JSON.parse(readFileSync('manifest.json', 'utf8'));
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://YOUR-HOST/slack/oauth_redirect']);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
  });
});
