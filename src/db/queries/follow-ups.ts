// The follow-ups people planned in the chase form ("follow up again on"), due on the dates a working day covers.
import { sql } from 'drizzle-orm';
import type { LocalDate } from '../../domain/dates.js';
import { type DatabaseOrTransaction, queryRows } from '../client.js';

export interface FollowUpDue {
  invoiceId: string;
  /** The follow-up date as planned (the nudge is keyed by it: a date moved later nudges again then). */
  date: LocalDate;
  ownerUserId: string | null;
}

/**
 * Open, sent invoices whose follow-up date is one of `dates`, with no hold or dispute: paid, voided, held or
 * disputed ones need no nudge. Ordered by date, then invoice id.
 */
export async function getFollowUpsDue(
  db: DatabaseOrTransaction,
  params: { teamId: string; dates: readonly LocalDate[] },
): Promise<FollowUpDue[]> {
  if (params.dates.length === 0) return [];
  const rows = await queryRows<{ id: string; day: string; owner_user_id: string | null }>(
    db,
    sql`select i.id::text as id, i.next_follow_up::text as day, i.owner_user_id
          from invoices i
         where i.team_id = ${params.teamId}
           and i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor and i.sent_at is not null
           and i.hold_kind is null
           and i.next_follow_up in (${sql.join(
             params.dates.map((d) => sql`${d}::date`),
             sql`, `,
           )})
         order by i.next_follow_up, i.id`,
  );
  return rows.map((r) => ({ invoiceId: r.id, date: r.day, ownerUserId: r.owner_user_id }));
}
