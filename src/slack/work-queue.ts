// The work listeners do after their ack (reading the book, rendering, replying; checking or importing a file), a few
// at a time. A burst of requests then waits here, as promises that cost next to nothing, instead of running all at
// once and filling the event loop and the database pool: the acks of the next requests still answer at once, and the
// burst delays the replies, never the acks.
//
// What needs a trigger_id (opening a form) does not queue: the trigger expires 3 s after the request.

export interface WorkQueue {
  /**
   * Runs the task once fewer than `concurrency` tasks are running, in the order they came. Resolves when it has
   * run; a task's error is the caller's (it rejects), as if it had been awaited directly.
   */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks waiting for a turn. */
  readonly waiting: number;
}

/**
 * As many as the PostgreSQL pool has connections (10): more would only wait for a connection with their work already
 * started. Measured at 50 /invoice list at once (npm run bench -- --suite slack --work-concurrency N, 5,000 invoices,
 * load ~25 on 2 CPUs), ack p50/p99 against a bare Bolt app: unbounded 2.54x/5.58x, 4 at once 1.52x/8.91x (replies
 * p99 twice as late), 10 at once 1.91x/4.86x with replies p99 10.9 s → 9.7 s.
 */
export const DEFAULT_WORK_CONCURRENCY = 10;

/** Runs the task through the deps' queue when there is one (the Slack app always has one), else at once. */
export function afterAck<T>(deps: { work?: WorkQueue | undefined }, task: () => Promise<T>): Promise<T> {
  return deps.work ? deps.work.run(task) : task();
}

export function createWorkQueue(concurrency = DEFAULT_WORK_CONCURRENCY): WorkQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('a work queue runs at least one task');
  let running = 0;
  const waiting: (() => void)[] = [];

  const next = () => {
    running -= 1;
    const start = waiting.shift();
    if (start) {
      running += 1;
      start();
    }
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < concurrency) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        next();
      }
    },
  };
}
