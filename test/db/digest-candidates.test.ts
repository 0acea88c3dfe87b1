// The digest reads only the candidates for naming (src/db/queries/digest.ts), not the whole open book: what it
// names and counts must be exactly what it would name and count from every open invoice, whatever the list cap.
import { expect, it } from 'vitest';
import { getDigestData } from '../../src/db/queries/digest.js';
import { todayIn } from '../../src/domain/dates.js';
import { summariseDigest } from '../../src/domain/digest.js';
import { createClient } from '../../src/services/clients.js';
import { dispute, logChase, recordPayment } from '../../src/services/invoices.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

/** A small deterministic generator (mulberry32), so the book is the same on both databases and every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 72 invoices in New York over three currencies (JPY, USD, KWD), due on a handful of dates (many share one) with
 * a handful of amounts (many tie), in every open state: some disputed, some with a promise broken, some stale,
 * some part paid, some paid. Read on 2026-11-23.
 */
async function buildBook(ctx: TestLedger['ctx']): Promise<string> {
  const next = random(20261203);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  ctx.clock.set('2026-10-01T15:00:00Z');
  const { teamId, client: acme } = await workspaceWithClient(ctx);
  const admin = asAdmin(ALICE, teamId);
  const { result: beta } = await createClient(ctx, teamId, admin, { name: 'Beta' });
  const currencies = ['JPY', 'USD', 'KWD'] as const;
  const amounts = {
    JPY: ['5000', '12000', '12000', '90000'],
    USD: ['100', '250.50', '250.50', '4,000'],
    KWD: ['1.250', '80', '80'],
  };
  const dueDates = ['2026-10-20', '2026-11-02', '2026-11-02', '2026-11-23', '2026-11-23', '2026-12-15', '2027-01-10'];
  for (let n = 1; n <= 72; n++) {
    const currency = pick(currencies);
    const number = `INV-${n}`;
    await invoice(ctx, teamId, pick([acme.id, beta.id]), {
      number,
      currency,
      total: pick(amounts[currency]),
      issueDate: '2026-10-01',
      terms: { kind: 'fixed', dueDate: pick(dueDates) },
      status: next() < 0.15 ? 'draft' : 'sent',
    });
    const roll = next();
    if (roll < 0.12) await dispute(ctx, teamId, admin, { invoice: number, reason: 'Wrong rate' });
    else if (roll < 0.25)
      await logChase(ctx, teamId, admin, { invoice: number, method: 'email', promisedDate: '2026-10-10' });
    else if (roll < 0.32)
      await recordPayment(ctx, teamId, admin, { invoice: number, amount: '1', receivedOn: '2026-10-01' });
    else if (roll < 0.38) await recordPayment(ctx, teamId, admin, { invoice: number, receivedOn: '2026-10-01' });
  }
  ctx.clock.set('2026-11-23T17:00:00Z');
  return teamId;
}

describeEachDatabase('digest candidates', '2026-10-01T15:00:00Z', (get) => {
  it('names and counts from the candidates exactly what it would from the whole open book, at every list cap', async () => {
    const { ctx } = get();
    const teamId = await buildBook(ctx);
    const workspace = await getWorkspace(ctx, teamId);
    const now = ctx.clock.now();
    const params = { workspace, now, today: todayIn(workspace.timeZone, now), since: new Date('2026-11-16T14:00:00Z') };
    const options = { today: params.today, timeZone: workspace.timeZone };

    // Everything: a cap above the book's size makes every open invoice a candidate; drop the tallies to have the
    // domain count from the list itself, as it does when handed the whole book.
    const { open, candidatesFor: _, ...whole } = await getDigestData(ctx.db, { ...params, listCap: 10_000 });
    const openCount = open?.reduce((n, t) => n + t.count, 0) ?? 0;
    expect(whole.invoices).toHaveLength(openCount);
    expect(openCount).toBeGreaterThan(40);

    for (const cap of [1, 2, 3, 5, 8, 25]) {
      const candidates = await getDigestData(ctx.db, { ...params, listCap: cap });
      const fromCandidates = summariseDigest(candidates, { ...options, listCap: cap });
      const fromWhole = summariseDigest(whole, { ...options, listCap: cap });
      expect(fromCandidates, `cap ${cap}`).toEqual(fromWhole);
      if (cap <= 3) expect(candidates.invoices.length, `cap ${cap}`).toBeLessThan(openCount);
      for (const section of fromCandidates.sections) expect(section.invoices.length).toBeLessThanOrEqual(cap);
    }
    expect(() => summariseDigest({ ...whole, candidatesFor: 3 }, { ...options, listCap: 4 })).toThrow(
      /candidates for lists of 3/,
    );
  });
});
