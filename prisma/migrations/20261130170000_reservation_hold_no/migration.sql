-- Which hold of its line a reservation is: a hold given back because the order went unpaid
-- (UNPAID_HOLD_TIMEOUT) is taken again, as hold 2, once the order is paid. A late attempt of an
-- earlier hold finds a higher number and changes nothing.
ALTER TABLE "reservations" ADD COLUMN "hold_no" INTEGER NOT NULL DEFAULT 1;
