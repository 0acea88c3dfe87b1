ALTER TABLE "deliveries" ADD COLUMN "claim_token" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "claim_instance" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "claim_boot" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "claim_instance" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "claim_boot" text;