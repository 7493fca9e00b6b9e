/** The payload codec: what it writes (the layout Temporal's encryption samples use), that it reads back only what
 * it wrote with a key it holds, and that payloads written before encryption pass through. */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, isEncrypted } from '../../../src/codec/aes-gcm-codec.js';
import type { EncryptionKey } from '../../../src/config.js';

const keyA: EncryptionKey = { id: 'key-a', key: new Uint8Array(randomBytes(32)) };
const keyB: EncryptionKey = { id: 'key-b', key: new Uint8Array(randomBytes(32)) };
const secret = { value: 'Harbour Lane Logistics Limited', quote: 'registered office at 14 Quay Street' };
const plain = (): Payload => defaultPayloadConverter.toPayload(secret);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('latin1');

describe('AesGcmCodec', () => {
  it('encrypts every payload under its key id and reads it back unchanged', async () => {
    const codec = new AesGcmCodec({ current: keyA, older: [] });
    const original = [plain(), defaultPayloadConverter.toPayload(42), defaultPayloadConverter.toPayload(undefined)];
    const encoded = await codec.encode(original);
    expect(encoded).toHaveLength(3);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[KEY_ID_METADATA])).toBe('key-a');
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual([KEY_ID_METADATA, 'encoding'].sort());
      expect(isEncrypted(p)).toBe(true);
    }
    expect(text(encoded[0]!.data)).not.toContain('Harbour');
    expect(text(encoded[0]!.data)).not.toContain('json/plain');
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, 42, undefined]);
    expect(Buffer.from(decoded[0]!.metadata!.encoding!).toString()).toBe('json/plain');
  });

  it('uses a fresh IV for every payload, so equal values do not look equal', async () => {
    const codec = new AesGcmCodec({ current: keyA, older: [] });
    const [one, two] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('writes IV ‖ ciphertext ‖ tag over the protobuf-encoded payload, as the Temporal encryption samples do', async () => {
    const [sealed] = await new AesGcmCodec({ current: keyA, older: [] }).encode([plain()]);
    const data = Buffer.from(sealed!.data!);
    const decipher = createDecipheriv('aes-256-gcm', keyA.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const bytes = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    expect(defaultPayloadConverter.fromPayload(proto.temporal.api.common.v1.Payload.decode(bytes))).toEqual(secret);
  });

  it('passes payloads it did not encrypt through, so histories from before encryption still read', async () => {
    const codec = new AesGcmCodec({ current: keyA, older: [] });
    const clear = [plain(), { metadata: { encoding: new TextEncoder().encode('binary/null') } }, {}];
    expect(await codec.decode(clear)).toEqual(clear);
  });

  it('names the key id it does not hold, and where to add it', async () => {
    const [sealed] = await new AesGcmCodec({ current: keyB, older: [] }).encode([plain()]);
    const err = await new AesGcmCodec({ current: keyA, older: [] }).decode([sealed!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toMatch(/key id "key-b", which is not held here \(held: "key-a"\).*FILLFLOW_ENCRYPTION_OLD_KEYS="key-b:<base64 key>"/);
  });

  it('refuses a payload whose key id is held under another key', async () => {
    const [sealed] = await new AesGcmCodec({ current: keyA, older: [] }).encode([plain()]);
    const impostor = new AesGcmCodec({ current: { id: 'key-a', key: keyB.key }, older: [] });
    await expect(impostor.decode([sealed!])).rejects.toThrow(/key id "key-a" does not authenticate/);
  });

  it.each([
    ['a ciphertext byte', (d: Uint8Array) => (d[20]! ^= 0x01)],
    ['an IV byte', (d: Uint8Array) => (d[0]! ^= 0x80)],
    ['a tag byte', (d: Uint8Array) => (d[d.length - 1]! ^= 0x01)],
  ])('refuses a payload with %s altered', async (_what, alter) => {
    const codec = new AesGcmCodec({ current: keyA, older: [] });
    const [sealed] = await codec.encode([plain()]);
    const data = new Uint8Array(sealed!.data!);
    alter(data);
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/was altered/);
  });

  it('refuses a payload too short to hold an IV and a tag, and one with no key id', async () => {
    const codec = new AesGcmCodec({ current: keyA, older: [] });
    const [sealed] = await codec.encode([plain()]);
    await expect(codec.decode([{ ...sealed!, data: sealed!.data!.subarray(0, 20) }])).rejects.toThrow(/too short/);
    await expect(codec.decode([{ metadata: { encoding: sealed!.metadata!.encoding! }, data: sealed!.data! }])).rejects.toThrow(/no encryption-key-id/);
  });

  it('after a rotation, encrypts with the new key and still reads payloads of the old one', async () => {
    const [old] = await new AesGcmCodec({ current: keyA, older: [] }).encode([plain()]);
    const rotated = new AesGcmCodec({ current: keyB, older: [keyA] });
    const [fresh] = await rotated.encode([plain()]);
    expect(text(fresh!.metadata?.[KEY_ID_METADATA])).toBe('key-b');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, secret]);
  });

  it('with old keys only, writes in clear and still reads what they encrypted', async () => {
    const [old] = await new AesGcmCodec({ current: keyA, older: [] }).encode([plain()]);
    const readOnly = new AesGcmCodec({ older: [keyA] });
    expect(readOnly.currentKeyId).toBeUndefined();
    const clear = [plain()];
    expect(await readOnly.encode(clear)).toBe(clear);
    expect(defaultPayloadConverter.fromPayload((await readOnly.decode([old!]))[0]!)).toEqual(secret);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new AesGcmCodec({ current: { id: 'short', key: new Uint8Array(16) }, older: [] })).toThrow(/"short" has 16 bytes; AES-256 needs 32/);
  });
});
