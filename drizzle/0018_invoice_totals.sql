CREATE TABLE "invoice_totals" (
	"team_id" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"day" date NOT NULL,
	"count" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"due_minor" bigint NOT NULL,
	CONSTRAINT "invoice_totals_team_id_kind_currency_day_pk" PRIMARY KEY("team_id","kind","currency","day"),
	CONSTRAINT "invoice_totals_kind" CHECK ("invoice_totals"."kind" in ('draft', 'sent', 'paid', 'credited', 'void', 'promise', 'stale'))
);
--> statement-breakpoint
CREATE TABLE "workspace_plan_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspace_plans" (
	"team_id" text PRIMARY KEY NOT NULL,
	"next_plan_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoice_totals" ADD CONSTRAINT "invoice_totals_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_plan_requests" ADD CONSTRAINT "workspace_plan_requests_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_plans" ADD CONSTRAINT "workspace_plans_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_plans_next_idx" ON "workspace_plans" USING btree ("next_plan_at");--> statement-breakpoint
-- hand-written below
-- The running totals (invoice_totals) are kept by statement-level triggers with transition tables: one grouped
-- upsert per INSERT/UPDATE/DELETE statement, however many rows it touched (a set-based import of 20,000 invoices
-- costs one aggregate, not 20,000 row triggers), in that statement's transaction, on PostgreSQL and PGlite alike.
-- invoice_totals_rows is what one invoice contributes (sign 1) or takes back (sign -1); it mirrors stateSql and
-- staleSql in src/db/queries/views.ts, and test/db/totals.test.ts holds the two to a full recount.
CREATE FUNCTION invoice_totals_rows(
  p_sign int, p_team text, p_currency text, p_total bigint, p_paid bigint, p_credited bigint,
  p_voided_at timestamptz, p_sent_at timestamptz, p_paid_on date, p_due date, p_promised date, p_hold text,
  p_last_action_at timestamptz, p_time_zone text, p_stale_days int
) RETURNS TABLE (team_id text, kind text, currency text, day date, n bigint, total_minor bigint, due_minor bigint)
LANGUAGE sql IMMUTABLE AS $$
  select p_team, k.kind, p_currency, k.day, p_sign::bigint, p_sign * p_total, p_sign * k.due
  from (select p_voided_at is null and p_paid + p_credited < p_total as open) s
  cross join lateral (values
    (case when p_voided_at is not null then 'void' when p_credited >= p_total then 'credited'
       when p_paid + p_credited >= p_total then 'paid' when p_sent_at is null then 'draft' else 'sent' end,
     case when p_voided_at is null and p_paid + p_credited >= p_total then coalesce(p_paid_on, '-infinity'::date)
       else p_due end,
     case when s.open then p_total - p_paid - p_credited else 0 end),
    (case when s.open and p_sent_at is not null and p_promised is not null then 'promise' end, p_promised,
     p_total - p_paid - p_credited),
    (case when s.open and p_sent_at is not null and p_hold is null then 'stale' end,
     greatest(p_due, p_promised + 1, (p_last_action_at at time zone p_time_zone)::date + p_stale_days),
     p_total - p_paid - p_credited)
  ) k(kind, day, due)
  where k.kind is not null
$$;
--> statement-breakpoint
-- Adds grouped deltas to the totals, in key order (two writers touching the same rows lock them in one order).
CREATE FUNCTION invoice_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    insert into invoice_totals as t (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from new_rows r join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(1, r.team_id, r.currency, r.total_minor, r.paid_minor, r.credited_minor,
      r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at, w.time_zone,
      w.stale_days) c
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (team_id, kind, currency, day) do update set count = t.count + excluded.count,
      total_minor = t.total_minor + excluded.total_minor, due_minor = t.due_minor + excluded.due_minor;
    insert into workspace_plan_requests (team_id) select distinct team_id from new_rows order by 1;
  ELSIF TG_OP = 'UPDATE' THEN
    insert into invoice_totals as t (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from (select 1 as sign, * from new_rows union all select -1, * from old_rows) r
    join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(r.sign, r.team_id, r.currency, r.total_minor, r.paid_minor,
      r.credited_minor, r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at,
      w.time_zone, w.stale_days) c
    group by 1, 2, 3, 4
    having sum(c.n) <> 0 or sum(c.total_minor) <> 0 or sum(c.due_minor) <> 0
    order by 1, 2, 3, 4
    on conflict (team_id, kind, currency, day) do update set count = t.count + excluded.count,
      total_minor = t.total_minor + excluded.total_minor, due_minor = t.due_minor + excluded.due_minor;
    -- Only a change the planning reads (not, say, a description) asks for a new plan.
    insert into workspace_plan_requests (team_id)
    select distinct n.team_id from new_rows n join old_rows o on o.team_id = n.team_id and o.id = n.id
    where (n.due_date, n.sent_at, n.voided_at, n.paid_minor, n.credited_minor, n.total_minor, n.hold_kind,
        n.promised_date, n.last_action_at, n.next_follow_up, n.owner_user_id)
      is distinct from (o.due_date, o.sent_at, o.voided_at, o.paid_minor, o.credited_minor, o.total_minor, o.hold_kind,
        o.promised_date, o.last_action_at, o.next_follow_up, o.owner_user_id)
    order by 1;
  ELSE
    insert into invoice_totals as t (team_id, kind, currency, day, count, total_minor, due_minor)
    select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
    from old_rows r join workspaces w on w.team_id = r.team_id
    cross join lateral invoice_totals_rows(-1, r.team_id, r.currency, r.total_minor, r.paid_minor, r.credited_minor,
      r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at, w.time_zone,
      w.stale_days) c
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (team_id, kind, currency, day) do update set count = t.count + excluded.count,
      total_minor = t.total_minor + excluded.total_minor, due_minor = t.due_minor + excluded.due_minor;
    insert into workspace_plan_requests (team_id) select distinct team_id from old_rows order by 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoice_totals_insert AFTER INSERT ON invoices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION invoice_totals_apply();--> statement-breakpoint
CREATE TRIGGER invoice_totals_update AFTER UPDATE ON invoices REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION invoice_totals_apply();--> statement-breakpoint
CREATE TRIGGER invoice_totals_delete AFTER DELETE ON invoices REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION invoice_totals_apply();--> statement-breakpoint
-- Every total of one workspace (all when null), recounted from its invoices: the rebuild and the check use it.
CREATE FUNCTION invoice_totals_recount(team text)
RETURNS TABLE (team_id text, kind text, currency text, day date, count bigint, total_minor bigint, due_minor bigint)
LANGUAGE sql STABLE AS $$
  select c.team_id, c.kind, c.currency, c.day, sum(c.n)::bigint, sum(c.total_minor)::bigint, sum(c.due_minor)::bigint
  from invoices r join workspaces w on w.team_id = r.team_id
  cross join lateral invoice_totals_rows(1, r.team_id, r.currency, r.total_minor, r.paid_minor, r.credited_minor,
    r.voided_at, r.sent_at, r.paid_on, r.due_date, r.promised_date, r.hold_kind, r.last_action_at, w.time_zone,
    w.stale_days) c
  where team is null or r.team_id = team
  group by 1, 2, 3, 4
$$;
--> statement-breakpoint
-- A workspace's stale days or time zone move every invoice's stale day: recount its 'stale' rows. A new workspace
-- gets its planning row; any change to its settings asks the scheduler to plan it again.
CREATE FUNCTION workspace_totals_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    insert into workspace_plans (team_id, next_plan_at) values (NEW.team_id, '-infinity') on conflict do nothing;
    RETURN NULL;
  END IF;
  IF NEW.time_zone IS DISTINCT FROM OLD.time_zone OR NEW.stale_days IS DISTINCT FROM OLD.stale_days THEN
    delete from invoice_totals t where t.team_id = NEW.team_id and t.kind = 'stale';
    insert into invoice_totals (team_id, kind, currency, day, count, total_minor, due_minor)
    select * from invoice_totals_recount(NEW.team_id) c where c.kind = 'stale';
  END IF;
  insert into workspace_plan_requests (team_id) values (NEW.team_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER workspace_totals_insert AFTER INSERT ON workspaces
  FOR EACH ROW EXECUTE FUNCTION workspace_totals_settings();--> statement-breakpoint
CREATE TRIGGER workspace_totals_update AFTER UPDATE ON workspaces
  FOR EACH ROW EXECUTE FUNCTION workspace_totals_settings();--> statement-breakpoint
-- Emptying the invoices (tests, a fresh start) empties what is counted from them.
CREATE FUNCTION invoice_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  delete from invoice_totals;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoice_totals_truncate AFTER TRUNCATE ON invoices
  FOR EACH STATEMENT EXECUTE FUNCTION invoice_totals_truncate();--> statement-breakpoint
-- The books already kept: their totals, and a planning row per workspace.
INSERT INTO invoice_totals (team_id, kind, currency, day, count, total_minor, due_minor)
  SELECT * FROM invoice_totals_recount(null);--> statement-breakpoint
INSERT INTO workspace_plans (team_id, next_plan_at) SELECT team_id, '-infinity' FROM workspaces;
