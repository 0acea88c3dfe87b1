CREATE TABLE "account_credits" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"team_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"invoice_id" uuid NOT NULL,
	"credit_note_id" uuid,
	"on_date" date NOT NULL,
	"reason" text NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_credits_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "account_credits_kind" CHECK ("account_credits"."kind" in ('kept', 'applied', 'withdrawn')),
	CONSTRAINT "account_credits_amount_positive" CHECK ("account_credits"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"team_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"source" text NOT NULL,
	"invoice_id" uuid,
	"amount_minor" bigint NOT NULL,
	"refunded_on" date NOT NULL,
	"method" text,
	"reference" text,
	"reason" text NOT NULL,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_team_id_id_pk" PRIMARY KEY("team_id","id"),
	CONSTRAINT "refunds_source" CHECK ("refunds"."source" in ('overpayment', 'account')),
	CONSTRAINT "refunds_source_invoice" CHECK (("refunds"."source" = 'overpayment') = ("refunds"."invoice_id" is not null)),
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "account_credits" ADD CONSTRAINT "account_credits_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_credits" ADD CONSTRAINT "account_credits_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_credits_team_client_idx" ON "account_credits" USING btree ("team_id","client_id","currency");--> statement-breakpoint
CREATE INDEX "account_credits_team_invoice_idx" ON "account_credits" USING btree ("team_id","invoice_id");--> statement-breakpoint
CREATE INDEX "refunds_team_client_idx" ON "refunds" USING btree ("team_id","client_id","currency");--> statement-breakpoint
CREATE INDEX "refunds_team_invoice_idx" ON "refunds" USING btree ("team_id","invoice_id");