CREATE TABLE "ledger_push_settings" (
	"team_id" text NOT NULL,
	"provider" text NOT NULL,
	"tenant_id" text NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"account_id" text,
	"account_code" text,
	"account_name" text,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_push_settings_team_id_provider_pk" PRIMARY KEY("team_id","provider"),
	CONSTRAINT "ledger_push_settings_account" CHECK (not "ledger_push_settings"."enabled" or "ledger_push_settings"."account_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "ledger_pushes" (
	"team_id" text NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"tenant_id" text NOT NULL,
	"event_id" bigint NOT NULL,
	"invoice_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"external_invoice_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"paid_on" date NOT NULL,
	"account_id" text NOT NULL,
	"account_code" text,
	"reference" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"uncertain_since" timestamp with time zone,
	"external_payment_id" text,
	"claim_token" uuid,
	"claimed_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	CONSTRAINT "ledger_pushes_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "ledger_pushes_status" CHECK ("ledger_pushes"."status" in ('pending', 'sent', 'failed')),
	CONSTRAINT "ledger_pushes_amount" CHECK ("ledger_pushes"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_push_settings" ADD CONSTRAINT "ledger_push_settings_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_pushes" ADD CONSTRAINT "ledger_pushes_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_pushes_event_key" ON "ledger_pushes" USING btree ("team_id","event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_pushes_payment_key" ON "ledger_pushes" USING btree ("team_id","payment_id");--> statement-breakpoint
CREATE INDEX "ledger_pushes_due_idx" ON "ledger_pushes" USING btree ("next_attempt_at") WHERE "ledger_pushes"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "ledger_pushes_invoice_idx" ON "ledger_pushes" USING btree ("team_id","invoice_id");