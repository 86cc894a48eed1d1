import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getProduct, listFacets, listProducts } from '../../db/catalog.store.js';
import { DEFAULT_PAGE_SIZE } from '../../domain/catalog.js';
import type { AppDeps } from '../app.js';
import { errors, IdParams } from '../schemas/common.js';
import { Facets, Product, ProductList, ProductListQuery } from '../schemas/catalog.schemas.js';

/** The public catalog: products with live stock, sorted, filtered and paged; and the filter facets. */
export const catalogRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { prisma, config }) => {
  app.get(
    '/api/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List products',
        description:
          'Sort with `sort`, filter with the other parameters, page with `limit` and the `nextCursor` of the previous page.',
        querystring: ProductListQuery,
        response: { 200: ProductList, ...errors(400, 422) },
      },
    },
    async (request) => {
      const { sort = 'newest', limit = DEFAULT_PAGE_SIZE, ...filter } = request.query;
      const page = await listProducts(prisma, { ...filter, sort, limit });
      return { ...page, limit };
    },
  );

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Get a product',
        params: IdParams,
        response: { 200: Product, ...errors(404) },
      },
    },
    async (request) => getProduct(prisma, request.params.id),
  );

  app.get(
    '/api/catalog/facets',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Categories, collections and vendors to filter by',
        response: { 200: Facets },
      },
    },
    async () => ({ currency: config.currency, ...(await listFacets(prisma)) }),
  );
};
