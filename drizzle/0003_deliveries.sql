CREATE TABLE "deliveries" (
	"team_id" text NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"invoice_id" uuid,
	"local_date" date NOT NULL,
	"channel_id" text NOT NULL,
	"parent_key" text,
	"payload" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"uncertain" boolean DEFAULT false NOT NULL,
	"posted_channel" text,
	"posted_ts" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "deliveries_team_id_key_pk" PRIMARY KEY("team_id","key"),
	CONSTRAINT "deliveries_status" CHECK ("deliveries"."status" in ('pending', 'posting', 'delivered', 'skipped', 'failed'))
);
--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."status" in ('pending', 'posting');--> statement-breakpoint
CREATE INDEX "deliveries_team_date_idx" ON "deliveries" USING btree ("team_id","local_date");