import { Type } from 'typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, productSorts } from '../../domain/catalog.js';

const Slug = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9][a-z0-9-]*$' });
const Cents = Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Amount in cents' });
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

export const Product = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    sku: Type.String(),
    name: Type.String(),
    description: Type.String(),
    priceCents: Type.Integer(),
    currency: Type.String({ description: 'ISO 4217 code' }),
    vendorId: Type.String({ format: 'uuid' }),
    vendorName: Type.String(),
    category: Type.String(),
    collections: Type.Array(Type.String(), { description: 'Collection slugs' }),
    available: Type.Integer({ description: 'Units that can be ordered now: on hand minus reserved' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Product' },
);

export const ProductList = Type.Object(
  {
    items: Type.Array(Product),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
    limit: Type.Integer(),
  },
  { title: 'ProductList' },
);

export const ProductListQuery = Type.Object(
  {
    sort: Type.Optional(
      Type.Enum([...productSorts], { default: 'newest', description: 'price, -price, name, -name or newest' }),
    ),
    category: Type.Optional(Slug),
    collection: Type.Optional(Slug),
    vendor: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'Vendor id or slug' })),
    minPrice: Type.Optional(Cents),
    maxPrice: Type.Optional(Cents),
    inStock: Type.Optional(
      Type.Boolean({ description: 'true: only products available now; false: only those sold out' }),
    ),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Text searched in name and description' }),
    ),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact SKU, case-insensitive' })),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Exact product name, case-insensitive' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const Facets = Type.Object(
  {
    currency: Type.String({ description: 'ISO 4217 code of the shop; prices and price filters are in its minor unit' }),
    categories: Type.Array(Type.Object({ category: Type.String(), products: Type.Integer() })),
    collections: Type.Array(
      Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), description: Type.String() }),
    ),
    vendors: Type.Array(Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() })),
  },
  { title: 'CatalogFacets' },
);

const InventoryFields = {
  onHand: Count,
  restockThreshold: Count,
  restockQuantity: Count,
};

export const InventoryInput = Type.Object(InventoryFields, { additionalProperties: false, title: 'InventoryInput' });

export const Inventory = Type.Object(
  { ...InventoryFields, reserved: Type.Integer(), available: Type.Integer() },
  { title: 'Inventory' },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5000 });

export const CreateProductBody = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    name: Name,
    description: Type.Optional(Description),
    priceCents: Cents,
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    category: Slug,
    vendorId: Type.String({ format: 'uuid' }),
    collections: Type.Optional(Type.Array(Slug, { maxItems: 50 })),
    inventory: Type.Optional(InventoryInput),
  },
  { additionalProperties: false, title: 'CreateProduct' },
);

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    priceCents: Type.Optional(Cents),
    category: Type.Optional(Slug),
    vendorId: Type.Optional(Type.String({ format: 'uuid' })),
    collections: Type.Optional(Type.Array(Slug, { maxItems: 50 })),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateProduct' },
);
