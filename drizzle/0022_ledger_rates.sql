ALTER TABLE "exchange_rates" DROP CONSTRAINT "exchange_rates_rate";--> statement-breakpoint
ALTER TABLE "exchange_rates" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "exchange_rates" ADD CONSTRAINT "exchange_rates_source" CHECK ("exchange_rates"."source" in ('manual', 'xero', 'quickbooks'));--> statement-breakpoint
ALTER TABLE "exchange_rates" ADD CONSTRAINT "exchange_rates_rate" CHECK ("exchange_rates"."rate" ~ '^(1/)?[0-9]{1,12}(\.[0-9]{1,12})?$');