/**
 * Encrypts every payload Temporal stores (workflow inputs, results, signals, updates, memos,
 * summaries): AES-256-GCM, a fresh 96-bit nonce per payload, the key's id in the payload's metadata
 * so keys can rotate. The server, the Web UI without the codec endpoint and anyone reading its
 * database see only ciphertext. Payloads that are not encrypted (histories written before the codec,
 * the committed replay corpus) pass through unchanged on decode.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespaces come from its default export under Node's ESM.
const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const text = new TextEncoder();
const untext = new TextDecoder();

/** One key: an id (stored with every payload it encrypted) and 32 bytes. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted here: the key it names is not configured, or it was tampered with. */
export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/**
 * Parses `id:base64key[,id:base64key...]` (PAYLOAD_KEYS). The first key encrypts; every key decrypts,
 * so a rotation puts the new key first and keeps the old ones until no history needs them.
 */
export function parseCodecKeys(value: string): { keys: CodecKey[]; problem?: string } {
  const keys: CodecKey[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const match = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/_=-]+)$/.exec(entry);
    if (!match) return { keys, problem: `"${entry.slice(0, 70)}" is not id:base64key` };
    const key = Buffer.from(match[2]!, 'base64');
    if (key.length !== KEY_BYTES)
      return { keys, problem: `key "${match[1]}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES}` };
    if (keys.some((k) => k.id === match[1])) return { keys, problem: `key id "${match[1]}" appears twice` };
    keys.push({ id: match[1]!, key });
  }
  if (keys.length === 0) return { keys, problem: 'names no key' };
  return { keys };
}

/** A new key entry for PAYLOAD_KEYS: `id:base64`. */
export function newCodecKeyEntry(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly active: CodecKey;

  constructor(keys: CodecKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.active = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  /** Whether this payload was encrypted by a codec of this kind (whatever its key). */
  static isEncrypted(payload: Payload): boolean {
    const encoding = payload.metadata?.encoding;
    return encoding !== undefined && encoding !== null && untext.decode(encoding) === ENCRYPTED_ENCODING;
  }

  private encrypt(payload: Payload): Payload {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, nonce);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(this.active.id) },
      data: sealed,
    };
  }

  /** One payload, synchronously: unencrypted ones come back as they are. */
  decrypt(payload: Payload): Payload {
    if (!EncryptionCodec.isEncrypted(payload)) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? untext.decode(idBytes) : '';
    const key = this.byId.get(id);
    if (!key) throw new PayloadKeyError(`payload encrypted with key "${id}", which PAYLOAD_KEYS does not have`);
    const data = payload.data ?? new Uint8Array();
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadKeyError(`payload encrypted with "${id}" is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadKeyError(
        `payload encrypted with "${id}" does not decrypt with that key (altered, or another key of that id)`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
