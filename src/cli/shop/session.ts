/** Carries out shop CLI commands against the API for the member currently chosen. */
import type { CartView } from '../../domain/cart.js';
import type { ProductView } from '../../domain/catalog.js';
import type { ShippingAddress } from '../../domain/order.js';
import { ApiError, ApiUnreachableError, type CheckoutAccepted, type ShopApi } from './api-client.js';
import { HELP, type ShopCommand } from './commands.js';
import { cartSummary, formatCart, formatOrder, formatProducts } from './format.js';
import type { MemberCarts } from './member-carts.js';

/** How many products `products` and an ambiguous ITEM list at most. */
const LIST_LIMIT = 20;

const CHOOSE_MEMBER = 'choose a member first: change-member NAME';

/** The commands a session runs; leaving is the input loop's business. */
export type SessionCommand = Exclude<ShopCommand, { kind: 'quit' }>;

/** How a failure reads after "Could not …". */
const VERB: Record<SessionCommand['kind'], string> = {
  'change-member': 'change member',
  'current-member': 'show the member',
  add: 'add',
  remove: 'remove',
  adjust: 'adjust',
  checkout: 'check out',
  order: 'show the order',
  products: 'list products',
  cart: 'show the cart',
  help: 'show help',
};

// Words as a SKU may be spelled (CreateProductBody.sku): other input is not worth a SKU lookup.
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A cart that can no longer be used: it was closed (checked out, abandoned) or never existed. */
function goneReason(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  if (err.code === 'cart_not_found') return 'no longer exists';
  if (err.code !== 'cart_closed') return undefined;
  const status = (err.details as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' ? `is ${status.replace('_', ' ')}` : 'is closed';
}

/** One user's session: the member chosen, and the commands run on their cart. */
export class ShopSession {
  private member: string | undefined;

  /** Each member's last order in this session, for `order`. */
  private readonly lastOrder = new Map<string, string>();

  constructor(
    private readonly api: ShopApi,
    private readonly members: MemberCarts,
    private readonly print: (text: string) => void,
    private readonly shippingAddress?: ShippingAddress,
  ) {}

  /** The prompt for interactive use, naming the member. */
  get prompt(): string {
    return this.member ? `shop (${this.member})> ` : 'shop> ';
  }

  /** Runs one command; failures are printed in words, never thrown, so the next line still runs. */
  async run(command: SessionCommand): Promise<void> {
    // Each member shops in a guest session of their own, kept between runs.
    const member = command.kind === 'change-member' ? command.member : this.member;
    try {
      this.api.jar = member ? await this.members.jar(member) : { tokens: {} };
      await this.dispatch(command);
    } catch (err) {
      if (err instanceof ApiUnreachableError) this.print(err.message);
      else this.print(`Could not ${VERB[command.kind]}: ${(err as Error).message}`);
    } finally {
      if (member) await this.members.saveJar(member, this.api.jar).catch(() => undefined);
    }
  }

  private async dispatch(command: SessionCommand): Promise<void> {
    switch (command.kind) {
      case 'help':
        return this.print(HELP);
      case 'change-member':
        return this.changeMember(command.member);
      case 'current-member':
        return this.currentMember();
      case 'products':
        return this.products(command.text);
      case 'order':
        return this.order(command.orderId);
    }
    // Everything below works on the member's cart.
    const member = this.member;
    if (member === undefined) return this.print(CHOOSE_MEMBER);
    switch (command.kind) {
      case 'cart':
        return this.print(formatCart(member, await this.activeCart(member)));
      case 'add':
        return this.add(member, command.item, command.quantity);
      case 'remove':
        return this.remove(member, command.item);
      case 'adjust':
        return this.adjust(member, command.item, command.delta);
      case 'checkout':
        return this.checkout(member, command.email, command.paymentMethod);
    }
  }

  private async changeMember(member: string) {
    // Switch first: if the API is down, the member's next command tries again.
    this.member = member;
    const cart = await this.activeCart(member);
    this.print(`Now shopping as ${member} (cart ${cart.id}: ${cartSummary(cart)})`);
  }

  private async currentMember() {
    if (this.member === undefined) return this.print(`No member chosen; ${CHOOSE_MEMBER}`);
    const cartId = await this.members.get(this.member);
    this.print(`Member ${this.member}, ${cartId ? `cart ${cartId}` : 'no cart yet (the next command starts one)'}`);
  }

  private async products(text: string) {
    const page = await this.api.products({ q: text || undefined, limit: LIST_LIMIT });
    if (page.items.length === 0) return this.print(text ? `No product matches "${text}"` : 'The catalog is empty');
    this.print(formatProducts(page.items).join('\n'));
    if (page.nextCursor) this.print(`(more than ${LIST_LIMIT}; narrow it down with products TEXT)`);
  }

  private async add(member: string, item: string, quantity: number) {
    const product = await this.resolve(item);
    if (!product) return;
    const cart = await this.onCart(member, (cartId) => this.api.addItem(cartId, product.id, quantity));
    const line = cart.lines.find((l) => l.productId === product.id);
    const stock = line?.outOfStock
      ? ' (out of stock)'
      : line?.insufficientStock
        ? ` (only ${line.available} available)`
        : '';
    this.print(`Added ${quantity} x ${label(product)}${stock}. Cart: ${cartSummary(cart)}`);
  }

  private async remove(member: string, item: string) {
    const product = await this.resolve(item);
    if (!product) return;
    const cart = await this.onCart(member, (cartId) => this.api.removeItem(cartId, product.id));
    this.print(`Removed ${label(product)}. Cart: ${cartSummary(cart)}`);
  }

  private async adjust(member: string, item: string, delta: number) {
    const product = await this.resolve(item);
    if (!product) return;
    let cart: CartView;
    try {
      cart = await this.onCart(member, (cartId) => this.api.adjustItem(cartId, product.id, delta));
    } catch (err) {
      // The API names the product by its UUID; the user knows it by name.
      if (err instanceof ApiError && err.code === 'line_not_found')
        return this.print(`Could not adjust: ${label(product)} is not in the cart`);
      throw err;
    }
    const line = cart.lines.find((l) => l.productId === product.id);
    this.print(
      `${line ? `${label(product)}: ${line.quantity} in the cart` : `Removed ${label(product)}`}. Cart: ${cartSummary(cart)}`,
    );
  }

  private async checkout(member: string, email: string | undefined, paymentMethod: string | undefined) {
    const cartId = await this.cartIdOf(member);
    let order: CheckoutAccepted;
    try {
      order = await this.api.checkout(cartId, {
        email:
          email ??
          `${
            member
              .toLowerCase()
              .replace(/[^a-z0-9._-]+/g, '.')
              .replace(/^\.+|\.+$/g, '') || 'shopper'
          }@example.com`,
        shippingAddress: this.address(member),
        paymentMethod: paymentMethod ?? 'pm_card_visa',
      });
    } catch (err) {
      const reason = goneReason(err);
      if (reason === undefined) throw err;
      // Replaced, but not checked out: an empty new cart is not what the member meant to buy.
      await this.newCart(member, { cartId, reason });
      return;
    }
    await this.members.forget(member);
    this.lastOrder.set(member, order.orderId);
    const base = this.api.baseUrl;
    // The order is placed by now: a statusUrl that is not a URL must not turn this into a failure.
    const statusUrl = URL.canParse(order.statusUrl, base) ? new URL(order.statusUrl, base).href : order.statusUrl;
    this.print(`Checked out: order ${order.orderId} is ${order.status} (${statusUrl})`);
    this.print(`${member}'s next command starts a new cart.`);
  }

  /** The shipping address: SHOP_ADDRESS (JSON), or a demo address in the member's name. */
  private address(member: string): ShippingAddress {
    return (
      this.shippingAddress ?? {
        name: member,
        line1: '1 Demo Street',
        city: 'Springfield',
        postalCode: '12345',
        country: 'US',
      }
    );
  }

  private async order(orderId: string | undefined) {
    const id = orderId ?? (this.member ? this.lastOrder.get(this.member) : undefined);
    if (!id) return this.print('No order yet in this session: order ORDER_ID shows any order');
    this.print(formatOrder(await this.api.order(id)));
  }

  /**
   * The product ITEM names: an exact SKU, else a product named exactly ITEM, else the only product
   * whose name or description contains ITEM. Otherwise says why not and returns undefined.
   */
  private async resolve(item: string): Promise<ProductView | undefined> {
    // Both filters are exact and case-insensitive, so `app-000378` finds APP-000378.
    if (SKU.test(item)) {
      const [bySku] = (await this.api.products({ sku: item, limit: 2 })).items;
      if (bySku) return bySku;
    }
    const [byName] = (await this.api.products({ name: item, limit: 2 })).items;
    if (byName) return byName;
    const page = await this.api.products({ q: item, limit: LIST_LIMIT });
    if (page.items.length === 1 && !page.nextCursor) return page.items[0];
    if (page.items.length === 0) {
      this.print(`No product matches "${item}"; see products TEXT`);
      return undefined;
    }
    this.print(`${item} is ambiguous:`);
    this.print(formatProducts(page.items).join('\n'));
    this.print(page.nextCursor ? `(and more; use more words, or the SKU)` : 'Use the SKU to pick one.');
    return undefined;
  }

  /** The member's cart, started when they have none; a closed or missing cart is replaced. */
  private async activeCart(member: string): Promise<CartView> {
    const cartId = await this.members.get(member);
    if (cartId === undefined) return this.newCart(member);
    let cart: CartView;
    try {
      cart = await this.api.getCart(cartId);
    } catch (err) {
      const reason = goneReason(err);
      if (reason === undefined) throw err;
      return this.newCart(member, { cartId, reason });
    }
    // Reading a closed cart succeeds (it shows how it ended); only an active one takes changes.
    if (cart.status === 'active') return cart;
    return this.newCart(member, { cartId, reason: `is ${cart.status.replace('_', ' ')}` });
  }

  /**
   * Runs a change on the member's cart. If the cart turns out closed or missing, the member gets a
   * new one and the change is made there instead.
   */
  private async onCart<T>(member: string, change: (cartId: string) => Promise<T>): Promise<T> {
    const cartId = await this.cartIdOf(member);
    try {
      return await change(cartId);
    } catch (err) {
      const reason = goneReason(err);
      if (reason === undefined) throw err;
      return change((await this.newCart(member, { cartId, reason })).id);
    }
  }

  private async cartIdOf(member: string): Promise<string> {
    return (await this.members.get(member)) ?? (await this.newCart(member)).id;
  }

  private async newCart(member: string, replacing?: { cartId: string; reason: string }): Promise<CartView> {
    const cart = await this.api.createCart();
    await this.members.set(member, cart.id);
    this.print(
      replacing
        ? `${member}'s cart ${replacing.cartId} ${replacing.reason}; started a new cart ${cart.id}`
        : `Started a new cart for ${member}: ${cart.id}`,
    );
    return cart;
  }
}

const label = (p: ProductView) => `${p.name} (${p.sku})`;
