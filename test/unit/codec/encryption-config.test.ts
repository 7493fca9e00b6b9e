/** The payload-key and codec-server settings: what FILLFLOW_ENCRYPTION_* and FILLFLOW_CODEC_* give, and errors that
 * name the setting without ever showing a key. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { payloadCodecFromConfig } from '../../../src/codec/data-converter.js';
import { ConfigError, DEFAULT_CODEC_CORS_ORIGINS, encryptionFromEnv, loadConfig } from '../../../src/config.js';

const KEY = randomBytes(32);
const KEY_TEXT = KEY.toString('base64');
const OLD = randomBytes(32);
const load = (env: Record<string, string>) => loadConfig(env, {}, mkdtempSync(join(tmpdir(), 'fillflow-enc-')));

describe('encryption settings', () => {
  it('are absent without a key; the codec then writes in clear and explains an encrypted payload', async () => {
    const config = load({});
    expect(config.encryption).toBeUndefined();
    const codec = payloadCodecFromConfig(config);
    expect(codec.currentKeyId).toBeUndefined();
    const clear = [defaultPayloadConverter.toPayload('Harbour Lane')];
    expect(await codec.encode(clear)).toBe(clear);
    const sealed = await payloadCodecFromConfig(load({ FILLFLOW_ENCRYPTION_KEY: KEY_TEXT, FILLFLOW_ENCRYPTION_KEY_ID: 'prod-1' })).encode(clear);
    await expect(codec.decode(sealed)).rejects.toThrow(/key id "prod-1", which is not held here \(held: none\); configure that key: FILLFLOW_ENCRYPTION_KEY/);
  });

  it('take the key and its id; without an id, one derived from the key hash, never the key', () => {
    expect(encryptionFromEnv({ FILLFLOW_ENCRYPTION_KEY: KEY_TEXT, FILLFLOW_ENCRYPTION_KEY_ID: '2026-11' })?.current?.id).toBe('2026-11');
    const derived = encryptionFromEnv({ FILLFLOW_ENCRYPTION_KEY: KEY_TEXT })!.current!;
    expect(derived.id).toBe(`k-${createHash('sha256').update(KEY).digest('hex').slice(0, 12)}`);
    expect(derived.id).not.toContain(KEY_TEXT.slice(0, 8));
    expect(Buffer.from(derived.key).equals(KEY)).toBe(true);
    // URL-safe base64 of the same bytes is the same key.
    expect(Buffer.from(encryptionFromEnv({ FILLFLOW_ENCRYPTION_KEY: KEY.toString('base64url') })!.current!.key).equals(KEY)).toBe(true);
  });

  it('read older keys as id:base64 pairs that only decrypt', () => {
    const enc = encryptionFromEnv({
      FILLFLOW_ENCRYPTION_KEY: KEY_TEXT,
      FILLFLOW_ENCRYPTION_KEY_ID: 'new',
      FILLFLOW_ENCRYPTION_OLD_KEYS: ` old-1:${OLD.toString('base64')} , new:${KEY_TEXT},`,
    })!;
    expect(enc.current?.id).toBe('new');
    expect(enc.older.map((k) => k.id)).toEqual(['old-1']);
    expect(Buffer.from(enc.older[0]!.key).equals(OLD)).toBe(true);
    // Old keys alone: nothing new is encrypted, old payloads still read.
    const readOnly = load({ FILLFLOW_ENCRYPTION_OLD_KEYS: `old-1:${OLD.toString('base64')}` });
    expect(readOnly.encryption?.current).toBeUndefined();
    expect(payloadCodecFromConfig(readOnly)?.currentKeyId).toBeUndefined();
  });

  it.each([
    [{ FILLFLOW_ENCRYPTION_KEY: 'not base64!' }, /FILLFLOW_ENCRYPTION_KEY must be base64 of exactly 32 bytes .*openssl rand -base64 32.*not base64/],
    [{ FILLFLOW_ENCRYPTION_KEY: randomBytes(31).toString('base64') }, /FILLFLOW_ENCRYPTION_KEY must be base64 of exactly 32 bytes.*decodes to 31 bytes/],
    [{ FILLFLOW_ENCRYPTION_KEY: randomBytes(64).toString('base64') }, /decodes to 64 bytes/],
    [{ FILLFLOW_ENCRYPTION_KEY_ID: 'orphan' }, /FILLFLOW_ENCRYPTION_KEY_ID is set but FILLFLOW_ENCRYPTION_KEY is not/],
    [{ FILLFLOW_ENCRYPTION_KEY: KEY_TEXT, FILLFLOW_ENCRYPTION_KEY_ID: 'has space' }, /FILLFLOW_ENCRYPTION_KEY_ID must be 1 to 64 letters/],
    [{ FILLFLOW_ENCRYPTION_OLD_KEYS: OLD.toString('base64') }, /FILLFLOW_ENCRYPTION_OLD_KEYS entry 1 must be "id:base64-key"/],
    [{ FILLFLOW_ENCRYPTION_OLD_KEYS: `a:${OLD.toString('base64')},b:${randomBytes(16).toString('base64')}` }, /FILLFLOW_ENCRYPTION_OLD_KEYS entry 2 must be base64 of exactly 32 bytes.*16 bytes/],
    [{ FILLFLOW_ENCRYPTION_KEY: KEY_TEXT, FILLFLOW_ENCRYPTION_KEY_ID: 'a', FILLFLOW_ENCRYPTION_OLD_KEYS: `a:${OLD.toString('base64')}` }, /key id "a" is already used by another key/],
  ] as [Record<string, string>, RegExp][])('refuses %j with a message naming the setting', (env, message) => {
    let err: unknown;
    try {
      load(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    // A key never appears in an error message, whole or in part.
    for (const v of [env.FILLFLOW_ENCRYPTION_KEY, ...(env.FILLFLOW_ENCRYPTION_OLD_KEYS?.split(/[,:]/) ?? [])]) {
      if (v && v.length >= 16) expect((err as Error).message).not.toContain(v.slice(0, 12));
    }
  });
});

describe('codec server settings', () => {
  it('default to port 8081 and the dev server UI origins', () => {
    const config = load({});
    expect(config.codecServer).toEqual({ port: 8081, corsOrigins: DEFAULT_CODEC_CORS_ORIGINS });
    expect(DEFAULT_CODEC_CORS_ORIGINS).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
  });

  it('take FILLFLOW_CODEC_PORT and FILLFLOW_CODEC_CORS_ORIGINS', () => {
    const config = load({ FILLFLOW_CODEC_PORT: '9000', FILLFLOW_CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://10.0.0.5:8080' });
    expect(config.codecServer).toEqual({ port: 9000, corsOrigins: ['https://temporal.example.com', 'http://10.0.0.5:8080'] });
  });

  it('refuse an origin with a path, and a port that is not one', () => {
    expect(() => load({ FILLFLOW_CODEC_CORS_ORIGINS: 'http://ui.example/namespaces' })).toThrow(/FILLFLOW_CODEC_CORS_ORIGINS must list origins/);
    expect(() => load({ FILLFLOW_CODEC_PORT: 'eighty' })).toThrow(/FILLFLOW_CODEC_PORT/);
  });
});
