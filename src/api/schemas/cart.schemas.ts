import { Type } from 'typebox';
import { MAX_LINE_QUANTITY } from '../../domain/cart.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const CartLine = Type.Object(
  {
    productId: Type.String({ format: 'uuid' }),
    sku: Type.String(),
    name: Type.String(),
    vendorId: Type.String({ format: 'uuid' }),
    quantity: Type.Integer(),
    unitPriceCents: Type.Integer({ description: "Today's catalog price" }),
    lineTotalCents: Type.Integer(),
    priceChanged: Type.Boolean({
      description: 'The price moved since the customer added the line or last changed its quantity',
    }),
    previousUnitPriceCents: Nullable(
      Type.Integer({ description: 'The price the customer agreed to, when priceChanged' }),
    ),
    available: Type.Integer({ description: 'Units available at the last pricing' }),
    outOfStock: Type.Boolean(),
    insufficientStock: Type.Boolean({ description: 'Some, but fewer than the quantity, are available' }),
    addedAt: Timestamp,
  },
  { title: 'CartLine' },
);

/** The one cart shape every cart route answers with, old routes and new. */
export const Cart = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Enum(['active', 'checked_out', 'abandoned']),
    currency: Type.String(),
    customerId: Nullable(Type.String()),
    lines: Type.Array(CartLine),
    itemCount: Type.Integer({ description: 'Units across all lines' }),
    totalCents: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    pricedAt: Nullable(Timestamp),
    reminderAt: Nullable(Timestamp),
    expiresAt: Nullable(Type.String({ format: 'date-time', description: 'When an idle cart is abandoned' })),
    closedAt: Nullable(Timestamp),
    orderId: Nullable(Type.String()),
  },
  { title: 'Cart' },
);

export const CartIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const CartLineParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), productId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Send the same key when retrying a change: it is applied once (kept 24 hours per cart)',
    }),
  ),
});

export const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

export const CreateCartBody = Type.Object(
  {
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);

export const AddItemBody = Type.Object(
  { productId: Type.String({ format: 'uuid' }), quantity: Quantity },
  { additionalProperties: false },
);

export const ChangeLineBody = Type.Object(
  {
    quantity: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_LINE_QUANTITY, description: 'New quantity; 0 removes the line' }),
    ),
    delta: Type.Optional(
      Type.Integer({
        minimum: -MAX_LINE_QUANTITY,
        maximum: MAX_LINE_QUANTITY,
        not: { const: 0 },
        description: 'Change by this much (not 0); reaching 0 or below removes the line, and a line not there is added',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Exactly one of quantity or delta' },
);

/** es-cqrs-shopping-cart's body: price, name and vendorId are accepted and ignored (the catalog decides). */
export const LegacyAddItemBody = Type.Object(
  {
    productId: Type.String({ format: 'uuid' }),
    quantity: Type.Optional(Quantity),
    vendorId: Type.Optional(Type.String({ maxLength: 100 })),
    name: Type.Optional(Type.String({ maxLength: 500 })),
    price: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Number()])),
  },
  { title: 'LegacyAddItem', additionalProperties: false },
);
