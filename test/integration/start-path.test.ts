/** One start path on a real dev server: a fill started by the Temporal CLI binary (as a service in another
 * language starts one) completes with the workflow's own defaults; an HTTP fill and a CLI fill with the same
 * config file start with the same options; and FillflowStatus follows every transition (completed, failed,
 * cancelled while parked), with FillflowTemplate listing a template's fills. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/build-api.js';
import { fillCommand } from '../../src/cli/fill-command.js';
import { FillflowClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import { endpointIdentity } from '../../src/core/endpoint.js';
import { DEFAULT_FILL_OPTIONS } from '../../src/core/fill-options.js';
import type { FillInput } from '../../src/core/fill-records.js';
import type { FillResult } from '../../src/core/types.js';
import { apiKeyIdentity } from '../../src/gemini/key-identity.js';
import { resolveTemporalCli } from '../../src/temporal/binaries.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { EXAMPLE_DIR, TEST_API_KEY, exampleExpected, workflowBundle, type Rig } from '../helpers/fill-harness.js';

const run = promisify(execFile);
const { env, rig: newRig } = useDevServerRigs();
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;
let example: { templateId: string; documentIds: string[] };

beforeAll(async () => {
  rig = await newRig();
  example = await rig.loadExample();
  workers = await createWorkers({ config: rig.config, connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
});

afterAll(async () => {
  workers?.shutdown();
  await running;
});

/** The input the workflow was started with, read back from its first history event. */
async function startedInput(fillId: string): Promise<FillInput> {
  const history = await env().client.workflow.getHandle(fillId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no start input in ${fillId}'s history`);
  return defaultPayloadConverter.fromPayload(payload) as FillInput;
}

/** Waits until a visibility query lists the fill (visibility follows the history by moments). */
async function listedBy(query: string, fillId: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    for await (const w of env().client.workflow.list({ query: `${query} AND WorkflowId = "${fillId}"` })) if (w.workflowId === fillId) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

function expectExampleValues(result: FillResult): void {
  for (const [key, value] of Object.entries(exampleExpected())) {
    expect(result.fields.find((f) => f.key === key)?.value, key).toEqual(value);
  }
}

describe('one start path', () => {
  it('completes a fill started with `temporal workflow start` and no options, taking the workflow defaults', async () => {
    const { executable } = await resolveTemporalCli();
    if (executable.type !== 'existing-path') throw new Error('the Temporal CLI binary is needed here: run `npm run setup`');
    const fillId = `fill-cli-binary-${Date.now()}`;
    const input = { fillId, templateId: example.templateId, documentIds: example.documentIds, options: {} };
    await run(executable.path, [
      'workflow', 'start',
      '--address', env().address,
      '--namespace', 'default',
      '--type', 'fillTemplate',
      '--task-queue', 'fillflow',
      '--workflow-id', fillId,
      '--input', JSON.stringify(input),
    ]);
    const result = await rig.client.waitForFill(fillId);
    expect(result.status).toBe('completed');
    expectExampleValues(result);
    expect(result.answeredBy.endpoint).toBe(endpointIdentity(rig.emulator.url));
    // Started outside every edge, the fill is recorded in the store by its first activity all the same.
    expect((await rig.store.getFill(fillId))?.result?.fields.length).toBe(result.fields.length);
    // The workflow published its own status and template, though the CLI set no search attributes.
    expect(await listedBy(`FillflowStatus = "completed" AND FillflowTemplate = "${example.templateId}"`, fillId)).toBe(true);
  });

  it('starts an HTTP fill and a CLI fill with the same options from the same config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fillflow-start-path-'));
    const configFile = join(dir, 'fillflow.config.json');
    // Options the HTTP API used to drop: priority, onQuotaExhausted, maxConcurrentBatches, the fairness key.
    writeFileSync(configFile, JSON.stringify({ profile: 'aggressive', fill: { priority: 'bulk', onQuotaExhausted: 'fallback', maxConcurrentBatches: 3 } }));
    const environment = {
      TEMPORAL_ADDRESS: env().address,
      FILLFLOW_CONFIG: configFile,
      FILLFLOW_DB: rig.config.dbPath,
      GEMINI_API_KEY: TEST_API_KEY,
      GEMINI_BASE_URL: rig.emulator.url,
    };

    // Over HTTP, as `fillflow dev` and `fillflow api` build the API: a client with the server's configuration and store.
    const config = loadConfig(environment, {}, dir);
    const api = await buildApi({ store: rig.store, fills: new FillflowClient(env().client, { config, store: rig.store }), config });
    const res = await api.inject({ method: 'POST', url: '/api/fills', payload: { templateId: example.templateId, documentIds: example.documentIds } });
    expect(res.statusCode, res.body).toBe(202);
    const httpFill = (res.json() as { fillId: string }).fillId;
    await api.close();

    // From the CLI, with the same environment.
    const saved = { ...process.env };
    Object.assign(process.env, environment);
    const lines: string[] = [];
    let code: number;
    try {
      code = await fillCommand(
        { template: join(EXAMPLE_DIR, 'template.json'), docs: [join(EXAMPLE_DIR, 'docs')], out: join(dir, 'result.json') },
        { stderr: (l) => lines.push(l), stdout: () => undefined },
      );
    } finally {
      for (const key of Object.keys(environment)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(code, lines.join('\n')).toBe(0);
    const cliFill = lines[0]!.replace(/^fill: /, '');
    expect(lines.at(-1)).toMatch(/answered by gemini-3\.5-flash at http:\/\/127\.0\.0\.1:\d+ \(not Google's API/);

    const [http, cli] = [await startedInput(httpFill), await startedInput(cliFill)];
    expect(http.options).toEqual(cli.options);
    expect(cli.options).toEqual({
      ...DEFAULT_FILL_OPTIONS,
      maxBatchSize: 100,
      maxInputTokens: 16_000,
      maxOutputTokens: 65_536,
      priority: 'bulk',
      onQuotaExhausted: 'fallback',
      maxConcurrentBatches: 3,
      fairnessKey: apiKeyIdentity(TEST_API_KEY),
    });
    expectExampleValues(await rig.client.waitForFill(httpFill));
  });

  it('marks a fill whose input is wrong failed, naming the problem', async () => {
    const fillId = `fill-bad-options-${Date.now()}`;
    await rig.client.startFill({ fillId, templateId: example.templateId, documentIds: example.documentIds, options: { maxBatchSize: 0 } });
    await expect(rig.client.waitForFill(fillId)).rejects.toThrow(/options\.maxBatchSize must be a whole number of at least 1/);
    expect(await listedBy('FillflowStatus = "failed"', fillId)).toBe(true);
  });

  it('marks a parked fill that is then cancelled cancelled', async () => {
    // Last in this file: the per-day 429 closes the day in this store's quota ledger.
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    const fillId = `fill-park-cancel-${Date.now()}`;
    // Batches no earlier fill in this file asked for, so the cache cannot answer them and the 429 is met.
    await rig.client.startFill({ fillId, templateId: example.templateId, documentIds: example.documentIds, options: { maxBatchSize: 29 } });
    expect(await listedBy('FillflowStatus = "paused-quota"', fillId)).toBe(true);
    await rig.client.cancel(fillId);
    expect(await listedBy('FillflowStatus = "cancelled"', fillId)).toBe(true);
    expect((await rig.client.getFill(fillId)).status).toBe('cancelled');
  });
});
