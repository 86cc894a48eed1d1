import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createProduct, setInventory, updateProduct } from '../../db/catalog.store.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { AppDeps } from '../app.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { adminSecurity, errors, IdParams } from '../schemas/common.js';
import {
  CreateProductBody,
  Inventory,
  InventoryInput,
  Product,
  UpdateProductBody,
} from '../schemas/catalog.schemas.js';

/** Catalog administration: create and change products, set stock. Needs the admin token. */
export const adminCatalogRoutes: FastifyPluginAsyncTypebox<AppDeps & { orders: OrderGateway }> = async (
  app,
  { prisma, config, orders },
) => {
  const tags = ['admin'];

  app.post(
    '/api/admin/products',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Create a product',
        body: CreateProductBody,
        response: { 201: Product, ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { currency = config.currency, ...input } = request.body;
      if (currency !== config.currency) {
        throw new DomainError(ErrorCode.CurrencyNotSupported, `this shop sells in ${config.currency}, not ${currency}`);
      }
      const product = await createProduct(prisma, { ...input, currency });
      return reply.status(201).header('location', `/api/products/${product.id}`).send(product);
    },
  );

  app.patch(
    '/api/admin/products/:id',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Change a product (name, description, price, category, vendor, collections)',
        params: IdParams,
        body: UpdateProductBody,
        response: { 200: Product, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => updateProduct(prisma, request.params.id, request.body),
  );

  app.put(
    '/api/admin/products/:id/inventory',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: "Set a product's stock on hand and restock settings",
        description: 'onHand may not go below the units already reserved by orders (409 stock_below_reserved).',
        params: IdParams,
        body: InventoryInput,
        response: { 200: Inventory, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { increased, ...inventory } = await setInventory(prisma, request.params.id, request.body);
      // More stock: orders waiting for this product try to hold it now, not at their next retry.
      if (increased) await orders.wakeBackorders(request.params.id);
      return inventory;
    },
  );
};
