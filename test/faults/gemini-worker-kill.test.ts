/** 20 fills, each with the Gemini worker SIGKILLed at a random moment of it: a new worker finishes every fill, every
 * value right, and no batch whose activity had completed is asked of Gemini again (counted from the emulator). */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FillResult } from '../../src/core/types.js';
import { goldAnswers } from '../../src/emulator/index.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { createRig, exampleGold, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { startWorkerProcess, until, workerReady } from '../helpers/worker-process.js';
import { countRedone, distinctExample, fillOf, wrongValues } from './fault-kit.js';
import { reportCase } from './figures.js';

const FILLS = 20;
/** Fills run in rounds of this many, started at random offsets, so one kill lands at a different moment of each. */
const PER_ROUND = 4;
const OFFSET_MS = 2_500;
/** The kill comes at a random moment this long after the round's first Gemini request. */
const KILL_WINDOW_MS = { min: 0, max: 4_000 };

let env: TestWorkflowEnvironment;
let rig: Rig;
let fillWorkers: WorkerSet;
let fillRunning: Promise<void>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await createLocalTestEnv();
  // Each call takes 0.4 to 1.2 s and the Gemini worker makes two at a time: a fill's six batches take a few seconds.
  rig = await createRig(env, { workers: false, env: { FILLFLOW_PROFILE: 'aggressive' }, emulator: { answer: goldAnswers(exampleGold()), latencyMs: { min: 400, max: 1_200 } } });
  // The fill worker runs here and lives; only the Gemini worker, in its own process, is killed.
  fillWorkers = await createWorkers({ config: rig.config, connection: env.nativeConnection, store: rig.store, roles: ['fill'], workflowBundle: await workflowBundle() });
  fillRunning = fillWorkers.run();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fillWorkers?.shutdown();
  await fillRunning;
  await rig?.close();
  await env?.teardown();
});

async function geminiWorker(): Promise<ChildProcess> {
  const child = startWorkerProcess(rig, env.address, { profile: 'aggressive', limits: { concurrency: 2 } }, { role: 'gemini' });
  children.push(child);
  await workerReady(child);
  return child;
}

const between = (r: { min: number; max: number }) => r.min + Math.random() * (r.max - r.min);

it('finishes 20 fills whose Gemini worker was SIGKILLed mid-fill, redoing no finished batch', async () => {
  const started = Date.now();
  const results = new Map<number, FillResult | Error>();
  const atKill: { fill: number; batchesDone: number; batchesTotal: number }[] = [];
  let worker = await geminiWorker();
  for (let first = 0; first < FILLS; first += PER_ROUND) {
    const round = Array.from({ length: Math.min(PER_ROUND, FILLS - first) }, (_, i) => first + i);
    const waits = round.map(async (n) => {
      await new Promise((r) => setTimeout(r, Math.random() * OFFSET_MS));
      const { templateId, documentIds } = await distinctExample(rig, n);
      await rig.client.startFill({ fillId: `fill-kill-${n}`, templateId, documentIds, options: rig.options({ maxBatchSize: 5 }) });
      return rig.client.waitForFill(`fill-kill-${n}`).then(
        (r) => results.set(n, r),
        (e: Error) => results.set(n, e),
      );
    });
    await until("the round's first Gemini request", () => rig.emulator.requests.some((q) => round.includes(fillOf(q) ?? -1)), 120_000);
    await new Promise((r) => setTimeout(r, between(KILL_WINDOW_MS)));
    // Where each fill stood (queries are answered by the fill worker, which lives).
    for (const n of round) {
      const p = await rig.client.getProgress(`fill-kill-${n}`).catch(() => undefined);
      atKill.push({ fill: n, batchesDone: p?.batchesDone ?? 0, batchesTotal: p?.batchesTotal ?? 0 });
    }
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    worker = await geminiWorker();
    await Promise.all(waits);
  }
  await until('every fill to end', () => results.size === FILLS, 60_000);

  const calls = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');
  let redone = 0;
  let resent = 0;
  let finishedBatches = 0;
  const failed: string[] = [];
  const wrong: string[] = [];
  for (let n = 0; n < FILLS; n++) {
    const r = results.get(n);
    if (!(r && !(r instanceof Error) && r.status === 'completed')) {
      failed.push(`fill ${n}: ${r instanceof Error ? r.message : r?.status}`);
      continue;
    }
    const bad = wrongValues(r);
    if (bad.length > 0) wrong.push(`fill ${n}: ${bad.join(', ')}`);
    const counted = await countRedone(env.client, `fill-kill-${n}`, calls.filter((q) => fillOf(q) === n));
    redone += counted.redoneAfterFinish;
    resent += counted.resentUnfinished;
    finishedBatches += counted.finished;
  }
  const midway = atKill.filter((k) => k.batchesTotal > 0 && k.batchesDone > 0 && k.batchesDone < k.batchesTotal).length;
  const before = atKill.filter((k) => k.batchesDone === 0).length;
  reportCase({
    id: 'gemini-worker-kill',
    title: 'Gemini worker SIGKILLed mid-fill',
    tried: `${FILLS} fills of 30 fields (6 batches each, 2 calls at a time, 0.4–1.2 s a call), in rounds of ${PER_ROUND} started at random offsets; the Gemini worker process SIGKILLed at a random moment of each round (${FILLS / PER_ROUND} kills) and a new one started`,
    survived: `${FILLS - failed.length}/${FILLS} fills completed, ${FILLS - failed.length - wrong.length} with all 30 values right; ${finishedBatches} batches finished`,
    lost: failed.length + wrong.length + redone,
    lostMeans: 'fills failed or with a wrong value, plus Gemini calls that repeated a batch after its activity had completed',
    details: [
      `at the kill: ${midway} fills had some batches done and some not, ${before} had none done yet, ${atKill.length - midway - before} had all done`,
      `calls re-sent for batches unfinished at a kill (in flight when the worker died): ${resent}`,
      `Gemini calls in all: ${calls.length} for ${finishedBatches} batches`,
    ],
    wallMs: Date.now() - started,
  });
  expect(failed).toEqual([]);
  expect(wrong).toEqual([]);
  expect(redone).toBe(0);
  expect(finishedBatches).toBe(FILLS * 6);
  // The kills did land mid-fill: otherwise this case tests nothing.
  expect(midway).toBeGreaterThan(0);
});
