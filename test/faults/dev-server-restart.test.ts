/** A 50-row bulk whose Temporal dev server (persisted with --db-filename) is SIGKILLed and restarted twice: once
 * with the worker process left running, once together with it. Every row completes, right, and is started once. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BulkClient } from '../../src/bulk-client.js';
import type { BulkResult } from '../../src/bulk/bulk-records.js';
import { bulkResultLines } from '../../src/bulk/results.js';
import type { FillResult } from '../../src/core/types.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { findFreePort } from '../../src/temporal/ports.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';
import { createRig, type Rig } from '../helpers/fill-harness.js';
import { startWorkerProcess, until, workerReady } from '../helpers/worker-process.js';
import { registerAnswers, rowNumber, rowValues, storeRows } from '../integration/bulk-fixture.js';
import { reportCase } from './figures.js';

const ROWS = 50;
const WINDOW = 5;
let dir: string;
let port: number;
let server: DevServer;
let env: TestWorkflowEnvironment;
let rig: Rig;
const children: ChildProcess[] = [];

/** The server on the same port and SQLite file every time, so a restart finds the bulk where the kill left it. */
function startServer(): Promise<DevServer> {
  return startDevServer({ port, headless: true, dbFilename: join(dir, 'temporal.db'), searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-server-restart-'));
  port = await findFreePort('127.0.0.1');
  server = await startServer();
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  // Each call takes 300 ms and five rows are in flight: a kill lands with rows done, rows running and rows waiting.
  rig = await createRig(env, { workers: false, env: { FILLFLOW_PROFILE: 'aggressive' }, emulator: { answer: registerAnswers, latencyMs: 300 } });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rig?.close();
  await env?.teardown();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function worker(): Promise<ChildProcess> {
  const child = startWorkerProcess(rig, server.address, { profile: 'aggressive' });
  children.push(child);
  await workerReady(child);
  return child;
}

async function killServer(): Promise<void> {
  process.kill(server.pid, 'SIGKILL');
  await server.exited;
}

it('completes every row of a 50-row bulk through two SIGKILLs of its dev server', async () => {
  const started = Date.now();
  const rows = await storeRows(rig.store, rig.dir, ROWS);
  let first = await worker();
  const bulks = new BulkClient(env.client, { config: rig.config, store: rig.store });
  const { bulkId } = await bulks.startBulk({ rows, window: WINDOW });
  // The store, not the server, is read for progress: it answers while the server is down.
  const completed = async () => (await rig.store.bulkRowCounts(bulkId)).completed;

  await until('12 rows done', async () => (await completed()) >= 12, 180_000);
  const atFirstKill = await completed();
  await killServer();
  await new Promise((r) => setTimeout(r, 2_000));
  server = await startServer();
  await until('24 rows done after the first restart', async () => (await completed()) >= 24, 240_000);
  const workerSurvived = first.exitCode === null && first.signalCode === null;

  const atSecondKill = await completed();
  await killServer();
  first.kill('SIGKILL');
  await new Promise((r) => (first.exitCode !== null || first.signalCode !== null ? r(undefined) : first.once('exit', r)));
  server = await startServer();
  first = await worker();
  const restartedAt = Date.now();

  const state = await bulks.waitForBulk(bulkId, { pollMs: 500 });
  const drainS = (Date.now() - restartedAt) / 1_000;
  expect(state.status).toBe('completed');
  const result = (await env.client.workflow.getHandle(bulkId).result()) as BulkResult;

  const seen: string[] = [];
  const wrong: string[] = [];
  for await (const line of bulkResultLines(rig.store, bulkId)) {
    seen.push(line.row);
    const want = rowValues(rowNumber(line.row));
    const fields = (line as FillResult).fields ?? [];
    if (line.status !== 'completed' || Object.entries(want).some(([k, v]) => fields.find((f) => f.key === k)?.value !== v)) wrong.push(line.row);
  }
  // One child per row, ever.
  const childIds: string[] = [];
  for await (const w of env.client.workflow.list({ query: `WorkflowType = "fillTemplate"` })) childIds.push(w.workflowId);
  const startedTwice = childIds.length - new Set(childIds).size;
  const missing = rows.filter((r) => !seen.includes(r.row)).length;
  const prompts = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent').map((q) => q.promptText);

  reportCase({
    id: 'dev-server-restart',
    title: 'Temporal dev server SIGKILLed and restarted mid-bulk',
    tried: `a ${ROWS}-row bulk (window ${WINDOW}) on a dev server persisted with --db-filename: SIGKILLed at ${atFirstKill} rows done and restarted on the same file with the worker process left running; SIGKILLed again at ${atSecondKill} rows done together with the worker process, both restarted`,
    survived: `${result.completed}/${ROWS} rows completed, ${ROWS - wrong.length - missing} with every value right; ${new Set(childIds).size} row fills started, each once; the worker process ${workerSurvived ? 'kept working through the first restart' : 'did not survive the first restart'}`,
    lost: missing + wrong.length + startedTwice + result.failed,
    lostMeans: 'rows missing, failed or with a wrong value, plus rows started twice',
    details: [
      `Gemini calls: ${prompts.length} for ${new Set(prompts).size} distinct rows (a call in flight at a kill may be sent again)`,
      `from the second restart to the bulk's end: ${drainS.toFixed(0)} s; an activity the killed worker had started is retried when its heartbeat timeout runs out (20 s for the light steps, which beat every 5 s)`,
    ],
    wallMs: Date.now() - started,
  });
  expect(seen).toEqual(rows.map((r) => r.row));
  expect(wrong).toEqual([]);
  expect(result).toMatchObject({ completed: ROWS, failed: 0 });
  expect(childIds.length).toBe(ROWS);
  expect(startedTwice).toBe(0);
  expect(new Set(prompts).size).toBe(ROWS);
  expect(workerSurvived).toBe(true);
});
