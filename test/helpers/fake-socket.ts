// A local fake of Slack's Socket Mode server (a `ws` server on 127.0.0.1). Attach it to the fake Web API so
// apps.connections.open hands its url to the app:
//
//   const socket = await startFakeSocket();
//   fake.attachSocket(socket);
//   await app.start();                       // resolves once the client got `hello`
//   const id = socket.sendSlashCommand(slashCommandPayload({ text: 'list' }));
//   const ack = await socket.waitForAck(id);
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Args } from './fake-slack.js';

export interface Envelope {
  envelope_id?: string;
  type: string;
  payload?: unknown;
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
  [key: string]: unknown;
}

export interface SocketAck {
  envelope_id: string;
  /** What the app passed to ack() (Socket Mode wraps it as `payload`; `{}` for a bare ack()). */
  payload: Args | undefined;
  at: number;
}

export interface FakeSocket {
  /** `ws://127.0.0.1:PORT/` */
  readonly url: string;
  /** Open connections (the app's Socket Mode client after it connected). */
  readonly connections: number;
  /** Every message the app sent back with an envelope_id, oldest first. */
  readonly acks: SocketAck[];
  /** Sends a raw envelope to every open connection (to the newest one with `latestOnly`). Returns its envelope_id. */
  send(envelope: Envelope, options?: { latestOnly?: boolean }): string;
  /** `{ envelope_id, type: 'slash_commands', payload, accepts_response_payload: true }` */
  sendSlashCommand(payload: Args): string;
  /** `{ envelope_id, type: 'interactive', payload, accepts_response_payload }` (block_actions, view_submission…). */
  sendInteractive(payload: Args): string;
  /** `{ envelope_id, type: 'events_api', payload: event_callback body, retry_attempt, retry_reason }` */
  sendEvent(body: Args, retry?: { attempt: number; reason: string }): string;
  /** Resolves with the ack of that envelope (already received or still to come). */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** Resolves once at least `count` clients are connected and greeted with `hello`. */
  waitForConnection(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once no client is connected (Bolt's app.stop() in Socket Mode resolves before the socket closed). */
  waitForDisconnect(timeoutMs?: number): Promise<void>;
  /** Sends `{ type: 'disconnect', reason }` (Slack does this before recycling a connection). */
  sendDisconnect(reason?: string): void;
  /** Closes connections gracefully (close frame, up to 1 s), then terminates what is left and stops listening. */
  close(): Promise<void>;
}

export async function startFakeSocket(options: { appId?: string } = {}): Promise<FakeSocket> {
  const appId = options.appId ?? 'A0APP';
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      wss.off('error', reject);
      resolve();
    });
  });
  const { port } = wss.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}/`;
  const open: WebSocket[] = [];
  const acks: SocketAck[] = [];
  let ackWaiters: { id: string; resolve: (ack: SocketAck) => void; timer: NodeJS.Timeout }[] = [];
  let connectionWaiters: { count: number; exact: boolean; resolve: () => void; timer: NodeJS.Timeout }[] = [];

  const onConnectionsChanged = (): void => {
    for (const w of [...connectionWaiters]) {
      if (w.exact ? open.length === w.count : open.length >= w.count) {
        clearTimeout(w.timer);
        connectionWaiters = connectionWaiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  };

  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    open.push(ws);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.length,
        debug_info: { host: 'fake-socket', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    onConnectionsChanged();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: Args;
      try {
        message = JSON.parse(data.toString()) as Args;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      const ack: SocketAck = { envelope_id: message.envelope_id, payload: message.payload, at: Date.now() };
      acks.push(ack);
      for (const w of [...ackWaiters]) {
        if (w.id === ack.envelope_id) {
          clearTimeout(w.timer);
          ackWaiters = ackWaiters.filter((x) => x !== w);
          w.resolve(ack);
        }
      }
    });
    ws.on('close', () => {
      const index = open.indexOf(ws);
      if (index >= 0) open.splice(index, 1);
      onConnectionsChanged();
    });
  });

  const socket: FakeSocket = {
    url,
    get connections() {
      return open.length;
    },
    acks,
    send(envelope, sendOptions = {}) {
      const envelopeId = envelope.envelope_id ?? randomUUID();
      const targets = sendOptions.latestOnly ? open.slice(-1) : open;
      if (targets.length === 0) throw new Error('fake socket: no client connected (await app.start() first)');
      const text = JSON.stringify({ ...envelope, envelope_id: envelopeId });
      for (const ws of targets) ws.send(text);
      return envelopeId;
    },
    sendSlashCommand(payload) {
      return socket.send({ type: 'slash_commands', payload, accepts_response_payload: true }, { latestOnly: true });
    },
    sendInteractive(payload) {
      const accepts = payload.type === 'view_submission' || payload.type === 'block_suggestion';
      return socket.send({ type: 'interactive', payload, accepts_response_payload: accepts }, { latestOnly: true });
    },
    sendEvent(body, retry) {
      return socket.send(
        {
          type: 'events_api',
          payload: body,
          accepts_response_payload: false,
          retry_attempt: retry?.attempt ?? 0,
          retry_reason: retry?.reason ?? '',
        },
        { latestOnly: true },
      );
    },
    waitForAck(envelopeId, timeoutMs = 3000) {
      const found = acks.find((a) => a.envelope_id === envelopeId);
      if (found) return Promise.resolve(found);
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          ackWaiters = ackWaiters.filter((w) => w.timer !== timer);
          const seen = acks.map((a) => a.envelope_id).join(', ') || '(none)';
          reject(
            new Error(`fake socket: no ack for envelope ${envelopeId} within ${timeoutMs} ms; acks seen: ${seen}`),
          );
        }, timeoutMs);
        ackWaiters.push({ id: envelopeId, resolve, timer });
      });
    },
    waitForConnection(count = 1, timeoutMs = 3000) {
      if (open.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          connectionWaiters = connectionWaiters.filter((w) => w.timer !== timer);
          reject(new Error(`fake socket: ${open.length} connection(s) after ${timeoutMs} ms, wanted ${count}`));
        }, timeoutMs);
        connectionWaiters.push({ count, exact: false, resolve, timer });
      });
    },
    waitForDisconnect(timeoutMs = 3000) {
      if (open.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          connectionWaiters = connectionWaiters.filter((w) => w.timer !== timer);
          reject(new Error(`fake socket: still ${open.length} connection(s) after ${timeoutMs} ms`));
        }, timeoutMs);
        connectionWaiters.push({ count: 0, exact: true, resolve, timer });
      });
    },
    sendDisconnect(reason = 'refresh_requested') {
      for (const ws of open)
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket' } }));
    },
    async close() {
      for (const w of ackWaiters) clearTimeout(w.timer);
      ackWaiters = [];
      for (const w of connectionWaiters) clearTimeout(w.timer);
      connectionWaiters = [];
      if (open.length > 0) {
        for (const ws of open) ws.close(1001, 'fake socket closing');
        await socket.waitForDisconnect(1000).catch(() => {});
      }
      for (const w of connectionWaiters) clearTimeout(w.timer);
      connectionWaiters = [];
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return socket;
}
