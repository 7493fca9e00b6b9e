/** Prometheus metrics, scraped as Prometheus would: a `fillflow worker` process with FILLFLOW_METRICS_ADDRESS on a free
 * port, a real dev server and the Gemini emulator. Each counter must move by what the emulator answered and what usage
 * recorded for the fills between two scrapes; the SDK's own metrics share the endpoint. Then the API's GET /metrics. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/build-api.js';
import { loadConfig } from '../../src/config.js';
import type { RecordedRequest } from '../../src/emulator/index.js';
import { installRuntime } from '../../src/runtime/runtime.js';
import { findFreePort } from '../../src/temporal/ports.js';
import { createRig, exampleTemplate, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { startWorkerProcess, until, workerReady } from '../helpers/worker-process.js';
import { dashboardQueries, metricNamesIn } from '../unit/metrics/dashboard-names.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, the lines a scraper reads: `name{label="value",…} number`. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `match` (0 when there are none yet: nothing counted). */
function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

let env: TestWorkflowEnvironment;
let rig: Rig;
let worker: ChildProcess;
let metricsUrl: string;

/** What this test's API process (the vitest process itself) serves; its runtime is installed before anything else's. */
const apiMetricsAddress = `127.0.0.1:${await findFreePort('127.0.0.1')}`;
const { metrics: apiMetrics } = installRuntime({ metricsAddress: apiMetricsAddress });

beforeAll(async () => {
  env = await createLocalTestEnv();
  rig = await createRig(env, { workers: false });
  const address = `127.0.0.1:${await findFreePort('127.0.0.1')}`;
  metricsUrl = `http://${address}/metrics`;
  worker = startWorkerProcess(rig, env.address, {}, { env: { FILLFLOW_METRICS_ADDRESS: address } });
  await workerReady(worker);
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
  await rig?.close();
  await env?.teardown();
});

async function scrape(): Promise<Sample[]> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** How each metric moved between two scrapes. */
const delta = (before: Sample[], after: Sample[]) => (name: string, match: Record<string, string> = {}) => total(after, name, match) - total(before, name, match);

/** The requests a metered call sends (countTokens is a free measurement, not one of them). */
const sent = (requests: readonly RecordedRequest[]) => requests.filter((q) => q.endpoint === 'generateContent' || q.endpoint === 'batchEmbedContents');

async function fill(templateId: string, documentIds: string[]) {
  const fillId = `fill-metrics-${Math.random().toString(36).slice(2)}`;
  await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options() });
  const result = await rig.client.waitForFill(fillId);
  return { result, usage: await rig.store.usageTotals(fillId) };
}

describe('a worker process with FILLFLOW_METRICS_ADDRESS', () => {
  it("counts a fill's Gemini calls, tokens, ledger waits and status as the emulator and usage saw them", async () => {
    const { templateId, documentIds } = await rig.loadExample();
    rig.emulator.reset();
    const before = await scrape();
    const { result, usage } = await fill(templateId, documentIds);
    const moved = delta(before, await scrape());

    expect(result.status).toBe('completed');
    const requests = sent(rig.emulator.requests);
    expect(requests.length).toBeGreaterThan(0);
    expect(usage.apiCalls).toBe(requests.length);
    expect(moved('fillflow_gemini_calls_total')).toBe(requests.length);
    expect(moved('fillflow_gemini_calls_total', { outcome: 'ok' })).toBe(requests.filter((q) => q.status === 200).length);
    expect(moved('fillflow_gemini_calls_total', { route: 'standard', request: 'generate' })).toBe(requests.filter((q) => q.endpoint === 'generateContent').length);
    expect(moved('fillflow_gemini_prompt_tokens_total')).toBe(usage.promptTokens);
    expect(moved('fillflow_gemini_output_tokens_total')).toBe(usage.outputTokens);
    expect(usage.outputTokens).toBeGreaterThan(0);
    // Every request waited for the ledger's permit first, however briefly.
    expect(moved('fillflow_ledger_wait_seconds_count', { result: 'granted' })).toBe(requests.length);
    expect(moved('fillflow_cache_hits_total')).toBe(0);
    expect(moved('fillflow_fills_total', { status: 'completed' })).toBe(1);
    expect(moved('fillflow_fills_total', { status: 'failed' })).toBe(0);
  });

  it('counts a second identical fill as cache hits, one a batch, and no call', async () => {
    const { templateId, documentIds } = await rig.loadExample();
    rig.emulator.reset();
    const before = await scrape();
    const { result, usage } = await fill(templateId, documentIds);
    const moved = delta(before, await scrape());

    expect(sent(rig.emulator.requests)).toHaveLength(0);
    expect(result.usage.batches).toBeGreaterThan(0);
    expect(usage.cacheHits).toBe(result.usage.batches);
    expect(moved('fillflow_gemini_calls_total')).toBe(0);
    expect(moved('fillflow_cache_hits_total')).toBe(result.usage.batches);
    expect(moved('fillflow_fills_total', { status: 'completed' })).toBe(1);
  });

  it('counts 429s by the quota they name, and the calls they answered as rate limited', async () => {
    // Other fields than before: another prompt, so the cache has no answer for it.
    const template = { ...exampleTemplate(), id: 'metrics-429' };
    template.fields = template.fields.slice(0, 6);
    const { templateId, documentIds } = await rig.loadExample(template);
    rig.emulator.reset();
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '1s' });
    rig.emulator.inject({ kind: 'rate-limit', quota: 'tokens-per-minute', retryDelay: '1s' });
    const before = await scrape();
    const { result, usage } = await fill(templateId, documentIds);
    const moved = delta(before, await scrape());

    expect(result.status).toBe('completed');
    expect(usage.rateLimited).toBe(2);
    expect(moved('fillflow_gemini_429_total', { kind: 'requests_per_minute' })).toBe(1);
    expect(moved('fillflow_gemini_429_total', { kind: 'tokens_per_minute' })).toBe(1);
    expect(moved('fillflow_gemini_429_total')).toBe(2);
    expect(moved('fillflow_gemini_calls_total', { outcome: 'rate_limited' })).toBe(2);
    expect(moved('fillflow_gemini_calls_total')).toBe(sent(rig.emulator.requests).length);
  });

  it("serves the SDK's own metrics beside Fillflow's, and tags Fillflow's with the activity that counted them", async () => {
    const samples = await scrape();
    const names = new Set(samples.map((s) => s.name));
    expect(total(samples, 'temporal_workflow_completed')).toBeGreaterThanOrEqual(3);
    expect(names).toContain('temporal_request');
    expect(names).toContain('temporal_worker_task_slots_available');
    expect(names).toContain('temporal_activity_schedule_to_start_latency_bucket');
    expect(total(samples, 'fillflow_gemini_calls_total', { activityType: 'extractBatch', taskQueue: 'fillflow-gemini' })).toBeGreaterThan(0);
    expect(total(samples, 'fillflow_fills_total', { workflowType: 'fillTemplate', taskQueue: 'fillflow' })).toBe(3);
    // The dashboard's SDK panels read series a worker really serves.
    const sdkSeries = dashboardQueries().flatMap((q) => metricNamesIn(q.expr).filter((n) => n.startsWith('temporal_')));
    expect(sdkSeries.length).toBeGreaterThan(0);
    expect(sdkSeries.filter((n) => !names.has(n))).toEqual([]);
  });
});

it('stops `fillflow worker` at start when its metrics address is taken, naming the setting', async () => {
  // This test process's own exporter holds apiMetricsAddress.
  const child = startWorkerProcess(rig, env.address, {}, { env: { FILLFLOW_METRICS_ADDRESS: apiMetricsAddress } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code).toBe(3);
  expect(stderr).toContain(`FILLFLOW_METRICS_ADDRESS ${apiMetricsAddress}: cannot serve metrics there (Address already in use`);
});

describe("the API's GET /metrics", () => {
  const config = (token?: string) => loadConfig({ FILLFLOW_DB: rig.config.dbPath, ...(token ? { FILLFLOW_API_TOKEN: token } : {}) }, {}, rig.dir);

  it("serves this process's metrics, with its requests counted by route pattern and status", async () => {
    const app = await buildApi({ store: rig.store, fills: rig.client, config: config(), metrics: apiMetrics! });
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/fills/no-such-fill' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/fills/no-such-fill' })).statusCode).toBe(404);

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(res.body);
    expect(total(samples, 'fillflow_http_requests_total', { method: 'GET', route: '/api/health', status: '200' })).toBe(1);
    // By the route's pattern, never the raw path: IDs would make a series per fill.
    expect(total(samples, 'fillflow_http_requests_total', { route: '/api/fills/:id', status: '404' })).toBe(2);
    expect(total(samples, 'fillflow_http_request_duration_seconds_count', { route: '/api/fills/:id' })).toBe(2);
    // The same exporter FILLFLOW_METRICS_ADDRESS serves, so the SDK's metrics of this process are there too.
    expect(samples.some((s) => s.name.startsWith('temporal_'))).toBe(true);
    expect(await (await fetch(`http://${apiMetricsAddress}/metrics`)).text()).toContain('fillflow_http_requests_total');
    await app.close();
  });

  it('is served by `fillflow api` with FILLFLOW_METRICS_ADDRESS, on its own port and on that address', async () => {
    const address = `127.0.0.1:${await findFreePort('127.0.0.1')}`;
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../bin/fillflow.js'), 'api', '--port', '0', '--json'], {
      cwd: rig.dir,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, FILLFLOW_DB: rig.config.dbPath, FILLFLOW_METRICS_ADDRESS: address },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('the ready line', () => out.includes('"ready":true') || child.exitCode !== null);
      const ready = JSON.parse(out.trim().split('\n').pop()!) as { api: string; metrics: string };
      expect(ready.metrics).toBe(address);
      expect((await fetch(`${ready.api}/health`)).status).toBe(200);
      const requests = async (url: string, route: string) => total(parseExposition(await (await fetch(url)).text()), 'fillflow_http_requests_total', { route, status: '200' });
      // A request is counted once answered (onResponse), a moment after its client has the answer: hence the polls.
      await until('the health request, through GET /metrics', async () => (await requests(`${ready.api.replace(/\/api$/, '')}/metrics`, '/api/health')) === 1, 10_000);
      await until('the health request, at FILLFLOW_METRICS_ADDRESS', async () => (await requests(`http://${address}/metrics`, '/api/health')) === 1, 10_000);
      // The scrape through the API is itself a request, counted too.
      await until('the scrape through the API', async () => (await requests(`http://${address}/metrics`, '/metrics')) >= 1, 10_000);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });

  it('asks for the bearer token when the API has one, and says metrics are off when the process serves none', async () => {
    const guarded = await buildApi({ store: rig.store, fills: rig.client, config: config('s3cret-token'), metrics: apiMetrics! });
    expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const ok = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.statusCode).toBe(200);
    await guarded.close();

    const off = await buildApi({ store: rig.store, fills: rig.client, config: config() });
    const res = await off.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'metrics_off', message: expect.stringContaining('FILLFLOW_METRICS_ADDRESS') } });
    await off.close();
  });
});
