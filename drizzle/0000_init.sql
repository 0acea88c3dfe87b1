CREATE TABLE "clients" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"name" text NOT NULL,
	"contact_name" text,
	"contact_email" text,
	"terms_kind" text DEFAULT 'net' NOT NULL,
	"terms_days" smallint DEFAULT 30 NOT NULL,
	"notes" text,
	"archived" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "clients_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "clients_terms_kind" CHECK ("clients"."terms_kind" in ('net', 'receipt', 'eom')),
	CONSTRAINT "clients_name_not_blank" CHECK (length(btrim("clients"."name")) > 0)
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"invoice_id" uuid,
	"client_id" uuid,
	"kind" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"visibility" text DEFAULT 'internal' NOT NULL,
	CONSTRAINT "events_actor_type" CHECK ("events"."actor_type" in ('user', 'contact', 'system')),
	CONSTRAINT "events_visibility" CHECK ("events"."visibility" in ('internal', 'shared'))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"team_id" text NOT NULL,
	"key" text NOT NULL,
	"operation" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_team_id_key_pk" PRIMARY KEY("team_id","key")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"number" text NOT NULL,
	"client_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"total_minor" bigint NOT NULL,
	"issue_date" date NOT NULL,
	"terms_kind" text NOT NULL,
	"terms_days" smallint DEFAULT 0 NOT NULL,
	"terms_basis_date" date NOT NULL,
	"terms_basis_label" text,
	"due_date" date NOT NULL,
	"owner_user_id" text,
	"description" text,
	"sent_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"hold_kind" text,
	"hold_reason" text,
	"hold_since" timestamp with time zone,
	"hold_by" text,
	"paid_minor" bigint DEFAULT 0 NOT NULL,
	"paid_on" date,
	"promised_date" date,
	"next_follow_up" date,
	"last_action_kind" text,
	"last_action_at" timestamp with time zone,
	"last_action_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "invoices_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "invoices_total_positive" CHECK ("invoices"."total_minor" > 0),
	CONSTRAINT "invoices_paid_not_negative" CHECK ("invoices"."paid_minor" >= 0),
	CONSTRAINT "invoices_currency_code" CHECK ("invoices"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "invoices_terms_kind" CHECK ("invoices"."terms_kind" in ('net', 'receipt', 'eom', 'fixed')),
	CONSTRAINT "invoices_due_after_issue" CHECK ("invoices"."due_date" >= "invoices"."issue_date"),
	CONSTRAINT "invoices_hold_kind" CHECK ("invoices"."hold_kind" is null or "invoices"."hold_kind" in ('hold', 'dispute')),
	CONSTRAINT "invoices_number_not_blank" CHECK (length(btrim("invoices"."number")) > 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"invoice_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"received_on" date NOT NULL,
	"reference" text,
	"method" text,
	"overpayment" boolean DEFAULT false NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"team_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"finance_channel" text,
	"alert_time" text DEFAULT '09:00' NOT NULL,
	"digest_weekday" smallint DEFAULT 1 NOT NULL,
	"digest_time" text DEFAULT '09:00' NOT NULL,
	"stale_days" smallint DEFAULT 7 NOT NULL,
	"working_days" smallint[] DEFAULT '{1,2,3,4,5}'::smallint[] NOT NULL,
	"finance_admins" text[] DEFAULT '{}'::text[] NOT NULL,
	"finance_admin_group" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "workspaces_stale_days" CHECK ("workspaces"."stale_days" between 1 and 365),
	CONSTRAINT "workspaces_digest_weekday" CHECK ("workspaces"."digest_weekday" between 0 and 6),
	CONSTRAINT "workspaces_alert_time" CHECK ("workspaces"."alert_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
	CONSTRAINT "workspaces_digest_time" CHECK ("workspaces"."digest_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
);
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "clients_team_name_key" ON "clients" USING btree ("team_id",lower("name"));--> statement-breakpoint
CREATE INDEX "events_team_invoice_idx" ON "events" USING btree ("team_id","invoice_id","id");--> statement-breakpoint
CREATE INDEX "events_team_client_idx" ON "events" USING btree ("team_id","client_id","id");--> statement-breakpoint
CREATE INDEX "events_team_at_idx" ON "events" USING btree ("team_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_team_number_key" ON "invoices" USING btree ("team_id",lower("number"));--> statement-breakpoint
CREATE INDEX "invoices_open_due_idx" ON "invoices" USING btree ("team_id","due_date") WHERE "invoices"."voided_at" is null and "invoices"."paid_minor" < "invoices"."total_minor";--> statement-breakpoint
CREATE INDEX "invoices_open_promise_idx" ON "invoices" USING btree ("team_id","promised_date") WHERE "invoices"."voided_at" is null and "invoices"."paid_minor" < "invoices"."total_minor" and "invoices"."promised_date" is not null;--> statement-breakpoint
CREATE INDEX "invoices_team_client_idx" ON "invoices" USING btree ("team_id","client_id");--> statement-breakpoint
CREATE INDEX "invoices_team_paid_on_idx" ON "invoices" USING btree ("team_id","paid_on");--> statement-breakpoint
CREATE INDEX "payments_team_invoice_idx" ON "payments" USING btree ("team_id","invoice_id");--> statement-breakpoint
CREATE INDEX "payments_team_received_idx" ON "payments" USING btree ("team_id","received_on");