import type { Projection } from '../projections.js';

interface Purchase {
  vendorId: string;
  productId: string;
  day: string;
  name: string;
  quantity: number;
}

/** The seed's popular items: units shipped per vendor, product and day, from ItemPurchased. */
export const popularItems: Projection = {
  name: 'popular-items',
  tables: ['popular_items'],
  async apply(tx, events) {
    const totals = new Map<string, Purchase>();
    for (const e of events) {
      if (e.type !== 'ItemPurchased') continue;
      const p = e.payload as unknown as Purchase;
      const key = `${p.vendorId}|${p.productId}|${p.day}`;
      const sum = totals.get(key);
      if (sum) {
        sum.quantity += p.quantity;
        sum.name = p.name;
      } else totals.set(key, pick(p));
    }
    for (const t of totals.values())
      await tx.$executeRaw`
        INSERT INTO popular_items (vendor_id, product_id, day, name, quantity)
        VALUES (${t.vendorId}, ${t.productId}, ${t.day}::date, ${t.name}, ${t.quantity})
        ON CONFLICT (vendor_id, product_id, day)
        DO UPDATE SET quantity = popular_items.quantity + EXCLUDED.quantity, name = EXCLUDED.name`;
  },
};

const pick = ({ vendorId, productId, day, name, quantity }: Purchase): Purchase => ({
  vendorId,
  productId,
  day,
  name,
  quantity,
});
