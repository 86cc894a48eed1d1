-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "view" JSONB;
