/** Payload encryption on a real dev server: a fill's history, read straight from the server by a client without
 * the key (the SDK, and the `temporal` CLI), holds no field value or quote; the codec server gives them back, to
 * the CLI's --codec-endpoint as to a browser on the UI's origin; after a key rotation the old fill still reads;
 * encrypted and older clear histories replay; and the dev server's UI is pointed at the codec server. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FillflowClient } from '../../src/client.js';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec.js';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server.js';
import type { JsonPayload } from '../../src/codec/payload-json.js';
import { DEFAULT_CODEC_CORS_ORIGINS, encryptionFromEnv } from '../../src/config.js';
import type { FillResult } from '../../src/core/types.js';
import { TEMPORAL_CLI_PATH_ENV } from '../../src/temporal/binaries.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { workflowBundle } from '../helpers/fill-harness.js';

const run = promisify(execFile);
const { env, rig: newRig } = useDevServerRigs();

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const UI = DEFAULT_CODEC_CORS_ORIGINS[0]!;

let example: { templateId: string; documentIds: string[] };
let encrypted: { fillId: string; result: FillResult };
let servers: RunningCodecServer[] = [];

/** What must not be readable: every string value and list item of 8 characters or more, and every quote. */
function secretsOf(result: FillResult): string[] {
  const out = new Set<string>();
  for (const f of result.fields) {
    for (const v of Array.isArray(f.value) ? f.value : [f.value]) if (typeof v === 'string' && v.length >= 8) out.add(v);
    for (const s of f.sources ?? []) if (s.quote.length >= 8) out.add(s.quote);
  }
  return [...out];
}

/** Each secret as written and as it appears inside a JSON string. */
const forms = (s: string) => [s, JSON.stringify(s).slice(1, -1)];

type FoundPayload = JsonPayload & { path: string };
const PAYLOAD_KEYS: ReadonlySet<string> = new Set(['metadata', 'data', 'externalPayloads']);

/** The history as the server holds it, fetched by the environment's client, which has no codec. */
async function rawHistory(fillId: string): Promise<{ json: string; payloads: FoundPayload[] }> {
  const json = historyToJSON(await env().client.workflow.getHandle(fillId).fetchHistory());
  return { json, payloads: payloadsIn(json) };
}

/** Every payload (`{ metadata, data }` with base64 values) in a history's JSON, with where it was found. */
function payloadsIn(json: string): FoundPayload[] {
  const payloads: FoundPayload[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const isPayload =
      typeof o.metadata === 'object' && o.metadata !== null && (typeof o.data === 'string' || o.data === undefined) && Object.keys(o).every((k) => PAYLOAD_KEYS.has(k));
    if (isPayload) {
      payloads.push({ metadata: o.metadata as Record<string, string>, ...(typeof o.data === 'string' ? { data: o.data } : {}), path });
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  walk(JSON.parse(json), 'history');
  return payloads;
}

/** The secrets found in no payload's decoded data. */
const missingFrom = (payloads: JsonPayload[], secrets: string[]) => {
  const texts = payloads.map((p) => b64(p.data));
  return secrets.filter((s) => !texts.some((t) => forms(s).some((f) => t.includes(f))));
};

const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
const encodingOf = (p: JsonPayload) => b64(p.metadata?.encoding);

async function codecServer(env: Record<string, string>, origins: readonly string[] = DEFAULT_CODEC_CORS_ORIGINS): Promise<RunningCodecServer> {
  const server = await startCodecServer({ codec: new AesGcmCodec(encryptionFromEnv(env)!), corsOrigins: origins, port: 0 });
  servers.push(server);
  return server;
}

async function decodeThrough(server: RunningCodecServer, payloads: JsonPayload[]): Promise<Response> {
  return fetch(`${server.url}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: UI, 'x-namespace': 'default' },
    body: JSON.stringify({ payloads: payloads.map(({ metadata, data }) => ({ metadata, data })) }),
  });
}

beforeAll(async () => {
  const rig = await newRig({ env: { FILLFLOW_ENCRYPTION_KEY: KEY_A, FILLFLOW_ENCRYPTION_KEY_ID: 'key-a' } });
  expect(rig.codec).toBeDefined();
  example = await rig.loadExample();
  const fillId = `fill-encrypted-${Date.now()}`;
  encrypted = { fillId, result: await rig.fill({ ...example, fillId }) };
});

afterAll(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

describe('payload encryption', () => {
  it('leaves no field value or quote readable in the history the server holds', async () => {
    const { result, fillId } = encrypted;
    expect(result.status).toBe('completed');
    const secrets = secretsOf(result);
    expect(secrets.length).toBeGreaterThanOrEqual(20);

    const { json, payloads } = await rawHistory(fillId);
    for (const s of secrets) for (const form of forms(s)) expect(json.includes(form), `"${s}" in the raw history`).toBe(false);
    for (const p of payloads) {
      const text = b64(p.data);
      for (const s of secrets) for (const form of forms(s)) expect(text.includes(form), `"${s}" in ${p.path}`).toBe(false);
    }
    // Everything is sealed but the indexed search attributes (status and template ID, which visibility must read)
    // and the patch markers' data (a patch ID, recorded by the SDK's core without passing the codec).
    const clear = payloads.filter(
      (p) => encodingOf(p) !== 'binary/encrypted' && !p.path.includes('.indexedFields.') && !/markerRecordedEventAttributes\.details\.patch-data\./.test(p.path),
    );
    expect(clear.map((p) => `${p.path}: ${encodingOf(p)}`)).toEqual([]);
    const sealed = payloads.filter((p) => encodingOf(p) === 'binary/encrypted');
    expect(sealed.length).toBeGreaterThan(5);
    expect(new Set(sealed.map((p) => b64(p.metadata?.['encryption-key-id'])))).toEqual(new Set(['key-a']));
  });

  it('leaves them unreadable to `temporal workflow show` without the codec server, and readable with it', async () => {
    const cli = process.env[TEMPORAL_CLI_PATH_ENV];
    if (!cli) throw new Error(`global setup exports ${TEMPORAL_CLI_PATH_ENV}; run the integration project`);
    const secrets = secretsOf(encrypted.result);
    const show = (...extra: string[]) =>
      run(cli, ['workflow', 'show', '--address', env().address, '--namespace', 'default', '--workflow-id', encrypted.fillId, '--output', 'json', ...extra], {
        maxBuffer: 64 * 1024 * 1024,
      }).then((r) => r.stdout);
    const without = await show();
    for (const s of secrets) expect(without.includes(s), s).toBe(false);
    expect(missingFrom(payloadsIn(without), secrets)).toEqual(secrets);

    // The CLI posts the payloads to <endpoint>/decode as the UI does, and prints what comes back.
    const server = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_A, FILLFLOW_ENCRYPTION_KEY_ID: 'key-a' });
    const decoded = payloadsIn(await show('--codec-endpoint', server.url));
    expect(decoded.filter((p) => encodingOf(p) === 'binary/encrypted')).toEqual([]);
    expect(missingFrom(decoded, secrets)).toEqual([]);
  });

  it("gives every value and quote back through the codec server's /decode, to the UI's origin", async () => {
    const { result, fillId } = encrypted;
    const server = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_A, FILLFLOW_ENCRYPTION_KEY_ID: 'key-a' });
    const { payloads } = await rawHistory(fillId);
    const res = await decodeThrough(server, payloads);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const decoded = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
    expect(decoded).toHaveLength(payloads.length);
    expect(decoded.some((p) => encodingOf(p) === 'binary/encrypted')).toBe(false);
    expect(missingFrom(decoded, secretsOf(result))).toEqual([]);
    const texts = decoded.map((p) => b64(p.data));
    // The workflow's result, decoded, is the FillResult the client received.
    const completed = JSON.parse((await rawHistory(fillId)).json).events.findIndex((e: Record<string, unknown>) => 'workflowExecutionCompletedEventAttributes' in e);
    const resultPath = `history.events[${completed}].workflowExecutionCompletedEventAttributes.result.payloads[0]`;
    const index = payloads.findIndex((p) => p.path === resultPath);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(texts[index]!)).toEqual(result);
  });

  it('FillflowClient.connect() reads with the keys in its environment, and without them names the key it needs', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.FILLFLOW_ENCRYPTION_KEY;
      delete process.env.FILLFLOW_ENCRYPTION_OLD_KEYS;
      const keyless = await FillflowClient.connect({ address: env().address });
      await expect(keyless.getFill(encrypted.fillId)).rejects.toThrow(/key id "key-a", which is not held here \(held: none\)/);
      await keyless.close();

      Object.assign(process.env, { FILLFLOW_ENCRYPTION_KEY: KEY_A, FILLFLOW_ENCRYPTION_KEY_ID: 'key-a' });
      const keyed = await FillflowClient.connect({ address: env().address });
      const state = await keyed.getFill(encrypted.fillId);
      expect(state.status === 'completed' && state.result.fields).toEqual(encrypted.result.fields);
      await keyed.close();
    } finally {
      for (const k of ['FILLFLOW_ENCRYPTION_KEY', 'FILLFLOW_ENCRYPTION_KEY_ID', 'FILLFLOW_ENCRYPTION_OLD_KEYS']) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('refuses a browser on another origin', async () => {
    const server = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_A, FILLFLOW_ENCRYPTION_KEY_ID: 'key-a' });
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const ok = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('after a key rotation, writes with the new key and still reads the fill the old one wrote', async () => {
    const rotatedEnv = { FILLFLOW_ENCRYPTION_KEY: KEY_B, FILLFLOW_ENCRYPTION_KEY_ID: 'key-b', FILLFLOW_ENCRYPTION_OLD_KEYS: `key-a:${KEY_A}` };
    const rotated = await newRig({ env: rotatedEnv });
    await rotated.loadExample();
    const fillId = `fill-rotated-${Date.now()}`;
    const fresh = await rotated.fill({ ...example, fillId });
    expect(fresh.status).toBe('completed');
    const sealed = (await rawHistory(fillId)).payloads.filter((p) => encodingOf(p) === 'binary/encrypted');
    expect(new Set(sealed.map((p) => b64(p.metadata?.['encryption-key-id'])))).toEqual(new Set(['key-b']));

    // The old fill's result, through the rotated client (its keyring holds key-a as an old key)…
    const old = await rotated.client.getFill(encrypted.fillId);
    expect(old.status === 'completed' && old.result.fields).toEqual(encrypted.result.fields);
    // …and its history through a codec server with the rotated keys.
    const server = await codecServer(rotatedEnv);
    const res = await decodeThrough(server, (await rawHistory(encrypted.fillId)).payloads);
    expect(res.status).toBe(200);
    expect(missingFrom(((await res.json()) as { payloads: JsonPayload[] }).payloads, secretsOf(encrypted.result))).toEqual([]);

    // A keyring without the old key says which key id it is missing.
    const newOnly = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_B, FILLFLOW_ENCRYPTION_KEY_ID: 'key-b' });
    const refused = await decodeThrough(newOnly, (await rawHistory(encrypted.fillId)).payloads);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/key id "key-a".*FILLFLOW_ENCRYPTION_OLD_KEYS/);
  });

  it('replays an encrypted history with the keys, and a clear one written before encryption with the same worker options', async () => {
    const clearRig = await newRig();
    await clearRig.loadExample();
    const clearFill = `fill-clear-${Date.now()}`;
    const clearResult = await clearRig.fill({ ...example, fillId: clearFill });
    // The control: the same search finds every value and quote in a history written without a key.
    expect(missingFrom((await rawHistory(clearFill)).payloads, secretsOf(clearResult))).toEqual([]);

    const keys = new AesGcmCodec(encryptionFromEnv({ FILLFLOW_ENCRYPTION_KEY: KEY_B, FILLFLOW_ENCRYPTION_KEY_ID: 'key-b', FILLFLOW_ENCRYPTION_OLD_KEYS: `key-a:${KEY_A}` })!);
    const options = { workflowBundle: await workflowBundle(), dataConverter: { payloadCodecs: [keys] } };
    const history = async (id: string) => historyFromJSON(JSON.parse(historyToJSON(await env().client.workflow.getHandle(id).fetchHistory())));
    await Worker.runReplayHistory(options, await history(encrypted.fillId), encrypted.fillId);
    await Worker.runReplayHistory(options, await history(clearFill), clearFill);
    // The rotated client reads the clear fill too: payloads it did not encrypt pass through.
    const rotatedClient = (await newRig({ env: { FILLFLOW_ENCRYPTION_KEY: KEY_B, FILLFLOW_ENCRYPTION_KEY_ID: 'key-b' } })).client;
    const state = await rotatedClient.getFill(clearFill);
    expect(state.status === 'completed' && state.result.fields).toEqual(clearResult.fields);
  });
});

describe('the dev server UI', () => {
  it('is pointed at the codec server, which answers its origin', async () => {
    const codec = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_A }, []);
    const server = await startDevServer({ port: 0, headless: false, uiCodecEndpoint: codec.url });
    try {
      expect(server.uiUrl).toBeDefined();
      const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(codec.url);
      // Configured for this UI's origin, the codec server answers its preflight.
      const forUi = await codecServer({ FILLFLOW_ENCRYPTION_KEY: KEY_A }, [server.uiUrl!]);
      const pre = await fetch(`${forUi.url}/decode`, { method: 'OPTIONS', headers: { origin: server.uiUrl!, 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(server.uiUrl);
    } finally {
      await server.stop();
    }
  });
});
