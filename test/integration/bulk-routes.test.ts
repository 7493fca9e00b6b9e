/** The bulk's routes on a real dev server, through the real SDK against the emulator's Batch Mode and flex tier:
 * a batch job (its requests uploaded as a JSONL file) with one failed item and one cut item, both repaired through
 * the standard route; an expired job resubmitted for what it left unanswered only; flex with one request shed
 * and sent standard; auto giving up on a job at its deadline; auto choosing standard for a small bulk. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkClient } from '../../src/bulk-client.js';
import type { BulkRequest } from '../../src/bulk-client.js';
import { bulkResultLines, type BulkResultLine } from '../../src/bulk/results.js';
import type { FillResult } from '../../src/core/types.js';
import type { RecordedRequest } from '../../src/emulator/index.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { expectReplays, registerAnswers, rowNumber, rowValues, storeRows } from './bulk-fixture.js';

const { env, rig: newRig } = useDevServerRigs();
let rig: Rig;
let bulks: BulkClient;
let workers: WorkerSet;
let running: Promise<void>;

beforeAll(async () => {
  rig = await newRig({ emulator: { answer: registerAnswers }, env: { FILLFLOW_PROFILE: 'aggressive' } });
  workers = await createWorkers({ config: rig.config, connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
  bulks = new BulkClient(env().client, { config: rig.config, store: rig.store });
});
afterAll(async () => {
  workers?.shutdown();
  await running;
});

/** Synchronous generateContent requests (flex ones apart). */
const standardCalls = (from: number) => rig.emulator.requests.slice(from).filter((q) => q.endpoint === 'generateContent' && !isFlex(q));
const isFlex = (q: RecordedRequest) => (q.body as { serviceTier?: string } | null)?.serviceTier === 'flex';
/** The row whose document a prompt carries. */
const rowOf = (prompt: string) => /Supplier register entry (\d+)\./.exec(prompt)?.[1];

async function run(req: BulkRequest): Promise<{ bulkId: string; lines: BulkResultLine[] }> {
  const { bulkId } = await bulks.startBulk(req);
  const state = await bulks.waitForBulk(bulkId, { pollMs: 200 });
  expect(state.status, state.error).toBe('completed');
  await expectReplays(env().client, bulkId);
  const lines: BulkResultLine[] = [];
  for await (const l of bulkResultLines(rig.store, bulkId)) lines.push(l);
  return { bulkId, lines };
}

function expectAllRight(lines: BulkResultLine[], rows: number): void {
  expect(lines).toHaveLength(rows);
  for (const l of lines) {
    const want = rowValues(rowNumber(l.row));
    for (const [key, value] of Object.entries(want)) expect([l.row, key, (l as FillResult).fields.find((f) => f.key === key)?.value]).toEqual([l.row, key, value]);
  }
}

describe('route batch', () => {
  it('answers the rows from one job uploaded as a file, repairing a failed and a cut item through the standard route', async () => {
    const rows = await storeRows(rig.store, rig.dir, 6, 500);
    rig.emulator.batch.setOptions({
      turnaroundMs: 400,
      itemFault: ({ promptText }) => (rowOf(promptText) === '502' ? 'error' : rowOf(promptText) === '503' ? 'truncate' : undefined),
    });
    const jobsBefore = rig.emulator.batch.jobs().length;
    const from = rig.emulator.requests.length;
    const { bulkId, lines } = await run({ rows, window: 3, route: 'batch', batch: { pollMs: 200, inlineLimitBytes: 10 } });
    expectAllRight(lines, 6);

    const jobs = rig.emulator.batch.jobs().slice(jobsBefore);
    expect(jobs.map((j) => [j.input, j.state, j.items.length])).toEqual([['file', 'BATCH_STATE_SUCCEEDED', 6]]);
    expect(jobs[0]!.items.map((i) => i.outcome).sort()).toEqual(['answered', 'answered', 'answered', 'answered', 'error', 'truncated']);
    // The job's name was recorded (creation is not idempotent), and its answers collected.
    expect((await rig.store.bulkBatchJobs(bulkId, 0)).map((j) => [j.name, j.state])).toEqual([[jobs[0]!.name, 'collected']]);
    // Only the failed and the cut item went standard, once each.
    expect(standardCalls(from).map((q) => rowOf(q.promptText)).sort()).toEqual(['502', '503']);
    for (const l of lines) {
      const repaired = l.row === 'r502' || l.row === 'r503';
      // Each row counts its batch request; a repaired row its standard call too.
      expect([l.row, l.usage.apiCalls, l.usage.cacheHits]).toEqual([l.row, repaired ? 2 : 1, repaired ? 0 : 1]);
    }
  });

  it('resubmits an expired job for what it left unanswered only', async () => {
    const rows = await storeRows(rig.store, rig.dir, 4, 600);
    // One row's answer is in the cache already (a standard bulk of it ran before).
    await run({ rows: rows.slice(0, 1), window: 1 });
    rig.emulator.batch.setOptions({ turnaroundMs: 0 });
    rig.emulator.batch.expireNext(1);
    const jobsBefore = rig.emulator.batch.jobs().length;
    const from = rig.emulator.requests.length;
    const { lines } = await run({ rows, window: 4, route: 'batch', batch: { pollMs: 100 } });
    expectAllRight(lines, 4);
    const jobs = rig.emulator.batch.jobs().slice(jobsBefore);
    expect(jobs.map((j) => [j.input, j.state, j.items.length])).toEqual([
      ['inline', 'BATCH_STATE_EXPIRED', 3],
      ['inline', 'BATCH_STATE_SUCCEEDED', 3],
    ]);
    expect(standardCalls(from)).toEqual([]);
  });
});

describe('route flex', () => {
  it('sends every request at the flex tier first, and a shed one at the standard tier', async () => {
    const rows = await storeRows(rig.store, rig.dir, 4, 700);
    rig.emulator.batch.setFlex({ latencyMs: 50, shed: (q) => rowOf(q.promptText) === '701' });
    const from = rig.emulator.requests.length;
    const { lines } = await run({ rows, window: 2, route: 'flex' });
    expectAllRight(lines, 4);
    const flex = rig.emulator.requests.slice(from).filter(isFlex);
    expect(flex.map((q) => [rowOf(q.promptText), q.status]).sort()).toEqual([
      ['700', 200],
      ['701', 503],
      ['702', 200],
      ['703', 200],
    ]);
    expect(standardCalls(from).map((q) => rowOf(q.promptText))).toEqual(['701']);
    for (const l of lines) expect([l.row, l.usage.apiCalls]).toEqual([l.row, l.row === 'r701' ? 2 : 1]);
  });
});

describe('route auto', () => {
  it('cancels a job still running near the deadline and sends its rows standard', async () => {
    const rows = await storeRows(rig.store, rig.dir, 3, 800);
    rig.emulator.batch.setOptions({ turnaroundMs: 600_000 });
    const jobsBefore = rig.emulator.batch.jobs().length;
    const from = rig.emulator.requests.length;
    const deadline = new Date(Date.now() + 4_000).toISOString();
    const { lines } = await run({ rows, window: 3, route: 'auto', deadline, batch: { pollMs: 200, autoMinRows: 1, autoMinLeadMs: 1_000, autoMarginMs: 2_500 } });
    expectAllRight(lines, 3);
    expect(rig.emulator.batch.jobs().slice(jobsBefore).map((j) => j.state)).toEqual(['BATCH_STATE_CANCELLED']);
    expect(standardCalls(from).map((q) => rowOf(q.promptText)).sort()).toEqual(['800', '801', '802']);
  });

  it('runs a bulk too small for a job on the standard route', async () => {
    const rows = await storeRows(rig.store, rig.dir, 2, 900);
    const jobsBefore = rig.emulator.batch.jobs().length;
    const from = rig.emulator.requests.length;
    const { lines } = await run({ rows, window: 2, route: 'auto' });
    expectAllRight(lines, 2);
    expect(rig.emulator.batch.jobs().length).toBe(jobsBefore);
    expect(standardCalls(from)).toHaveLength(2);
  });
});
