-- The open book, covering: every live view (overview totals and lists, aging, day changes) reads open
-- invoices in due-date order and needs only these columns, so PostgreSQL answers from the index alone.
CREATE INDEX "invoices_open_book_idx" ON "invoices" USING btree ("team_id", "due_date", "number")
  INCLUDE ("currency", "total_minor", "paid_minor", "sent_at", "hold_kind", "promised_date", "last_action_at", "voided_at")
  WHERE "voided_at" IS NULL AND "paid_minor" < "total_minor";
--> statement-breakpoint
-- Recently paid, newest first: the overview's Paid group.
CREATE INDEX "invoices_paid_recent_idx" ON "invoices" USING btree ("team_id", "paid_on" DESC, "number")
  INCLUDE ("currency", "total_minor")
  WHERE "voided_at" IS NULL AND "paid_minor" >= "total_minor";
