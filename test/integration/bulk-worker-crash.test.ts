/** A worker process killed with SIGKILL mid-bulk: a new worker finishes the bulk, and no row is started twice
 * (its child ID is taken once) or answered twice beyond the calls in flight at the kill. */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BulkClient } from '../../src/bulk-client.js';
import type { BulkResult } from '../../src/bulk/bulk-records.js';
import { bulkResultLines } from '../../src/bulk/results.js';
import type { FillResult } from '../../src/core/types.js';
import { createRig, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { startWorkerProcess, until } from '../helpers/worker-process.js';
import { registerAnswers, rowNumber, rowValues, storeRows } from './bulk-fixture.js';

const ROWS = 12;
const WINDOW = 3;
let env: TestWorkflowEnvironment;
let rig: Rig;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await createLocalTestEnv();
  // Each call takes 300 ms and three rows are in flight: the kill lands with some rows done and some not.
  rig = await createRig(env, { workers: false, emulator: { answer: registerAnswers, latencyMs: 300 } });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rig?.close();
  await env?.teardown();
});

function startWorker(): ChildProcess {
  const child = startWorkerProcess(rig, env.address, { profile: 'aggressive' });
  children.push(child);
  return child;
}


it('finishes a bulk after SIGKILL of its worker, starting no row twice', async () => {
  const rows = await storeRows(rig.store, rig.dir, ROWS);
  const bulks = new BulkClient(env.client, { config: rig.config, store: rig.store });
  const first = startWorker();
  const { bulkId } = await bulks.startBulk({ rows, window: WINDOW });

  let doneAtKill = 0;
  await until('three rows done', async () => {
    doneAtKill = (await rig.store.bulkRowCounts(bulkId)).completed;
    return doneAtKill >= 3;
  });
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(doneAtKill).toBeLessThan(ROWS);

  startWorker();
  const state = await bulks.waitForBulk(bulkId, { pollMs: 300 });
  expect(state.status).toBe('completed');
  const result = (await env.client.workflow.getHandle(bulkId).result()) as BulkResult;
  expect(result).toMatchObject({ completed: ROWS, failed: 0 });

  const seen: string[] = [];
  for await (const line of bulkResultLines(rig.store, bulkId)) {
    seen.push(line.row);
    const want = rowValues(rowNumber(line.row));
    for (const [key, value] of Object.entries(want)) expect([line.row, key, (line as FillResult).fields.find((f) => f.key === key)?.value]).toEqual([line.row, key, value]);
  }
  expect(seen).toEqual(rows.map((r) => r.row));
  // One child per row, ever; only calls in flight at the kill may be sent again.
  let children = 0;
  for await (const w of env.client.workflow.list({ query: `WorkflowType = "fillTemplate"` })) {
    expect(w.workflowId.startsWith(`${bulkId}/`)).toBe(true);
    children++;
  }
  expect(children).toBe(ROWS);
  const prompts = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent').map((q) => q.promptText);
  expect(new Set(prompts).size).toBe(ROWS);
  expect(prompts.length).toBeLessThanOrEqual(ROWS + WINDOW);
}, 240_000);
