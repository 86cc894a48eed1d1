-- Delivery state of the notification outbox (src/notifications/sender.ts). A row is pending until
-- an SMTP server accepts it (sent), or dead after too many failures (an operator retries it with
-- POST /api/admin/notifications/:id/retry), or skipped when there is nobody to mail it to.
ALTER TABLE "notification_outbox"
    ADD COLUMN "status" TEXT NOT NULL DEFAULT 'pending',
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ADD COLUMN "last_error" TEXT,
    ADD COLUMN "claimed_until" TIMESTAMPTZ(3),
    ADD COLUMN "message_id" TEXT;

-- Rows written before: those marked sent stay sent, the others are due in the order they were written.
UPDATE "notification_outbox" SET "status" = 'sent' WHERE "sent_at" IS NOT NULL;
UPDATE "notification_outbox" SET "next_attempt_at" = "created_at" WHERE "sent_at" IS NULL;

-- The states the schema cannot spell as an enum without a migration per new state.
ALTER TABLE "notification_outbox"
    ADD CONSTRAINT "notification_outbox_status_known" CHECK ("status" IN ('pending', 'sent', 'dead', 'skipped')),
    ADD CONSTRAINT "notification_outbox_attempts_non_negative" CHECK ("attempts" >= 0);

-- The sender's query (pending rows by due time) and the operators' listing (by state, newest first).
CREATE INDEX "notification_outbox_status_next_attempt_at_idx" ON "notification_outbox"("status", "next_attempt_at");
CREATE INDEX "notification_outbox_status_created_at_idx" ON "notification_outbox"("status", "created_at");
