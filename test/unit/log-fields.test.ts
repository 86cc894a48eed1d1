import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { workflowId } from '../../src/contracts/temporal.js';
import { idsFromRoute, idsFromWorkflowId } from '../../src/observability/log-fields.js';
import { temporalLogRecord } from '../../src/observability/temporal-logger.js';

describe('idsFromWorkflowId', () => {
  it('names the order, cart, SKU or import a workflow is about', () => {
    const id = '3f2a9c1e-4b7d-4e2a-9c1e-4b7d4e2a9c1e';
    expect(idsFromWorkflowId(workflowId.order(id))).toEqual({ orderId: id });
    expect(idsFromWorkflowId(workflowId.cart(id))).toEqual({ cartId: id });
    expect(idsFromWorkflowId(workflowId.restock('APP-000359'))).toEqual({ sku: 'APP-000359' });
    expect(idsFromWorkflowId(workflowId.catalogImport(id))).toEqual({ importId: id });
  });

  it('names nothing for other ids, bare prefixes and non-strings', () => {
    for (const id of ['order-', 'cart-', 'orders-1', 'something-else', '', undefined, 42, null])
      expect(idsFromWorkflowId(id), String(id)).toEqual({});
  });

  it('inverts the id functions for any id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }), (id) => {
        expect(idsFromWorkflowId(workflowId.order(id))).toEqual({ orderId: id });
        expect(idsFromWorkflowId(workflowId.cart(id))).toEqual({ cartId: id });
      }),
    );
  });
});

describe('idsFromRoute', () => {
  it('maps each route param to the id it names', () => {
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ['/api/orders/:id', { id: 'o1' }, { orderId: 'o1' }],
      ['/api/orders/:id/cancel', { id: 'o1' }, { orderId: 'o1' }],
      ['/api/admin/orders/:id/refund', { id: 'o1' }, { orderId: 'o1' }],
      ['/api/carts/:id', { id: 'c1' }, { cartId: 'c1' }],
      ['/api/carts/:id/items/:productId', { id: 'c1', productId: 'p1' }, { cartId: 'c1', productId: 'p1' }],
      ['/cart/:cartId', { cartId: 'c1' }, { cartId: 'c1' }],
      ['/cart/:cartId/productId/:productId', { cartId: 'c1', productId: 'p1' }, { cartId: 'c1', productId: 'p1' }],
      ['/api/products/:id', { id: 'p1' }, { productId: 'p1' }],
      ['/api/admin/products/:id/inventory', { id: 'p1' }, { productId: 'p1' }],
      ['/api/admin/imports/:id', { id: 'i1' }, { importId: 'i1' }],
      ['/simulated-payments/:id/authenticate', { id: 'pi_1' }, { paymentId: 'pi_1' }],
      ['/api/products', {}, {}],
      ['/healthz', {}, {}],
    ];
    for (const [route, params, ids] of cases) expect(idsFromRoute(route, params), route).toEqual(ids);
  });

  it('names nothing for an unmatched request or odd params, and cuts overlong values', () => {
    expect(idsFromRoute(undefined, { id: 'x' })).toEqual({});
    expect(idsFromRoute('/api/orders/:id', null)).toEqual({});
    expect(idsFromRoute('/api/orders/:id', { id: 5 })).toEqual({});
    expect(idsFromRoute('/api/orders/:id', { id: 'x'.repeat(500) }).orderId).toHaveLength(128);
  });
});

describe('temporalLogRecord', () => {
  const execution = { workflowId: 'order-o1', workflowType: 'orderWorkflow', runId: 'r1', namespace: 'default' };

  it('passes workflow and activity lines at any level, with the order named', () => {
    for (const level of ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const) {
      const record = temporalLogRecord({ level, meta: { ...execution, sdkComponent: 'workflow' } });
      expect(record?.level).toBe(level.toLowerCase());
      expect(record?.fields).toMatchObject({ orderId: 'o1', workflowId: 'order-o1', sdkComponent: 'workflow' });
    }
    const activity = temporalLogRecord({
      level: 'DEBUG',
      meta: { workflowId: 'cart-c1', activityType: 'priceCart', sdkComponent: 'worker', taskToken: 'secret' },
    });
    expect(activity?.fields).toMatchObject({ cartId: 'c1', activityType: 'priceCart' });
    // The task token can complete the activity: it is never logged.
    expect(activity?.fields).not.toHaveProperty('taskToken');
  });

  it("keeps the SDK's own lines (no workflow) from WARN up", () => {
    expect(temporalLogRecord({ level: 'INFO', meta: { sdkComponent: 'worker' } })).toBeUndefined();
    expect(temporalLogRecord({ level: 'DEBUG', meta: undefined })).toBeUndefined();
    expect(temporalLogRecord({ level: 'WARN', meta: { sdkComponent: 'core' } })).toEqual({
      level: 'warn',
      fields: { sdkComponent: 'core' },
    });
  });

  it("hands errors to pino's error serializer", () => {
    const error = new Error('boom');
    const record = temporalLogRecord({ level: 'WARN', meta: { ...execution, error } });
    expect(record?.fields.err).toBe(error);
    expect(record?.fields).not.toHaveProperty('error');
  });
});

describe('metrics configuration', () => {
  const load = (env: Record<string, string>) =>
    loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'metrics-config-')), ...env });

  it('serves worker metrics on 127.0.0.1:9464 by default, elsewhere on request, or not at all', () => {
    expect(load({}).metrics).toEqual({ workerAddress: '127.0.0.1:9464', token: undefined });
    expect(load({ WORKER_METRICS_ADDRESS: '0.0.0.0:9100' }).metrics.workerAddress).toBe('0.0.0.0:9100');
    expect(load({ WORKER_METRICS_ADDRESS: 'off' }).metrics.workerAddress).toBeUndefined();
  });

  it('takes a metrics token of 16+ characters and refuses a bad address', () => {
    expect(load({ METRICS_TOKEN: 'a-long-enough-metrics-token' }).metrics.token).toBe('a-long-enough-metrics-token');
    try {
      load({ METRICS_TOKEN: 'short', WORKER_METRICS_ADDRESS: 'nowhere' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
      expect(problems).toMatch(/WORKER_METRICS_ADDRESS: must be host:port/);
      // A secret is never echoed back.
      expect(problems).not.toContain('short');
    }
  });
});
