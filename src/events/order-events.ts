/**
 * The journal's events as they go out on Kafka: one topic for every order event, keyed by order id,
 * so all of one order's events land in one partition in journal order. The message shape is a
 * published contract: fields are added, never renamed or removed.
 */
import type { JournalRecord } from '../db/journal-reader.js';

/** The one topic the relay publishes to; created by the relay (with ORDER_EVENTS_PARTITIONS) when missing. */
export const ORDER_EVENTS_TOPIC = 'shop.order-events';
/**
 * Partitions of the topic when the relay creates it. Never change it on a live topic: the key's
 * partition would change, and one order's events could be read out of order across the two.
 */
export const ORDER_EVENTS_PARTITIONS = 6;

/** A message's value (JSON). */
export interface OrderEventMessage {
  /** Stable id of the event: the same in every copy of it, so consumers de-duplicate by it. */
  eventId: string;
  /** ItemPurchased, OrderPlaced, OrderPaid, OrderShipped, OrderDelivered, OrderCancelled, Refunded, ... */
  type: string;
  /** The order (the journal's aggregate id); also the message key. */
  orderId: string;
  /** ISO 8601, when it happened. */
  occurredAt: string;
  /** The journal's row number, a decimal string: for tracing only (order is the partition's order). */
  seq: string;
  /** The event's own fields, as journaled (see README, "Events on Kafka"). */
  payload: unknown;
}

export const EVENT_ID_HEADER = 'event-id';
export const EVENT_TYPE_HEADER = 'event-type';

/** A journal event as a Kafka message: key, JSON value, and the id and type as headers too. */
export function toKafkaMessage(record: JournalRecord): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  const message: OrderEventMessage = {
    eventId: record.eventId,
    type: record.type,
    orderId: record.aggregateId,
    occurredAt: record.occurredAt.toISOString(),
    seq: record.seq,
    payload: record.payload,
  };
  return {
    key: record.aggregateId,
    value: JSON.stringify(message),
    headers: { [EVENT_ID_HEADER]: record.eventId, [EVENT_TYPE_HEADER]: record.type },
  };
}

/** Reads a message's value back (for consumers in this codebase and its tests). */
export function parseOrderEvent(value: Buffer | string | null): OrderEventMessage {
  if (value === null) throw new Error('an order event without a value');
  return JSON.parse(value.toString()) as OrderEventMessage;
}
