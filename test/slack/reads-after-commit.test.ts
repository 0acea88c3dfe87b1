// After a submission commits, the work that follows (the service's answer, the cards, the App Homes) reads the
// workspace row once and the invoice once, and passes them along instead of reading them again.
import { afterEach, describe, expect, it } from 'vitest';
import { rememberHomeViewer } from '../../src/db/cards.js';
import { events, invoices, workspaces } from '../../src/db/schema.js';
import { FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { useTestBot } from '../helpers/bot.js';
import { sentInvoice } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const BOB = 'U0BOB';

// Set up (an admin chosen), so the first-contact check sends no setup message.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: ['U0ADMIN'] },
});

type Db = typeof t.ledger.db;

/**
 * The ledger's database, counting the rows read from `workspaces` and `invoices` (drizzle's select … from) once a
 * transaction that appended an event has committed.
 */
function countingReads(db: Db): { db: Db; reads: { workspaces: number; invoices: number } } {
  const reads = { workspaces: 0, invoices: 0 };
  let committed = false;
  const bound = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const counted = new Proxy(db, {
    get(target, prop) {
      if (prop === 'select') {
        return (...args: unknown[]) => {
          const builder = (target.select as (...a: unknown[]) => { from: (table: unknown) => unknown })(...args);
          const from = builder.from.bind(builder);
          builder.from = (table: unknown) => {
            if (committed && table === workspaces) reads.workspaces += 1;
            if (committed && table === invoices) reads.invoices += 1;
            return from(table);
          };
          return builder;
        };
      }
      if (prop === 'transaction') {
        return async (work: (tx: unknown) => Promise<unknown>, ...rest: unknown[]) => {
          let appended = false;
          const result = await (target.transaction as (...a: unknown[]) => Promise<unknown>)(
            (tx: object) =>
              work(
                new Proxy(tx, {
                  get(inner, key) {
                    if (key !== 'insert') return bound(inner, key);
                    return (table: unknown) => {
                      if (table === events) appended = true;
                      return (inner as { insert: (t: unknown) => unknown }).insert(table);
                    };
                  },
                }),
              ),
            ...rest,
          );
          if (appended) committed = true;
          return result;
        };
      }
      return bound(target, prop);
    },
  });
  return { db: counted, reads };
}

describe('after a submission commits', () => {
  let real: Db | undefined;
  afterEach(() => {
    if (real) t.ledger.db = real;
    real = undefined;
  });

  it('reads the invoice once, and the workspace once for its two cards and the homes', async () => {
    const invoice = await sentInvoice(t.ledger, TEAM, BOB, { number: 'H-9', currency: 'EUR', total: '€800.00' });
    await t.bot.live.postCard(TEAM, 'C0CHAN', invoice.id);
    await t.bot.live.postCard(TEAM, 'C0OTHER', invoice.id);
    await rememberHomeViewer(t.ledger.db, TEAM, BOB, t.clock.now());
    await t.bot.idle();
    t.fake.reset();

    real = t.ledger.db;
    const counting = countingReads(real);
    t.ledger.db = counting.db;
    await t.as(BOB).viewSubmission({
      callback_id: VIEW.hold,
      private_metadata: JSON.stringify({ key: 'hold-h9', invoiceId: invoice.id, version: invoice.version }),
      values: {
        [FIELD.holdKind]: { [FIELD.holdKind]: stateValue.radio('dispute') },
        [FIELD.reason]: { [FIELD.reason]: 'Wrong hours on line 2' },
      },
    });
    await t.fake.waitForCount('chat.update', 2);
    await t.fake.waitFor('views.publish');
    await t.bot.idle();

    // The invoice: as the service answers (with the workspace its transaction read). The workspace: once for the
    // cards and the homes, and once by the first-contact check every request makes (src/slack/listeners/setup.ts).
    expect(counting.reads).toEqual({ workspaces: 2, invoices: 1 });
  });
});
