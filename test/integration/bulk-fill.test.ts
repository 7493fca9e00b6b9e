/** bulkFill on a real dev server with the real workers and the Gemini emulator: a 50-row bulk with every row's
 * values and calls; continue-as-new forced three times with nothing lost or repeated; two equal rows, the second
 * answered from the cache; the daily quota running out mid-bulk (parked, resumed, complete); a cancel mid-bulk.
 * Rows share one three-field template; each has its own small document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkClient, type BulkState } from '../../src/bulk-client.js';
import type { BulkResult } from '../../src/bulk/bulk-records.js';
import { bulkResultLines, type BulkResultLine } from '../../src/bulk/results.js';
import type { FillResult } from '../../src/core/types.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { expectReplays, registerAnswers, rowNumber, rowValues, storeRows } from './bulk-fixture.js';

const { env, rig: newRig } = useDevServerRigs();

interface BulkRig {
  rig: Rig;
  bulks: BulkClient;
  stop(): Promise<void>;
}

/**
 * The file's one rig (a process runs one worker per task queue) with its workers running here. The paid tier's
 * 1,000 requests a minute: the balanced profile's 60 would pace this file's 80-odd calls over two minutes.
 */
async function bulkRig(): Promise<BulkRig> {
  const rig = await newRig({ emulator: { answer: registerAnswers }, env: { FILLFLOW_PROFILE: 'aggressive' } });
  const workers: WorkerSet = await createWorkers({ config: rig.config, connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  const running = workers.run();
  return {
    rig,
    bulks: new BulkClient(env().client, { config: rig.config, store: rig.store }),
    async stop() {
      workers.shutdown();
      await running;
    },
  };
}

let main: BulkRig;
beforeAll(async () => {
  main = await bulkRig();
});
afterAll(async () => {
  await main?.stop();
});

const generateCalls = (rig: Rig) => rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');

async function lines(rig: Rig, bulkId: string): Promise<BulkResultLine[]> {
  const out: BulkResultLine[] = [];
  for await (const l of bulkResultLines(rig.store, bulkId)) out.push(l);
  return out;
}

function expectRowValues(line: BulkResultLine): void {
  expect('answeredBy' in line, JSON.stringify(line).slice(0, 300)).toBe(true);
  const result = line as FillResult & { row: string };
  const want = rowValues(rowNumber(line.row));
  for (const [key, value] of Object.entries(want)) expect([line.row, key, result.fields.find((f) => f.key === key)?.value]).toEqual([line.row, key, value]);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Fill IDs a visibility query lists (visibility trails the histories by moments). */
async function listed(query: string, expected: number): Promise<string[]> {
  let ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    ids = [];
    for await (const w of env().client.workflow.list({ query })) ids.push(w.workflowId);
    if (ids.length >= expected) return ids;
    await new Promise((r) => setTimeout(r, 200));
  }
  return ids;
}

describe('bulkFill', () => {
  it('fills 50 rows, every row right, each row one call, every row listed by FillflowBulkId', async () => {
    const { rig, bulks } = main;
    const rows = await storeRows(rig.store, rig.dir, 50);
    const before = generateCalls(rig).length;
    const { bulkId, input } = await bulks.startBulk({ rows, window: 10 });
    expect(input.options.priority).toBe('bulk');
    expect(input.options.fairnessKey).toMatch(/^[0-9a-f]{16}$/);

    const state = await bulks.waitForBulk(bulkId);
    expect(state.status).toBe('completed');
    expect(state.progress).toMatchObject({ rows: 50, completed: 50, failed: 0, running: 0, pending: 0 });

    const results = await lines(rig, bulkId);
    expect(results.map((l) => l.row)).toEqual(rows.map((r) => r.row));
    for (const l of results) {
      expectRowValues(l);
      expect([l.row, l.usage.apiCalls]).toEqual([l.row, 1]);
    }
    // Each row's one call, and no other.
    expect(generateCalls(rig).length - before).toBe(50);
    expect(state.usage.apiCalls).toBe(50);
    expect((await rig.store.bulkRowCounts(bulkId)).completed).toBe(50);
    const result = (await env().client.workflow.getHandle(bulkId).result()) as BulkResult;
    expect(result).toMatchObject({ status: 'completed', rows: 50, completed: 50, apiCalls: 50 });

    // An operator lists the bulk's rows in the Temporal UI.
    const children = await listed(`FillflowBulkId = "${bulkId}" AND WorkflowType = "fillTemplate"`, 50);
    expect(children.sort()).toEqual(rows.map((r) => `${bulkId}/${r.row}`).sort());
    await expectReplays(env().client, bulkId);
  });

  it('continues as new three times (a small threshold), losing and repeating nothing', async () => {
    const { rig, bulks } = main;
    const rows = await storeRows(rig.store, rig.dir, 12, 100);
    const before = generateCalls(rig).length;
    const { bulkId } = await bulks.startBulk({ rows, window: 3, continueAfterRows: 4 });
    const state = await bulks.waitForBulk(bulkId);
    expect(state.status).toBe('completed');

    const result = (await env().client.workflow.getHandle(bulkId).result()) as BulkResult;
    expect(result.runs).toBe(3);
    expect(result).toMatchObject({ completed: 12, failed: 0, apiCalls: 12 });
    const runs = await listed(`WorkflowId = "${bulkId}" AND ExecutionStatus = "ContinuedAsNew"`, 2);
    expect(runs.length).toBe(2);
    // Every row started once: twelve calls, twelve different prompts.
    const calls = generateCalls(rig).slice(before);
    expect(calls.length).toBe(12);
    expect(new Set(calls.map((c) => c.promptText)).size).toBe(12);
    for (const l of await lines(rig, bulkId)) expectRowValues(l);
    await expectReplays(env().client, bulkId);
  });

  it('answers a row equal to an earlier one from the cache: its fill makes no call', async () => {
    const { rig, bulks } = main;
    const [row] = await storeRows(rig.store, rig.dir, 1, 200);
    const before = generateCalls(rig).length;
    const { bulkId } = await bulks.startBulk({ rows: [{ ...row!, row: 'first' }, { ...row!, row: 'again' }], window: 2 });
    expect((await bulks.waitForBulk(bulkId)).status).toBe('completed');
    const [first, again] = await lines(rig, bulkId);
    expect(first!.usage.apiCalls).toBe(1);
    expect(again!.usage).toMatchObject({ apiCalls: 0, cacheHits: 1 });
    expect((again as FillResult).fields.map((f) => f.value)).toEqual((first as FillResult).fields.map((f) => f.value));
    expect(generateCalls(rig).length - before).toBe(1);
  });

  it('cancels mid-bulk: the rows in flight are cancelled, the finished ones counted', async () => {
    {
      const { rig, bulks } = main;
      rig.emulator.reset();
      rig.emulator.inject({ kind: 'latency', ms: 400, count: 10 });
      const rows = await storeRows(rig.store, rig.dir, 10, 400);
      const { bulkId } = await bulks.startBulk({ rows, window: 2 });
      await until('two rows done', async () => (await rig.store.bulkRowCounts(bulkId)).completed >= 2);
      const state = await bulks.cancel(bulkId);
      expect(state.status).toBe('cancelled');
      expect(state.progress.completed).toBeGreaterThanOrEqual(2);
      expect(state.progress.completed).toBeLessThan(10);
      expect(state.progress.running).toBe(0);
      const counts = await rig.store.bulkRowCounts(bulkId);
      expect(counts.completed).toBe(state.progress.completed);
      expect(counts.completed + counts.cancelled + counts.pending).toBe(10);
      // No row of the bulk is left running. A row the cancel caught while its start was still pending counts as
      // cancelled with no fill of its own, so the closed fills are every completed row and at most the cancelled ones.
      const closed = await listed(`FillflowBulkId = "${bulkId}" AND WorkflowType = "fillTemplate" AND ExecutionStatus != "Running"`, counts.completed + counts.cancelled);
      expect(closed.length).toBeGreaterThanOrEqual(counts.completed);
      expect(closed.length).toBeLessThanOrEqual(counts.completed + counts.cancelled);
      expect(await listed(`FillflowBulkId = "${bulkId}" AND ExecutionStatus = "Running"`, 0)).toEqual([]);
      await expectReplays(env().client, bulkId);
    }
  });
  it('parks when the daily quota runs out mid-bulk, starts nothing while parked, and completes after bulk resume', async () => {
    // Last in this file: the per-day 429 closes the day in this store's quota ledger.
    {
      const { rig, bulks } = main;
      rig.emulator.reset();
      rig.emulator.inject({ kind: 'latency', ms: 100, count: 100 });
      const rows = await storeRows(rig.store, rig.dir, 8, 300);
      // The fourth call is refused for the day: its row parks, the ledger closes the day for every row.
      rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day', match: (q) => q.seq >= 4 });
      const { bulkId } = await bulks.startBulk({ rows, window: 2, quotaCheckMs: 500 });
      let parked: BulkState | undefined;
      await until('the bulk to park', async () => {
        parked = await bulks.getBulk(bulkId, { countParked: true });
        return parked.status === 'paused-quota';
      });
      expect(parked!.resumeAt).toBeDefined();
      expect(parked!.progress.completed).toBeLessThan(8);
      // While parked, no row starts and no call goes out.
      const calls = generateCalls(rig).length;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(generateCalls(rig).length).toBe(calls);
      expect((await bulks.getBulk(bulkId)).status).toBe('paused-quota');

      await bulks.resume(bulkId);
      const done = await bulks.waitForBulk(bulkId);
      expect(done.status).toBe('completed');
      expect(done.progress.completed).toBe(8);
      for (const l of await lines(rig, bulkId)) expectRowValues(l);
      const result = (await env().client.workflow.getHandle(bulkId).result()) as BulkResult;
      expect(result.pausedMs).toBeGreaterThan(1_000);
      await expectReplays(env().client, bulkId);
    }
  });

});
