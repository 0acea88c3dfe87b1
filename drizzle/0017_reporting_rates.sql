CREATE TABLE "exchange_rates" (
	"team_id" text NOT NULL,
	"currency" text NOT NULL,
	"into_currency" text NOT NULL,
	"rate" text NOT NULL,
	"rate_date" date NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "exchange_rates_team_id_currency_pk" PRIMARY KEY("team_id","currency"),
	CONSTRAINT "exchange_rates_currency" CHECK ("exchange_rates"."currency" ~ '^[A-Z]{3}$' and "exchange_rates"."into_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "exchange_rates_rate" CHECK ("exchange_rates"."rate" ~ '^[0-9]{1,12}(\.[0-9]{1,12})?$')
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "reporting_currency" text;--> statement-breakpoint
ALTER TABLE "exchange_rates" ADD CONSTRAINT "exchange_rates_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_reporting_currency" CHECK ("workspaces"."reporting_currency" is null or "workspaces"."reporting_currency" ~ '^[A-Z]{3}$');