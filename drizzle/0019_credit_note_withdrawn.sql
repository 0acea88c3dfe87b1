ALTER TABLE "credit_notes" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD COLUMN "withdrawn_by" text;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD COLUMN "withdrawal_reason" text;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_withdrawal_complete" CHECK (("credit_notes"."withdrawn_at" is null) = ("credit_notes"."withdrawal_reason" is null) and ("credit_notes"."withdrawn_at" is null) = ("credit_notes"."withdrawn_by" is null));