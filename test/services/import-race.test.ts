// Two imports of the same file into one workspace at the same moment (PostgreSQL: two connections): each invoice is
// kept once, and an import that lost the race says so in words — never a raw database error, never a half import.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { importInvoices } from '../../src/services/import.js';
import { operatorPrincipal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';

const TEAM = 'T0RACE';
const CSV = [
  'number,client,client_email,currency,total,issue_date,terms,due_date,status,amount_paid,paid_on',
  ...Array.from({ length: 40 }, (_, i) => `R-${i + 1},Client ${i % 5},,USD,${100 + i}.00,2026-10-01,net 30,,sent,,`),
].join('\n');

describeEachDatabase('two imports of one file at once', '2026-11-23T15:00:00Z', (get) => {
  it('keeps each invoice once; a loser of the race is refused in words and writes nothing', async () => {
    const { ctx } = get();
    await ensureWorkspace(ctx, { teamId: TEAM, name: 'Race Studio', timeZone: 'UTC' });
    const importer = operatorPrincipal('import');
    const outcomes = await Promise.allSettled([
      importInvoices(ctx, TEAM, importer, CSV),
      importInvoices(ctx, TEAM, importer, CSV),
    ]);
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        expect(outcome.value.errors).toEqual([]);
      } else {
        expect(outcome.reason).toMatchObject({ code: 'CONFLICT' });
        expect(String(outcome.reason.message)).toMatch(/import the file again and it will match them/);
      }
    }
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    const [counts] = await queryRows<{ invoices: number; numbers: number; clients: number }>(
      ctx.db,
      sql`select count(*)::int as invoices, count(distinct lower(number))::int as numbers,
            (select count(*)::int from clients where team_id = ${TEAM}) as clients
          from invoices where team_id = ${TEAM}`,
    );
    expect(counts).toEqual({ invoices: 40, numbers: 40, clients: 5 });
    // Imported again afterwards: everything matches, nothing more is written.
    const again = await importInvoices(ctx, TEAM, importer, CSV);
    expect(again.errors).toEqual([]);
    expect(again.created).toBe(0);
  });
});
