CREATE TABLE "retainer_runs" (
	"team_id" text NOT NULL,
	"retainer_id" uuid NOT NULL,
	"occurrence_date" date NOT NULL,
	"invoice_id" uuid NOT NULL,
	"created_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retainer_runs_team_id_retainer_id_occurrence_date_pk" PRIMARY KEY("team_id","retainer_id","occurrence_date")
);
--> statement-breakpoint
CREATE TABLE "retainers" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"terms_kind" text NOT NULL,
	"terms_days" smallint DEFAULT 0 NOT NULL,
	"description" text,
	"owner_user_id" text,
	"cadence" text NOT NULL,
	"day_of_month" smallint,
	"start_date" date NOT NULL,
	"end_date" date,
	"max_count" smallint,
	"create_as" text DEFAULT 'draft' NOT NULL,
	"number_prefix" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"resume_from" date NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "retainers_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "retainers_amount_positive" CHECK ("retainers"."amount_minor" > 0),
	CONSTRAINT "retainers_currency_code" CHECK ("retainers"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "retainers_terms_kind" CHECK ("retainers"."terms_kind" in ('net', 'receipt', 'eom')),
	CONSTRAINT "retainers_cadence" CHECK ("retainers"."cadence" in ('monthly', 'quarterly')),
	CONSTRAINT "retainers_day_of_month" CHECK ("retainers"."day_of_month" is null or "retainers"."day_of_month" between 1 and 31),
	CONSTRAINT "retainers_max_count" CHECK ("retainers"."max_count" is null or "retainers"."max_count" > 0),
	CONSTRAINT "retainers_end_after_start" CHECK ("retainers"."end_date" is null or "retainers"."end_date" >= "retainers"."start_date"),
	CONSTRAINT "retainers_create_as" CHECK ("retainers"."create_as" in ('draft', 'sent')),
	CONSTRAINT "retainers_status" CHECK ("retainers"."status" in ('active', 'paused', 'ended'))
);
--> statement-breakpoint
ALTER TABLE "retainer_runs" ADD CONSTRAINT "retainer_runs_team_id_retainer_id_retainers_team_id_id_fk" FOREIGN KEY ("team_id","retainer_id") REFERENCES "public"."retainers"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retainer_runs" ADD CONSTRAINT "retainer_runs_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retainers" ADD CONSTRAINT "retainers_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "retainer_runs_invoice_key" ON "retainer_runs" USING btree ("team_id","invoice_id");--> statement-breakpoint
CREATE INDEX "retainers_team_client_idx" ON "retainers" USING btree ("team_id","client_id");--> statement-breakpoint
CREATE INDEX "retainers_active_idx" ON "retainers" USING btree ("team_id") WHERE "retainers"."status" = 'active';