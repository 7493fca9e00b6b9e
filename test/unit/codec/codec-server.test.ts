/** The codec server as the Temporal UI and a hostile page see it: CORS for the UI's origin only, no answer to
 * another origin or a rebound Host, the bearer token when one is set, and the codec-server JSON format. */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../../src/codec/aes-gcm-codec.js';
import { buildCodecServer, startCodecServer } from '../../../src/codec/codec-server.js';
import { payloadFromJson, payloadToJson, type JsonPayload } from '../../../src/codec/payload-json.js';
import { DEFAULT_CODEC_CORS_ORIGINS } from '../../../src/config.js';
import { devServerArgs } from '../../../src/temporal/dev-server-args.js';
import { persistentServerOptions } from '../../../src/cli/service-commands.js';

const UI = 'http://127.0.0.1:8233';
const codec = new AesGcmCodec({ current: { id: 'key-a', key: new Uint8Array(randomBytes(32)) }, older: [] });
const secret = { value: 'Harbour Lane Logistics Limited' };
const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

function server(opts: { token?: string; allowedHosts?: Set<string> } = {}): FastifyInstance {
  const app = buildCodecServer({ codec, corsOrigins: DEFAULT_CODEC_CORS_ORIGINS, ...opts });
  apps.push(app);
  return app;
}

const encrypted = async (): Promise<JsonPayload[]> => (await codec.encode([defaultPayloadConverter.toPayload(secret)])).map(payloadToJson);
const values = (body: { payloads: JsonPayload[] }) => body.payloads.map((p) => defaultPayloadConverter.fromPayload(payloadFromJson(p, 'response')));

describe('codec server CORS', () => {
  it.each([UI, 'http://localhost:8233'])('answers the preflight of the UI at %s', async (origin) => {
    const res = await server().inject({
      method: 'OPTIONS',
      url: '/decode',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/content-type.*x-namespace/);
    expect(res.headers.vary).toBe('Origin');
  });

  it('refuses the preflight and the POST of any other origin, with no CORS header', async () => {
    const app = server();
    for (const origin of ['https://evil.example', 'http://127.0.0.1:8234', 'null']) {
      const pre = await app.inject({ method: 'OPTIONS', url: '/decode', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(pre.statusCode, origin).toBe(403);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const post = await app.inject({ method: 'POST', url: '/decode', headers: { origin }, payload: { payloads: await encrypted() } });
      expect(post.statusCode).toBe(403);
      expect(post.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
      expect(post.body).not.toContain('Harbour');
    }
  });

  it('allows the private-network preflight for the UI', async () => {
    const res = await server().inject({
      method: 'OPTIONS',
      url: '/encode',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
    });
    expect(res.headers['access-control-allow-private-network']).toBe('true');
  });
});

describe('codec server requests', () => {
  it('decodes for the UI, with its CORS header, and never lets the answer be cached', async () => {
    const res = await server().inject({ method: 'POST', url: '/decode', headers: { origin: UI, 'x-namespace': 'default' }, payload: { payloads: await encrypted() } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(values(res.json())).toEqual([secret]);
  });

  it('encodes, and decodes its own encoding; a request with no Origin (the temporal CLI) is served', async () => {
    const app = server();
    const clear = [payloadToJson(defaultPayloadConverter.toPayload(secret))];
    const enc = await app.inject({ method: 'POST', url: '/encode', payload: { payloads: clear } });
    expect(enc.statusCode).toBe(200);
    expect(enc.body).not.toContain(Buffer.from('Harbour').toString('base64').slice(0, 8));
    const dec = await app.inject({ method: 'POST', url: '/decode', payload: enc.json() });
    expect(values(dec.json())).toEqual([secret]);
    // Clear payloads pass through /decode untouched.
    expect((await app.inject({ method: 'POST', url: '/decode', payload: { payloads: clear } })).json()).toEqual({ payloads: clear });
  });

  it('refuses a Host it does not serve (DNS rebinding)', async () => {
    const app = server({ allowedHosts: new Set(['127.0.0.1:8081', 'localhost:8081']) });
    const rebound = await app.inject({ method: 'POST', url: '/decode', headers: { host: 'evil.example:8081' }, payload: { payloads: await encrypted() } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
    const ok = await app.inject({ method: 'POST', url: '/decode', headers: { host: 'localhost:8081' }, payload: { payloads: await encrypted() } });
    expect(ok.statusCode).toBe(200);
  });

  it('with a token, needs it on every POST but not on the preflight', async () => {
    const app = server({ token: 'codec-token-123' });
    const payload = { payloads: await encrypted() };
    const none = await app.inject({ method: 'POST', url: '/decode', payload });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await app.inject({ method: 'POST', url: '/decode', headers: { authorization: 'Bearer wrong' }, payload })).statusCode).toBe(401);
    const ok = await app.inject({ method: 'POST', url: '/decode', headers: { authorization: 'Bearer codec-token-123' }, payload });
    expect(values(ok.json())).toEqual([secret]);
    const pre = await app.inject({ method: 'OPTIONS', url: '/decode', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(204);
  });

  it.each([
    ['a text/plain body (a simple cross-site request)', { 'content-type': 'text/plain' }, 'x', 415, 'unsupported_media_type'],
    ['no payloads', { 'content-type': 'application/json' }, '{}', 400, 'bad_request'],
    ['data that is not base64', { 'content-type': 'application/json' }, JSON.stringify({ payloads: [{ metadata: {}, data: '%%%' }] }), 400, 'bad_request'],
  ])('refuses %s', async (_what, headers, body, status, code) => {
    const res = await server().inject({ method: 'POST', url: '/decode', headers, payload: body });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code } });
  });

  it('says which key id it lacks', async () => {
    const other = new AesGcmCodec({ current: { id: 'key-z', key: new Uint8Array(randomBytes(32)) }, older: [] });
    const payloads = (await other.encode([defaultPayloadConverter.toPayload(secret)])).map(payloadToJson);
    const res = await server().inject({ method: 'POST', url: '/decode', payload: { payloads } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/key id "key-z"/);
  });

  it('answers 404 elsewhere', async () => {
    expect((await server().inject({ method: 'GET', url: '/decode' })).statusCode).toBe(404);
  });
});

describe('startCodecServer', () => {
  it('listens on loopback and accepts only its own Host', async () => {
    const running = await startCodecServer({ codec, corsOrigins: [UI], port: 0 });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${running.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: await encrypted() }) });
      expect(res.status).toBe(200);
      const rebound = await running.app.inject({ method: 'POST', url: '/decode', headers: { host: 'attacker.example' }, payload: { payloads: [] } });
      expect(rebound.statusCode).toBe(403);
    } finally {
      await running.close();
    }
  });

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(startCodecServer({ codec, corsOrigins: [UI], port: 0, host: '0.0.0.0' })).rejects.toThrow(/needs FILLFLOW_API_TOKEN/);
  });
});

describe('wiring the UI to it', () => {
  it('passes --ui-codec-endpoint to the dev server', () => {
    const args = devServerArgs({ port: 7233, uiPort: 8233, uiCodecEndpoint: 'http://127.0.0.1:8081' });
    expect(args.join(' ')).toContain('--ui-codec-endpoint http://127.0.0.1:8081');
    expect(devServerArgs({ port: 7233 })).not.toContain('--ui-codec-endpoint');
    expect(() => devServerArgs({ port: 7233, headless: true, uiCodecEndpoint: 'http://127.0.0.1:8081' })).toThrow(/needs the UI/);
    expect(() => devServerArgs({ port: 7233, uiCodecEndpoint: 'ftp://x' })).toThrow(/http\(s\) URL/);
  });

  it('is what `fillflow dev` and `fillflow server` give the dev server when payloads are encrypted', () => {
    expect(persistentServerOptions(join(tmpdir(), 'x'), 'http://127.0.0.1:8081')).toMatchObject({ uiPort: 8233, headless: false, uiCodecEndpoint: 'http://127.0.0.1:8081' });
    expect(persistentServerOptions(join(tmpdir(), 'x'))).not.toHaveProperty('uiCodecEndpoint');
  });
});
