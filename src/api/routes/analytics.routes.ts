import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { analyticsStatus, funnelBetween, popularItemsOn, vendorBillingFor } from '../../db/analytics.store.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { AppDeps } from '../app.js';
import { adminSecurity, errors } from '../schemas/common.js';

/** A calendar day, years 1000 to 2999 (PostgreSQL has no year 0, and no shop needs it). */
const Day = (description: string) => Type.String({ format: 'date', pattern: '^[12][0-9]{3}-', description });
const VendorId = Type.String({ minLength: 1, maxLength: 100 });
const MAX_FUNNEL_DAYS = 366;
const today = () => new Date().toISOString().slice(0, 10);

const Count = Type.Integer({ minimum: 0 });
const FunnelDay = Type.Object(
  {
    day: Type.String({ format: 'date' }),
    placed: Count,
    paid: Count,
    shipped: Count,
    delivered: Count,
    cancelled: Count,
    cancelledByReason: Type.Record(Type.String(), Count),
  },
  { title: 'FunnelDay' },
);

/**
 * The read side's numbers, from read models the `projector-<name>` workflows build from the
 * journal, exactly once each. Operators only (the admin token).
 */
export const analyticsRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { prisma }) => {
  const tags = ['analytics'];

  app.get(
    '/api/analytics/popular-items',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Units shipped per product on a day (UTC), most first',
        querystring: Type.Object(
          {
            date: Type.Optional(Day('The day (UTC); today when absent')),
            vendorId: Type.Optional(VendorId),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            date: Type.String({ format: 'date' }),
            items: Type.Array(
              Type.Object({ vendorId: Type.String(), productId: Type.String(), name: Type.String(), quantity: Count }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const day = request.query.date ?? today();
      const items = await popularItemsOn(prisma, { ...request.query, day, limit: request.query.limit ?? 10 });
      return { date: day, items };
    },
  );

  app.get(
    '/api/analytics/vendor-billing',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'What each vendor is owed for a month: captured minus refunded, in cents, per currency',
        description:
          'Captured amounts count in the month their goods shipped, refunds in the month they were refunded. A refund is split among the order’s vendors in proportion to what of each one’s captured amount is not yet refunded (to the cent, largest remainder).',
        querystring: Type.Object(
          {
            vendorId: Type.Optional(VendorId),
            year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999, description: 'This year when absent' })),
            month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'This month when absent' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                vendorId: Type.String(),
                month: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' }),
                currency: Type.String(),
                capturedCents: Type.Integer(),
                refundedCents: Type.Integer(),
                netCents: Type.Integer(),
              }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const now = new Date();
      const { vendorId, year = now.getUTCFullYear(), month = now.getUTCMonth() + 1 } = request.query;
      return { items: await vendorBillingFor(prisma, { vendorId, year, month }) };
    },
  );

  app.get(
    '/api/analytics/funnel',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Orders placed, paid, shipped, delivered and cancelled (by reason) per day',
        description: `Each order counts on the day (UTC) it reached the stage. At most ${MAX_FUNNEL_DAYS} days (422 invalid_date_range).`,
        querystring: Type.Object(
          { from: Day('First day (UTC)'), to: Type.Optional(Day('Last day, inclusive; today when absent')) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ days: Type.Array(FunnelDay) }),
          ...errors(400, 401, 403, 422),
        },
      },
    },
    async (request) => {
      const { from, to = today() } = request.query;
      const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (span < 0 || span >= MAX_FUNNEL_DAYS)
        throw new DomainError(
          ErrorCode.InvalidDateRange,
          `from must not be after to, and at most ${MAX_FUNNEL_DAYS} days`,
          {
            fields: ['from', 'to'],
          },
        );
      return { days: await funnelBetween(prisma, from, to) };
    },
  );

  app.get(
    '/api/analytics/status',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: "Each journal follower's position next to the journal's head: lag in events and seconds",
        response: {
          200: Type.Object({
            journal: Type.Object({
              headSeq: Type.Union([Type.String(), Type.Null()]),
              events: Count,
              latestAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
            drains: Type.Array(
              Type.Object({
                name: Type.String(),
                position: Type.Union([Type.Object({ txId: Type.String(), seq: Type.String() }), Type.Null()]),
                eventsApplied: Count,
                updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                lagEvents: Count,
                lagSeconds: Count,
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => analyticsStatus(prisma),
  );
};
