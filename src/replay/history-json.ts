import type { temporal } from '@temporalio/proto';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';

type History = temporal.api.history.v1.IHistory;

// The SDK's converters need one protobufjs in the tree: package.json depends on protobufjs at the
// SDK's version so that npm dedupes it (two copies fail with "type must be a Type").

/** A history from its JSON (already parsed), as `temporal workflow show --output json` writes it. */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events))
    throw new TypeError('expected an object with an array of events');
  return historyFromJSON(json);
}

/** A history as JSON text, as `temporal workflow show --output json` prints it. */
export function historyToJson(history: History): string {
  return JSON.stringify(JSON.parse(historyToJSON(history)), null, 2);
}
