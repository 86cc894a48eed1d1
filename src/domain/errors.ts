/**
 * Stable error codes: part of the API contract (clients switch on them) and the `type` of
 * Temporal ApplicationFailures thrown by activities and workflows. Add codes; never rename them.
 */
export const ErrorCode = {
  ValidationFailed: 'validation_failed',
  MalformedJson: 'malformed_json',
  InvalidCursor: 'invalid_cursor',
  InvalidPriceRange: 'invalid_price_range',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  RouteNotFound: 'route_not_found',
  ProductNotFound: 'product_not_found',
  ImportNotFound: 'import_not_found',
  CartNotFound: 'cart_not_found',
  OrderNotFound: 'order_not_found',
  OrderNotCancellable: 'order_not_cancellable',
  PaymentNotExpected: 'payment_not_expected',
  RefundNotAllowed: 'refund_not_allowed',
  PaymentNotStuck: 'payment_not_stuck',
  CartEmpty: 'cart_empty',
  LineNotFound: 'line_not_found',
  CartClosed: 'cart_closed',
  CartFull: 'cart_full',
  LineQuantityLimit: 'line_quantity_limit',
  IdempotencyKeyReused: 'idempotency_key_reused',
  VendorNotFound: 'vendor_not_found',
  CollectionNotFound: 'collection_not_found',
  SkuAlreadyExists: 'sku_already_exists',
  StockBelowReserved: 'stock_below_reserved',
  StockNotHeld: 'stock_not_held',
  CurrencyNotSupported: 'currency_not_supported',
  UnsupportedMediaType: 'unsupported_media_type',
  PayloadTooLarge: 'payload_too_large',
  ServiceUnavailable: 'service_unavailable',
  TooManyRequests: 'too_many_requests',
  WebhooksNotConfigured: 'webhooks_not_configured',
  InvalidSignature: 'invalid_signature',
  NotImplemented: 'not_implemented',
  /** The database refused an activity's data for good (a constraint, an invalid byte): retrying cannot help. */
  DataRejected: 'data_rejected',
  /** A provider refused us, not the request (401/403: a revoked key, a missing permission). */
  ProviderRejected: 'provider_rejected',
  NothingToRetry: 'nothing_to_retry',
  /** Sign-up with an address that already has an account. */
  EmailTaken: 'email_taken',
  /** Sign-in with an unknown address or a wrong password (which of the two is not said). */
  InvalidCredentials: 'invalid_credentials',
  /** The route is for a signed-in customer. */
  SignInRequired: 'sign_in_required',
  /** An order over a configured cap (units per line, lines per order, units of a product per day). */
  OrderLimitExceeded: 'order_limit_exceeded',
  /** A known path asked with a method it does not take (the answer's Allow header lists those it does). */
  MethodNotAllowed: 'method_not_allowed',
  /** The request line, or one of its path parameters, is longer than the server reads. */
  UriTooLong: 'uri_too_long',
  /** The request's headers are larger than the server reads. */
  HeadersTooLarge: 'headers_too_large',
  /** The request could not be read as HTTP (or arrived too slowly). */
  MalformedRequest: 'malformed_request',
  RequestTimeout: 'request_timeout',
  /** An order whose lines name one product twice (give it one line with the total quantity). */
  DuplicateLines: 'duplicate_lines',
  /** A time range whose start is after its end. */
  InvalidDateRange: 'invalid_date_range',
  /** The simulated provider has no payment of that id. */
  PaymentNotFound: 'payment_not_found',
  /** A codec payload that cannot be decoded here: a key this deployment lacks, or altered bytes. */
  PayloadUndecodable: 'payload_undecodable',
  /** No outbox message with that id (GET/POST /api/admin/notifications/:id). */
  NotificationNotFound: 'notification_not_found',
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A business outcome with a stable code; the API maps the code to an HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The failure type of a payment provider's refusal inside activities; its code is in details[0].code. */
export const PAYMENT_REQUEST_FAILED = 'payment_request_failed';
