CREATE TABLE "ledger_pending_grants" (
	"nonce_hash" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"provider" text NOT NULL,
	"access_token_enc" text NOT NULL,
	"refresh_token_enc" text NOT NULL,
	"access_expires_at" timestamp with time zone NOT NULL,
	"tenants" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_connections" ADD COLUMN "broken_told_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "ledger_pending_grants_expires_idx" ON "ledger_pending_grants" USING btree ("expires_at");--> statement-breakpoint
-- Breaks from before this column were told by the code of their time: not again.
UPDATE "ledger_connections" SET "broken_told_at" = "broken_at" WHERE "status" = 'broken';