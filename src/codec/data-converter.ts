/**
 * What the API, the worker and the operator CLIs share to talk to Temporal about personal data:
 * the data converter that encrypts payloads, and the keyed hash that stands in for an e-mail address
 * wherever Temporal indexes it (search attributes are not encrypted by a codec).
 */
import { createHmac } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import { type CodecKey, EncryptionCodec } from './encryption-codec.js';

export function encryptingDataConverter(keys: CodecKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}

/**
 * HMAC-SHA256 of the normalised address: `CustomerEmailHash = "<this>"` finds a customer's orders in
 * the Web UI or `temporal workflow list`, and without the secret the hash reveals nothing.
 */
export function emailSearchHash(secret: string, email: string): string {
  return createHmac('sha256', secret).update(email.trim().toLowerCase()).digest('hex').slice(0, 40);
}
