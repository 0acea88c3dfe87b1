// The Slack test harness, proved against a real Bolt App: HTTP mode (signed requests in, Web API calls out to the
// fake), Socket Mode (a local ws server), scripted Web API failures and start-up failures. Nothing leaves 127.0.0.1.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack, unreachableSlackUrl } from './fake-slack.js';
import { type FakeSocket, startFakeSocket } from './fake-socket.js';
import {
  appHomeOpenedEvent,
  blockAction,
  blockSuggestion,
  eventCallback,
  FORM,
  formBody,
  nowSeconds,
  postSigned,
  signSlackRequest,
  slackClient,
  slackSignature,
  slashCommand,
  slashCommandBody,
  stateValue,
  viewObject,
  viewSubmission,
} from './signed.js';

const SECRET = 'test-signing-secret';
const TOKEN = 'xoxb-test';

describe('signSlackRequest', () => {
  it('signs v0:{timestamp}:{body} with HMAC-SHA256, like Slack', () => {
    // The worked example from Slack's "Verifying requests from Slack" documentation.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618);
    expect(headers).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(signSlackRequest('s', '{"a":1}', 1)['content-type']).toBe('application/json');
  });
});

describe('Bolt over HTTP against the fake Slack', () => {
  let fake: FakeSlack;
  let app: App;
  let baseUrl: string;
  const homeSeen: { user: string; retryNum: number | undefined; retryReason: string | undefined }[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack({ users: { U0USER: { tz: 'Europe/Paris' } }, usergroups: { S0FIN: ['U0USER'] } });
    app = new App({
      signingSecret: SECRET,
      token: TOKEN,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 1, minTimeout: 50, maxTimeout: 50 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/invoice', async ({ ack, command, respond, client }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `Working on ${command.text}` });
      await client.chat.postMessage({
        channel: command.channel_id,
        text: `Invoice ${command.text} by <@${command.user_id}>`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${command.text}*` } }],
        metadata: { event_type: 'invoice_posted', event_payload: { invoice: command.text } },
      });
    });
    app.action('invoice.mark_paid', async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions') return;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'view.payment',
          private_metadata: JSON.stringify({ invoiceId: (body.actions[0] as { value?: string }).value }),
          title: { type: 'plain_text', text: 'Record payment' },
          submit: { type: 'plain_text', text: 'Save' },
          blocks: [
            {
              type: 'input',
              block_id: 'f.amount',
              label: { type: 'plain_text', text: 'Amount' },
              element: { type: 'plain_text_input', action_id: 'f.amount' },
            },
          ],
        },
      });
    });
    app.view('view.payment', async ({ ack, view, body, client }) => {
      const amount = view.state.values['f.amount']?.['f.amount']?.value ?? '';
      if (!/^\d+(\.\d{1,2})?$/.test(amount)) {
        await ack({ response_action: 'errors', errors: { 'f.amount': 'Enter an amount like 120.50' } });
        return;
      }
      await ack();
      const { invoiceId } = JSON.parse(view.private_metadata) as { invoiceId: string };
      const method = view.state.values['f.method']?.['f.method']?.selected_option?.value ?? 'unknown';
      await client.chat.postMessage({
        channel: 'C0FIN',
        text: `${body.user.id} recorded ${amount} on ${invoiceId} by ${method}`,
      });
    });
    app.options('client.select', async ({ ack, options }) => {
      await ack({
        options: [{ text: { type: 'plain_text', text: `Northwind (${options.value})` }, value: 'client_1' }],
      });
    });
    app.event('app_home_opened', async ({ event, client, context }) => {
      homeSeen.push({ user: event.user, retryNum: context.retryNum, retryReason: context.retryReason });
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
    });
    const server = (await app.start(0)) as Server;
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
  });

  it('acks a signed slash command, then the fake sees respond() and chat.postMessage with the right args', async () => {
    const res = await slashCommand(baseUrl, SECRET, {
      team_id: 'T0TEAM',
      user_id: 'U0USER',
      channel_id: 'C0FIN',
      text: 'INV-1001',
      response_url: fake.responseUrl('cmd-1'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');

    const post = await fake.waitFor('chat.postMessage');
    expect(post.token).toBe(TOKEN);
    expect(post.args).toMatchObject({
      channel: 'C0FIN',
      text: 'Invoice INV-1001 by <@U0USER>',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*INV-1001*' } }],
      metadata: { event_type: 'invoice_posted', event_payload: { invoice: 'INV-1001' } },
    });
    expect(post.response).toMatchObject({ ok: true, channel: 'C0FIN', ts: '1700000000.000100' });

    const responded = await fake.waitFor('response_url', (c) => c.id === 'cmd-1');
    expect(responded.args).toEqual({ response_type: 'ephemeral', text: 'Working on INV-1001' });

    // botId + botUserId given: Bolt never called auth.test.
    expect(fake.calls('auth.test')).toHaveLength(0);
  });

  it('keeps what was posted: conversations.history returns it, with metadata only when asked (as Slack does)', async () => {
    await app.client.chat.postMessage({
      channel: 'C0FIN',
      text: 'digest',
      metadata: { event_type: 'digest', event_payload: { day: '2026-03-02' } },
    });
    await app.client.chat.postMessage({ channel: 'C0FIN', text: 'second' });
    const plain = await app.client.conversations.history({ channel: 'C0FIN' });
    expect(plain.messages?.map((m) => m.text)).toEqual(['second', 'digest']);
    expect(plain.messages?.[1]?.metadata).toBeUndefined();
    const withMeta = await app.client.conversations.history({ channel: 'C0FIN', include_all_metadata: true });
    expect(withMeta.messages?.[1]?.metadata).toEqual({ event_type: 'digest', event_payload: { day: '2026-03-02' } });
  });

  it('answers users.info with a time zone, usergroups.users.list, and Slack-like argument errors', async () => {
    const info = await app.client.users.info({ user: 'U0USER' });
    expect(info.user?.tz).toBe('Europe/Paris');
    expect(typeof info.user?.tz_offset).toBe('number');
    const group = await app.client.usergroups.users.list({ usergroup: 'S0FIN' });
    expect(group.users).toEqual(['U0USER']);
    await expect(app.client.chat.postMessage({ channel: 'C0FIN', text: '' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'no_text' },
    });
  });

  it('rejects a wrong signature, a wrong secret, missing headers and a timestamp older than 5 minutes with 401', async () => {
    const body = formBody(slashCommandBody({ text: 'x' }));
    const badSignature = await postSigned(baseUrl, SECRET, body, FORM, { signature: `v0=${'0'.repeat(64)}` });
    const wrongSecret = await postSigned(baseUrl, 'not-the-secret', body, FORM);
    const unsigned = await postSigned(baseUrl, SECRET, body, FORM, { unsigned: true });
    const old = await postSigned(baseUrl, SECRET, body, FORM, { timestamp: nowSeconds() - 6 * 60 });
    expect([badSignature.status, wrongSecret.status, unsigned.status, old.status]).toEqual([401, 401, 401, 401]);
    // A tampered body under a valid signature of another body is rejected too.
    const ts = nowSeconds();
    const tampered = await postSigned(baseUrl, SECRET, body.replace('text=x', 'text=y'), FORM, {
      timestamp: ts,
      signature: slackSignature(SECRET, body, ts),
    });
    expect(tampered.status).toBe(401);
    expect(fake.calls('chat.postMessage')).toHaveLength(0);
  });

  it('(Bolt behaviour) accepts a timestamp from the future', async () => {
    const res = await slashCommand(
      baseUrl,
      SECRET,
      { text: 'future', response_url: fake.responseUrl() },
      { timestamp: nowSeconds() + 10 * 60 },
    );
    expect(res.status).toBe(200);
    await fake.waitFor('chat.postMessage', (c) => c.args.text.startsWith('Invoice future'));
  });

  it('round-trips a button → views.open → view submission (errors ack, then success)', async () => {
    const slack = slackClient(baseUrl, SECRET, { fake, team_id: 'T0TEAM', user_id: 'U0USER' });
    const clicked = await slack.blockAction({ action_id: 'invoice.mark_paid', value: 'inv_42', channel_id: 'C0FIN' });
    expect(clicked.status).toBe(200);
    const opened = await fake.waitFor('views.open');
    expect(opened.args.view).toMatchObject({ callback_id: 'view.payment', type: 'modal' });
    expect(opened.response?.view.id).toMatch(/^V/);
    const privateMetadata: string = opened.args.view.private_metadata;

    const invalid = await viewSubmission(baseUrl, SECRET, {
      callback_id: 'view.payment',
      view_id: opened.response?.view.id,
      private_metadata: privateMetadata,
      values: { 'f.amount': { 'f.amount': 'twelve' } },
    });
    expect(invalid.status).toBe(200);
    expect(invalid.body).toEqual({ response_action: 'errors', errors: { 'f.amount': 'Enter an amount like 120.50' } });

    const valid = await slack.viewSubmission({
      callback_id: 'view.payment',
      private_metadata: privateMetadata,
      values: { 'f.amount': { 'f.amount': '120.50' }, 'f.method': { 'f.method': stateValue.select('wire', 'Wire') } },
    });
    expect(valid.status).toBe(200);
    expect(valid.body).toBe('');
    const post = await fake.waitFor('chat.postMessage');
    expect(post.args.text).toBe('U0USER recorded 120.50 on inv_42 by wire');
  });

  it('answers a trigger_id only once, like Slack', async () => {
    const triggerId = '1.2.abc';
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x' }, blocks: [] };
    await app.client.views.open({ trigger_id: triggerId, view });
    await expect(app.client.views.open({ trigger_id: triggerId, view })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
  });

  it('serves an external_select options request', async () => {
    const res = await blockSuggestion(baseUrl, SECRET, {
      action_id: 'client.select',
      value: 'north',
      view: viewObject({ callback_id: 'view.new_invoice' }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Northwind (north)' }, value: 'client_1' }],
    });
  });

  it('acks an event at once and passes the retry headers to the listener', async () => {
    const res = await eventCallback(baseUrl, SECRET, {
      team_id: 'T0TEAM',
      event: appHomeOpenedEvent({ user_id: 'U0USER' }),
      event_id: 'Ev0001',
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    expect(res.status).toBe(200);
    const published = await fake.waitFor('views.publish');
    expect(published.args).toMatchObject({ user_id: 'U0USER', view: { type: 'home' } });
    expect(homeSeen.at(-1)).toEqual({ user: 'U0USER', retryNum: 1, retryReason: 'http_timeout' });
  });

  it('(Bolt behaviour) an interaction no listener acks is answered 404 after ~3 s', async () => {
    const res = await blockAction(baseUrl, SECRET, {
      action_id: 'nobody.listens',
      view: viewObject({ view_type: 'home' }),
    });
    expect(res.status).toBe(404);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(2900);
  }, 10_000);
});

describe('scripted Web API failures', () => {
  let fake: FakeSlack;
  let app: App;

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      signingSecret: SECRET,
      token: TOKEN,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 1, minTimeout: 50, maxTimeout: 50 } },
      logLevel: LogLevel.ERROR,
    });
  });

  afterAll(async () => {
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  it('a 429 with Retry-After is waited out and retried by web-api', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await app.client.chat.postMessage({ channel: 'C0FIN', text: 'hello' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const calls = fake.calls('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.failure).toEqual({ status: 429, retryAfter: 1 });
    expect(fake.messages('C0FIN')).toHaveLength(1);
  });

  it('an ok:false error rejects with the Slack error code', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(app.client.chat.postMessage({ channel: 'C0GONE', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'channel_not_found' },
    });
    expect(fake.messages('C0GONE')).toHaveLength(0);
  });

  it('a slow answer times out a client with a timeout, yet the message was posted (unknown outcome)', async () => {
    const background = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      timeout: 200,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    fake.failNext('chat.postMessage', { delayMs: 1500 });
    await expect(
      background.chat.postMessage({
        channel: 'C0FIN',
        text: 'digest',
        metadata: { event_type: 'digest_posted', event_payload: { key: 'digest:2026-03-02' } },
      }),
    ).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    // Check before re-posting: the message is there, findable by its metadata.
    const history = await background.conversations.history({ channel: 'C0FIN', include_all_metadata: true });
    expect(
      history.messages?.some(
        (m) => (m.metadata?.event_payload as { key?: string } | undefined)?.key === 'digest:2026-03-02',
      ),
    ).toBe(true);
  });

  it('a hung call never answers; a client timeout is the only way out', async () => {
    const background = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      timeout: 150,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    fake.failNext('views.publish', { hang: true, apply: false });
    await expect(
      background.views.publish({ user_id: 'U0USER', view: { type: 'home', blocks: [] } }),
    ).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(fake.calls('views.publish')).toHaveLength(1);
  });

  it('keeps App Home hashes and message edits like Slack', async () => {
    const home = { type: 'home' as const, blocks: [] };
    const first = await app.client.views.publish({ user_id: 'U0USER', view: home });
    const hash = first.view?.hash as string;
    await app.client.views.publish({ user_id: 'U0USER', view: home, hash });
    await expect(app.client.views.publish({ user_id: 'U0USER', view: home, hash })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    const posted = await app.client.chat.postMessage({ channel: 'C0FIN', text: 'v1' });
    await app.client.chat.update({ channel: 'C0FIN', ts: posted.ts as string, text: 'v2' });
    expect(fake.messages('C0FIN').map((m) => m.text)).toEqual(['v2']);
    await app.client.chat.delete({ channel: 'C0FIN', ts: posted.ts as string });
    await expect(
      app.client.chat.update({ channel: 'C0FIN', ts: posted.ts as string, text: 'v3' }),
    ).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('refuses a call without a token, or with the app-level token, like Slack', async () => {
    const anonymous = new webApi.WebClient(undefined, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    await expect(anonymous.chat.postMessage({ channel: 'C0FIN', text: 'x' })).rejects.toMatchObject({
      data: { error: 'not_authed' },
    });
    await expect(anonymous.chat.postMessage({ token: 'xapp-test', channel: 'C0FIN', text: 'x' })).rejects.toMatchObject(
      { data: { error: 'not_allowed_token_type' } },
    );
  });

  it('waitFor rejects with the calls seen so far', async () => {
    await app.client.auth.test();
    await expect(fake.waitFor('chat.postMessage', undefined, 50)).rejects.toThrow(/auth\.test/);
  });
});

describe('Bolt in Socket Mode against the fake socket', () => {
  let fake: FakeSlack;
  let socket: FakeSocket;
  let app: App;
  const ran: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    socket = await startFakeSocket();
    fake.attachSocket(socket);
    app = new App({
      token: TOKEN,
      appToken: 'xapp-test',
      socketMode: true,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      clientOptions: { slackApiUrl: fake.apiUrl },
      // The Socket Mode client's own WebClient (apps.connections.open) takes these, not clientOptions above.
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/invoice', async ({ ack, command, client }) => {
      ran.push(command.text);
      await ack({ response_type: 'ephemeral', text: 'On it' });
      await client.chat.postMessage({ channel: command.channel_id, text: `Socket ${command.text}` });
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop(); // resolves before the WebSocket is closed: wait for it
    await socket?.waitForDisconnect();
    await socket?.close();
    await fake?.close();
  });

  it('connects through apps.connections.open with the app token', () => {
    const open = fake.last('apps.connections.open');
    expect(open?.token).toBe('xapp-test');
    expect(socket.connections).toBe(1);
  });

  it('runs the command listener and acks the envelope with the ack payload', async () => {
    const envelopeId = socket.sendSlashCommand(
      slashCommandBody({ text: 'INV-7', channel_id: 'C0FIN', response_url: fake.responseUrl() }),
    );
    const ack = await socket.waitForAck(envelopeId);
    expect(ack.payload).toEqual({ response_type: 'ephemeral', text: 'On it' });
    const post = await fake.waitFor('chat.postMessage');
    expect(post.args).toMatchObject({ channel: 'C0FIN', text: 'Socket INV-7' });
    expect(post.token).toBe(TOKEN);
    expect(ran).toEqual(['INV-7']);
  });
});

describe('start-up failures when Slack cannot be reached', () => {
  it('Socket Mode: start() rejects at once with bounded retries (instead of retrying ~100 times)', async () => {
    const url = await unreachableSlackUrl();
    const app = new App({
      token: TOKEN,
      appToken: 'xapp-test',
      socketMode: true,
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      clientOptions: { slackApiUrl: url },
      installerOptions: { clientOptions: { slackApiUrl: url, retryConfig: { retries: 0 } } },
      logLevel: LogLevel.ERROR,
      logger: silentLogger(),
    });
    const started = Date.now();
    await expect(app.start()).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('HTTP with deferInitialization: init() rejects with a request error (auth.test unreachable)', async () => {
    const url = await unreachableSlackUrl();
    const app = new App({
      signingSecret: SECRET,
      token: TOKEN,
      deferInitialization: true,
      clientOptions: { slackApiUrl: url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
      logger: silentLogger(),
    });
    await expect(app.init()).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
  });
});

function silentLogger() {
  let level = LogLevel.ERROR;
  const noop = (): void => {};
  return {
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: noop,
  };
}
