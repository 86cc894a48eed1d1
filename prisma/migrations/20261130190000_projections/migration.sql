-- Where each read model is in the journal: the last (tx_id, seq) it applied, moved in the same
-- transaction as the read model itself (src/db/projections.ts), so no event counts twice or never.
CREATE TABLE "projection_positions" (
    "name" TEXT NOT NULL,
    "tx_id" xid8 NOT NULL DEFAULT '0',
    "seq" BIGINT NOT NULL DEFAULT 0,
    "events" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projection_positions_pkey" PRIMARY KEY ("name")
);

-- The seed's popular items: units shipped per vendor, product and day.
CREATE TABLE "popular_items" (
    "vendor_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "popular_items_pkey" PRIMARY KEY ("vendor_id", "product_id", "day")
);
CREATE INDEX "popular_items_day_quantity_idx" ON "popular_items" ("day", "quantity" DESC);
