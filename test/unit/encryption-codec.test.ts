import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { emailSearchHash } from '../../src/codec/data-converter.js';
import {
  EncryptionCodec,
  newCodecKeyEntry,
  parseCodecKeys,
  PayloadKeyError,
} from '../../src/codec/encryption-codec.js';
import { loadConfig } from '../../src/config.js';

const keysOf = (entries: string) => parseCodecKeys(entries).keys;
const old = newCodecKeyEntry('k1');
const current = newCodecKeyEntry('k2');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const order = { email: 'ada@example.com', shippingAddress: { line1: '12 St James’s Square' } };
const payload = (): Payload => defaultPayloadConverter.toPayload(order)!;

describe('the payload codec', () => {
  it('leaves no byte of the value in clear and names its key', async () => {
    const [sealed] = await new EncryptionCodec(keysOf(current)).encode([payload()]);
    expect(text(sealed!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(sealed!.metadata!['encryption-key-id'])).toBe('k2');
    expect(Buffer.from(sealed!.data!).includes('ada@example.com')).toBe(false);
    expect(Buffer.from(sealed!.data!).includes('json/plain')).toBe(false);
  });

  it('gives back the very payload it sealed', async () => {
    const codec = new EncryptionCodec(keysOf(current));
    const [opened] = await codec.decode(await codec.encode([payload()]));
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(order);
  });

  it('seals the same value differently each time (a fresh nonce)', async () => {
    const codec = new EncryptionCodec(keysOf(current));
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('after a rotation, encrypts with the new key and still opens what the old one sealed', async () => {
    const [before] = await new EncryptionCodec(keysOf(old)).encode([payload()]);
    const rotated = new EncryptionCodec(keysOf(`${current},${old}`));
    const [after] = await rotated.encode([payload()]);
    expect(text(after!.metadata!['encryption-key-id'])).toBe('k2');
    const opened = await rotated.decode([before!, after!]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([order, order]);
  });

  it('refuses a payload whose key it lacks, or whose bytes were altered, naming the key', async () => {
    const [sealed] = await new EncryptionCodec(keysOf(old)).encode([payload()]);
    await expect(new EncryptionCodec(keysOf(current)).decode([sealed!])).rejects.toThrow(
      new PayloadKeyError('payload encrypted with key "k1", which PAYLOAD_KEYS does not have'),
    );
    const altered = { ...sealed!, data: Buffer.from(sealed!.data!) };
    altered.data[altered.data.length - 20]! ^= 1;
    await expect(new EncryptionCodec(keysOf(old)).decode([altered])).rejects.toThrow(/does not decrypt/);
    const truncated = { ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 10) };
    await expect(new EncryptionCodec(keysOf(old)).decode([truncated])).rejects.toThrow(/truncated/);
  });

  it('passes payloads written before the codec through unchanged', async () => {
    const plain = payload();
    const [opened] = await new EncryptionCodec(keysOf(current)).decode([plain]);
    expect(opened).toBe(plain);
  });
});

describe('PAYLOAD_KEYS', () => {
  it('reads id:base64 pairs, first one active', () => {
    const { keys, problem } = parseCodecKeys(` ${current} , ${old} `);
    expect(problem).toBeUndefined();
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([
      ['k2', 32],
      ['k1', 32],
    ]);
  });

  it.each([
    ['', 'names no key'],
    ['k1', 'is not id:base64key'],
    [`k1:${Buffer.alloc(16).toString('base64')}`, 'is 16 bytes; AES-256 needs 32'],
    [`${old},${old}`, 'appears twice'],
    [`bad id:${Buffer.alloc(32).toString('base64')}`, 'is not id:base64key'],
  ])('refuses %j', (value, problem) => {
    expect(parseCodecKeys(value).problem).toContain(problem);
  });

  it('is required in production and checked at start', () => {
    const production = {
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'admin-token-0123456789',
      SESSION_SECRET: 's'.repeat(32),
      ORDER_TOKEN_SECRET: 'o'.repeat(32),
      EMAIL_HASH_SECRET: 'e'.repeat(32),
    };
    expect(() => loadConfig(production)).toThrow(/PAYLOAD_KEYS: is required when NODE_ENV=production/);
    expect(() => loadConfig({ ...production, PAYLOAD_KEYS: 'k1:abc' })).toThrow(/PAYLOAD_KEYS: key "k1" is 2 bytes/);
    expect(loadConfig({ ...production, PAYLOAD_KEYS: current }).security.payloadKeys[0]!.id).toBe('k2');
  });
});

describe('the e-mail search hash', () => {
  it('is the same for one address however it is written, differs per secret, and hides the address', () => {
    const secret = 'x'.repeat(32);
    const hash = emailSearchHash(secret, 'Ada@Example.com ');
    expect(hash).toBe(emailSearchHash(secret, 'ada@example.com'));
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(hash).not.toBe(emailSearchHash('y'.repeat(32), 'ada@example.com'));
    expect(hash).not.toBe(emailSearchHash(secret, 'bob@example.com'));
  });
});
