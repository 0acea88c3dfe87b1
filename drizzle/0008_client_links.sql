CREATE TABLE "client_links" (
	"team_id" text NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"form_secret" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"last_seen_at" timestamp with time zone,
	CONSTRAINT "client_links_team_id_id_pk" PRIMARY KEY("team_id","id")
);
--> statement-breakpoint
ALTER TABLE "posted_messages" ADD COLUMN "thread_ts" text;--> statement-breakpoint
ALTER TABLE "client_links" ADD CONSTRAINT "client_links_team_id_client_id_clients_team_id_id_fk" FOREIGN KEY ("team_id","client_id") REFERENCES "public"."clients"("team_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "client_links_token_hash_key" ON "client_links" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "client_links_live_key" ON "client_links" USING btree ("team_id","client_id") WHERE "client_links"."revoked_at" is null;