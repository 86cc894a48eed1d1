import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, typed. Registered by the dev server at start (`npm start`, the test
 * suite) and by docker-compose's setup step; workflows upsert them so operators can find carts and
 * orders in the Web UI and with `temporal workflow list --query`. Names are wire names: never rename.
 */
export const OrderStatus = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** Written by orders placed before e-mails left search attributes; kept registered for them. */
export const CustomerEmail = defineSearchAttributeKey('CustomerEmail', SearchAttributeType.KEYWORD);
/** A keyed hash of the customer's e-mail (src/codec/data-converter.ts): `npm run queries -- email <address>`. */
export const CustomerEmailHash = defineSearchAttributeKey('CustomerEmailHash', SearchAttributeType.KEYWORD);
export const OrderTotal = defineSearchAttributeKey('OrderTotal', SearchAttributeType.DOUBLE);
export const Skus = defineSearchAttributeKey('Skus', SearchAttributeType.KEYWORD_LIST);
export const BackorderedSkus = defineSearchAttributeKey('BackorderedSkus', SearchAttributeType.KEYWORD_LIST);
/** Why an operator should look at an order: see orderFlags in src/domain/order.ts. */
export const OrderFlags = defineSearchAttributeKey('OrderFlags', SearchAttributeType.KEYWORD_LIST);
export const CartStatus = defineSearchAttributeKey('CartStatus', SearchAttributeType.KEYWORD);
export const CartItemCount = defineSearchAttributeKey('CartItemCount', SearchAttributeType.INT);
export const ImportStatus = defineSearchAttributeKey('ImportStatus', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [
  OrderStatus,
  CustomerId,
  CustomerEmail,
  CustomerEmailHash,
  OrderTotal,
  Skus,
  BackorderedSkus,
  OrderFlags,
  CartStatus,
  CartItemCount,
  ImportStatus,
];

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `NAME=Type` pairs, as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export function searchAttributeCliArgs(): string[] {
  return customSearchAttributes.map((key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
}
