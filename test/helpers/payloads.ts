import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import type { TestStack } from './app.js';

/** A payload from a stack's stored history, opened with the stack's key and read as JSON. */
export function openPayload(stack: TestStack, payload: Payload | null | undefined): any {
  if (!payload?.data) return undefined;
  const opened = new EncryptionCodec(stack.config.security.payloadKeys).decrypt(payload);
  return JSON.parse(Buffer.from(opened.data ?? []).toString('utf8'));
}
