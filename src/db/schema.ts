// The whole schema in one file. drizzle-kit generates the SQL migrations in drizzle/ from it;
// migrations are the only way the schema changes. Every table carries team_id (the Slack workspace).
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => bigint(name, { mode: 'bigint' });
const day = (name: string) => date(name, { mode: 'string' });

export const workspaces = pgTable(
  'workspaces',
  {
    teamId: text('team_id').primaryKey(),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull().default('UTC'),
    financeChannel: text('finance_channel'),
    /** Local time of the daily alerts, 'HH:MM'. */
    alertTime: text('alert_time').notNull().default('09:00'),
    /** 0 = Sunday … 6 = Saturday. */
    digestWeekday: smallint('digest_weekday').notNull().default(1),
    digestTime: text('digest_time').notNull().default('09:00'),
    staleDays: smallint('stale_days').notNull().default(7),
    /** Days the team works, 0 = Sunday … 6 = Saturday; alerts go out on these. */
    workingDays: smallint('working_days').array().notNull().default(sql`'{1,2,3,4,5}'::smallint[]`),
    /** Slack user ids that may record payments, void and change settings. */
    financeAdmins: text('finance_admins').array().notNull().default(sql`'{}'::text[]`),
    /** A Slack user group whose members may do the same. */
    financeAdminGroup: text('finance_admin_group'),
    /** ISO 3166 country whose public holidays are days off like weekends ('US', 'GB'); none when null. */
    holidayCountry: text('holiday_country'),
    /** A region of that country with holidays of its own ('SCT' for Scotland, 'CA' for California). */
    holidayRegion: text('holiday_region'),
    /** When the first-minute setup DM was sent (once per workspace, whichever replica claims it first). */
    setupStartedAt: ts('setup_started_at'),
    /** The currency totals across currencies are converted into (exchange_rates); null: no converted totals. */
    reportingCurrency: text('reporting_currency'),
    createdAt: createdAt(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    check('workspaces_stale_days', sql`${t.staleDays} between 1 and 365`),
    check('workspaces_digest_weekday', sql`${t.digestWeekday} between 0 and 6`),
    check('workspaces_alert_time', sql`${t.alertTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`),
    check('workspaces_digest_time', sql`${t.digestTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`),
    check('workspaces_holiday_region', sql`${t.holidayRegion} is null or ${t.holidayCountry} is not null`),
    check(
      'workspaces_reporting_currency',
      sql`${t.reportingCurrency} is null or ${t.reportingCurrency} ~ '^[A-Z]{3}$'`,
    ),
  ],
);

/**
 * The rate for one currency into the workspace's reporting currency, set by a finance admin or read from the
 * connected ledger: units of the reporting currency for one unit of this one, kept as the decimal string typed (read as an exact fraction, never a float),
 * with the day it is the rate of. One row per currency, replaced when set again; every change is an event
 * (`rate_set`), so the history keeps the earlier rates.
 */
export const exchangeRates = pgTable(
  'exchange_rates',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    currency: text('currency').notNull(),
    /** The reporting currency the rate is into: a rate set before the reporting currency changed is not used. */
    intoCurrency: text('into_currency').notNull(),
    rate: text('rate').notNull(),
    rateDate: day('rate_date').notNull(),
    setBy: text('set_by').notNull(),
    setAt: ts('set_at').notNull(),
    /**
     * Where the rate came from: 'manual' (a finance admin set it) or the connected ledger it was read from at a sync
     * ('xero', 'quickbooks'). Which one wins is services/rates.ts's `setLedgerRates`.
     */
    source: text('source').notNull().default('manual'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.currency] }),
    check('exchange_rates_currency', sql`${t.currency} ~ '^[A-Z]{3}$' and ${t.intoCurrency} ~ '^[A-Z]{3}$'`),
    // A decimal, or one over a decimal ('1/0.92': Xero's rates are quoted the other way round), kept exact.
    check('exchange_rates_rate', sql`${t.rate} ~ '^(1/)?[0-9]{1,12}(\\.[0-9]{1,12})?$'`),
    check('exchange_rates_source', sql`${t.source} in ('manual', 'xero', 'quickbooks')`),
  ],
);

export type ExchangeRateRow = typeof exchangeRates.$inferSelect;

export const clients = pgTable(
  'clients',
  {
    id: uuid('id').notNull().defaultRandom(),
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    name: text('name').notNull(),
    contactName: text('contact_name'),
    contactEmail: text('contact_email'),
    /** Default payment terms for new invoices: 'net', 'receipt' or 'eom', with days. */
    termsKind: text('terms_kind').notNull().default('net'),
    termsDays: smallint('terms_days').notNull().default(30),
    notes: text('notes'),
    archived: boolean('archived').notNull().default(false),
    createdAt: createdAt(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    uniqueIndex('clients_team_name_key').on(t.teamId, sql`lower(${t.name})`),
    check('clients_terms_kind', sql`${t.termsKind} in ('net', 'receipt', 'eom')`),
    check('clients_name_not_blank', sql`length(btrim(${t.name})) > 0`),
  ],
);

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').notNull().defaultRandom(),
    teamId: text('team_id').notNull(),
    number: text('number').notNull(),
    clientId: uuid('client_id').notNull(),
    currency: text('currency').notNull(),
    totalMinor: money('total_minor').notNull(),
    issueDate: day('issue_date').notNull(),
    /** 'net' | 'receipt' | 'eom' | 'fixed'. */
    termsKind: text('terms_kind').notNull(),
    termsDays: smallint('terms_days').notNull().default(0),
    /** The date the terms run from: the issue date unless the team says otherwise. */
    termsBasisDate: day('terms_basis_date').notNull(),
    /** What the basis date is, shown beside the due date: null for the invoice date, else e.g. 'delivery'. */
    termsBasisLabel: text('terms_basis_label'),
    dueDate: day('due_date').notNull(),
    ownerUserId: text('owner_user_id'),
    description: text('description'),
    sentAt: ts('sent_at'),
    voidedAt: ts('voided_at'),
    voidReason: text('void_reason'),
    holdKind: text('hold_kind'),
    holdReason: text('hold_reason'),
    holdSince: ts('hold_since'),
    holdBy: text('hold_by'),
    /**
     * Sum of the payments not reversed, less the refunds of its overpayment: kept by the payment, reversal and refund
     * services in their own transaction.
     */
    paidMinor: money('paid_minor').notNull().default(sql`0`),
    /** Sum of the credit notes issued against it and of the credit on account applied to it, kept in the same way. */
    creditedMinor: money('credited_minor').notNull().default(sql`0`),
    /**
     * The local date it was settled: the payment (or credit note) that covered what was left (for "how late they
     * pay" and the recently closed lists); null while anything is due.
     */
    paidOn: day('paid_on'),
    promisedDate: day('promised_date'),
    nextFollowUp: day('next_follow_up'),
    lastActionKind: text('last_action_kind'),
    lastActionAt: ts('last_action_at'),
    lastActionBy: text('last_action_by'),
    createdAt: createdAt(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    uniqueIndex('invoices_team_number_key').on(t.teamId, sql`lower(${t.number})`),
    // The open book's covering index (due date order, with what the views read) and the recently paid
    // one are hand-written in the migrations (0006, remade with credits in 0011_corrections): drizzle-kit cannot
    // write INCLUDE.
    // Open = not void and payments plus credits short of the total (the views write it the same way).
    index('invoices_open_drafts_idx')
      .on(t.teamId, t.issueDate, t.number)
      .where(
        sql`${t.voidedAt} is null and ${t.paidMinor} + ${t.creditedMinor} < ${t.totalMinor} and ${t.sentAt} is null`,
      ),
    index('invoices_open_last_action_idx')
      .on(t.teamId, t.lastActionAt)
      .where(sql`${t.voidedAt} is null and ${t.paidMinor} + ${t.creditedMinor} < ${t.totalMinor}`),
    index('invoices_open_promise_idx')
      .on(t.teamId, t.promisedDate)
      .where(
        sql`${t.voidedAt} is null and ${t.paidMinor} + ${t.creditedMinor} < ${t.totalMinor} and ${t.promisedDate} is not null`,
      ),
    index('invoices_team_client_idx').on(t.teamId, t.clientId),
    check('invoices_total_positive', sql`${t.totalMinor} > 0`),
    check('invoices_paid_not_negative', sql`${t.paidMinor} >= 0`),
    check('invoices_credited_not_negative', sql`${t.creditedMinor} >= 0`),
    check('invoices_currency_code', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('invoices_terms_kind', sql`${t.termsKind} in ('net', 'receipt', 'eom', 'fixed')`),
    check('invoices_due_after_issue', sql`${t.dueDate} >= ${t.issueDate}`),
    check('invoices_hold_kind', sql`${t.holdKind} is null or ${t.holdKind} in ('hold', 'dispute')`),
    check('invoices_number_not_blank', sql`length(btrim(${t.number})) > 0`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: uuid('id').notNull().defaultRandom(),
    teamId: text('team_id').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
    amountMinor: money('amount_minor').notNull(),
    receivedOn: day('received_on').notNull(),
    reference: text('reference'),
    method: text('method'),
    overpayment: boolean('overpayment').notNull().default(false),
    recordedBy: text('recorded_by').notNull(),
    createdAt: createdAt(),
    /** Set once when the payment is reversed (recorded by mistake): it then counts for nothing. Never deleted. */
    reversedAt: ts('reversed_at'),
    reversedBy: text('reversed_by'),
    reversalReason: text('reversal_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    index('payments_team_invoice_idx').on(t.teamId, t.invoiceId),
    index('payments_team_received_idx').on(t.teamId, t.receivedOn),
    check('payments_amount_positive', sql`${t.amountMinor} > 0`),
    check(
      'payments_reversal_complete',
      sql`(${t.reversedAt} is null) = (${t.reversalReason} is null) and (${t.reversedAt} is null) = (${t.reversedBy} is null)`,
    ),
  ],
);

/**
 * A credit note against an invoice: it reduces what is due, like a payment that is not money. Numbered (unique in
 * the workspace, any case), dated, with a reason; never deleted once issued. A withdrawn note (voided in the books
 * after we took it in) stays, marked with who, when and why, and counts for nothing.
 */
export const creditNotes = pgTable(
  'credit_notes',
  {
    id: uuid('id').notNull().defaultRandom(),
    teamId: text('team_id').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
    number: text('number').notNull(),
    amountMinor: money('amount_minor').notNull(),
    issuedOn: day('issued_on').notNull(),
    reason: text('reason').notNull(),
    issuedBy: text('issued_by').notNull(),
    createdAt: createdAt(),
    withdrawnAt: ts('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
    withdrawalReason: text('withdrawal_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    uniqueIndex('credit_notes_team_number_key').on(t.teamId, sql`lower(${t.number})`),
    index('credit_notes_team_invoice_idx').on(t.teamId, t.invoiceId),
    check('credit_notes_amount_positive', sql`${t.amountMinor} > 0`),
    check('credit_notes_number_not_blank', sql`length(btrim(${t.number})) > 0`),
    check(
      'credit_notes_withdrawal_complete',
      sql`(${t.withdrawnAt} is null) = (${t.withdrawalReason} is null) and (${t.withdrawnAt} is null) = (${t.withdrawnBy} is null)`,
    ),
  ],
);

/**
 * Credit kept on a client's account, one row per movement, in the invoice's currency: `kept` (the part of a credit
 * note beyond what its invoice had due, kept when the admin said so), `applied` (taken off another open invoice of
 * the client: that invoice's credited amount grows by it), `withdrawn` (its credit note withdrawn). The balance is
 * kept − applied − withdrawn − the refunds from the account: derived from the rows, never stored.
 */
export const accountCredits = pgTable(
  'account_credits',
  {
    id: uuid('id').notNull().defaultRandom(),
    /** The order they were recorded in (several can share an instant). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    teamId: text('team_id').notNull(),
    clientId: uuid('client_id').notNull(),
    currency: text('currency').notNull(),
    kind: text('kind').notNull(),
    amountMinor: money('amount_minor').notNull(),
    /** The invoice it was kept from (kept, withdrawn) or applied to (applied). */
    invoiceId: uuid('invoice_id').notNull(),
    /** The credit note it came from (kept, withdrawn). */
    creditNoteId: uuid('credit_note_id'),
    onDate: day('on_date').notNull(),
    reason: text('reason').notNull(),
    recordedBy: text('recorded_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    index('account_credits_team_client_idx').on(t.teamId, t.clientId, t.currency),
    index('account_credits_team_invoice_idx').on(t.teamId, t.invoiceId),
    check('account_credits_kind', sql`${t.kind} in ('kept', 'applied', 'withdrawn')`),
    check('account_credits_amount_positive', sql`${t.amountMinor} > 0`),
  ],
);

/**
 * Money going back to a client: an invoice's overpayment (its paid amount drops by it) or credit on the client's
 * account (the balance drops by it). Never more than what is refundable; never deleted.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').notNull().defaultRandom(),
    /** The order they were recorded in (several can share an instant). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    teamId: text('team_id').notNull(),
    clientId: uuid('client_id').notNull(),
    currency: text('currency').notNull(),
    /** 'overpayment' (of the invoice named) or 'account' (of credit on the client's account). */
    source: text('source').notNull(),
    invoiceId: uuid('invoice_id'),
    amountMinor: money('amount_minor').notNull(),
    refundedOn: day('refunded_on').notNull(),
    method: text('method'),
    reference: text('reference'),
    reason: text('reason').notNull(),
    recordedBy: text('recorded_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    index('refunds_team_client_idx').on(t.teamId, t.clientId, t.currency),
    index('refunds_team_invoice_idx').on(t.teamId, t.invoiceId),
    check('refunds_source', sql`${t.source} in ('overpayment', 'account')`),
    check('refunds_source_invoice', sql`(${t.source} = 'overpayment') = (${t.invoiceId} is not null)`),
    check('refunds_amount_positive', sql`${t.amountMinor} > 0`),
  ],
);

/** Append-only: a trigger (see the custom migration) refuses every UPDATE and DELETE. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    teamId: text('team_id').notNull(),
    invoiceId: uuid('invoice_id'),
    clientId: uuid('client_id'),
    kind: text('kind').notNull(),
    /** 'user' (a Slack user id), 'contact' (the client's contact) or 'system'. */
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    at: ts('at').notNull().defaultNow(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    visibility: text('visibility').notNull().default('internal'),
  },
  (t) => [
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    index('events_team_invoice_idx').on(t.teamId, t.invoiceId, t.id),
    index('events_team_client_idx').on(t.teamId, t.clientId, t.id),
    index('events_team_at_idx').on(t.teamId, t.at),
    check('events_actor_type', sql`${t.actorType} in ('user', 'contact', 'system')`),
    check('events_visibility', sql`${t.visibility} in ('internal', 'shared')`),
  ],
);

/** A request that carries an idempotency key records once; a repeat gets the first result back. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    teamId: text('team_id').notNull(),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    result: jsonb('result').$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.key] })],
);

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type ClientRow = typeof clients.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;

/**
 * Every Slack message the app posted about an invoice, so each one can be updated in place when the
 * invoice changes, or when its derived state moves with the date. `rendered_*` say what it shows now.
 */
export const postedMessages = pgTable(
  'posted_messages',
  {
    teamId: text('team_id').notNull(),
    channelId: text('channel_id').notNull(),
    ts: text('ts').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
    renderedVersion: integer('rendered_version').notNull(),
    renderedOn: day('rendered_on').notNull(),
    /** A line kept above the card on every update (an alert's reason: "now overdue", "promise broken"). */
    lead: text('lead'),
    /** The thread the card was posted in; null for a message at the top of the channel (a thread of its own). */
    threadTs: text('thread_ts'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.channelId, t.ts] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    index('posted_messages_invoice_idx').on(t.teamId, t.invoiceId),
  ],
);

/** Who has opened the App Home, so it can be refreshed for them when the book changes. */
export const homeViewers = pgTable(
  'home_viewers',
  {
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    lastOpenedAt: ts('last_opened_at').notNull(),
    publishedAt: ts('published_at'),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export type PostedMessageRow = typeof postedMessages.$inferSelect;

/**
 * Every alert, nudge and digest message, decided once under a key naming the workspace, the subject,
 * the kind and the local date — recorded before it is posted and marked delivered after, so each goes
 * out exactly once across restarts and replicas.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    teamId: text('team_id').notNull(),
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    invoiceId: uuid('invoice_id'),
    localDate: day('local_date').notNull(),
    /** Where it goes: a channel id, or a user id for a private message. */
    channelId: text('channel_id').notNull(),
    /** Post in the thread of this other delivery (by key) once it is delivered. */
    parentKey: text('parent_key'),
    /** Pre-rendered content ({ text, blocks }) for digests; alerts render at post time. */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    /** pending → posting → delivered | skipped | failed. */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** The holder's claim lapses then unless renewed (a heartbeat while it works). */
    claimedUntil: ts('claimed_until'),
    /** Fences the holder's writes: marking posted, failed or renewed succeeds only with the current token. */
    claimToken: uuid('claim_token'),
    /** Which process instance holds the claim, and which boot of it (a restart takes over its own at once). */
    claimInstance: text('claim_instance'),
    claimBoot: text('claim_boot'),
    /** A previous attempt may have posted (timeout, crash): look before posting again. */
    uncertain: boolean('uncertain').notNull().default(false),
    postedChannel: text('posted_channel'),
    postedTs: text('posted_ts'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.key] }),
    index('deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'posting')`),
    index('deliveries_team_date_idx').on(t.teamId, t.localDate),
    check('deliveries_status', sql`${t.status} in ('pending', 'posting', 'delivered', 'skipped', 'failed')`),
  ],
);

export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * Where the ledger's events go out as signed webhooks. The endpoint's cursor is its outbox: it holds the
 * last event id the receiver answered 2xx for, and a delivery pass sends the events after it in id order.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    id: uuid('id').notNull().defaultRandom(),
    url: text('url').notNull(),
    /** 32 random bytes, hex: signs every request (HMAC-SHA256). Shown once, when the endpoint is added. */
    secret: text('secret').notNull(),
    active: boolean('active').notNull().default(true),
    /** The last event delivered (2xx); the next pass starts after it. */
    lastEventId: bigint('last_event_id', { mode: 'bigint' }).notNull().default(sql`0`),
    /** Not before this instant: the backoff after a failure. */
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** A pass is delivering to it until then (a crashed pass's claim lapses); the token fences its writes. */
    claimedUntil: ts('claimed_until'),
    claimToken: uuid('claim_token'),
    /** Which process instance holds the claim, and which boot of it (a restart takes over its own at once). */
    claimInstance: text('claim_instance'),
    claimBoot: text('claim_boot'),
    lastSuccessAt: ts('last_success_at'),
    lastFailureAt: ts('last_failure_at'),
    lastError: text('last_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    index('webhook_endpoints_due_idx').on(t.nextAttemptAt).where(sql`${t.active}`),
    check('webhook_endpoints_url', sql`${t.url} ~ '^https?://'`),
  ],
);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * A client's private status link (/c/<token>). Only the token's SHA-256 is kept: the link is shown once,
 * when it is made. Making a new one ends the old one (rotation); revoking ends it. A link that ended stays
 * as a record of who shared what, when.
 */
export const clientLinks = pgTable(
  'client_links',
  {
    teamId: text('team_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    clientId: uuid('client_id').notNull(),
    /** hex SHA-256 of the token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    /** 32 random bytes, hex: signs the page's forms (a cross-site post cannot know it). */
    formSecret: text('form_secret').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
    revokedBy: text('revoked_by'),
    lastSeenAt: ts('last_seen_at'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    // The token is what finds the workspace, so its hash is unique across all of them.
    uniqueIndex('client_links_token_hash_key').on(t.tokenHash),
    // At most one live link per client.
    uniqueIndex('client_links_live_key').on(t.teamId, t.clientId).where(sql`${t.revokedAt} is null`),
  ],
);

export type ClientLinkRow = typeof clientLinks.$inferSelect;

/**
 * A workspace's connection to its accounting ledger (Xero or QuickBooks Online): one per provider. The tokens are
 * AES-256-GCM ciphertext (src/books/crypto.ts), never plain. The sync's place is kept here, so a crash resumes
 * where it stopped, and its claim (token + until) lets one replica at a time sync a connection.
 */
export const ledgerConnections = pgTable(
  'ledger_connections',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    /** 'xero' or 'quickbooks'. */
    provider: text('provider').notNull(),
    /** The organisation in the ledger: Xero's tenant id, QuickBooks' realm id. */
    tenantId: text('tenant_id').notNull(),
    tenantName: text('tenant_name').notNull(),
    /** 'ok', 'broken' (consent revoked or refresh refused: reconnect) or 'disconnected'. */
    status: text('status').notNull().default('ok'),
    brokenReason: text('broken_reason'),
    brokenAt: ts('broken_at'),
    /**
     * When the finance admins were told of this break: set by the one update that claims the telling (so it is said
     * once across replicas and restarts), cleared by reconnecting (the next break is told again).
     */
    brokenToldAt: ts('broken_told_at'),
    accessTokenEnc: text('access_token_enc'),
    refreshTokenEnc: text('refresh_token_enc'),
    accessExpiresAt: ts('access_expires_at'),
    connectedBy: text('connected_by').notNull(),
    connectedAt: ts('connected_at').notNull(),
    /** The ledger's own time of the last change the sync has taken in (If-Modified-Since); null before the first sync. */
    syncCursor: ts('sync_cursor'),
    /** Where a sync in progress is: { phase, page, since }; null between syncs. */
    syncState: jsonb('sync_state').$type<Record<string, unknown>>(),
    syncDone: integer('sync_done').notNull().default(0),
    syncTotal: integer('sync_total').notNull().default(0),
    lastSyncAt: ts('last_sync_at'),
    lastSyncError: text('last_sync_error'),
    /** Not before this instant (the schedule, or the ledger's Retry-After). */
    nextSyncAt: ts('next_sync_at').notNull().defaultNow(),
    claimToken: uuid('claim_token'),
    claimedUntil: ts('claimed_until'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.provider] }),
    index('ledger_connections_due_idx').on(t.nextSyncAt).where(sql`${t.status} = 'ok'`),
    check('ledger_connections_status', sql`${t.status} in ('ok', 'broken', 'disconnected')`),
  ],
);

export type LedgerConnectionRow = typeof ledgerConnections.$inferSelect;

/**
 * What each record in the ledger is here: (provider, kind, external id) → our invoice, client or payment. A
 * payment the ledger has that was already recorded here by hand maps to null (nothing to record).
 */
export const ledgerLinks = pgTable(
  'ledger_links',
  {
    teamId: text('team_id').notNull(),
    provider: text('provider').notNull(),
    /** 'invoice', 'contact', 'payment' or 'credit_note'. */
    kind: text('kind').notNull(),
    externalId: text('external_id').notNull(),
    localId: uuid('local_id'),
    /** The ledger's last-modified time of the record as last applied. */
    externalUpdatedAt: ts('external_updated_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.provider, t.kind, t.externalId] }),
    uniqueIndex('ledger_links_local_key')
      .on(t.teamId, t.provider, t.kind, t.localId)
      .where(sql`${t.localId} is not null`),
    check('ledger_links_kind', sql`${t.kind} in ('invoice', 'contact', 'payment', 'credit_note')`),
  ],
);

export type LedgerLinkRow = typeof ledgerLinks.$inferSelect;

/**
 * Whether payments recorded in Slack on the ledger's invoices are posted to the ledger, and into which of its
 * accounts (one row per connection; none means off). The account belongs to one organisation: a connection to
 * another one turns the setting off until an admin chooses again.
 */
export const ledgerPushSettings = pgTable(
  'ledger_push_settings',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    provider: text('provider').notNull(),
    /** The organisation the account is in (Xero tenant, QuickBooks realm). */
    tenantId: text('tenant_id').notNull(),
    enabled: boolean('enabled').notNull().default(false),
    /** The ledger's account the payments are paid into: its id, and code and name as they were when chosen. */
    accountId: text('account_id'),
    accountCode: text('account_code'),
    accountName: text('account_name'),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.provider] }),
    check('ledger_push_settings_account', sql`not ${t.enabled} or ${t.accountId} is not null`),
  ],
);

export type LedgerPushSettingRow = typeof ledgerPushSettings.$inferSelect;

/**
 * The outbox of payments recorded here that go to the ledger: written in the payment's own transaction, sent by
 * the books' worker under a fenced claim (one replica at a time per push), with the Idempotency-Key made from the
 * payment's event id, so a retry after a crash never pays twice.
 */
export const ledgerPushes = pgTable(
  'ledger_pushes',
  {
    teamId: text('team_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    provider: text('provider').notNull(),
    tenantId: text('tenant_id').notNull(),
    /** The payment's event (paid / part_paid): what the push is the ledger's copy of. */
    eventId: bigint('event_id', { mode: 'bigint' }).notNull(),
    invoiceId: uuid('invoice_id').notNull(),
    paymentId: uuid('payment_id').notNull(),
    externalInvoiceId: text('external_invoice_id').notNull(),
    amountMinor: money('amount_minor').notNull(),
    currency: text('currency').notNull(),
    paidOn: day('paid_on').notNull(),
    accountId: text('account_id').notNull(),
    accountCode: text('account_code'),
    /** What the ledger shows as the payment's reference (names the event). */
    reference: text('reference').notNull(),
    /** Sent with every attempt: the ledger answers a repeat with the payment it already made. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** 'pending' (to send, or retrying), 'sent' (the ledger has it), 'failed' (the ledger refused it for good). */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    /**
     * The first attempt whose outcome is unknown (no answer): the ledger may have the payment. Retries are safe only
     * while the ledger still remembers the Idempotency-Key; past that, the push fails and says where to look.
     */
    uncertainSince: ts('uncertain_since'),
    externalPaymentId: text('external_payment_id'),
    claimToken: uuid('claim_token'),
    claimedUntil: ts('claimed_until'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
    failedAt: ts('failed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    uniqueIndex('ledger_pushes_event_key').on(t.teamId, t.eventId),
    uniqueIndex('ledger_pushes_payment_key').on(t.teamId, t.paymentId),
    index('ledger_pushes_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('ledger_pushes_invoice_idx').on(t.teamId, t.invoiceId),
    check('ledger_pushes_status', sql`${t.status} in ('pending', 'sent', 'failed')`),
    check('ledger_pushes_amount', sql`${t.amountMinor} > 0`),
  ],
);

export type LedgerPushRow = typeof ledgerPushes.$inferSelect;

/** An authorize link handed out by /invoice connect: single use (deleted when used), for one person, short-lived. */
export const ledgerAuthStates = pgTable(
  'ledger_auth_states',
  {
    /** hex SHA-256 of the state's nonce. */
    nonceHash: text('nonce_hash').primaryKey(),
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    provider: text('provider').notNull(),
    /** PKCE code verifier (RFC 7636), sent with the code exchange. */
    codeVerifier: text('code_verifier').notNull(),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ledger_auth_states_expires_idx').on(t.expiresAt)],
);

/**
 * A grant that covers several organisations, waiting for the person to choose one on the callback page: the tokens
 * stay here (sealed), never in the page. Keyed by the authorize state's nonce, for that person in that workspace;
 * deleted when the choice is made (single use) and short-lived.
 */
export const ledgerPendingGrants = pgTable(
  'ledger_pending_grants',
  {
    /** hex SHA-256 of the authorize state's nonce (the same nonce the choice form carries, signed). */
    nonceHash: text('nonce_hash').primaryKey(),
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    provider: text('provider').notNull(),
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc').notNull(),
    accessExpiresAt: ts('access_expires_at').notNull(),
    /** The organisations granted: [{ id, name }], the only ones the choice may name. */
    tenants: jsonb('tenants').$type<{ id: string; name: string; connectionId?: string }[]>().notNull(),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ledger_pending_grants_expires_idx').on(t.expiresAt)],
);

/**
 * A recurring invoice (a retainer): what each invoice says (client, amount, currency, terms, description, owner) and
 * when one is made (monthly or quarterly, on a day of the month or the month's last working day, until an end date
 * or a count). The jobs create each occurrence's invoice once (see retainerRuns).
 */
export const retainers = pgTable(
  'retainers',
  {
    id: uuid('id').notNull().defaultRandom(),
    teamId: text('team_id').notNull(),
    clientId: uuid('client_id').notNull(),
    currency: text('currency').notNull(),
    amountMinor: money('amount_minor').notNull(),
    /** As on invoices: 'net' | 'receipt' | 'eom', with days. */
    termsKind: text('terms_kind').notNull(),
    termsDays: smallint('terms_days').notNull().default(0),
    description: text('description'),
    /** Who hears of each invoice it makes (a DM); null: the finance channel. */
    ownerUserId: text('owner_user_id'),
    /** 'monthly' or 'quarterly' (every third month from the start's month). */
    cadence: text('cadence').notNull(),
    /** 1–31 (a day past the month's end means its last day); null: the month's last working day. */
    dayOfMonth: smallint('day_of_month'),
    /** The first occurrence is on or after this date. */
    startDate: day('start_date').notNull(),
    /** No occurrence after this date. */
    endDate: day('end_date'),
    /** At most this many invoices in all. */
    maxCount: smallint('max_count'),
    /** Each invoice is made as a 'draft' (someone sends it) or as 'sent'. */
    createAs: text('create_as').notNull().default('draft'),
    /** Invoice numbers are this prefix and the occurrence's date: 'ACME-RET-2026-12-01'. */
    numberPrefix: text('number_prefix').notNull(),
    /** 'active', 'paused' or 'ended'. */
    status: text('status').notNull().default('active'),
    /** Occurrences before this date are never made: the start, or the day it was last resumed (a pause skips). */
    resumeFrom: day('resume_from').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.id] }),
    foreignKey({ columns: [t.teamId, t.clientId], foreignColumns: [clients.teamId, clients.id] }),
    index('retainers_team_client_idx').on(t.teamId, t.clientId),
    index('retainers_active_idx').on(t.teamId).where(sql`${t.status} = 'active'`),
    check('retainers_amount_positive', sql`${t.amountMinor} > 0`),
    check('retainers_currency_code', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('retainers_terms_kind', sql`${t.termsKind} in ('net', 'receipt', 'eom')`),
    check('retainers_cadence', sql`${t.cadence} in ('monthly', 'quarterly')`),
    check('retainers_day_of_month', sql`${t.dayOfMonth} is null or ${t.dayOfMonth} between 1 and 31`),
    check('retainers_max_count', sql`${t.maxCount} is null or ${t.maxCount} > 0`),
    check('retainers_end_after_start', sql`${t.endDate} is null or ${t.endDate} >= ${t.startDate}`),
    check('retainers_create_as', sql`${t.createAs} in ('draft', 'sent')`),
    check('retainers_status', sql`${t.status} in ('active', 'paused', 'ended')`),
  ],
);

export type RetainerRow = typeof retainers.$inferSelect;

/**
 * One occurrence of a retainer, made once: the key (retainer, occurrence date) is unique, so two replicas (or a
 * restart mid-way) racing to make the same occurrence's invoice make one; the loser's transaction rolls back.
 */
export const retainerRuns = pgTable(
  'retainer_runs',
  {
    teamId: text('team_id').notNull(),
    retainerId: uuid('retainer_id').notNull(),
    occurrenceDate: day('occurrence_date').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
    /** The local date it was made: later than the occurrence when the app was down that day (caught up). */
    createdOn: day('created_on').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.retainerId, t.occurrenceDate] }),
    foreignKey({ columns: [t.teamId, t.retainerId], foreignColumns: [retainers.teamId, retainers.id] }),
    foreignKey({ columns: [t.teamId, t.invoiceId], foreignColumns: [invoices.teamId, invoices.id] }),
    uniqueIndex('retainer_runs_invoice_key').on(t.teamId, t.invoiceId),
  ],
);

export type RetainerRunRow = typeof retainerRuns.$inferSelect;

/**
 * The app's installation in each workspace (the installable mode; the single-workspace mode has none). The bot token
 * and, with token rotation on, its refresh token are sealed with SLACK_TOKEN_KEY (src/books/crypto.ts), each for its
 * own team and kind. An uninstall (or revoked tokens) sets uninstalled_at and forgets the tokens: nothing is posted
 * there until a new install. Org-wide (Enterprise Grid) installs are refused, so team_id is always a workspace.
 */
export const slackInstallations = pgTable(
  'slack_installations',
  {
    teamId: text('team_id').primaryKey(),
    /** The Enterprise Grid organisation of a workspace in one; null otherwise. */
    enterpriseId: text('enterprise_id'),
    teamName: text('team_name'),
    appId: text('app_id'),
    botId: text('bot_id').notNull(),
    botUserId: text('bot_user_id').notNull(),
    /** Sealed; null once uninstalled or revoked. */
    botTokenEnc: text('bot_token_enc'),
    botScopes: text('bot_scopes').array().notNull().default(sql`'{}'::text[]`),
    /** Token rotation on: the sealed refresh token and when the bot token expires; both null when it is off. */
    botRefreshTokenEnc: text('bot_refresh_token_enc'),
    botTokenExpiresAt: ts('bot_token_expires_at'),
    /** A replica refreshing the token holds this lease, so one refresh token is spent once. */
    refreshingUntil: ts('refreshing_until'),
    installerUserId: text('installer_user_id').notNull(),
    installedAt: ts('installed_at').notNull(),
    uninstalledAt: ts('uninstalled_at'),
    /** 'app_uninstalled' or 'tokens_revoked'. */
    uninstallReason: text('uninstall_reason'),
  },
  (t) => [
    check('slack_installations_token', sql`(${t.uninstalledAt} is null) = (${t.botTokenEnc} is not null)`),
    index('slack_installations_uninstalled_idx').on(t.uninstalledAt).where(sql`${t.uninstalledAt} is not null`),
  ],
);

export type SlackInstallationRow = typeof slackInstallations.$inferSelect;

/**
 * Running totals of each workspace's book, so the overview, aging and the needs-action counts read a few hundred
 * rows instead of every open invoice. Kept by statement triggers on invoices (see the hand-written SQL at the end
 * of migrations 0018_invoice_totals and 0021_deferred_totals) in the same transaction as every insert, update and
 * delete — gathered in invoice_totals_pending and added at its commit — so no writer can forget them;
 * `npm run cli -- totals check` recounts, `totals rebuild` rewrites them from the invoices.
 *
 * One row per (team, kind, currency, day), where kind and day are:
 * - 'draft' (open, not sent) and 'sent' (open, sent): by due date; the view turns due dates into Sent/Due/Overdue;
 * - 'paid' and 'credited' (closed): by paid_on (-infinity when unknown); 'void': by due date;
 * - 'promise' (open, sent, promised): by promised date, broken once it is before today;
 * - 'stale' (open, sent, not held): by the first local day it is stale if nothing happens — the latest of its due
 *   date, the day after its promise and its last action's local day plus the workspace's stale days.
 */
export const invoiceTotals = pgTable(
  'invoice_totals',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => workspaces.teamId),
    kind: text('kind').notNull(),
    currency: text('currency').notNull(),
    day: day('day').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    totalMinor: money('total_minor').notNull(),
    /** What is still due: total less payments and credits (0 for closed and void). */
    dueMinor: money('due_minor').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.kind, t.currency, t.day] }),
    check('invoice_totals_kind', sql`${t.kind} in ('draft', 'sent', 'paid', 'credited', 'void', 'promise', 'stale')`),
  ],
);

/**
 * What a transaction's writes add to the running totals, until its commit: the triggers on invoices append their
 * grouped deltas here (insert-only, no key, so concurrent writers never wait on each other mid-transaction), and at
 * commit one deferred trigger moves them all into invoice_totals in one statement, in key order. Every writer thus
 * locks the totals rows it touches in one global order, once, at the very end of its transaction: two transactions
 * changing several invoices in any order cannot deadlock on them (migration 0021). Empty outside a transaction.
 */
export const invoiceTotalsPending = pgTable('invoice_totals_pending', {
  teamId: text('team_id').notNull(),
  kind: text('kind').notNull(),
  currency: text('currency').notNull(),
  day: day('day').notNull(),
  count: bigint('count', { mode: 'number' }).notNull(),
  totalMinor: money('total_minor').notNull(),
  dueMinor: money('due_minor').notNull(),
});

/**
 * One row per transaction with pending totals (its txid_current()), whose deferred trigger moves them at commit:
 * the first write of a transaction inserts it, later ones find it there. Empty outside a transaction.
 */
export const invoiceTotalsFlushes = pgTable('invoice_totals_flushes', {
  xid: bigint('xid', { mode: 'number' }).primaryKey(),
});

/**
 * When each workspace must next be planned (alerts, follow-ups, its digest, the channel prompt): the scheduler's
 * minute tick reads only the rows whose time has come, and writes the next time after each run. A row is made
 * with the workspace (-infinity: plan at the next tick) by a trigger (migration 0018).
 */
export const workspacePlans = pgTable(
  'workspace_plans',
  {
    teamId: text('team_id')
      .primaryKey()
      .references(() => workspaces.teamId),
    nextPlanAt: ts('next_plan_at').notNull(),
  },
  (t) => [index('workspace_plans_next_idx').on(t.nextPlanAt)],
);

/**
 * "Plan this workspace again at the next tick": appended by triggers when its settings or any of its invoices
 * change, taken (deleted) by the tick. Insert-only, so writers never wait on each other or on the scheduler, and a
 * request from a transaction the tick could not yet see stays for the next one.
 */
export const workspacePlanRequests = pgTable('workspace_plan_requests', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  teamId: text('team_id')
    .notNull()
    .references(() => workspaces.teamId),
});
