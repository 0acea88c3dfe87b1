// In Socket Mode the clients' pages (and /healthz) are served on PORT by a server of the app's own: every path
// under /c gets the page's answer and headers, and a path Bolt's router could not decode does not end the process.
import { LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, createApp } from '../../src/http.js';
import { fixedClock } from '../../src/services/context.js';
import { PAGE_HEADERS } from '../../src/web/client-page.js';
import { notFoundPage } from '../../src/web/page.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { type FakeSocket, startFakeSocket } from '../helpers/fake-socket.js';

describe('the status page in Socket Mode', () => {
  let fake: FakeSlack;
  let socket: FakeSocket;
  let bot: AppServer;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeSlack();
    socket = await startFakeSocket();
    fake.attachSocket(socket);
    const handle = await testDatabase('pglite');
    await emptyDatabase(handle);
    bot = createApp({
      settings: { botToken: 'xoxb-test', signingSecret: undefined, appToken: 'xapp-test', mode: 'socket' },
      ledger: { db: handle.db, clock: fixedClock('2026-11-23T15:00:00Z') },
      apiUrl: fake.apiUrl,
      port: 0,
      logLevel: LogLevel.ERROR,
      databaseHealthy: async () => true,
    });
    await bot.start();
    base = `http://127.0.0.1:${bot.port()}`;
  });
  afterAll(async () => {
    await bot?.stop();
    await socket?.waitForDisconnect().catch(() => undefined);
    await socket?.close();
    await fake?.close();
  });

  it.each(['/c/%ZZ', '/c/%E0%A4%A', '/c/', '/c/abc/extra', `/c/${'A'.repeat(43)}`])(
    'GET %s is the same 404 page with the headers, and the app keeps serving',
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(res.headers.get(name)).toBe(value);
      expect(await res.text()).toBe(notFoundPage());
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    },
  );

  it('PUT on a link is 405 with Allow', async () => {
    const res = await fetch(`${base}/c/${'A'.repeat(43)}`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});
