/**
 * Personal data in Temporal: what the server stores (and its Web UI shows to anyone who can open
 * it) is ciphertext; operators find orders by a keyed hash of the e-mail; an operator's Web UI
 * decodes through the codec endpoint; replay works with the key and not without it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { emailSearchHash, encryptingDataConverter } from '../../src/codec/data-converter.js';
import { newCodecKeyEntry, parseCodecKeys } from '../../src/codec/encryption-codec.js';
import { replayHistory } from '../../src/replay/replayer.js';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../helpers/app.js';
import { address, newCart, productsInStock, waitForOrder } from '../helpers/orders.js';

// @temporalio/proto is CommonJS: its namespaces come from its default export under Node's ESM.
const { temporal } = proto;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const home = { ...address, name: 'Grace Hopper', line1: '7 Cobol Lane' };
const secrets = ['grace.hopper@example.com', 'Grace Hopper', 'Cobol Lane'];

/** Everything the server keeps of a workflow run, as bytes: payloads, search attributes, metadata. */
async function storedBytes(workflowId: string): Promise<Buffer> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/** The encoding of every payload in a run's history. */
async function payloadEncodings(workflowId: string): Promise<string[]> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    bytes: String,
  });
  const found: string[] = [];
  const walk = (value: unknown, key = ''): void => {
    // Search attributes are indexed in clear; a patch marker's data is the patch's id, written by the SDK.
    if (key === 'searchAttributes' || key === 'patch-data' || value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, string> | undefined;
    if (metadata?.encoding && 'data' in record) found.push(Buffer.from(metadata.encoding, 'base64').toString());
    else for (const [k, v] of Object.entries(record)) walk(v, k);
  };
  walk(json);
  return found;
}

async function placeBoth(): Promise<{ direct: string; fromCart: string; cartId: string }> {
  const [a, b] = await productsInStock(stack, 2);
  const placed = await stack.http('/api/orders', {
    method: 'POST',
    json: {
      lines: [{ productId: a!.id, quantity: 1 }],
      email: secrets[0],
      shippingAddress: home,
      paymentMethod: 'pm_card_visa',
    },
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  const cartId = await newCart(stack);
  expect(
    (await stack.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: b!.id, quantity: 1 } }))
      .status,
  ).toBe(200);
  const checkout = await stack.http(`/api/carts/${cartId}/checkout`, {
    method: 'POST',
    json: { email: secrets[0], shippingAddress: home, paymentMethod: 'pm_card_visa' },
  });
  expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
  const direct = placed.body.orderId as string;
  const fromCart = checkout.body.orderId as string;
  for (const id of [direct, fromCart]) await waitForOrder(stack, id, (o) => o.payment.step === 'authorized');
  return { direct, fromCart, cartId };
}

let orders: Awaited<ReturnType<typeof placeBoth>>;
beforeAll(async () => {
  orders = await placeBoth();
}, 60_000);

describe('what Temporal stores', () => {
  it('holds no e-mail, name or address in clear for orders placed either way, nor for the cart', async () => {
    for (const id of [`order-${orders.direct}`, `order-${orders.fromCart}`, `cart-${orders.cartId}`]) {
      const bytes = await storedBytes(id);
      expect(bytes.length, id).toBeGreaterThan(1_000);
      for (const secret of secrets) expect(bytes.includes(secret), `${id} holds "${secret}"`).toBe(false);
      const encodings = await payloadEncodings(id);
      expect(encodings.length, id).toBeGreaterThan(5);
      expect(new Set(encodings), `${id}: every payload encrypted`).toEqual(new Set(['binary/encrypted']));
    }
  });

  it('finds an order by the keyed hash of its e-mail, never by the address itself', async () => {
    const hash = emailSearchHash(stack.config.security.emailHashSecret, 'Grace.Hopper@example.com');
    for (const id of [orders.direct, orders.fromCart]) {
      const described = await stack.client.workflow.getHandle(`order-${id}`).describe();
      expect(described.searchAttributes.CustomerEmailHash, id).toEqual([hash]);
      expect(described.searchAttributes.CustomerEmail, id).toBeUndefined();
    }
    // Visibility catches up in a moment.
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length < 2; i++) {
      found = [];
      for await (const wf of stack.client.workflow.list({ query: `CustomerEmailHash = "${hash}"` }))
        found.push(wf.workflowId);
      if (found.length < 2) await sleep(200);
    }
    expect(found.sort()).toEqual([`order-${orders.direct}`, `order-${orders.fromCart}`].sort());
  });

  it('still answers the order in clear to its customer through the API', async () => {
    const order = await stack.http(`/api/orders/${orders.direct}`);
    expect(order.body).toMatchObject({ email: secrets[0], shippingAddress: { line1: home.line1 } });
  });
});

describe('the codec endpoint', () => {
  /** The first payload of the order's start event, as the Web UI sends it: proto3 JSON. */
  async function startPayloads(orderId: string) {
    const history = await stack.client.workflow.getHandle(`order-${orderId}`).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!;
    return temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.fromObject(input), {
      bytes: String,
    });
  }
  const decode = (body: unknown, headers: Record<string, string> = {}) =>
    stack.http('/codec/decode', { method: 'POST', json: body, headers: { 'x-namespace': 'default', ...headers } });
  const plain = (payload: { data?: string }) => Buffer.from(payload.data ?? '', 'base64').toString('utf8');

  it('decodes for an operator with the admin token, and for nobody else', async () => {
    const body = await startPayloads(orders.direct);
    expect((await decode(body)).status).toBe(401);
    expect((await decode(body, { authorization: 'Bearer not-the-token' })).status).toBe(403);
    const res = await decode(body, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(plain(res.body.payloads[0])).toContain(secrets[0]);
  });

  it('decodes for a browser with an operator session, which a wrong token cannot open', async () => {
    const body = await startPayloads(orders.fromCart);
    const operator = stack.shopper();
    const wrong = await stack.http('/api/operator/session', {
      method: 'POST',
      json: { adminToken: 'guess' },
      as: operator,
    });
    expect(wrong.status).toBe(403);
    expect((await stack.http('/codec/decode', { method: 'POST', json: body, as: operator })).status).toBe(401);
    const opened = await stack.http('/api/operator/session', {
      method: 'POST',
      json: { adminToken: TEST_ADMIN_TOKEN },
      as: operator,
    });
    expect(opened.status).toBe(204);
    const res = await stack.http('/codec/decode', { method: 'POST', json: body, as: operator });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(plain(res.body.payloads[0])).toContain('Cobol Lane');
    expect((await stack.http('/api/operator/session', { method: 'DELETE', as: operator })).status).toBe(204);
    expect((await stack.http('/codec/decode', { method: 'POST', json: body, as: operator })).status).toBe(401);
  });

  it('round-trips encode and decode, and says which key it lacks', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const value = {
      payloads: [
        {
          metadata: { encoding: Buffer.from('json/plain').toString('base64') },
          data: Buffer.from('"hi"').toString('base64'),
        },
      ],
    };
    const sealed = await stack.http('/codec/encode', { method: 'POST', json: value, headers: admin });
    expect(sealed.status).toBe(200);
    expect(Buffer.from(sealed.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const opened = await decode(sealed.body, admin);
    expect(opened.body).toEqual(value);

    const foreign = encryptingDataConverter(parseCodecKeys(newCodecKeyEntry('elsewhere')).keys);
    const [other] = await foreign.payloadCodecs![0]!.encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') },
    ]);
    const wire = temporal.api.common.v1.Payloads.toObject(
      temporal.api.common.v1.Payloads.fromObject({ payloads: [other!] }),
      { bytes: String },
    );
    const refused = await decode(wire, admin);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'payload_undecodable' });
    expect(refused.body.error.message).toContain('"elsewhere"');
    const garbage = await decode({ payloads: [{ data: 'not base64!' }] }, admin);
    expect(garbage.status).toBe(400);
  });

  it("answers the Temporal Web UI's origin with credentials, and no other origin", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight('http://localhost:8233');
    expect(ui.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // The storefront's own API stays same-origin only.
    const api = await fetch(`${stack.url}/api/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
    });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('replay', () => {
  it('replays an encrypted history with the key, and fails without it', async () => {
    const workflowId = `order-${orders.direct}`;
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const item = { source: 'server', workflowId, runId: undefined, workflowType: 'orderWorkflow', history };
    const bundle = { codePath: inject('workflowBundlePath') };
    const withKey = await replayHistory(item, bundle, encryptingDataConverter(stack.config.security.payloadKeys));
    expect(withKey.status, withKey.reason).toBe('ok');
    const without = await replayHistory(item, bundle);
    expect(without.status).toBe('error');
    expect(without.reason).toMatch(/binary\/encrypted/);
  });

  it('a client without the key cannot read an order', async () => {
    const blind = new Client({ connection: stack.client.connection });
    await expect(blind.workflow.getHandle(`order-${orders.direct}`).query('getOrder')).rejects.toThrow(
      /encoding|binary\/encrypted/i,
    );
  });
});
