-- The transaction that wrote each journal event. A reader that only asks for `seq > position` skips
-- an event whose transaction took a lower seq but committed after a higher one was read. Reading in
-- (tx_id, seq) order, and only transactions older than every one still running, skips nothing
-- (src/db/journal-reader.ts). Rows already there get the id of the transaction that adds the column.
ALTER TABLE "journal_events" ADD COLUMN "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX "journal_events_tx_id_seq_idx" ON "journal_events" ("tx_id", "seq");
