/** Fillflow's metrics as the Gemini activities record them: each answer and each failure Gemini gives is counted
 * once, with the outcome its class names and, for 429s, the quota; a cache hit is counted instead of a call. The
 * activities run in Temporal's mock activity context, given a meter that keeps what is recorded on it; the store,
 * the @google/genai client and the emulator are real. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger, MetricCounter, MetricGauge, MetricHistogram, MetricMeter, MetricTags, NumericMetricValueType } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiActivities } from '../../../src/activities/index.js';
import { loadConfig } from '../../../src/config.js';
import type { ExtractBatchInput } from '../../../src/core/fill-records.js';
import { validateTemplate } from '../../../src/core/validate-template.js';
import { goldAnswers, loadGoldTable, startEmulator, type Emulator, type Fault } from '../../../src/emulator/index.js';
import { createGeminiClient } from '../../../src/gemini/gemini-client.js';
import { ingestPaths } from '../../../src/retrieval/ingest.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/supplier-onboarding');
const template = validateTemplate(JSON.parse(readFileSync(join(EXAMPLE, 'template.json'), 'utf8')));
const MODEL = 'gemini-3.5-flash';

interface Recorded {
  name: string;
  kind: 'counter' | 'histogram' | 'gauge';
  value: number;
  tags: MetricTags;
}

const CONTEXT_TAGS = ['namespace', 'taskQueue', 'activityType'];

/** A MetricMeter that keeps every value recorded on it, as the worker's exporter would receive them. */
class KeepingMeter implements MetricMeter {
  readonly recorded: Recorded[] = [];
  constructor(private readonly tags: MetricTags = {}) {}
  private keep(name: string, kind: Recorded['kind'], value: number, extra: MetricTags = {}) {
    this.recorded.push({ name, kind, value, tags: { ...this.tags, ...extra } });
  }
  createCounter(name: string): MetricCounter {
    return { name, kind: 'counter', valueType: 'int', add: (v, t) => this.keep(name, 'counter', v, t), withTags: () => this.createCounter(name) };
  }
  createHistogram(name: string, valueType: NumericMetricValueType = 'int'): MetricHistogram {
    return { name, kind: 'histogram', valueType, record: (v, t) => this.keep(name, 'histogram', v, t), withTags: () => this.createHistogram(name, valueType) };
  }
  createGauge(name: string, valueType: NumericMetricValueType = 'int'): MetricGauge {
    return { name, kind: 'gauge', valueType, set: (v, t) => this.keep(name, 'gauge', v, t), withTags: () => this.createGauge(name, valueType) };
  }
  withTags(tags: MetricTags): MetricMeter {
    return new KeepingMeter({ ...this.tags, ...tags });
  }
  /**
   * What was recorded, in order, as `name{tag=value,…} +n` lines (histograms as `name{…} observed`), with Fillflow's
   * own tags only: the activity context adds namespace, taskQueue and activityType to every one.
   */
  lines(): string[] {
    return this.recorded.map((r) => {
      const tags = Object.entries(r.tags)
        .filter(([k]) => !CONTEXT_TAGS.includes(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return r.kind === 'histogram' ? `${r.name}{${tags}} observed` : `${r.name}{${tags}} +${r.value}`;
    });
  }
}

let dir: string;
let store: Store;
let emulator: Emulator;
let chunkIds: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-activity-metrics-'));
  store = openStore({ dbPath: join(dir, 'fillflow.db') });
  emulator = await startEmulator({ answer: goldAnswers(loadGoldTable(join(EXAMPLE, 'gold.json'))), log: () => undefined });
  const documentIds = (await ingestPaths(store, [join(EXAMPLE, 'docs')])).map((d) => d.id);
  chunkIds = (await store.listChunks(documentIds)).map((c) => c.chunkId);
  await store.putTemplate(template);
});
afterAll(async () => {
  await emulator.close();
  await store.close();
});
beforeEach(() => emulator.reset());

const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
/** The activities; `keyId` names the quota ledger's bucket, one per test unless a test shares one on purpose. */
const activities = (keyId = `key-${batches}`) => {
  const config = loadConfig({ GEMINI_API_KEY: 'k', GEMINI_BASE_URL: emulator.url, GEMINI_MODEL: MODEL, FILLFLOW_DB: join(dir, 'fillflow.db') }, {}, dir);
  return createGeminiActivities({ store, config, gemini: createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: MODEL, timeoutMs: 5_000 }), keyId });
};
let batches = 0;
/** A batch of `fields` of the template's fields: a new fill and batch each time, asking what `fields` asks. */
const batch = (fields: number): ExtractBatchInput => ({
  fillId: `fill-am-${++batches}`,
  templateId: template.id,
  batchId: `b${batches}`,
  fieldKeys: template.fields.slice(0, fields).map((f) => f.key),
  chunkIds,
  maxOutputTokens: 8_192,
});

/** Runs extractBatch once in a mock activity context with a keeping meter; returns what the meter kept. */
async function extractWith(input: ExtractBatchInput, fault?: Fault, keyId?: string): Promise<KeepingMeter> {
  if (fault) emulator.inject(fault);
  const meter = new KeepingMeter();
  const env = new MockActivityEnvironment({ attempt: 1, activityType: 'extractBatch' }, { logger: quiet, metricMeter: meter });
  await env.run(() => activities(keyId).extractBatch(input)).catch(() => undefined);
  return meter;
}

/** Only the counters, without the ledger's histogram. */
const counted = (meter: KeepingMeter) => meter.lines().filter((l) => !l.endsWith(' observed'));

describe('metrics from the Gemini activities', () => {
  it('counts an answered call with its tokens as usage records them, after the ledger wait', async () => {
    const input = batch(4);
    const meter = await extractWith(input);
    const usage = await store.usageTotals(input.fillId);
    expect(usage.apiCalls).toBe(1);
    expect(meter.recorded.every((r) => r.tags.activityType === 'extractBatch' && r.tags.taskQueue !== undefined)).toBe(true);
    expect(meter.lines()).toEqual([
      'fillflow_ledger_wait_seconds{result=granted} observed',
      'fillflow_gemini_calls_total{route=standard,request=generate,outcome=ok} +1',
      `fillflow_gemini_prompt_tokens_total{route=standard,request=generate} +${usage.promptTokens}`,
      `fillflow_gemini_output_tokens_total{route=standard,request=generate} +${usage.outputTokens}`,
    ]);
  });

  it('counts a cache hit instead of a call when the same request was answered before', async () => {
    const input = batch(5);
    await extractWith(input);
    const again = await extractWith({ ...input, fillId: `${input.fillId}-again` });
    expect(emulator.requests.filter((q) => q.endpoint === 'generateContent')).toHaveLength(1);
    expect(again.lines()).toEqual(['fillflow_cache_hits_total{} +1']);
  });

  it.each<[string, Fault, string[]]>([
    [
      'a per-minute 429',
      { kind: 'rate-limit', quota: 'per-minute', retryDelay: '2s' },
      ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=rate_limited} +1', 'fillflow_gemini_429_total{kind=requests_per_minute} +1'],
    ],
    [
      'a per-day 429',
      { kind: 'rate-limit', quota: 'per-day', retryDelay: '2s' },
      ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=rate_limited} +1', 'fillflow_gemini_429_total{kind=per_day} +1'],
    ],
    [
      'a 429 with no details',
      { kind: 'no-details-429' },
      ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=rate_limited} +1', 'fillflow_gemini_429_total{kind=unknown} +1'],
    ],
    // limit: 0 is a 429 in form only: the model has no quota on the tier, which no wait changes.
    ['a 429 with limit 0', { kind: 'limit-zero' }, ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=config} +1']],
    ['a 503', { kind: 'status', status: 503 }, ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=transient} +1']],
    ['a 400', { kind: 'status', status: 400, message: 'Invalid JSON payload' }, ['fillflow_gemini_calls_total{route=standard,request=generate,outcome=bad_request} +1']],
  ])('counts %s once, by its class', async (_what, fault, expected) => {
    const input = batch(3);
    const meter = await extractWith(input, fault);
    expect(counted(meter)).toEqual(expected);
    // No tokens: Gemini answered nothing, and usage records none.
    expect((await store.usageTotals(input.fillId)).promptTokens).toBe(0);
  });

  it("counts no call when the ledger finds the key's day closed, and records the wait as ended on it", async () => {
    const keyId = `key-day-${++batches}`;
    await extractWith(batch(2), { kind: 'rate-limit', quota: 'per-day' }, keyId);
    const meter = await extractWith(batch(2), undefined, keyId);
    expect(emulator.requests.filter((q) => q.endpoint === 'generateContent')).toHaveLength(1);
    expect(meter.lines()).toEqual(['fillflow_ledger_wait_seconds{result=day_closed} observed']);
  });

  it('counts an embedding request as such, at the standard route', async () => {
    const meter = new KeepingMeter();
    const env = new MockActivityEnvironment({ attempt: 1 }, { logger: quiet, metricMeter: meter });
    const fillId = `fill-am-embed-${++batches}`;
    await env.run(() => activities().embedContext({ fillId, templateId: template.id, documentIds: [], fieldKeys: template.fields.slice(0, 2).map((f) => f.key) }));
    const usage = await store.usageTotals(fillId);
    expect(usage.apiCalls).toBe(1);
    expect(counted(meter)).toEqual([
      'fillflow_gemini_calls_total{route=standard,request=embed,outcome=ok} +1',
      `fillflow_gemini_prompt_tokens_total{route=standard,request=embed} +${usage.promptTokens}`,
    ]);
  });
});
