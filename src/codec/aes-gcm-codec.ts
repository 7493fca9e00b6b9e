/** @module A Temporal payload codec that encrypts every payload with AES-256-GCM, so workflow history (inputs,
 * results, activity results: field values and their quotes) is unreadable to anyone holding only the Temporal
 * database or UI. Codecs run outside the workflow sandbox, on the client and the workers.
 *
 * An encrypted payload is the whole original payload (metadata and data, protobuf-encoded) sealed as
 * `IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`, with metadata `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`: the layout of Temporal's encryption samples, so a service in another language can
 * read it with the same key. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { EncryptionKey, EncryptionSettings } from '../config.js';

// A CommonJS package: Node's ESM loader gives only its default export.
const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload that cannot be decrypted: its key is not held, or it was altered. The message says which. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * Encrypts with the keyring's current key; decrypts with whichever held key a payload names. Payloads it did not
 * encrypt pass through both ways on decode, so histories written before encryption was turned on still read.
 * With no current key (old keys only) it writes payloads in clear and still reads encrypted ones.
 * @example
 * const codec = new AesGcmCodec({ current: { id: '2026-11', key }, older: [] });
 * new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
 */
export class AesGcmCodec implements PayloadCodec {
  private readonly current: EncryptionKey | undefined;
  private readonly byId: ReadonlyMap<string, Uint8Array>;

  constructor(keyring: EncryptionSettings) {
    for (const k of [...(keyring.current ? [keyring.current] : []), ...keyring.older]) {
      if (k.key.length !== 32) throw new RangeError(`encryption key "${k.id}" has ${k.key.length} bytes; AES-256 needs 32`);
    }
    this.current = keyring.current;
    this.byId = new Map([...keyring.older, ...(keyring.current ? [keyring.current] : [])].map((k) => [k.id, k.key]));
  }

  /** The ID new payloads carry, if this codec encrypts. */
  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.current;
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(ProtoPayload.encode(payload).finish()), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(current.id) },
        data: new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.open(payload) : payload));
  }

  private open(payload: Payload): Payload {
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA} metadata, so no key can be chosen for it`);
    const id = text.decode(idBytes);
    const key = this.byId.get(id);
    if (!key) {
      const held = [...this.byId.keys()].map((k) => `"${k}"`).join(', ') || 'none';
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id "${id}", which is not held here (held: ${held}); configure that key: ` +
          `FILLFLOW_ENCRYPTION_KEY (and FILLFLOW_ENCRYPTION_KEY_ID=${id}) or FILLFLOW_ENCRYPTION_OLD_KEYS="${id}:<base64 key>"`,
      );
    }
    const sealed = payload.data ?? new Uint8Array();
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`a payload encrypted with key id "${id}" is too short to hold an IV and a tag`);
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key id "${id}" does not authenticate: it was altered, or the key configured under that id is not the one it was written with`,
      );
    }
    const { metadata, data, externalPayloads } = ProtoPayload.decode(plain);
    return { metadata, data, ...(externalPayloads.length > 0 ? { externalPayloads } : {}) };
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && text.decode(encoding) === ENCRYPTED_ENCODING;
}
