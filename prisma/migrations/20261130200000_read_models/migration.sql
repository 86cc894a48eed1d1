-- Vendor billing: captured minus refunded per vendor, month and currency, in cents.
CREATE TABLE "vendor_billing" (
    "vendor_id" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "captured_cents" BIGINT NOT NULL DEFAULT 0,
    "refunded_cents" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "vendor_billing_pkey" PRIMARY KEY ("vendor_id", "month", "currency")
);
CREATE INDEX "vendor_billing_month_idx" ON "vendor_billing" ("month");

-- Per order and vendor, what was captured and refunded: how a refund is split among vendors.
CREATE TABLE "billing_order_vendors" (
    "order_id" TEXT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "captured_cents" BIGINT NOT NULL DEFAULT 0,
    "refunded_cents" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "billing_order_vendors_pkey" PRIMARY KEY ("order_id", "vendor_id")
);

-- The order funnel: orders reaching each stage per day (cancelled per reason, '' otherwise).
CREATE TABLE "order_funnel" (
    "day" DATE NOT NULL,
    "stage" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "orders" INTEGER NOT NULL,

    CONSTRAINT "order_funnel_pkey" PRIMARY KEY ("day", "stage", "reason")
);
