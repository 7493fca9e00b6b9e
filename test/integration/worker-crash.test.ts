/** A worker process killed with SIGKILL mid-fill: a new worker finishes the fill without redoing finished batches. */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRig, exampleExpected, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { startWorkerProcess, until } from '../helpers/worker-process.js';

let env: TestWorkflowEnvironment;
let rig: Rig;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await createLocalTestEnv();
  // One call at a time, each taking 1.5 s: the kill lands with some batches done and some not.
  rig = await createRig(env, { workers: false, emulator: { latencyMs: 1_500 } });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rig?.close();
  await env?.teardown();
});

function startWorker(): ChildProcess {
  const child = startWorkerProcess(rig, env.address, { profile: 'aggressive', limits: { concurrency: 1 } });
  children.push(child);
  return child;
}


it('finishes after SIGKILL of its worker without redoing finished batches', async () => {
  const { templateId, documentIds } = await rig.loadExample();
  const fillId = `fill-crash-${Date.now()}`;
  const first = startWorker();
  await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 5 }) });

  const answered = () => rig.emulator.requests.filter((q) => q.status === 200).length;
  let doneAtKill = 0;
  await until('two answered batches', async () => {
    doneAtKill = (await rig.client.getProgress(fillId).catch(() => undefined))?.batchesDone ?? 0;
    return doneAtKill >= 2;
  });
  // Queries need a live worker, so progress is read just before the kill.
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(doneAtKill).toBeGreaterThanOrEqual(2);
  expect(doneAtKill).toBeLessThan(6);

  startWorker();
  const result = await rig.client.waitForFill(fillId);

  expect(result.status).toBe('completed');
  const expected = exampleExpected();
  for (const f of result.fields) expect([f.key, f.value]).toEqual([f.key, expected[f.key]]);
  // Six batches of five fields. Only a call in flight at the kill may be sent again (one at a time).
  const prompts = rig.emulator.requests.map((q) => q.promptText);
  expect(new Set(prompts).size).toBe(6);
  expect(prompts.length).toBeLessThanOrEqual(7);
  expect(answered()).toBeGreaterThanOrEqual(6);
}, 240_000);
