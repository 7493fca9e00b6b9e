/** @module The one metered Gemini call, through both activities that use it: a real SQLite store, the real
 * @google/genai client over HTTP to the emulator, and Temporal's mock activity context (attempt numbers,
 * heartbeats, cancellation). Embedding and extraction must meter alike. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiActivities } from '../../../src/activities/index.js';
import { loadConfig } from '../../../src/config.js';
import { FailureType } from '../../../src/core/failure-types.js';
import type { EmbedContextInput, ExtractBatchInput } from '../../../src/core/fill-records.js';
import { validateTemplate } from '../../../src/core/validate-template.js';
import { goldAnswers, loadGoldTable, startEmulator, type Emulator, type FaultEndpoint } from '../../../src/emulator/index.js';
import { createGeminiClient, type GeminiClient } from '../../../src/gemini/gemini-client.js';
import { ingestPaths } from '../../../src/retrieval/ingest.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store, UsageEvent } from '../../../src/store/store.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/supplier-onboarding');
const template = validateTemplate(JSON.parse(readFileSync(join(EXAMPLE, 'template.json'), 'utf8')));
const MODEL = 'gemini-3.5-flash';
const EMBEDDING_MODEL = 'gemini-embedding-001';
const KEY_ID = 'key-under-test';

let dir: string;
let store: Store;
let emulator: Emulator;
let documentIds: string[];
/** Every usage event the activities recorded, as they recorded it (the store keeps them too). */
const events: UsageEvent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-metered-'));
  const real = openStore({ dbPath: join(dir, 'fillflow.db') });
  // The real store, with its recordUsage watched: the interface has no read of single events.
  store = Object.assign(Object.create(real) as Store, {
    recordUsage: (e: UsageEvent) => (events.push(e), real.recordUsage(e)),
  });
  emulator = await startEmulator({ answer: goldAnswers(loadGoldTable(join(EXAMPLE, 'gold.json'))), log: () => undefined });
  documentIds = (await ingestPaths(store, [join(EXAMPLE, 'docs')])).map((d) => d.id);
  await store.putTemplate(template);
});
afterAll(async () => {
  await emulator.close();
  await store.close();
});
beforeEach(() => {
  emulator.reset();
});

function activities(baseUrl = emulator.url) {
  const config = loadConfig({ GEMINI_API_KEY: 'k', GEMINI_BASE_URL: baseUrl, GEMINI_MODEL: MODEL, FILLFLOW_DB: join(dir, 'fillflow.db') }, {}, dir);
  const gemini: GeminiClient = createGeminiClient({ apiKey: 'k', baseUrl, model: MODEL, timeoutMs: 5_000 });
  return createGeminiActivities({ store, config, gemini, keyId: KEY_ID });
}

/** Failing activities are this file's subject: their warnings would only bury the test report. */
const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const mockEnv = (attempt = 1) => new MockActivityEnvironment({ attempt }, { logger: quiet });
/** Runs `fn` as one attempt of an activity (the environment's run() cannot infer the result type). */
const inActivity = <R>(fn: () => Promise<R>, env = mockEnv()): Promise<R> => env.run<[], R, () => Promise<R>>(fn);

const fieldKeys = template.fields.map((f) => f.key);
let fills = 0;
const newFill = () => `fill-metered-${++fills}`;

async function extractInput(fillId: string): Promise<ExtractBatchInput> {
  const chunks = await store.listChunks(documentIds);
  return { fillId, templateId: template.id, batchId: 'b1', fieldKeys, chunkIds: chunks.map((c) => c.chunkId), maxOutputTokens: 8_192 };
}
const embedInput = (fillId: string): EmbedContextInput => ({ fillId, templateId: template.id, documentIds, fieldKeys });

/** Runs one activity attempt in Temporal's mock context and returns what it threw. */
async function failureOf(run: () => Promise<unknown>, attempt = 1): Promise<ApplicationFailure> {
  const err = await inActivity(run, mockEnv(attempt)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const of = (fillId: string) => events.filter((e) => e.fillId === fillId);
/** What the ledger holds for a bucket: its 429s, its rate, and what the minute's window counts. */
async function ledger(model: string) {
  const [s] = await store.quotaSnapshots({ keyId: KEY_ID, model });
  return s && { limitedToday: s.limitedToday, rateFactor: s.rateFactor, requestsInWindow: s.requestsInWindow, tokensInWindow: s.tokensInWindow };
}

describe('one metered Gemini call', () => {
  it('an embedding 429 is recorded and reconciled like an extraction 429', async () => {
    const outcome = async (endpoint: FaultEndpoint, model: string, run: (fillId: string) => Promise<unknown>) => {
      const fillId = newFill();
      emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '3s', endpoint });
      const failure = await failureOf(() => run(fillId));
      return {
        failure: { type: failure.type, nonRetryable: failure.nonRetryable, waitsTheHint: Number(failure.nextRetryDelay) >= 3_000 },
        // An embedding request's api_call says `embed`; everything else must match.
        usage: of(fillId).map((e) => ({ kind: e.kind, endpoint: e.endpoint, sameModel: e.model === model, ...(e.kind === 'api_call' ? {} : { detail: e.detail }) })),
        ledger: await ledger(model),
      };
    };
    const extraction = await outcome('generateContent', MODEL, async (fillId) => activities().extractBatch(await extractInput(fillId)));
    const embedding = await outcome('batchEmbedContents', EMBEDDING_MODEL, (fillId) => activities().embedContext(embedInput(fillId)));

    expect(embedding).toEqual(extraction);
    expect(embedding).toEqual({
      failure: { type: FailureType.RateLimited, nonRetryable: false, waitsTheHint: true },
      usage: [
        { kind: 'api_call', endpoint: emulator.url, sameModel: true },
        { kind: 'rate_limited', detail: 'requests-per-minute', endpoint: emulator.url, sameModel: true },
      ],
      // The 429 lowered the bucket's rate, and the refused request's tokens left the window (reconciled to 0).
      ledger: { limitedToday: 1, rateFactor: expect.any(Number), requestsInWindow: 1, tokensInWindow: 0 },
    });
    expect(embedding.ledger!.rateFactor).toBeLessThan(1);
  });

  it('run-time limits (`fillflow limits apply`) hold embeddings too: a closed day sends nothing more', async () => {
    const fillId = newFill();
    await store.quotaSetLimits({ requestsPerDay: 0 });
    try {
      const failure = await failureOf(() => activities().embedContext(embedInput(fillId)));
      expect(failure).toMatchObject({ type: FailureType.QuotaExhausted, nonRetryable: true });
      expect(failure.details).toEqual([{ resetAt: expect.any(Number), source: 'ledger' }]);
      expect(emulator.requests).toHaveLength(0);
    } finally {
      await store.quotaSetLimits(null);
    }
  });

  it('a wrong-dimensions embedding answer is tried once more, never a third time', async () => {
    const fillId = newFill();
    emulator.inject({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents', count: 5 });
    const first = await failureOf(() => activities().embedContext(embedInput(fillId)), 1);
    const second = await failureOf(() => activities().embedContext(embedInput(fillId)), 2);

    expect(first).toMatchObject({ type: FailureType.MalformedAnswer, nonRetryable: false });
    expect(first.message).toMatch(/3072 dimensions, not the 768 asked for/);
    expect(second).toMatchObject({ type: FailureType.MalformedAnswer, nonRetryable: true });
    expect(emulator.requests).toHaveLength(2);
    expect(of(fillId).map((e) => [e.kind, e.detail, e.endpoint, e.model])).toEqual([
      ['api_call', 'embed', emulator.url, EMBEDDING_MODEL],
      ['error', 'malformed', emulator.url, EMBEDDING_MODEL],
      ['retry', undefined, emulator.url, EMBEDDING_MODEL],
      ['api_call', 'embed', emulator.url, EMBEDDING_MODEL],
      ['error', 'malformed', emulator.url, EMBEDDING_MODEL],
    ]);
  });

  it("names the endpoint in the embedding space and every event, and heartbeats while it works", async () => {
    const fillId = newFill();
    const env = mockEnv();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const space = await inActivity(() => activities().embedContext(embedInput(fillId)), env);

    expect(space).toMatchObject({ endpoint: emulator.url, model: EMBEDDING_MODEL, dimensions: 768 });
    expect(space.chunksEmbedded + space.queriesEmbedded).toBeGreaterThan(0);
    expect(beats).toBeGreaterThan(0);
    const calls = of(fillId);
    expect(calls.map((e) => e.kind)).toEqual(['api_call', 'api_call']);
    for (const e of calls) expect(e).toMatchObject({ detail: 'embed', endpoint: emulator.url, model: EMBEDDING_MODEL, fields: 0 });
    expect(calls[0]!.promptTokens).toBeGreaterThan(0);
  });

  it("keeps cached answers per endpoint: another endpoint's request is sent, the same endpoint's is not", async () => {
    const other = await startEmulator({ answer: goldAnswers(loadGoldTable(join(EXAMPLE, 'gold.json'))), log: () => undefined });
    try {
      const run = (baseUrl: string, fillId: string) =>
        inActivity(async () => activities(baseUrl).extractBatch(await extractInput(fillId)));
      const fromA = await run(emulator.url, newFill());
      const fromB = await run(other.url, newFill());
      const againA = newFill();
      const cachedA = await run(emulator.url, againA);

      expect([fromA.cached, fromB.cached, cachedA.cached]).toEqual([false, false, true]);
      expect(emulator.requests.filter((q) => q.endpoint === 'generateContent')).toHaveLength(1);
      expect(other.requests.filter((q) => q.endpoint === 'generateContent')).toHaveLength(1);
      expect(of(againA)).toEqual([
        expect.objectContaining({ kind: 'cache_hit', endpoint: emulator.url, model: MODEL, fields: fieldKeys.length }),
      ]);
    } finally {
      await other.close();
    }
  });

  it('fails at once, without a request, on a worker with no client', async () => {
    const config = loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db') }, {}, dir);
    const { embedContext } = createGeminiActivities({ store, config });
    const failure = await failureOf(() => embedContext(embedInput(newFill())), 1);
    expect(failure).toMatchObject({ type: FailureType.NotConfigured, nonRetryable: true });
    expect(emulator.requests).toHaveLength(0);
  });
});
