CREATE TABLE "invoice_totals_flushes" (
	"xid" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_totals_pending" (
	"team_id" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"day" date NOT NULL,
	"count" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"due_minor" bigint NOT NULL
);

--> statement-breakpoint
-- hand-written below
-- The running totals are no longer written by each statement but at each transaction's commit. The statement
-- triggers (invoice_totals_apply) append their grouped deltas to invoice_totals_pending and mark the transaction
-- in invoice_totals_flushes; the mark's deferred trigger (invoice_totals_flush) moves every pending delta of the
-- transaction into invoice_totals at commit, in one upsert in key order. So a transaction holds no totals row while
-- it works, and at the end takes the rows it changes in one global order: two transactions changing several
-- invoices of a workspace in opposite orders (whose rows the old per-statement upserts took in opposite orders,
-- and PostgreSQL aborted one) both commit. Still in the writer's own transaction: a rollback takes its deltas with it.
CREATE OR REPLACE FUNCTION invoice_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    insert into invoice_totals_pending (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from new_rows r join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(1, r.team_id, r.currency, r.total_minor, r.paid_minor, r.credited_minor,
      r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at, w.time_zone,
      w.stale_days) c
    group by 1, 2, 3, 4;
    GET DIAGNOSTICS written = ROW_COUNT;
    insert into workspace_plan_requests (team_id) select distinct team_id from new_rows order by 1;
  ELSIF TG_OP = 'UPDATE' THEN
    insert into invoice_totals_pending (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from (select 1 as sign, * from new_rows union all select -1, * from old_rows) r
    join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(r.sign, r.team_id, r.currency, r.total_minor, r.paid_minor,
      r.credited_minor, r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at,
      w.time_zone, w.stale_days) c
    group by 1, 2, 3, 4
    having sum(c.n) <> 0 or sum(c.total_minor) <> 0 or sum(c.due_minor) <> 0;
    GET DIAGNOSTICS written = ROW_COUNT;
    -- Only a change the planning reads (not, say, a description) asks for a new plan.
    insert into workspace_plan_requests (team_id)
    select distinct n.team_id from new_rows n join old_rows o on o.team_id = n.team_id and o.id = n.id
    where (n.due_date, n.sent_at, n.voided_at, n.paid_minor, n.credited_minor, n.total_minor, n.hold_kind,
        n.promised_date, n.last_action_at, n.next_follow_up, n.owner_user_id)
      is distinct from (o.due_date, o.sent_at, o.voided_at, o.paid_minor, o.credited_minor, o.total_minor, o.hold_kind,
        o.promised_date, o.last_action_at, o.next_follow_up, o.owner_user_id)
    order by 1;
  ELSE
    insert into invoice_totals_pending (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from old_rows r join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(-1, r.team_id, r.currency, r.total_minor, r.paid_minor, r.credited_minor,
      r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at, w.time_zone,
      w.stale_days) c
    group by 1, 2, 3, 4;
    GET DIAGNOSTICS written = ROW_COUNT;
    insert into workspace_plan_requests (team_id) select distinct team_id from old_rows order by 1;
  END IF;
  IF written > 0 THEN
    insert into invoice_totals_flushes (xid) values (txid_current()) on conflict do nothing;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- At commit: the transaction's pending deltas (only its own are visible to it: the others are uncommitted, and every
-- transaction empties its own before it commits), summed per row and added in key order.
CREATE FUNCTION invoice_totals_flush() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  with moved as (delete from invoice_totals_pending returning *)
  insert into invoice_totals as t (team_id, kind, currency, day, count, total_minor, due_minor)
  select m.team_id, m.kind, m.currency, m.day, sum(m.count)::bigint, sum(m.total_minor)::bigint,
    sum(m.due_minor)::bigint
  from moved m
  group by 1, 2, 3, 4
  having sum(m.count) <> 0 or sum(m.total_minor) <> 0 or sum(m.due_minor) <> 0
  order by 1, 2, 3, 4
  on conflict (team_id, kind, currency, day) do update set count = t.count + excluded.count,
    total_minor = t.total_minor + excluded.total_minor, due_minor = t.due_minor + excluded.due_minor;
  delete from invoice_totals_flushes f where f.xid = NEW.xid;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER invoice_totals_flush AFTER INSERT ON invoice_totals_flushes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_totals_flush();--> statement-breakpoint
-- A workspace's stale days or time zone: its 'stale' rows recounted from the invoices as this transaction sees
-- them, so its own pending 'stale' deltas are already in the recount and are dropped.
CREATE OR REPLACE FUNCTION workspace_totals_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    insert into workspace_plans (team_id, next_plan_at) values (NEW.team_id, '-infinity') on conflict do nothing;
    RETURN NULL;
  END IF;
  IF NEW.time_zone IS DISTINCT FROM OLD.time_zone OR NEW.stale_days IS DISTINCT FROM OLD.stale_days THEN
    delete from invoice_totals_pending p where p.team_id = NEW.team_id and p.kind = 'stale';
    delete from invoice_totals t where t.team_id = NEW.team_id and t.kind = 'stale';
    insert into invoice_totals (team_id, kind, currency, day, count, total_minor, due_minor)
    select * from invoice_totals_recount(NEW.team_id) c where c.kind = 'stale' order by 1, 2, 3, 4;
  END IF;
  insert into workspace_plan_requests (team_id) values (NEW.team_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION invoice_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  delete from invoice_totals;
  delete from invoice_totals_pending;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The owner's numbers (App Home, every refresh): credit sales are the sent, live invoices issued in the last 90 days,
-- summed per currency; this index holds what is summed, so they are read off it alone, in issue-date order.
CREATE INDEX "invoices_sent_issue_idx" ON "invoices" USING btree ("team_id", "issue_date")
  INCLUDE ("currency", "total_minor", "credited_minor")
  WHERE "voided_at" IS NULL AND "sent_at" IS NOT NULL;
--> statement-breakpoint
-- The client's "payment scheduled" answers (status page), latest per invoice: the numbers' forecast looks one up for
-- each invoice with a live promise; the events of other kinds are not in this index.
CREATE INDEX "events_client_scheduled_idx" ON "events" USING btree ("team_id", "invoice_id", "id")
  WHERE "kind" = 'client_scheduled';
