/** The store goes away mid-fill: the SQLite file locked for 30 s by another connection holding BEGIN EXCLUSIVE, and a
 * Postgres server of the test's own (not the shared one) stopped and started. The activities that met it are retried,
 * and the fill completes with every value right. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { FillResult } from '../../src/core/types.js';
import { goldAnswers } from '../../src/emulator/index.js';
import { findFreePort } from '../../src/temporal/ports.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { exampleGold, type Rig } from '../helpers/fill-harness.js';
import { startWorkerProcess, until, workerReady } from '../helpers/worker-process.js';
import { countRedone, distinctExample, wrongValues } from './fault-kit.js';
import { reportCase } from './figures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCK_MS = 30_000;
const PG_DOWN_MS = 35_000;
const { env, rig: newRig } = useDevServerRigs();
const children: ChildProcess[] = [];
let pgRoot: string | undefined;
let pgEnv: NodeJS.ProcessEnv | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (pgEnv) await postgres('stop').catch(() => undefined);
  if (pgRoot) rmSync(pgRoot, { recursive: true, force: true });
});

/** Runs a command to its end; resolves with its stdout, rejects with its stderr. */
function run(argv: string[], envVars: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: envVars, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? done(out.trim()) : fail(new Error(`${argv.join(' ')} exited ${code}: ${err}`))));
  });
}

/** `scripts/postgres.ts start|stop` for this file's own server (FILLFLOW_PG_ROOT, FILLFLOW_PG_PORT). */
function postgres(action: 'start' | 'stop'): Promise<string> {
  return run([process.execPath, '--import', 'tsx', 'scripts/postgres.ts', action], pgEnv);
}

/** Starts the rig's workers in their own process, so a store call that blocks blocks them, not the test. */
async function worker(rig: Rig): Promise<ChildProcess> {
  const child = startWorkerProcess(rig, env().address, { profile: 'aggressive', limits: { concurrency: 2 } });
  children.push(child);
  await workerReady(child);
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

/** extractBatch and the fill worker's activities: how many attempts failed, from the fill's history. */
async function failedAttempts(fillId: string): Promise<number> {
  const history = await env().client.workflow.getHandle(fillId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1)
    .reduce((n, attempt) => n + attempt - 1, 0);
}

async function fillThrough(rig: Rig, n: number, fault: () => Promise<{ tried: string }>) {
  const { templateId, documentIds } = await distinctExample(rig, n);
  const fillId = `fill-store-${n}`;
  await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 5 }) });
  await until('the fill to send its first Gemini request', () => rig.emulator.requests.some((q) => q.endpoint === 'generateContent'), 120_000);
  const done = rig.client.waitForFill(fillId).then(
    (r): FillResult | Error => r,
    (e: Error) => e,
  );
  const { tried } = await fault();
  const result = await done;
  return { fillId, result, tried };
}

/** Stops the case's workers, reports what survived the store's outage, and asserts nothing was lost. */
async function reportStoreCase(
  rig: Rig,
  workers: ChildProcess,
  fillId: string,
  result: FillResult | Error,
  c: { id: string; title: string; tried: string; started: number },
): Promise<void> {
  // Both cases share the dev server and its task queues: this rig's workers must not serve the next one's fill.
  await stopWorker(workers);
  const ok = !(result instanceof Error) && result.status === 'completed';
  const wrong = ok ? wrongValues(result) : [];
  const retried = await failedAttempts(fillId);
  const calls = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');
  const { redoneAfterFinish } = await countRedone(env().client, fillId, calls);
  reportCase({
    id: c.id,
    title: c.title,
    tried: c.tried,
    survived: ok ? `the fill completed, ${30 - wrong.length}/30 values right` : `the fill did not complete: ${result instanceof Error ? result.message : result.status}`,
    lost: (ok ? 0 : 1) + wrong.length + redoneAfterFinish,
    lostMeans: 'fills failed, values wrong, and batches asked again after they finished',
    details: [`activity attempts that failed and were retried: ${retried}`, `Gemini calls: ${calls.length} for 6 batches (a call whose answer could not be stored is made again)`],
    wallMs: Date.now() - c.started,
  });
  expect(ok, result instanceof Error ? result.message : '').toBe(true);
  expect(wrong).toEqual([]);
  expect(redoneAfterFinish).toBe(0);
}

it('completes a fill whose SQLite store is locked for 30 s by another connection (BEGIN EXCLUSIVE)', async () => {
  const started = Date.now();
  // Calls of 1 to 2 s, two at a time: the lock lands with batches done and batches waiting.
  const rig = await newRig({ env: { FILLFLOW_PROFILE: 'aggressive' }, emulator: { answer: goldAnswers(exampleGold()), latencyMs: { min: 1_000, max: 2_000 } } });
  const workers = await worker(rig);
  let heldMs = 0;
  const { fillId, result, tried } = await fillThrough(rig, 300, async () => {
    // Another process's connection takes the write lock and holds it for 30 s, as a stuck backup or admin shell would.
    const holder = `const db = new (require('better-sqlite3'))(${JSON.stringify(rig.config.dbPath)}); db.pragma('busy_timeout = 60000');
db.exec('BEGIN EXCLUSIVE'); console.log('locked');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${LOCK_MS});`;
    const t0 = Date.now();
    const lock = run([process.execPath, '-e', holder]);
    await lock;
    heldMs = Date.now() - t0;
    return { tried: `the store's SQLite file locked for ${(heldMs / 1000).toFixed(0)} s by another process's connection holding BEGIN EXCLUSIVE, from the fill's first Gemini call` };
  });
  await reportStoreCase(rig, workers, fillId, result, {
    id: 'sqlite-locked',
    title: 'The SQLite store locked for 30 s mid-fill',
    tried: `one fill of 30 fields (6 batches, 2 calls at a time, workers in their own process); ${tried}`,
    started,
  });
  expect(heldMs).toBeGreaterThanOrEqual(LOCK_MS);
});

it('completes a fill whose Postgres store is stopped and started mid-fill', async () => {
  const started = Date.now();
  pgRoot = mkdtempSync(join(tmpdir(), 'fillflow-fault-pg-'));
  // The server runs as the postgres user when we are root: it must reach its data folder under this one.
  chmodSync(pgRoot, 0o755);
  pgEnv = { ...process.env, FILLFLOW_PG_ROOT: pgRoot, FILLFLOW_PG_PORT: String(await findFreePort('127.0.0.1')) };
  const url = await postgres('start');
  expect(url).toMatch(/^postgres:\/\//);
  const rig = await newRig({ env: { FILLFLOW_PROFILE: 'aggressive', FILLFLOW_DB: url }, emulator: { answer: goldAnswers(exampleGold()), latencyMs: { min: 1_000, max: 2_000 } } });
  const workers = await worker(rig);
  let downMs = 0;
  const { fillId, result, tried } = await fillThrough(rig, 400, async () => {
    const t0 = Date.now();
    await postgres('stop');
    // Longer than the store's own 30 s of statement retries: the activities that need it fail, and Temporal retries them.
    await new Promise((r) => setTimeout(r, PG_DOWN_MS));
    await postgres('start');
    downMs = Date.now() - t0;
    return { tried: `its own Postgres server stopped (pg_ctl stop -m fast: every connection closed) at the fill's first Gemini call and started again ${(downMs / 1000).toFixed(0)} s later` };
  });
  await reportStoreCase(rig, workers, fillId, result, {
    id: 'postgres-restart',
    title: 'The Postgres store stopped and started mid-fill',
    tried: `one fill of 30 fields (6 batches, 2 calls at a time, workers in their own process) on a Postgres store; ${tried}`,
    started,
  });
});
