CREATE TABLE "ledger_auth_states" (
	"nonce_hash" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"provider" text NOT NULL,
	"code_verifier" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_connections" (
	"team_id" text NOT NULL,
	"provider" text NOT NULL,
	"tenant_id" text NOT NULL,
	"tenant_name" text NOT NULL,
	"status" text DEFAULT 'ok' NOT NULL,
	"broken_reason" text,
	"broken_at" timestamp with time zone,
	"access_token_enc" text,
	"refresh_token_enc" text,
	"access_expires_at" timestamp with time zone,
	"connected_by" text NOT NULL,
	"connected_at" timestamp with time zone NOT NULL,
	"sync_cursor" timestamp with time zone,
	"sync_state" jsonb,
	"sync_done" integer DEFAULT 0 NOT NULL,
	"sync_total" integer DEFAULT 0 NOT NULL,
	"last_sync_at" timestamp with time zone,
	"last_sync_error" text,
	"next_sync_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claim_token" uuid,
	"claimed_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_connections_team_id_provider_pk" PRIMARY KEY("team_id","provider"),
	CONSTRAINT "ledger_connections_status" CHECK ("ledger_connections"."status" in ('ok', 'broken', 'disconnected'))
);
--> statement-breakpoint
CREATE TABLE "ledger_links" (
	"team_id" text NOT NULL,
	"provider" text NOT NULL,
	"kind" text NOT NULL,
	"external_id" text NOT NULL,
	"local_id" uuid,
	"external_updated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_links_team_id_provider_kind_external_id_pk" PRIMARY KEY("team_id","provider","kind","external_id"),
	CONSTRAINT "ledger_links_kind" CHECK ("ledger_links"."kind" in ('invoice', 'contact', 'payment'))
);
--> statement-breakpoint
ALTER TABLE "ledger_connections" ADD CONSTRAINT "ledger_connections_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_auth_states_expires_idx" ON "ledger_auth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "ledger_connections_due_idx" ON "ledger_connections" USING btree ("next_sync_at") WHERE "ledger_connections"."status" = 'ok';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_links_local_key" ON "ledger_links" USING btree ("team_id","provider","kind","local_id") WHERE "ledger_links"."local_id" is not null;