import type { BuyerCaps } from '../domain/order-caps.js';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CartState, CartTimeouts, CartView, Pricing } from '../domain/cart.js';
import type { LedgerEntry } from '../domain/idempotency.js';
import type { PlacedLine, ShippingAddress } from '../domain/order.js';
import type { OrderPolicy } from './order.contract.js';

/** Everything a cart workflow starts from; `carried` is set only when a run continues as new. */
export interface CartWorkflowInput {
  cartId: string;
  currency: string;
  customerId?: string | null;
  email?: string | null;
  timeouts: CartTimeouts;
  /** A read re-prices the cart when its last pricing is older than this. */
  repriceAfterMs: number;
  /** Continue as new after this many updates in one run (Temporal allows 2,000). */
  maxUpdatesPerRun: number;
  carried?: { state: CartState; ledger: LedgerEntry[]; runs: number };
}

interface Keyed {
  /** The client's Idempotency-Key: the same key applies the change once, whatever the retries. */
  idempotencyKey?: string;
}

interface Priced {
  /**
   * Catalog data for the product the change touches (none for remove and clear), read by the API
   * from the catalog, never taken from the client: the cart applies the change with it, in the
   * workflow task that accepted it. Absent in changes from before the API priced them: the cart
   * then looks every line up in the catalog itself, through an activity.
   */
  priced?: Pricing;
}

export type AddItemArgs = Keyed & Priced & { productId: string; quantity: number };
export type SetQuantityArgs = Keyed & Priced & { productId: string; quantity: number };
export type AdjustQuantityArgs = Keyed & Priced & { productId: string; delta: number };
export type RemoveItemArgs = Keyed & Priced & { productId: string };
export type ClearCartArgs = Keyed & Priced;

// Wire names: once released they never change, or recorded histories stop replaying.
export const addItemUpdate = defineUpdate<CartView, [AddItemArgs]>('addItem');
export const setQuantityUpdate = defineUpdate<CartView, [SetQuantityArgs]>('setQuantity');
export const adjustQuantityUpdate = defineUpdate<CartView, [AdjustQuantityArgs]>('adjustQuantity');
export const removeItemUpdate = defineUpdate<CartView, [RemoveItemArgs]>('removeItem');
export const clearCartUpdate = defineUpdate<CartView, [ClearCartArgs]>('clearCart');
/** Re-prices every line from the catalog without counting as customer activity. */
export const refreshPricesUpdate = defineUpdate<CartView, []>('refreshPrices');
export const getCartQuery = defineQuery<CartView>('getCart');

export interface CheckoutArgs {
  email: string;
  shippingAddress: ShippingAddress;
  paymentMethod?: string | null;
  policy: OrderPolicy;
  /** Made by the API from a cryptographic source (older checkouts: the workflow's seeded uuid4()). */
  orderId?: string;
  /** The signed-in customer checking out, or null for a guest; absent: the cart's own. */
  customerId?: string | null;
  /** The keyed hash of `email` the order is found by (see emailSearchHash); the workflow cannot key it. */
  emailHash?: string;
  /**
   * The shop's order caps and what this buyer ordered in the last 24 hours: the cart checks its own
   * lines against them before it starts an order (absent: checked by an older API before sending).
   */
  caps?: BuyerCaps;
}

/** Turns the cart into an order (a child workflow that outlives the cart) and closes the cart. */
/** What a checkout answers: the order, and (when this checkout placed it) what it was placed with. */
export interface CheckoutResult {
  orderId: string;
  /** Present when this very checkout placed the order (not when it answers with an earlier one). */
  placed?: {
    customerId: string | null;
    lines: PlacedLine[];
  };
}

export const checkoutUpdate = defineUpdate<CheckoutResult, [CheckoutArgs]>('checkout');
