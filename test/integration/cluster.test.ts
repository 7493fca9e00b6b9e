/** Many machines, proven: a dev server, a Postgres, and three `fillflow worker` processes that share nothing else
 * (each its own working directory, no SQLite file anywhere). A fill started by a fourth process (`fillflow fill` with
 * TEMPORAL_ADDRESS, so it runs no worker of its own) completes with every value right and its usage recorded once;
 * under a per-minute quota small enough to bind, the three Gemini workers together meet no 429 from the emulator;
 * and one of them is SIGKILLed mid-fill, holding a call that waits for the quota, without costing the fill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FillResult } from '../../src/core/types.js';
import { EXAMPLE_DIR, TEST_API_KEY, createRig, exampleExpected, type Rig } from '../helpers/fill-harness.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { startWorkerProcess, until, workerReady } from '../helpers/worker-process.js';
import { schemaUrl, testPostgresUrl } from '../unit/store/contract/store-kinds.js';

const CLI = resolve(import.meta.dirname, '../../bin/fillflow.js');
/** The emulator's requests per minute, and the workers' configured limit: below the fill's calls, so it binds. */
const RPM = 8;
/** 30 fields, two a call: 15 calls, which the quota spreads over two windows. */
const FIELDS_PER_CALL = 2;
/** Every process of the cluster reads the same configuration; one call in flight per worker spreads the calls. */
const CLUSTER_CONFIG = { limits: { requestsPerMinute: RPM, concurrency: 1, maxBatchSize: FIELDS_PER_CALL } };

let env: TestWorkflowEnvironment;
let rig: Rig;
let admin: pg.Pool;
let schema: string;
let dbUrl: string;
const workers: ChildProcess[] = [];
/** The working directory of each process of the cluster: the three workers', then the fill's. */
const dirs: string[] = [];

beforeAll(async () => {
  env = await createLocalTestEnv();
  admin = new pg.Pool({ connectionString: testPostgresUrl(), max: 1 });
  schema = `cluster_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  dbUrl = schemaUrl(schema);
  // The rig gives the emulator (each call takes 2 s, so one worker cannot take every call while the others
  // idle) and, for the checks, a view of the shared Postgres; it runs no worker.
  rig = await createRig(env, { workers: false, env: { FILLFLOW_DB: dbUrl }, emulator: { latencyMs: 2_000, limits: { rpm: RPM } } });
  for (let i = 0; i < 3; i++) {
    const cwd = mkdtempSync(join(tmpdir(), `fillflow-cluster-worker${i}-`));
    dirs.push(cwd);
    // Started together, they also race to migrate the empty schema.
    workers.push(startWorkerProcess(rig, env.address, CLUSTER_CONFIG, { cwd, env: { FILLFLOW_DB: dbUrl } }));
  }
  await Promise.all(workers.map((w) => workerReady(w)));
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await rig?.close();
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin?.end();
  await env?.teardown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `fillflow fill` in a process of its own, on the cluster's Temporal and store. */
function startFillProcess(cwd: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const configFile = join(cwd, 'fillflow.config.json');
  writeFileSync(configFile, JSON.stringify(CLUSTER_CONFIG));
  const child = spawn(
    process.execPath,
    [CLI, 'fill', '--template', join(EXAMPLE_DIR, 'template.json'), '--docs', join(EXAMPLE_DIR, 'docs'), '--out', join(cwd, 'RESULT.json')],
    {
      cwd,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        FILLFLOW_DB: dbUrl,
        FILLFLOW_CONFIG: configFile,
        GEMINI_API_KEY: TEST_API_KEY,
        GEMINI_BASE_URL: rig.emulator.url,
        GEMINI_MODEL: rig.config.gemini.model,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stderr: () => stderr, exited };
}

/** Every file under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Which of the workers a Temporal identity (`pid@host`, the SDK's default) names; -1 for none of them. */
function workerOf(identity: string | null | undefined): number {
  return workers.findIndex((w) => identity?.startsWith(`${w.pid}@`));
}

it('fills from a fourth process on three workers sharing only Temporal and Postgres, inside the quota, through a SIGKILL', async () => {
  const fillDir = mkdtempSync(join(tmpdir(), 'fillflow-cluster-fill-'));
  dirs.push(fillDir);
  const fill = startFillProcess(fillDir);
  let fillId = '';
  await until('the fill process to name its fill', () => {
    fillId = /^fill: (\S+)$/m.exec(fill.stderr())?.[1] ?? '';
    return fillId !== '' || fill.child.exitCode !== null;
  }, 120_000);
  expect(fillId, fill.stderr()).not.toBe('');
  const handle = env.client.workflow.getHandle(fillId);

  // The first window's calls answered; the rest wait in the shared ledger for the next one.
  const calls = () => rig.emulator.requests.filter((r) => r.endpoint === 'generateContent');
  await until('the first window of calls', () => calls().length >= RPM && calls().every((r) => r.status !== 0), 120_000);
  // The victim is a worker holding an extractBatch that the ledger makes wait: its heartbeats stop, and Temporal
  // gives the batch to a surviving worker.
  let victim = -1;
  await until('a worker holding a call that waits for the quota', async () => {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    victim = pending.filter((a) => a.activityType?.name === 'extractBatch').map((a) => workerOf(a.lastWorkerIdentity)).find((i) => i >= 0) ?? -1;
    return victim >= 0;
  });
  const callsAtKill = calls().length;
  expect(calls().every((r) => r.status !== 0)).toBe(true);
  workers[victim]!.kill('SIGKILL');
  await new Promise((r) => workers[victim]!.once('exit', r));

  expect(await fill.exited, fill.stderr()).toBe(0);
  // It reached the cluster's server, started no server and ran no worker of its own.
  expect(fill.stderr()).toContain(`temporal: ${env.address}\n`);
  const result = JSON.parse(readFileSync(join(fillDir, 'RESULT.json'), 'utf8')) as FillResult;
  expect(result.status).toBe('completed');
  const expected = exampleExpected();
  expect(result.fields).toHaveLength(30);
  for (const f of result.fields) expect([f.key, f.status, f.method, f.value]).toEqual([f.key, 'filled', 'gemini', expected[f.key]]);

  // The quota bound the fill: more calls than one minute allows, the last a window after the first, no 429.
  const sent = calls();
  expect(sent.length).toBe(30 / FIELDS_PER_CALL);
  expect(callsAtKill).toBeLessThan(sent.length);
  expect(sent.filter((r) => r.status === 429)).toEqual([]);
  expect(sent.every((r) => r.status === 200)).toBe(true);
  expect(sent.at(-1)!.at - sent[0]!.at).toBeGreaterThanOrEqual(60_000);
  expect(new Set(sent.map((r) => r.promptText)).size).toBe(sent.length);

  // Usage recorded once: one api_call event per request, one per batch, and one ledger reservation per request.
  const totals = await rig.store.usageTotals(fillId);
  expect(totals.apiCalls).toBe(sent.length);
  expect(totals.rateLimited).toBe(0);
  expect(result.usage.apiCalls).toBe(sent.length);
  // The victim's waiting batch ran again elsewhere (a retry, not a second request).
  expect(totals.retries).toBeGreaterThanOrEqual(1);
  const perBatch = await admin.query<{ batch_id: string; n: number }>(
    `SELECT batch_id, count(*)::int AS n FROM ${schema}.usage_events WHERE fill_id = $1 AND kind = 'api_call' GROUP BY batch_id`,
    [fillId],
  );
  expect(perBatch.rows).toHaveLength(sent.length);
  expect(perBatch.rows.every((r) => r.n === 1)).toBe(true);
  const reserved = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.quota_calls`);
  expect(reserved.rows[0]!.n).toBe(sent.length);

  // Spread over the three: every worker answered at least one batch, and only the workers ran anything.
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name]));
  const started = events.map((e) => e.activityTaskStartedEventAttributes ?? e.workflowTaskStartedEventAttributes).filter((a) => a != null);
  expect(started.map((a) => workerOf(a.identity)).filter((i) => i < 0)).toEqual([]);
  const batchesBy = [0, 0, 0];
  for (const e of events) {
    const a = e.activityTaskStartedEventAttributes;
    if (a && typeOf.get(String(a.scheduledEventId)) === 'extractBatch') batchesBy[workerOf(a.identity)]! += 1;
  }
  expect(batchesBy.reduce((s, n) => s + n, 0)).toBe(sent.length);
  for (const n of batchesBy) expect(n).toBeGreaterThanOrEqual(1);

  // Nothing but Postgres held the store: no SQLite file in any process's working directory.
  for (const dir of dirs) expect(filesUnder(dir).filter((f) => /\.(db|sqlite)(-wal|-shm|-journal)?$/.test(f))).toEqual([]);
}, 300_000);
