/** @module The real `@google/genai` SDK over HTTP against the Gemini emulator: answers, quotas, faults, recording. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_TEXT,
  goldAnswers,
  loadGoldTable,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../../src/emulator/index.js';

const MODEL = 'gemini-2.5-flash';
const KEY = 'test-key-do-not-record-7f3a';

const field = (value: unknown) => ({
  type: 'object',
  properties: { value, quote: { type: ['string', 'null'] } },
  required: ['value', 'quote'],
});
const SCHEMA = {
  type: 'object',
  properties: {
    tenant: field({ type: ['string', 'null'] }),
    monthly_rent: field({ type: ['number', 'null'] }),
    pets_allowed: field({ type: ['boolean', 'null'] }),
  },
  required: ['tenant', 'monthly_rent', 'pets_allowed'],
};
const DOC = 'RESIDENTIAL LEASE\nTenant:  Acme   Corp.\nMonthly rent: 1,250 USD, due on the first.';
const GOLD = {
  tenant: { value: 'Acme Corp', quote: 'Tenant: Acme Corp.' },
  monthly_rent: { value: 1250, quote: 'Monthly rent: 1,250 USD' },
  pets_allowed: { value: false, quote: 'No pets are allowed.' },
};

interface ApiFailure {
  status: number;
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

/** Awaits a call that must fail with ApiError and reads its body back from `message`, as Fillflow must. */
async function apiFailure(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { status: e.status, error: JSON.parse(e.message).error };
  }
  throw new Error('expected the call to fail with ApiError');
}

/** A response body as loosely typed JSON; the assertions are the type check. */
async function json(res: Response): Promise<any> {
  return res.json();
}

function detail(f: ApiFailure, type: string): Record<string, any> | undefined {
  return f.error.details?.find((d) => String(d['@type']).endsWith(type));
}

function client(emulator: Emulator, apiKey = KEY): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: emulator.url } });
}

function ask(ai: GoogleGenAI, text = DOC, extra: Record<string, unknown> = {}) {
  return ai.models.generateContent({
    model: MODEL,
    contents: text,
    config: {
      systemInstruction: 'Fill the fields from the passages.',
      responseMimeType: 'application/json',
      responseJsonSchema: SCHEMA,
      temperature: 0,
      ...extra,
    },
  });
}

describe('emulator over the real SDK', () => {
  let emulator: Emulator;
  let ai: GoogleGenAI;
  const log: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-gold-'));
    writeFileSync(join(dir, 'gold.json'), JSON.stringify(GOLD));
    emulator = await startEmulator({ answer: goldAnswers(loadGoldTable(join(dir, 'gold.json'))), log: (l) => log.push(l) });
    ai = client(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    emulator.setLimits({});
    log.length = 0;
  });

  it('answers generateContent with the gold values whose quotes are in the prompt', async () => {
    const res = await ask(ai);
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(JSON.parse(res.text ?? '')).toEqual({
      tenant: { value: 'Acme Corp', quote: 'Tenant: Acme Corp.' },
      monthly_rent: { value: 1250, quote: 'Monthly rent: 1,250 USD' },
      pets_allowed: { value: null, quote: null },
    });
    const chars = DOC.length + 'Fill the fields from the passages.'.length + JSON.stringify(SCHEMA).length;
    expect(res.usageMetadata).toEqual({
      promptTokenCount: Math.ceil(chars / 4),
      candidatesTokenCount: Math.ceil((res.text ?? '').length / 4),
      totalTokenCount: Math.ceil(chars / 4) + Math.ceil((res.text ?? '').length / 4),
    });
    expect(res.modelVersion).toBe(MODEL);

    const [rec] = emulator.requests;
    expect(rec).toMatchObject({
      seq: 1,
      method: 'POST',
      path: `/v1beta/models/${MODEL}:generateContent`,
      endpoint: 'generateContent',
      model: MODEL,
      status: 200,
      promptText: DOC,
      fieldKeys: ['tenant', 'monthly_rent', 'pets_allowed'],
      promptTokens: Math.ceil(chars / 4),
      finishReason: 'STOP',
    });
    // The request as the SDK put it on the wire: the schema and settings inside generationConfig.
    expect(rec?.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Fill the fields from the passages.' }] },
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: SCHEMA, temperature: 0 },
    });
  });

  it('counts tokens without spending quota', async () => {
    emulator.setLimits({ rpm: 1 });
    for (let i = 0; i < 3; i++) {
      const res = await ai.models.countTokens({ model: MODEL, contents: 'twelve chars' });
      expect(res.totalTokens).toBe(3);
    }
    await expect(ask(ai)).resolves.toBeDefined();
    expect(emulator.requests.map((r) => r.endpoint)).toEqual(['countTokens', 'countTokens', 'countTokens', 'generateContent']);
  });

  it('embeds deterministically, normalised, similar texts closer', async () => {
    const res = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['monthly rent due', 'The monthly rent is due on the first.', 'Pets are not allowed.'],
    });
    const [q, near, far] = (res.embeddings ?? []).map((e) => e.values ?? []);
    expect(q).toHaveLength(768);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
    expect(dot(q!, q!)).toBeCloseTo(1, 9);
    expect(dot(q!, near!)).toBeGreaterThan(dot(q!, far!));
    const small = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: 'monthly rent due',
      config: { outputDimensionality: 256, taskType: 'RETRIEVAL_QUERY' },
    });
    expect(small.embeddings?.[0]?.values).toHaveLength(256);
    expect(emulator.requests.at(-1)?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  it('cuts the answer at maxOutputTokens and finishes MAX_TOKENS', async () => {
    const res = await ask(ai, DOC, { maxOutputTokens: 5 });
    expect(res.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(res.text).toHaveLength(20);
    expect(() => JSON.parse(res.text ?? '')).toThrow();
    expect(res.usageMetadata?.candidatesTokenCount).toBe(5);
  });

  it('enforces rpm over real requests: the rest get 429 with a delay under a minute', async () => {
    emulator.setLimits({ rpm: 3 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => ask(ai)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      const f = await apiFailure(Promise.reject(r.reason));
      expect(f.status).toBe(429);
      const delay = parseFloat(detail(f, 'google.rpc.RetryInfo')?.retryDelay);
      expect(delay).toBeGreaterThan(55);
      expect(delay).toBeLessThanOrEqual(60);
    }
    expect(emulator.requests.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(emulator.requests.filter((r) => r.status === 429).every((r) => r.rateLimited?.[0] === 'per-minute')).toBe(true);
  });

  it('limits per model: another model has its own window', async () => {
    emulator.setLimits({ rpm: 100, perModel: { [MODEL]: { rpm: 1 } } });
    await ask(ai);
    expect((await apiFailure(ask(ai))).status).toBe(429);
    await expect(
      ai.models.generateContent({ model: 'gemini-2.5-flash-lite', contents: 'hi' }),
    ).resolves.toBeDefined();
  });

  it('never records the API key, only a hash prefix', async () => {
    await ask(ai);
    await ai.models.countTokens({ model: MODEL, contents: 'x' });
    const hash = createHash('sha256').update(KEY).digest('hex').slice(0, 16);
    expect(emulator.requests.every((r) => r.apiKeyHash === hash)).toBe(true);
    expect(JSON.stringify(emulator.requests)).not.toContain(KEY);
    const overHttp = await (await fetch(`${emulator.url}/_emulator/requests`)).text();
    expect(overHttp).not.toContain(KEY);
    expect(overHttp).toContain(hash);
  });

  describe('injected faults', () => {
    it('503 overloaded, as ApiError with the JSON body', async () => {
      emulator.inject({ kind: 'status', status: 503 });
      const f = await apiFailure(ask(ai));
      expect(f).toEqual({
        status: 503,
        error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
      });
      await expect(ask(ai)).resolves.toBeDefined();
      expect(emulator.requests.map((r) => [r.status, r.faults])).toEqual([
        [503, ['status']],
        [200, undefined],
      ]);
    });

    it('status faults with count and a custom message', async () => {
      emulator.inject({ kind: 'status', status: 500, count: 2 }, { kind: 'status', status: 504, message: 'slow' });
      expect((await apiFailure(ask(ai))).error.status).toBe('INTERNAL');
      expect((await apiFailure(ask(ai))).status).toBe(500);
      expect((await apiFailure(ask(ai))).error).toEqual({ code: 504, message: 'slow', status: 'DEADLINE_EXCEEDED' });
      expect(emulator.pendingFaults()).toEqual([]);
    });

    it('rate-limit per-minute with a given retryDelay', async () => {
      emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '12.5s' });
      const f = await apiFailure(ask(ai));
      expect(f.status).toBe(429);
      expect(f.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(detail(f, 'google.rpc.RetryInfo')?.retryDelay).toBe('12.5s');
      expect(f.error.message).toMatch(/Please retry in 12\.5s\.$/);
      expect(detail(f, 'google.rpc.QuotaFailure')?.violations[0].quotaId).toBe(
        'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
      );
    });

    it('rate-limit tokens-per-minute names the input-token quota and the configured limit', async () => {
      emulator.setLimits({ tpm: 4000 });
      emulator.inject({ kind: 'rate-limit', quota: 'tokens-per-minute' });
      const f = await apiFailure(ask(ai));
      expect(detail(f, 'google.rpc.QuotaFailure')?.violations).toEqual([
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
          quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
          quotaDimensions: { location: 'global', model: MODEL },
          quotaValue: '4000',
        },
      ]);
    });

    it('limit-zero reports limit: 0 and quotaValue "0"', async () => {
      emulator.inject({ kind: 'limit-zero' });
      const f = await apiFailure(ask(ai));
      expect(f.error.message).toMatch(/limit: 0, model: gemini-2\.5-flash/);
      const violations = detail(f, 'google.rpc.QuotaFailure')?.violations as Array<{ quotaValue: string }>;
      expect(violations.length).toBeGreaterThan(0);
      expect(violations.every((v) => v.quotaValue === '0')).toBe(true);
    });

    it('no-details-429 is the bare RESOURCE_EXHAUSTED', async () => {
      emulator.inject({ kind: 'no-details-429' });
      expect(await apiFailure(ask(ai))).toEqual({
        status: 429,
        error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
      });
    });

    it('truncate: MAX_TOKENS and JSON cut mid-way', async () => {
      emulator.inject({ kind: 'truncate' });
      const res = await ask(ai);
      expect(res.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
      expect(res.text?.startsWith('{"tenant":')).toBe(true);
      expect(() => JSON.parse(res.text ?? '')).toThrow();
    });

    it('malformed: STOP and text that is not JSON', async () => {
      emulator.inject({ kind: 'malformed' });
      const res = await ask(ai);
      expect(res.candidates?.[0]?.finishReason).toBe('STOP');
      expect(res.text).toBe(MALFORMED_TEXT);
      expect(() => JSON.parse(res.text ?? '')).toThrow();
    });

    it('blocked: no candidates, text undefined, promptFeedback.blockReason set', async () => {
      emulator.inject({ kind: 'blocked' }, { kind: 'blocked', reason: 'OTHER' });
      const res = await ask(ai);
      expect(res.candidates).toBeUndefined();
      expect(res.text).toBeUndefined();
      expect(res.promptFeedback?.blockReason).toBe('SAFETY');
      expect((await ask(ai)).promptFeedback?.blockReason).toBe('OTHER');
      expect(emulator.requests.map((r) => r.blockReason)).toEqual(['SAFETY', 'OTHER']);
    });

    it('a match predicate picks the request by its field keys', async () => {
      emulator.inject({ kind: 'truncate', match: (r) => r.fieldKeys.includes('pets_allowed') });
      const plain = await ai.models.generateContent({ model: MODEL, contents: 'hello' });
      expect(plain.candidates?.[0]?.finishReason).toBe('STOP');
      expect((await ask(ai)).candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    });

    it('latency delays the answer', async () => {
      emulator.inject({ kind: 'latency', ms: 150 });
      const t0 = performance.now();
      await ask(ai);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
      expect(emulator.requests[0]?.faults).toEqual(['latency']);
    });

    it('a shape fault waits for a request the quota admits', async () => {
      emulator.setLimits({ rpm: 0 });
      emulator.inject({ kind: 'malformed' });
      expect((await apiFailure(ask(ai))).status).toBe(429);
      expect(emulator.pendingFaults()).toEqual([{ kind: 'malformed', count: 1 }]);
    });
  });

  describe('unexpected input fails loudly', () => {
    it('a generateContent without contents is 400 INVALID_ARGUMENT, recorded and logged', async () => {
      const res = await fetch(`${emulator.url}/v1beta/models/${MODEL}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ generationConfig: {} }),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await json(res)).error.status).toBe('INVALID_ARGUMENT');
      expect(emulator.requests[0]?.error).toMatch(/contents is not specified/);
      expect(log.join('\n')).toMatch(/#1 .*400.*contents is not specified/);
    });

    it('a body that is not JSON is 400', async () => {
      const res = await fetch(`${emulator.url}/v1beta/models/${MODEL}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY },
        body: '{"contents": [',
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error.message).toMatch(/^Invalid JSON payload received/);
      expect(emulator.requests[0]).toMatchObject({ status: 400, body: null });
    });

    it('an unknown path is a JSON 404', async () => {
      const res = await fetch(`${emulator.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY },
        body: '{}',
      });
      expect(res.status).toBe(404);
      expect((await json(res)).error.status).toBe('NOT_FOUND');
      expect(emulator.requests[0]?.error).toMatch(/no such endpoint/);
    });

    it('a request without an API key is 403 PERMISSION_DENIED', async () => {
      const res = await fetch(`${emulator.url}/v1beta/models/${MODEL}:generateContent`, {
        method: 'POST',
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      });
      expect(res.status).toBe(403);
      expect((await json(res)).error.status).toBe('PERMISSION_DENIED');
      expect(emulator.requests[0]?.apiKeyHash).toBeNull();
    });
  });

  describe('control API', () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });

    it('queues faults, sets limits and answers, resets, and reports health', async () => {
      expect((await post('faults', [{ kind: 'status', status: 503 }])).status).toBe(200);
      expect((await apiFailure(ask(ai))).status).toBe(503);

      expect((await post('answers', { tenant: { value: 'Other Co', quote: 'Acme' } })).status).toBe(200);
      expect(JSON.parse((await ask(ai)).text ?? '').tenant).toEqual({ value: 'Other Co', quote: 'Acme' });

      expect((await post('limits', { rpm: 0 })).status).toBe(200);
      expect((await apiFailure(ask(ai))).status).toBe(429);

      const health = await json(await fetch(`${emulator.url}/_emulator/health`));
      expect(health).toEqual({ ok: true, requests: 3, pendingFaults: [] });
      const since = await json(await fetch(`${emulator.url}/_emulator/requests?since=2`));
      expect(since.map((r: { seq: number }) => r.seq)).toEqual([3]);

      expect((await post('reset', {})).status).toBe(200);
      expect(emulator.requests).toHaveLength(0);
      emulator.setAnswer(goldAnswers(GOLD));
    });

    it('refuses bad control input with a message naming it', async () => {
      const res = await post('faults', [{ kind: 'status', status: 200 }]);
      expect(res.status).toBe(400);
      expect((await json(res)).error.message).toMatch(/400\.\.599/);
      expect((await json(await post('limits', { rmp: 5 }))).error.message).toMatch(/limits\.rmp: unknown limit/);
      expect((await json(await post('answers', { tenant: 'x' }))).error.message).toMatch(/tenant: needs/);
      expect((await fetch(`${emulator.url}/_emulator/nope`)).status).toBe(404);
    });
  });
});

describe('emulator quotas on a fake clock', () => {
  let emulator: Emulator;
  let ai: GoogleGenAI;
  let now = 0;

  async function start(options: EmulatorOptions) {
    emulator = await startEmulator({ now: () => now, ...options });
    ai = client(emulator);
  }
  afterEach(() => emulator.close());

  it('a per-minute 429 carries the exact fractional time until the window frees', async () => {
    now = Date.UTC(2026, 5, 15, 19, 0, 0); // noon PDT
    await start({ limits: { rpm: 1 } });
    await ask(ai);
    now += 12_345.5;
    const f = await apiFailure(ask(ai));
    expect(f.status).toBe(429);
    expect(detail(f, 'google.rpc.RetryInfo')?.retryDelay).toBe('47.654500s');
    expect(f.error.message).toContain('* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 1, model: gemini-2.5-flash\nPlease retry in 47.654500s.');
    expect(detail(f, 'google.rpc.QuotaFailure')?.violations).toEqual([
      {
        quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
        quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
        quotaDimensions: { location: 'global', model: MODEL },
        quotaValue: '1',
      },
    ]);
    expect(detail(f, 'google.rpc.Help')).toBeDefined();
    now += 47_654.5;
    await expect(ask(ai)).resolves.toBeDefined();
  });

  it('a per-day 429 carries a short, misleading retryDelay, and the day resets at Pacific midnight', async () => {
    now = Date.UTC(2026, 5, 15, 19, 0, 0); // noon PDT: 12 h to the reset
    await start({ limits: { rpd: 1 }, seed: 7 });
    await ask(ai);
    const f = await apiFailure(ask(ai));
    const violations = detail(f, 'google.rpc.QuotaFailure')?.violations;
    expect(violations[0].quotaId).toBe('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    const delayS = parseFloat(detail(f, 'google.rpc.RetryInfo')?.retryDelay);
    expect(delayS).toBeGreaterThanOrEqual(5);
    expect(delayS).toBeLessThanOrEqual(60);
    // Obeying it does not help: the quota is still spent until midnight.
    now += delayS * 1000;
    expect((await apiFailure(ask(ai))).status).toBe(429);
    now = Date.UTC(2026, 5, 16, 7, 0, 0); // 00:00 PDT
    await expect(ask(ai)).resolves.toBeDefined();
  });

  it('several broken quotas come back as one 429 with every violation', async () => {
    now = Date.UTC(2026, 5, 15, 19, 0, 0);
    await start({ limits: { rpm: 1, rpd: 1 } });
    await ask(ai);
    // Room for one request's tokens, not two.
    emulator.setLimits({ rpm: 1, rpd: 1, tpm: (emulator.requests[0]?.promptTokens ?? 0) + 1 });
    now += 1_000;
    const f = await apiFailure(ask(ai));
    const ids = (detail(f, 'google.rpc.QuotaFailure')?.violations as Array<{ quotaId: string }>).map((v) => v.quotaId);
    expect(ids).toEqual([
      'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
      'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
      'GenerateContentInputTokensPerModelPerMinute-FreeTier',
    ]);
    expect(detail(f, 'google.rpc.RetryInfo')?.retryDelay).toBe('59s');
    expect(emulator.requests[1]?.rateLimited).toEqual(['per-day', 'per-minute', 'tokens-per-minute']);
  });

  it('quotas are per API key', async () => {
    now = Date.UTC(2026, 5, 15, 19, 0, 0);
    await start({ limits: { rpm: 1 } });
    await ask(ai);
    await expect(ask(client(emulator, 'another-key'))).resolves.toBeDefined();
  });

  it('a seeded fault rate answers the same requests 503 on every run', async () => {
    const pattern = async () => {
      await start({ faultRate: 0.3, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        statuses.push(await ask(ai).then(() => 200, (e: ApiError) => e.status));
      }
      await emulator.close();
      return statuses;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(3);
    expect(failed).toBeLessThan(18);
    await start({});
  });
});

describe('emulator auth and models', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiKeys: [KEY], models: [MODEL] });
  });
  afterAll(() => emulator.close());

  it('a key it was not given is 400 API_KEY_INVALID', async () => {
    const f = await apiFailure(ask(client(emulator, 'wrong-key')));
    expect(f.status).toBe(400);
    expect(f.error.status).toBe('INVALID_ARGUMENT');
    expect(detail(f, 'google.rpc.ErrorInfo')?.reason).toBe('API_KEY_INVALID');
  });

  it('a model it does not serve is 404 NOT_FOUND', async () => {
    const f = await apiFailure(client(emulator).models.generateContent({ model: 'gemini-2.0-flash', contents: 'x' }));
    expect(f.status).toBe(404);
    expect(f.error.message).toMatch(
      /^models\/gemini-2\.0-flash is not found for API version v1beta, or is not supported for generateContent/,
    );
  });
});
