// Which Slack messages show which invoice, and which of them no longer show its live state.
import { and, eq, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from './client.js';
import { homeViewers, postedMessages } from './schema.js';

export interface CardRef {
  teamId: string;
  channelId: string;
  ts: string;
  invoiceId: string;
  /** The line kept above the card (an alert's reason), if any. */
  lead?: string | null;
  /** The thread it was posted in, if it is a reply. */
  threadTs?: string | null;
}

export async function rememberCard(
  db: DatabaseOrTransaction,
  card: CardRef & { renderedVersion: number; renderedOn: string },
): Promise<void> {
  await db
    .insert(postedMessages)
    .values({ ...card, lead: card.lead ?? null, threadTs: card.threadTs ?? null })
    .onConflictDoUpdate({
      target: [postedMessages.teamId, postedMessages.channelId, postedMessages.ts],
      set: {
        invoiceId: card.invoiceId,
        renderedVersion: card.renderedVersion,
        renderedOn: card.renderedOn,
        lead: card.lead ?? null,
      },
    });
}

export async function markRendered(
  db: DatabaseOrTransaction,
  card: CardRef & { renderedVersion: number; renderedOn: string },
): Promise<void> {
  await db
    .update(postedMessages)
    .set({ renderedVersion: card.renderedVersion, renderedOn: card.renderedOn })
    .where(
      and(
        eq(postedMessages.teamId, card.teamId),
        eq(postedMessages.channelId, card.channelId),
        eq(postedMessages.ts, card.ts),
      ),
    );
}

export async function forgetCard(db: DatabaseOrTransaction, card: CardRef): Promise<void> {
  await db
    .delete(postedMessages)
    .where(
      and(
        eq(postedMessages.teamId, card.teamId),
        eq(postedMessages.channelId, card.channelId),
        eq(postedMessages.ts, card.ts),
      ),
    );
}

/**
 * Cards that no longer show their invoice as it is: the invoice changed since (its version moved on), or
 * the card was rendered on an earlier local day and the invoice is still open (its state may have moved
 * with the date). Across every workspace unless one is named; `now` gives each workspace's today.
 */
export async function staleCards(
  db: DatabaseOrTransaction,
  params: { now: Date; teamId?: string; invoiceId?: string; limit?: number },
): Promise<CardRef[]> {
  const team = params.teamId ? sql`and p.team_id = ${params.teamId}` : sql``;
  const invoice = params.invoiceId ? sql`and p.invoice_id = ${params.invoiceId}::uuid` : sql``;
  const rows = await queryRows<Record<string, string>>(
    db,
    sql`select p.team_id, p.channel_id, p.ts, p.invoice_id::text as invoice_id, p.lead
        from posted_messages p
        join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
        join workspaces w on w.team_id = p.team_id
        where (i.version > p.rendered_version
           or (p.rendered_on < (${params.now.toISOString()}::timestamptz at time zone w.time_zone)::date
               and i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor))
          -- A workspace the app was uninstalled from gets no updates: its cards never crowd out the others'.
          and not exists (select 1 from slack_installations s where s.team_id = p.team_id and s.uninstalled_at is not null)
          ${team} ${invoice}
        order by p.team_id, p.invoice_id, p.created_at
        limit ${params.limit ?? 500}`,
  );
  return rows.map((r) => ({
    teamId: r.team_id ?? '',
    channelId: r.channel_id ?? '',
    ts: r.ts ?? '',
    invoiceId: r.invoice_id ?? '',
    lead: r.lead ?? null,
  }));
}

export async function cardsForInvoice(
  db: DatabaseOrTransaction,
  teamId: string,
  invoiceId: string,
): Promise<CardRef[]> {
  return db
    .select({
      teamId: postedMessages.teamId,
      channelId: postedMessages.channelId,
      ts: postedMessages.ts,
      invoiceId: postedMessages.invoiceId,
      lead: postedMessages.lead,
    })
    .from(postedMessages)
    .where(and(eq(postedMessages.teamId, teamId), eq(postedMessages.invoiceId, invoiceId)));
}

export async function rememberHomeViewer(db: DatabaseOrTransaction, teamId: string, userId: string, at: Date) {
  await db
    .insert(homeViewers)
    .values({ teamId, userId, lastOpenedAt: at })
    .onConflictDoUpdate({ target: [homeViewers.teamId, homeViewers.userId], set: { lastOpenedAt: at } });
}

/** Users who opened the App Home in the last `days` days: their home is refreshed when the book changes. */
export async function recentHomeViewers(db: DatabaseOrTransaction, teamId: string, since: Date): Promise<string[]> {
  const rows = await db
    .select({ userId: homeViewers.userId })
    .from(homeViewers)
    .where(
      and(eq(homeViewers.teamId, teamId), sql`${homeViewers.lastOpenedAt} >= ${since.toISOString()}::timestamptz`),
    );
  return rows.map((r) => r.userId);
}

/**
 * The invoice's own thread in a channel: the latest card of it posted at the top of that channel (not as a
 * reply in someone else's thread), or undefined when there is none.
 */
export async function invoiceThread(
  db: DatabaseOrTransaction,
  params: { teamId: string; invoiceId: string; channelId: string },
): Promise<string | undefined> {
  const [row] = await db
    .select({ ts: postedMessages.ts })
    .from(postedMessages)
    .where(
      and(
        eq(postedMessages.teamId, params.teamId),
        eq(postedMessages.invoiceId, params.invoiceId),
        eq(postedMessages.channelId, params.channelId),
        sql`${postedMessages.threadTs} is null`,
      ),
    )
    .orderBy(sql`${postedMessages.createdAt} desc`)
    .limit(1);
  return row?.ts;
}
