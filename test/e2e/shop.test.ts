import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type Shopper, type TestStack } from '../helpers/app.js';
import { freePort } from '../../src/dev/ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const usd = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

/** `npm run shop`, as a child process reading commands from a pipe. */
function startShop(env: Record<string, string>): ChildProcessWithoutNullStreams & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/shop.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return Object.assign(child, { output: () => stdout });
}

/** Runs a whole script through the CLI and waits for it to exit. */
async function shop(lines: string[], env: Record<string, string>) {
  const child = startShop(env);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(`${lines.join('\n')}\n`);
  return { code: await code, stdout: child.output(), stderr };
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

interface Member {
  cartId?: string;
  cookie?: string;
  tokens: Record<string, string>;
}
const readMembers = async (dataDir: string): Promise<Record<string, Member>> =>
  JSON.parse(await readFile(path.join(dataDir, 'shop-members.json'), 'utf8'));
/** Calls the API as the CLI's member does: their guest session, their orders' tokens. */
const asMember = (m: Member): Shopper => ({
  cookies: new Map(m.cookie ? [[m.cookie.split('=')[0]!, m.cookie.slice(m.cookie.indexOf('=') + 1)]] : []),
  tokens: new Map(Object.entries(m.tokens)),
});

describe('npm run shop, scripted through stdin', () => {
  let stack: TestStack;
  let dataDir: string;
  /** The seed's "Canvas Tote Bag" products: one name, several colours. */
  let totes: { id: string; sku: string; name: string }[];
  let socks: { id: string; sku: string; name: string };

  beforeAll(async () => {
    stack = await startTestStack();
    dataDir = await mkdtemp(path.join(tmpdir(), 'shop-cli-'));
    totes = (await stack.http('/api/products?q=canvas%20tote&limit=20')).body.items;
    expect(totes.length).toBeGreaterThanOrEqual(2);
    [socks] = (await stack.http('/api/products?q=socks&inStock=true&limit=1')).body.items;
    expect(socks).toBeDefined();
  });
  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const run = (lines: string[]) => shop(lines, { API_URL: stack.url, DATA_DIR: dataDir });

  it('changes member, adds by name and by SKU, lists ambiguous names, adjusts, removes and shows the cart', async () => {
    const [a, b] = totes as [(typeof totes)[0], (typeof totes)[0]];
    const { code, stdout, stderr } = await run([
      'cart',
      'change-member calvin',
      'current-member',
      `add ${a.name.toLowerCase()}`,
      `add ${b.sku} 3`,
      'add canvas tote bag',
      'products canvas tote',
      `ADJUST ${a.name} 4`,
      `adjust ${b.sku.toLowerCase()} -1`,
      `add ${socks.name}`,
      `remove ${socks.sku}`,
      'adjust orange x',
      'frobnicate',
      'cart',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/^\s+at /m);

    const calvin = (await readMembers(dataDir)).calvin!;
    const cartId = calvin.cartId!;
    expect(cartId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Each member shops in a guest session of their own: nobody else reaches the cart.
    expect((await stack.http(`/api/carts/${cartId}`)).status).toBe(404);
    const cart = (await stack.http(`/api/carts/${cartId}`, { as: asMember(calvin) })).body;
    expect(cart).toMatchObject({ customerId: null, status: 'active', itemCount: 7 });
    expect(cart.lines.map((l: any) => [l.sku, l.quantity])).toEqual([
      [a.sku, 5],
      [b.sku, 2],
    ]);

    const out = stdout.split('\n');
    let at = 0;
    /** Asserts that the next output lines (in order, others may come between) contain each text. */
    const next = (...texts: string[]) => {
      for (const text of texts) {
        const found = out.findIndex((line, i) => i >= at && line.includes(text));
        expect(found, `"${text}" after line ${at} of:\n${stdout}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    };
    next('choose a member first: change-member NAME');
    next(`Started a new cart for calvin: ${cartId}`, `Now shopping as calvin (cart ${cartId}: 0 items`);
    next(`Member calvin, cart ${cartId}`);
    next(`Added 1 x ${a.name} (${a.sku})`, `Added 3 x ${b.name} (${b.sku})`);
    next('canvas tote bag is ambiguous:', ...totes.map((t) => t.sku), 'Use the SKU to pick one.');
    for (const t of totes) expect(out.some((line) => line.includes(t.name) && line.includes(t.sku))).toBe(true);
    next(...totes.map((t) => t.sku));
    next(`${a.name} (${a.sku}): 5 in the cart`, `${b.name} (${b.sku}): 2 in the cart`);
    next(`Added 1 x ${socks.name} (${socks.sku})`, `Removed ${socks.name} (${socks.sku})`);
    next('usage: adjust ITEM N');
    next('unknown command "frobnicate"; type help for the commands');
    next(`calvin's cart ${cartId}:`, a.name, b.name, `7 items, total ${usd(cart.totalCents)}`);
    expect(stdout.slice(stdout.lastIndexOf(`calvin's cart ${cartId}:`))).not.toContain(socks.sku);
  });

  it('a second run with the same DATA_DIR and member goes on with the same cart', async () => {
    const calvin = (await readMembers(dataDir)).calvin!;
    const cartId = calvin.cartId!;
    const cart = (await stack.http(`/api/carts/${cartId}`, { as: asMember(calvin) })).body;
    const { code, stdout } = await run(['Change-Member calvin', 'current-member', 'cart']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('Started a new cart');
    expect(stdout).toContain(`Now shopping as calvin (cart ${cartId}: 7 items, total ${usd(cart.totalCents)})`);
    expect(stdout).toContain(`Member calvin, cart ${cartId}`);
    expect(stdout).toContain(`7 items, total ${usd(cart.totalCents)}`);
    expect((await readMembers(dataDir)).calvin!.cartId).toBe(cartId);
  });

  it('gives a member whose cart is gone a new one, and keeps the other members', async () => {
    const calvin = (await readMembers(dataDir)).calvin!;
    const lost = randomUUID();
    await writeFile(
      path.join(dataDir, 'shop-members.json'),
      JSON.stringify({ calvin, ghost: { cartId: lost, tokens: {} } }),
    );
    const { code, stdout } = await run(['change-member ghost', 'current-member']);
    expect(code).toBe(0);
    const members = await readMembers(dataDir);
    expect(members.calvin).toEqual(calvin);
    const ghost = members.ghost!;
    expect(ghost.cartId).not.toBe(lost);
    expect(ghost.cookie).not.toBe(calvin.cookie);
    expect(stdout).toContain(`ghost's cart ${lost} no longer exists; started a new cart ${ghost.cartId}`);
    expect(stdout).toContain(`Member ghost, cart ${ghost.cartId}`);
    expect((await stack.http(`/api/carts/${ghost.cartId}`, { as: asMember(ghost) })).body).toMatchObject({
      status: 'active',
    });
  });

  it('checks out into an order, shows it with `order`, and starts a new cart next', async () => {
    const cartId = (await readMembers(dataDir)).calvin!.cartId!;
    const { code, stdout, stderr } = await run([
      'change-member calvin',
      'checkout calvin@example.com pm_card_visa',
      'order',
      'checkout x',
      'cart',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const calvin = (await readMembers(dataDir)).calvin!;
    const cart = (await stack.http(`/api/carts/${cartId}`, { as: asMember(calvin) })).body;
    expect(cart.status).toBe('checked_out');
    expect(stdout).toContain(`Checked out: order ${cart.orderId} is placed (${stack.url}/api/orders/${cart.orderId})`);
    expect(stdout).toContain(`Order ${cart.orderId}: `);
    expect(stdout).toContain('Order placed: 2 line(s)');
    expect(stdout).toContain('usage: checkout [EMAIL] [PAYMENT_METHOD]');
    const next = calvin.cartId;
    expect(next).not.toBe(cartId);
    expect(stdout).toContain(`Started a new cart for calvin: ${next}`);
    // The order is the member's: its token is kept with their session, and nobody else sees it.
    expect(calvin.tokens[cart.orderId]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stack.http(`/api/orders/${cart.orderId}`)).status).toBe(404);
    const order = (await stack.http(`/api/orders/${cart.orderId}`, { as: asMember(calvin) })).body;
    expect(order).toMatchObject({
      email: 'calvin@example.com',
      cartId,
      shippingAddress: { name: 'calvin', country: 'US' },
    });
  });

  it('says so when the API is unreachable, carries on, and stops reading at quit', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await shop(['change-member calvin', 'cart', 'help', 'quit', 'current-member'], {
      API_URL: url,
      DATA_DIR: dataDir,
    });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(
      stdout.split('\n').filter((l) => l === `cannot reach the API at ${url} (is \`npm start\` running?)`),
    ).toHaveLength(2);
    expect(stdout).toContain('change-member NAME');
    expect(stdout).not.toContain('Member calvin');
  });
});

describe('npm run shop, when a cart closes during the session', () => {
  let stack: TestStack;
  let dataDir: string;

  beforeAll(async () => {
    stack = await startTestStack({ CART_ABANDON_AFTER: '2s' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'shop-cli-'));
  });
  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a new cart for the member, says so, and makes the change there', async () => {
    const [product] = (await stack.http('/api/products?inStock=true&limit=1')).body.items;
    const child = startShop({ API_URL: stack.url, DATA_DIR: dataDir });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waitFor = (text: string) =>
      until(
        `"${text}"`,
        async () => child.output(),
        (out) => out.includes(text),
      );

    child.stdin.write(`change-member ada\nadd ${product.sku}\n`);
    await waitFor(`Added 1 x ${product.name}`);
    const ada = (await readMembers(dataDir)).ada!;
    const first = ada.cartId!;
    await until(
      'the cart to be abandoned',
      async () => (await stack.http(`/api/carts/${first}`, { as: asMember(ada) })).body.status,
      (s) => s === 'abandoned',
    );

    child.stdin.end(`add ${product.sku} 2\ncart\n`);
    expect(await exited).toBe(0);
    const second = (await readMembers(dataDir)).ada!.cartId!;
    expect(second).not.toBe(first);
    expect(child.output()).toContain(`ada's cart ${first} is abandoned; started a new cart ${second}`);
    expect(child.output()).toContain(`Added 2 x ${product.name}`);
    expect((await stack.http(`/api/carts/${second}`, { as: asMember(ada) })).body).toMatchObject({
      status: 'active',
      itemCount: 2,
    });
  });
});
