DROP INDEX "invoices_open_due_idx";--> statement-breakpoint
DROP INDEX "invoices_team_paid_on_idx";--> statement-breakpoint
CREATE INDEX "invoices_open_drafts_idx" ON "invoices" USING btree ("team_id","issue_date","number") WHERE "invoices"."voided_at" is null and "invoices"."paid_minor" < "invoices"."total_minor" and "invoices"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "invoices_open_last_action_idx" ON "invoices" USING btree ("team_id","last_action_at") WHERE "invoices"."voided_at" is null and "invoices"."paid_minor" < "invoices"."total_minor";