// The Slack suite's load generator (and, with --fake-in client, its fake Slack), in a child process of its own,
// so sending requests and reading acknowledgements never waits on the app's event loop. Driven over IPC by
// bench/slack.ts; every time it reports is epoch milliseconds at sub-millisecond resolution (timeOrigin + now).
import { type Args, type FakeSlack, startFakeSlack } from '../test/helpers/fake-slack.js';
import { slashCommand } from '../test/helpers/signed.js';

export interface BatchRequest {
  /** The response_url id on the fake; the reply is matched to its request by it. */
  id: string;
  responseUrl: string;
}

export type ToClient =
  | { type: 'ping'; seq: number }
  | { type: 'start-fake' }
  | {
      type: 'batch';
      batch: number;
      url: string;
      secret: string;
      teamId: string;
      userId: string;
      text: string;
      requests: BatchRequest[];
      /** The fake is here: wait for every reply and say when it arrived. */
      awaitReplies: boolean;
      /** Send the replies' bodies back (to check them). */
      returnBodies: boolean;
      timeoutMs: number;
    }
  | { type: 'stop' };

export interface RequestTiming {
  id: string;
  sentAt: number;
  ackAt: number;
  status: number;
  error?: string;
  replyAt?: number;
  reply?: Args;
}

export type FromClient =
  | { type: 'ready' }
  | { type: 'pong'; seq: number; at: number }
  | { type: 'fake'; apiUrl: string; baseUrl: string }
  | { type: 'batch-done'; batch: number; timings: RequestTiming[] }
  | { type: 'failed'; message: string };

export const epochNow = (): number => performance.timeOrigin + performance.now();

let fake: FakeSlack | undefined;

function send(message: FromClient): void {
  process.send?.(message);
}

async function runBatch(m: Extract<ToClient, { type: 'batch' }>): Promise<RequestTiming[]> {
  const replies = m.awaitReplies
    ? m.requests.map((r) => {
        if (!fake) throw new Error('no fake Slack in the load generator');
        return fake
          .waitFor('response_url', (c) => c.id === r.id, m.timeoutMs)
          .then((call) => ({ at: epochNow(), args: call.args }));
      })
    : [];
  // All at once: the burst a busy channel would send.
  const acks = m.requests.map(async (r): Promise<RequestTiming> => {
    const sentAt = epochNow();
    try {
      const res = await slashCommand(
        m.url,
        m.secret,
        { team_id: m.teamId, user_id: m.userId, text: m.text, response_url: r.responseUrl },
        // So the app's process can tell which request it is reading (its own timestamps, see bench/slack.ts).
        { timeoutMs: m.timeoutMs, headers: { 'x-bench-id': r.id } },
      );
      return { id: r.id, sentAt, ackAt: epochNow(), status: res.status };
    } catch (error) {
      return { id: r.id, sentAt, ackAt: epochNow(), status: 0, error: String(error) };
    }
  });
  const timings = await Promise.all(acks);
  if (m.awaitReplies) {
    const arrived = await Promise.allSettled(replies);
    for (const [i, t] of timings.entries()) {
      const r = arrived[i];
      if (r?.status === 'fulfilled') {
        t.replyAt = r.value.at;
        if (m.returnBodies) t.reply = r.value.args;
      } else if (r) t.error = String(r.reason);
    }
    fake?.reset();
  }
  return timings;
}

async function onMessage(m: ToClient): Promise<void> {
  if (m.type === 'ping') send({ type: 'pong', seq: m.seq, at: epochNow() });
  else if (m.type === 'start-fake') {
    fake ??= await startFakeSlack();
    send({ type: 'fake', apiUrl: fake.apiUrl, baseUrl: fake.baseUrl });
  } else if (m.type === 'batch') send({ type: 'batch-done', batch: m.batch, timings: await runBatch(m) });
  else {
    await fake?.close();
    process.disconnect?.();
  }
}

process.on('message', (m: ToClient) => {
  onMessage(m).catch((error: unknown) => send({ type: 'failed', message: String(error) }));
});
send({ type: 'ready' });
