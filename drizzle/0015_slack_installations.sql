CREATE TABLE "slack_installations" (
	"team_id" text PRIMARY KEY NOT NULL,
	"enterprise_id" text,
	"team_name" text,
	"app_id" text,
	"bot_id" text NOT NULL,
	"bot_user_id" text NOT NULL,
	"bot_token_enc" text,
	"bot_scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"bot_refresh_token_enc" text,
	"bot_token_expires_at" timestamp with time zone,
	"refreshing_until" timestamp with time zone,
	"installer_user_id" text NOT NULL,
	"installed_at" timestamp with time zone NOT NULL,
	"uninstalled_at" timestamp with time zone,
	"uninstall_reason" text,
	CONSTRAINT "slack_installations_token" CHECK (("slack_installations"."uninstalled_at" is null) = ("slack_installations"."bot_token_enc" is not null))
);
--> statement-breakpoint
CREATE INDEX "slack_installations_uninstalled_idx" ON "slack_installations" USING btree ("uninstalled_at") WHERE "slack_installations"."uninstalled_at" is not null;--> statement-breakpoint
-- hand-written below
-- Erasing a workspace on request (npm run cli -- workspace delete) removes its events too, and only its own: the
-- erasing transaction names the team in receivables.erase_team (set_config, local to it), and the append-only trigger
-- lets a DELETE of that team's events through. Every other UPDATE or DELETE is refused as before.
CREATE OR REPLACE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.team_id = current_setting('receivables.erase_team', true) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
    USING ERRCODE = 'P0001', HINT = 'record a new event instead';
END;
$$;
