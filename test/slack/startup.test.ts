// Starting up: Socket Mode against a local fake socket server; an unreachable Slack in either mode.
import { LogLevel } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppServer, createApp } from '../../src/http.js';
import { fixedClock } from '../../src/services/context.js';
import { SlackUnreachableError } from '../../src/slack/app.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack, unreachableSlackUrl } from '../helpers/fake-slack.js';
import { type FakeSocket, startFakeSocket } from '../helpers/fake-socket.js';
import { slashCommandBody } from '../helpers/signed.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function app(options: { mode: 'socket' | 'http'; apiUrl: string; healthy?: boolean }): Promise<AppServer> {
  const handle = await testDatabase('pglite');
  await emptyDatabase(handle);
  return createApp({
    settings: {
      botToken: 'xoxb-test',
      signingSecret: 'secret',
      appToken: options.mode === 'socket' ? 'xapp-test' : undefined,
      mode: options.mode,
    },
    ledger: { db: handle.db, clock: fixedClock('2026-11-23T15:00:00Z') },
    apiUrl: options.apiUrl,
    port: 0,
    logLevel: LogLevel.ERROR,
    databaseHealthy: async () => options.healthy ?? true,
  });
}

describe('Socket Mode', () => {
  it('connects without a public URL and answers /invoice through the socket', async () => {
    const fake: FakeSlack = await startFakeSlack();
    const socket: FakeSocket = await startFakeSocket();
    fake.attachSocket(socket);
    const bot = await app({ mode: 'socket', apiUrl: fake.apiUrl });
    cleanups.push(async () => {
      await bot.stop();
      await socket.waitForDisconnect().catch(() => undefined);
      await socket.close();
      await fake.close();
    });
    await bot.start();
    await socket.waitForConnection();
    const id = socket.sendSlashCommand(slashCommandBody({ text: 'help', response_url: fake.responseUrl() }));
    await socket.waitForAck(id);
    const reply = await fake.waitFor('response_url');
    expect(reply.args.text).toContain('/invoice new');
  });

  it('says in one line that Slack cannot be reached, and does not hang', async () => {
    const bot = await app({ mode: 'socket', apiUrl: await unreachableSlackUrl() });
    const started = Date.now();
    const error = await bot.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackUnreachableError);
    expect((error as Error).message).toMatch(/^Cannot reach Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ \(.+\)\.$/);
    expect((error as Error).message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

describe('HTTP mode', () => {
  it('keeps serving when Slack cannot be reached, and says so on /healthz', async () => {
    const bot = await app({ mode: 'http', apiUrl: await unreachableSlackUrl() });
    cleanups.push(() => bot.stop());
    const { slack } = await bot.start();
    expect(slack).toMatch(/^unreachable: /);
    const response = await fetch(`http://127.0.0.1:${bot.port()}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ database: 'ok', slack: expect.stringMatching(/^unreachable/) });
  });

  it('answers /healthz 503 when the database is unreachable', async () => {
    const fake = await startFakeSlack();
    const bot = await app({ mode: 'http', apiUrl: fake.apiUrl, healthy: false });
    cleanups.push(async () => {
      await bot.stop();
      await fake.close();
    });
    await bot.start();
    const response = await fetch(`http://127.0.0.1:${bot.port()}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ database: 'unreachable', slack: 'ok' });
  });
});
