/** On the time-skipping test server: the daily quota runs out in the middle of a bulk. The bulk and every row in
 * flight park; left alone, the rows resume by themselves at the reset, each at its own staggered moment, and every
 * row completes. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BulkClient, type BulkState } from '../../src/bulk-client.js';
import type { BulkResult } from '../../src/bulk/bulk-records.js';
import { bulkResultLines } from '../../src/bulk/results.js';
import { nextPacificMidnight } from '../../src/core/pacific-day.js';
import type { FillResult } from '../../src/core/types.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { bulkProgressQuery } from '../../src/workflows/bulk-messages.js';
import { createRig, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { createTimeSkippingTestEnv } from '../helpers/temporal-env.js';
import { until } from '../helpers/worker-process.js';
import { registerAnswers, rowNumber, rowValues, storeRows } from '../integration/bulk-fixture.js';
import { reportCase } from './figures.js';

const ROWS = 16;
const WINDOW = 6;
/** Requests from this one on meet the closed day, until the test reopens it (Google's reset, here by hand). */
const FIRST_REFUSED = 8;

let env: TestWorkflowEnvironment;
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;
let dayClosed = true;

beforeAll(async () => {
  env = await createTimeSkippingTestEnv();
  // Calls of 0.2 to 1.5 s: when the day closes, some rows are still answering, and their ends tell the bulk to park.
  rig = await createRig(env, { env: { FILLFLOW_PROFILE: 'aggressive' }, emulator: { answer: registerAnswers, latencyMs: { min: 200, max: 1_500 } } });
  rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day', count: 10_000, match: (q) => dayClosed && q.seq >= FIRST_REFUSED });
  workers = await createWorkers({ config: rig.config, connection: env.nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
});
afterAll(async () => {
  workers?.shutdown();
  await running;
  await rig?.close();
  await env?.teardown();
});

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1_000 + Math.floor((t?.nanos ?? 0) / 1e6);

it('parks the bulk and its rows on the closed day, resumes them staggered at the reset, and loses no row', async () => {
  const started = Date.now();
  const rows = await storeRows(rig.store, rig.dir, ROWS, 700);
  const bulks = new BulkClient(env.client, { config: rig.config, store: rig.store });
  // Ticks every half hour of server time: while the server skips hours to the reset it wakes a dozen times, not hundreds.
  const { bulkId } = await bulks.startBulk({ rows, window: WINDOW, quotaCheckMs: 30 * 60_000 });

  // Everything in flight parks: the bulk (no row starts) and each of its running rows.
  let parked: BulkState | undefined;
  await until(
    'the bulk and all its rows in flight to park',
    async () => {
      parked = await bulks.getBulk(bulkId, { countParked: true }).catch(() => undefined);
      return parked?.status === 'paused-quota' && parked.progress.running > 0 && parked.progress.parked === parked.progress.running;
    },
    120_000,
  );
  const parkedAt = Date.now();
  const inFlight = (await env.client.workflow.getHandle(bulkId).query(bulkProgressQuery)).runningFills;
  const resumeAts: number[] = [];
  for (const fillId of inFlight) {
    const p = await rig.client.getProgress(fillId);
    expect(p.phase).toBe('paused-quota');
    resumeAts.push(Date.parse(p.resumeAt!));
  }
  const callsWhenParked = rig.emulator.requests.length;
  const completedWhenParked = parked!.progress.completed;
  // While parked, nothing is sent (server time stands still until the result is awaited).
  await new Promise((r) => setTimeout(r, 1_500));
  const callsWhileParked = rig.emulator.requests.length - callsWhenParked;

  // Google's reset: the day opens again. The server skips to each parked row's own resume time while the result is awaited.
  dayClosed = false;
  const result = (await env.client.workflow.getHandle(bulkId).result()) as BulkResult;

  // When each parked row did resume: its park's timer firing, in server time.
  const resumedAt: number[] = [];
  for (const fillId of inFlight) {
    const history = await env.client.workflow.getHandle(fillId).fetchHistory();
    const fired = (history.events ?? []).filter((e) => e.timerFiredEventAttributes);
    if (fired.length > 0) resumedAt.push(ms(fired.at(-1)!.eventTime));
  }
  const lines: (FillResult & { row: string })[] = [];
  for await (const l of bulkResultLines(rig.store, bulkId)) lines.push(l as FillResult & { row: string });
  const wrong = lines.filter((l) => l.status !== 'completed' || Object.entries(rowValues(rowNumber(l.row))).some(([k, v]) => l.fields.find((f) => f.key === k)?.value !== v));
  const missing = ROWS - lines.length;
  const distinctSeconds = new Set(resumedAt.map((t) => Math.floor(t / 1_000))).size;
  const spreadS = resumedAt.length > 1 ? (Math.max(...resumedAt) - Math.min(...resumedAt)) / 1_000 : 0;
  const reset = nextPacificMidnight(parkedAt);

  reportCase({
    id: 'daily-quota-bulk',
    title: 'The daily quota running out mid-bulk',
    tried: `a ${ROWS}-row bulk (window ${WINDOW}) whose every Gemini request from the ${FIRST_REFUSED}th on met a per-day 429 until the reset; left to resume by itself (the time-skipping test server skipped to midnight America/Los_Angeles)`,
    survived: `the bulk and all ${inFlight.length} rows in flight parked (${completedWhenParked} rows done before); the parked rows resumed by themselves after the reset, at ${distinctSeconds} different seconds spread over ${spreadS.toFixed(0)} s; ${result.completed}/${ROWS} rows completed, ${ROWS - missing - wrong.length} with every value right`,
    lost: missing + wrong.length + result.failed,
    lostMeans: 'rows missing, failed or with a wrong value',
    details: [
      `requests refused for the day before the bulk parked: ${rig.emulator.requests.filter((q) => q.status === 429).length}; requests sent in 1.5 s while parked: ${callsWhileParked}`,
      `bulk paused ${(result.pausedMs / 3_600_000).toFixed(1)} h of server time`,
    ],
    wallMs: Date.now() - started,
  });
  expect(inFlight.length).toBeGreaterThan(1);
  expect(callsWhileParked).toBe(0);
  // Each parked row had its own resume time, and resumed at it: after the reset, not all in one second.
  expect(new Set(resumeAts).size).toBe(resumeAts.length);
  expect(resumedAt).toHaveLength(inFlight.length);
  for (const t of resumedAt) expect(t).toBeGreaterThanOrEqual(reset);
  expect(distinctSeconds).toBeGreaterThan(1);
  expect(lines.map((l) => l.row)).toEqual(rows.map((r) => r.row));
  expect(wrong.map((l) => l.row)).toEqual([]);
  expect(result).toMatchObject({ completed: ROWS, failed: 0 });
});
