import { formatDuration } from '../../domain/duration.js';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import type { SearchAttributePair, UpdateDefinition } from '@temporalio/common';
import { emailSearchHash } from '../../codec/data-converter.js';
import type { Config } from '../../config.js';
import {
  addItemUpdate,
  checkoutUpdate,
  getCartQuery,
  refreshPricesUpdate,
  type AddItemArgs,
  type CartWorkflowInput,
  type CheckoutArgs,
  type CheckoutResult,
} from '../../contracts/cart.contract.js';
import { CartItemCount, CartStatus, CustomerId } from '../../contracts/search-attributes.js';
import { WorkflowType, workflowId } from '../../contracts/temporal.js';
import type { CartView, CatalogItem, Pricing } from '../../domain/cart.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { domainErrorOf, unavailableFor } from '../temporal-errors.js';

export interface NewCart {
  customerId?: string | null;
  email?: string | null;
}

/** Reads the catalog for the given products (unknown ids left out): what lookupCatalogItems returns. */
export type CatalogReader = (productIds: readonly string[]) => Promise<CatalogItem[]>;

/**
 * The API's one door to cart workflows: starts them, sends them updates and queries, and turns
 * Temporal's outcomes into the API's stable error codes.
 */
export class CartGateway {
  constructor(
    private readonly client: Client,
    private readonly config: Config,
    private readonly catalog: CatalogReader,
  ) {}

  private handle(cartId: string) {
    return this.client.workflow.getHandle(workflowId.cart(cartId));
  }

  /** Temporal calls of one request end by ANSWER_WITHIN (see OrderGateway.timely). */
  private timely<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.config.answerWithinMs, fn);
  }

  private startOptions(cartId: string, cart: NewCart) {
    const input: CartWorkflowInput = {
      cartId,
      currency: this.config.currency,
      customerId: cart.customerId ?? null,
      email: cart.email ?? null,
      timeouts: { idleTimeoutMs: this.config.cart.idleTimeoutMs, abandonAfterMs: this.config.cart.abandonAfterMs },
      repriceAfterMs: this.config.cart.repriceAfterMs,
      maxUpdatesPerRun: this.config.cart.maxUpdatesPerRun,
    };
    const typedSearchAttributes: SearchAttributePair[] = [
      { key: CartStatus, value: 'active' },
      { key: CartItemCount, value: 0 },
    ];
    if (cart.customerId) typedSearchAttributes.push({ key: CustomerId, value: cart.customerId });
    return {
      workflowId: workflowId.cart(cartId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input] as [CartWorkflowInput],
      // A closed cart (checked out, abandoned) is never started again under the same id.
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes,
      staticSummary: `Cart${cart.customerId ? ` of ${cart.customerId}` : ''}`,
      staticDetails: [
        `**Cart** \`${cartId}\``,
        `**Customer** ${cart.customerId ? `\`${cart.customerId}\`` : 'anonymous'}${cart.email ? `, \`${cart.email}\`` : ''}`,
        `**Currency** ${input.currency}`,
        `**Idle** a reminder after ${formatDuration(input.timeouts.idleTimeoutMs)}, abandoned after ${formatDuration(input.timeouts.abandonAfterMs)} without a change`,
      ].join('\n'),
    };
  }

  /** Starts a cart; an active cart with that id is returned as it is (created: false). */
  async create(cartId: string, cart: NewCart): Promise<{ cart: CartView; created: boolean }> {
    try {
      await this.timely(() =>
        this.client.workflow.start(WorkflowType.cart, {
          ...this.startOptions(cartId, cart),
          workflowIdConflictPolicy: 'FAIL',
        }),
      );
      try {
        return { cart: await this.get(cartId), created: true };
      } catch (readErr) {
        if (readErr instanceof DomainError) throw readErr;
        // Started, but its first read failed (seen under load): the cart exists, so the same
        // request again (the same session and Idempotency-Key) answers with it.
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          `cart ${cartId} was started but could not be read yet: send the same request again`,
          { dependency: 'temporal', trouble: 'not_ready' },
        );
      }
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (!(err instanceof WorkflowExecutionAlreadyStartedError))
        throw unavailableFor(err, `cart ${cartId}`, 'change', this.config.answerWithinMs) ?? err;
      const existing = await this.get(cartId);
      if (existing.status !== 'active') throw closed(existing);
      return { cart: existing, created: false };
    }
  }

  /** The cart as its workflow holds it, prices as old as they are (checkout needs no fresh ones). */
  async read(cartId: string): Promise<CartView> {
    try {
      return await this.timely(() => this.handle(cartId).query(getCartQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new DomainError(ErrorCode.CartNotFound, `no cart ${cartId}`);
      throw unavailableFor(err, `cart ${cartId}`, 'read', this.config.answerWithinMs) ?? err;
    }
  }

  /** The cart, re-priced first when its prices are older than CART_REPRICE_AFTER. */
  async get(cartId: string): Promise<CartView> {
    const view = await this.read(cartId);
    if (!this.stale(view)) return view;
    try {
      return await this.refresh(cartId);
    } catch (err) {
      // The cart closed meanwhile: show it as it is.
      if (err instanceof DomainError && err.code === ErrorCode.CartClosed) return this.get(cartId);
      throw err;
    }
  }

  /** Some line's pricing is older than CART_REPRICE_AFTER. */
  private stale(view: CartView): boolean {
    const pricedAt = view.pricedAt ? Date.parse(view.pricedAt) : 0;
    return view.status === 'active' && view.lines.length > 0 && Date.now() - pricedAt > this.config.cart.repriceAfterMs;
  }

  /**
   * The catalog data a change needs, read here and sent with the update, so the cart applies it in
   * the workflow task that accepted it: the product it touches (nothing for clear).
   * Whatever the caller passed as `priced` is replaced: prices never come from the client.
   */
  private async priced<A extends object>(arg: A): Promise<A & { priced: Pricing }> {
    const productId = 'productId' in arg && typeof arg.productId === 'string' ? arg.productId : undefined;
    const requested = productId === undefined ? [] : [productId];
    // A database that cannot be reached is a 503 (the error handler's): nothing was sent to the cart.
    return { ...arg, priced: { requested, items: requested.length > 0 ? await this.catalog(requested) : [] } };
  }

  /**
   * The answer to a change: the cart as the change left it, its other lines re-priced first when
   * their pricing is older than CART_REPRICE_AFTER. The change is made by then: if re-pricing
   * fails, the cart is shown with the prices it has (its pricedAt says how old).
   */
  private async freshAfterChange(cartId: string, view: CartView): Promise<CartView> {
    if (!this.stale(view)) return view;
    return this.refresh(cartId).catch(() => view);
  }

  /** Sends a customer's change to an existing cart, priced here from the catalog. */
  async update<A extends object>(cartId: string, def: UpdateDefinition<CartView, [A]>, arg: A): Promise<CartView> {
    const args: [A] = [await this.priced(arg)];
    let view: CartView;
    try {
      view = await this.timely(() => this.handle(cartId).executeUpdate(def, { args }));
    } catch (err) {
      throw await this.translate(cartId, err);
    }
    return this.freshAfterChange(cartId, view);
  }

  private async refresh(cartId: string): Promise<CartView> {
    try {
      return await this.timely(() => this.handle(cartId).executeUpdate(refreshPricesUpdate));
    } catch (err) {
      throw await this.translate(cartId, err);
    }
  }

  /**
   * Adds to a cart, creating it on first use. A running cart takes a plain update: update-with-start
   * costs the server more and sends the start's input and attributes with every add (0.7 ms more on
   * the server alone, 1.1 ms per add through the API, in A/Bs on one stack). A cart that has not
   * started (or has closed) is not found by it, and goes through update-with-start, which starts it
   * (or is refused: REJECT_DUPLICATE, reported as closed). Only the sending can fall back: once the
   * cart has accepted the change, its outcome is awaited on the run that accepted it, so a cart that
   * continued as new meanwhile is never sent the change a second time.
   */
  async addItem(cartId: string, args: AddItemArgs, cart: NewCart = {}): Promise<CartView> {
    const priced = await this.priced(args);
    let view: CartView;
    try {
      view = await this.timely(async () => {
        let accepted;
        try {
          accepted = await this.handle(cartId).startUpdate(addItemUpdate, {
            args: [priced],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        if (accepted) return accepted.result();
        return this.client.workflow.executeUpdateWithStart(addItemUpdate, {
          args: [priced],
          startWorkflowOperation: new WithStartWorkflowOperation(WorkflowType.cart, {
            ...this.startOptions(cartId, cart),
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      });
    } catch (err) {
      throw await this.translate(cartId, err);
    }
    return this.freshAfterChange(cartId, view);
  }

  /**
   * Turns the cart into an order. Checking out a cart that already became an order answers with that
   * order again, so a retried checkout never places a second one.
   */
  async checkout(cartId: string, args: CheckoutArgs): Promise<{ orderId: string; created: boolean } & CheckoutResult> {
    try {
      const emailHash = emailSearchHash(this.config.security.emailHashSecret, args.email);
      const result = await this.timely(() =>
        this.handle(cartId).executeUpdate(checkoutUpdate, { args: [{ ...args, emailHash }] }),
      );
      // The cart answers once the order's start is issued (see OrderGateway.startingSoon).
      return { ...result, created: result.placed !== undefined };
    } catch (err) {
      const translated = await this.translate(cartId, err);
      const details =
        translated instanceof DomainError
          ? (translated.details as { status?: string; orderId?: string | null } | undefined)
          : undefined;
      if (translated instanceof DomainError && translated.code === ErrorCode.CartClosed && details?.orderId) {
        return { orderId: details.orderId, created: false };
      }
      if (translated instanceof DomainError && translated.code === ErrorCode.CartClosed && !details?.status) {
        // Refused while a checkout was under way: the cart is checked out now, or will be in a moment.
        const cart = await this.get(cartId);
        if (cart.orderId) return { orderId: cart.orderId, created: false };
      }
      throw translated;
    }
  }

  private async translate(cartId: string, err: unknown): Promise<unknown> {
    const business = domainErrorOf(err);
    if (business) return business;
    const unavailable = unavailableFor(err, `cart ${cartId}`, 'change', this.config.answerWithinMs);
    if (unavailable) return unavailable;
    if (err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError) {
      // The id exists but its workflow has ended (REJECT_DUPLICATE), or it never existed.
      try {
        const description = await this.timely(() => this.handle(cartId).describe());
        if (description.status.name !== 'RUNNING') return closed(await this.get(cartId));
      } catch (describeErr) {
        if (describeErr instanceof WorkflowNotFoundError)
          return new DomainError(ErrorCode.CartNotFound, `no cart ${cartId}`);
        return describeErr;
      }
    }
    return err;
  }
}

function closed(cart: CartView): DomainError {
  return new DomainError(ErrorCode.CartClosed, `this cart is ${cart.status.replace('_', ' ')}; start a new one`, {
    status: cart.status,
    orderId: cart.orderId,
  });
}
