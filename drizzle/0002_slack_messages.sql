CREATE TABLE "home_viewers" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"last_opened_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "home_viewers_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "posted_messages" (
	"team_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"ts" text NOT NULL,
	"invoice_id" uuid NOT NULL,
	"rendered_version" integer NOT NULL,
	"rendered_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "posted_messages_team_id_channel_id_ts_pk" PRIMARY KEY("team_id","channel_id","ts")
);
--> statement-breakpoint
ALTER TABLE "posted_messages" ADD CONSTRAINT "posted_messages_team_id_invoice_id_invoices_team_id_id_fk" FOREIGN KEY ("team_id","invoice_id") REFERENCES "public"."invoices"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "posted_messages_invoice_idx" ON "posted_messages" USING btree ("team_id","invoice_id");