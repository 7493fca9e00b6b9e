/** Two Gemini workers on one queue against the emulator enforcing requests and tokens per minute: the shared
 * ledger keeps both inside the limits (no 429), lets the first window's burst through, and every fill completes.
 * Runs on a real dev server with fairness on (DEV_SERVER_DYNAMIC_CONFIG), so the queue's rate limit and
 * priority/fairness keys are exercised as configured. About a minute: the second window is the point. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import { openStore } from '../../src/store/open-store.js';
import { describeQueueRate, setQueueRate } from '../../src/temporal/task-queue-config.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { createWorkers } from '../../src/worker.js';
import { createRig, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { worstWindow } from '../helpers/quota-windows.js';

const RPM = 20;
const TPM = 40_000;
const FILLS = 12;

let env: TestWorkflowEnvironment;
let rig: Rig;

beforeAll(async () => {
  env = await createLocalTestEnv();
  rig = await createRig(env, {
    env: { FILLFLOW_PROFILE: 'balanced' },
    emulator: { limits: { rpm: RPM, tpm: TPM }, latencyMs: 150 },
  });
  await workflowBundle();
});
afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});

describe('the Gemini queue rate limit at run time', () => {
  it('is set through the task-queue config API, wins over the workers, and is cleared again', async () => {
    const target = { namespace: 'default', taskQueue: 'fillflow-gemini-config-test' };
    const service = env.client.workflowService;
    await setQueueRate(service, target, 0.5, 'test');
    expect(await describeQueueRate(service, target)).toMatchObject({ effectivePerSecond: 0.5, source: 'api', configuredPerSecond: 0.5 });
    await setQueueRate(service, target, undefined, 'test reset');
    const cleared = await describeQueueRate(service, target);
    expect(cleared.configuredPerSecond).toBeUndefined();
    expect(cleared.source).not.toBe('api');
  });
});

describe('two workers on one Gemini queue', () => {
  it(`keep within ${RPM} requests and ${TPM} tokens per minute, with no 429 and no failed fill`, async () => {
    const config = { ...rig.config, limits: { ...rig.config.limits, requestsPerMinute: RPM, tokensPerMinute: TPM, concurrency: 4 } };
    // Each worker has its own store connection to the same file: the ledger is what they share.
    // And its own connection, as a second process would: the SDK refuses two workers of one queue on one connection.
    const stores = [openStore({ dbPath: config.dbPath }), openStore({ dbPath: config.dbPath })];
    const second = await NativeConnection.connect({ address: env.address });
    const sets = await Promise.all(
      stores.map((store, i) =>
        createWorkers({ config, connection: i === 0 ? env.nativeConnection : second, store, roles: i === 0 ? ['fill', 'gemini'] : ['gemini'], ...bundleOpt() }),
      ),
    );
    const running = sets.map((s) => s.run());
    try {
      const template = await rig.loadExample();
      // A note of its own per fill, so no two prompts are alike and the answer cache cannot serve any.
      const dir = mkdtempSync(join(tmpdir(), 'fillflow-notes-'));
      const fills = [];
      for (let i = 0; i < FILLS; i++) {
        const note = join(dir, `note-${i}.txt`);
        writeFileSync(note, `Internal reference ${i}: onboarding ticket ${1000 + i}.\n`);
        const [doc] = await ingestPaths(rig.store, [note]);
        const fillId = `fill-limits-${i}-${Date.now()}`;
        const documentIds = [...template.documentIds, doc!.id];
        await rig.client.startFill({ fillId, templateId: template.templateId, documentIds, options: rig.options({ maxBatchSize: 15, priority: i % 2 ? 'bulk' : 'interactive', fairnessKey: `tenant-${i % 3}` }) });
        fills.push(fillId);
      }
      const results = await Promise.all(fills.map((id) => rig.client.waitForFill(id)));

      expect(results.every((r) => r.status === 'completed')).toBe(true);
      expect(results.flatMap((r) => r.fields).every((f) => f.method === 'gemini')).toBe(true);
      const calls = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');
      const t0 = calls[0]?.at ?? 0;
      const timeline = calls.map((q) => `${q.at - t0}:${q.status}:${q.promptTokens}${q.rateLimited ? `:${q.rateLimited.join('+')}` : ''}`).join(' ');
      expect(calls.filter((q) => q.status === 429), timeline).toHaveLength(0);
      expect(calls.length).toBeGreaterThan(RPM);
      const w = worstWindow(calls.map((q) => ({ at: q.at, tokens: q.promptTokens })));
      expect(w.requests).toBeLessThanOrEqual(RPM);
      expect(w.tokens).toBeLessThanOrEqual(TPM);
      // Interactive fills' Gemini calls carry priority 2, bulk fills' 4, each with its tenant's fairness key.
      for (const [i, expected] of [[0, 2], [1, 4]] as const) {
        const history = await env.client.workflow.getHandle(fills[i]!).fetchHistory();
        const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a?.activityType?.name === 'extractBatch');
        expect(scheduled.length).toBeGreaterThan(0);
        for (const a of scheduled) expect(a?.priority).toMatchObject({ priorityKey: expected, fairnessKey: `tenant-${i % 3}` });
      }
      // The first window's burst went out: the limit was reached, not paced to under it.
      expect(w.requests).toBeGreaterThanOrEqual(Math.min(RPM, Math.floor(TPM / Math.max(...calls.map((q) => q.promptTokens)))));
    } finally {
      for (const s of sets) s.shutdown();
      await Promise.all(running);
      for (const s of stores) await s.close();
      await second.close();
    }
  });
});

let bundle: Awaited<ReturnType<typeof workflowBundle>> | undefined;
function bundleOpt() {
  return bundle ? { workflowBundle: bundle } : {};
}
beforeAll(async () => {
  bundle = await workflowBundle();
});
