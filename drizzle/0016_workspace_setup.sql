ALTER TABLE "workspaces" ADD COLUMN "holiday_country" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "holiday_region" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "setup_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_holiday_region" CHECK ("workspaces"."holiday_region" is null or "workspaces"."holiday_country" is not null);