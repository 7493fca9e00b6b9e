/** On the time-skipping test server: a fill that meets Gemini's daily quota parks durably, says so, makes no
 * Gemini call while parked, and resumes at the reset (midnight America/Los_Angeles plus its stagger), or at
 * once on the `resume` signal; only the batch that did not finish is asked again. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FillProgress } from '../../src/core/fill-records.js';
import { nextPacificMidnight } from '../../src/core/pacific-day.js';
import { RESET_STAGGER_MS } from '../../src/core/quota-reset.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { createRig, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { createTimeSkippingTestEnv } from '../helpers/temporal-env.js';

let env: TestWorkflowEnvironment;
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTimeSkippingTestEnv();
  rig = await createRig(env);
  workers = await createWorkers({ config: rig.config, connection: env.nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
});
afterAll(async () => {
  workers?.shutdown();
  await running;
  await rig?.close();
  await env?.teardown();
});

async function untilPaused(fillId: string): Promise<FillProgress> {
  for (let i = 0; i < 200; i++) {
    const p = await rig.client.getProgress(fillId).catch(() => undefined);
    if (p?.phase === 'paused-quota') return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  const p = await rig.client.getProgress(fillId).catch((e: Error) => e.message);
  const h = await env.client.workflow.getHandle(fillId).fetchHistory();
  throw new Error(`fill ${fillId} never reported paused-quota: ${JSON.stringify(p)} ${JSON.stringify(h.events?.slice(-3))}`);
}

const generateCalls = () => rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');

describe('a fill that meets the daily quota', () => {
  it('parks, reports paused-quota with its reset time, calls nothing while parked, and resumes at the reset', async () => {
    rig.emulator.reset();
    const { templateId, documentIds } = await rig.loadExample();
    // Two batches: the first request meets the per-day 429, the other batch finishes before the park.
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    const fillId = `fill-park-${Date.now()}`;
    await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 15 }) });

    const paused = await untilPaused(fillId);
    const parkedAt = Date.parse((await env.client.workflow.getHandle(fillId).describe()).startTime.toISOString());
    const resumeAt = Date.parse(paused.resumeAt!);
    expect(resumeAt).toBeGreaterThanOrEqual(nextPacificMidnight(parkedAt));
    expect(resumeAt).toBeLessThan(nextPacificMidnight(parkedAt) + RESET_STAGGER_MS);

    const state = await rig.client.getFill(fillId);
    expect(state).toMatchObject({ status: 'paused-quota', resumeAt: paused.resumeAt, progress: { phase: 'paused-quota' } });
    const description = await env.client.workflow.getHandle(fillId).describe();
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toContainEqual(['FillflowStatus', 'paused-quota']);

    const callsWhenParked = generateCalls().length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(generateCalls().length).toBe(callsWhenParked);

    // Awaiting the result lets the test server skip time to the reset.
    const result = await rig.client.waitForFill(fillId);
    expect(result.status).toBe('completed');
    expect(result.fields.every((f) => f.method === 'gemini' && f.status === 'filled')).toBe(true);
    // The parked batch is asked once more; the finished one is not redone.
    const calls = generateCalls();
    expect(calls.filter((q) => q.status === 429)).toHaveLength(1);
    expect(calls.filter((q) => q.status === 200)).toHaveLength(2);
    expect(result.usage.pausedMs).toBeGreaterThanOrEqual(resumeAt - Date.now() - 60_000);
    expect(result.usage.retries).toBe(0);
  });

  it('resumes at once on the resume signal', async () => {
    rig.emulator.reset();
    const { templateId, documentIds } = await rig.loadExample();
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    const fillId = `fill-resume-${Date.now()}`;
    await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 30 }) });
    await untilPaused(fillId);
    expect(generateCalls()).toHaveLength(1);

    await rig.client.resume(fillId);
    const result = await rig.client.waitForFill(fillId);
    expect(result.status).toBe('completed');
    expect(result.fields.every((f) => f.method === 'gemini')).toBe(true);
    expect(generateCalls().map((q) => q.status)).toEqual([429, 200]);
    // Resumed by hand: parked for moments of workflow time, not until midnight.
    expect(result.usage.pausedMs ?? 0).toBeLessThan(60_000);
  });

  it('with onQuotaExhausted "fallback", fills offline at once while parked, and Gemini upgrades the fields after', async () => {
    rig.emulator.reset();
    const { templateId, documentIds } = await rig.loadExample();
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    const fillId = `fill-fallback-${Date.now()}`;
    await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 10, onQuotaExhausted: 'fallback' }) });
    const paused = await untilPaused(fillId);
    // (Batches of 10, so no answer cached by the tests above applies.) How many the offline extractor
    // fills depends on which batch met the closed day first; that some are filled while parked is the point.
    expect(paused.provisionalFields).toBeGreaterThan(0);
    // Which fields Gemini will revisit is shown while parked ...
    const revisit = paused.revisitAfterReset ?? [];
    expect(revisit).toHaveLength(paused.provisionalFields!);

    const result = await rig.client.waitForFill(fillId);
    // ... and after the reset Gemini did revisit them.
    expect(result.fields.every((f) => f.method === 'gemini' && f.status === 'filled')).toBe(true);
    const askedAfter = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent' && q.status === 200).flatMap((q) => q.fieldKeys);
    expect(askedAfter).toEqual(expect.arrayContaining(revisit));
  });
});
