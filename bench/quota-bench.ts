/** `npm run bench:quota [-- --scale F] [-- --only ours|baseline|cluster]`: N templates × 30 fields against the
 * emulator enforcing 15 requests and 250,000 input tokens per minute. Fillflow with one Gemini worker and
 * with two (each with its own connection and store handle on the shared SQLite ledger), side by side with a
 * baseline built like the old system: an in-process semaphore of 2, 1 s minimum spacing, exponential backoff
 * that ignores retry hints, run as one client and as two independent ones (two processes' worth of throttles),
 * replaying exactly the requests Fillflow sent. Then two Gemini workers as processes of their own
 * (`fillflow worker --role gemini`), sharing the ledger through one SQLite file and then through Postgres, each
 * set against the one-worker run of the same invocation. Prints completion time against the quota bound (the
 * least time the limits allow for those very requests), the most calls any sliding minute held against the
 * limit, 429s as a share of calls, failed fills and lost fields. `--only cluster` runs the one-worker baseline
 * and the process runs alone. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { FillflowClient } from '../src/client.js';
import { loadConfig } from '../src/config.js';
import type { FillResult } from '../src/core/types.js';
import { goldAnswers, startEmulator, type RecordedRequest } from '../src/emulator/index.js';
import { ingestPaths } from '../src/retrieval/ingest.js';
import { installRuntime } from '../src/runtime/runtime.js';
import { openStoreReady } from '../src/store/open-store.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorkers } from '../src/worker.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes.js';
import { EXAMPLE_DIR, exampleGold, exampleTemplate } from '../test/helpers/fill-harness.js';
import { benchSchema } from './cluster-postgres.js';
import { startWorkerProcess } from './cluster-workers.js';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    latency: { type: 'string', default: '300' },
    // released: the backoff sleeps outside the semaphore, 8 attempts; held: the whole retry loop holds its
    // permit (as `async with semaphore:` around a retry loop would), 10 attempts.
    baseline: { type: 'string', default: 'released' },
  },
});
const HELD = args.baseline === 'held';
const SCALE = Number(args.scale);
const TEMPLATES = Math.max(1, Math.round(50 * SCALE));
const RPM = 15;
const TPM = 250_000;
const BATCH = 10; // 30 fields → 3 calls per template: 150 calls for 50 templates, the issue's arithmetic
const LATENCY_MS = Number(args.latency);
const WINDOW = 60_000;

installRuntime({ level: 'ERROR' });
const emulator = await startEmulator({ latencyMs: LATENCY_MS, answer: goldAnswers(exampleGold()), limits: { rpm: RPM, tpm: TPM } });
const server = await startDevServer({ port: 0, headless: true, logLevel: 'error', searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES });
const base = exampleTemplate();

interface Row {
  name: string;
  wallMs: number;
  calls: number;
  limited: number;
  failedFills: number;
  lostFields: number;
  boundMs: number;
  /** The most answered calls any sliding minute held: the share of the per-minute limit used at its fullest. */
  peakPerMinute: number;
  /** Worker processes only: how many batches each one ran (from the fills' histories). */
  split?: number[];
}

/** The least time the limits allow for these calls, in this order: each starts as soon as both windows have room (a client with perfect knowledge), plus one call's latency. */
function quotaBoundMs(tokens: number[]): number {
  const started: { at: number; tokens: number }[] = [];
  let t = 0;
  for (const tok of tokens) {
    for (;;) {
      const live = started.filter((s) => s.at + WINDOW > t);
      const used = live.reduce((a, s) => a + s.tokens, 0);
      if (live.length < RPM && used + tok <= TPM) break;
      // Next moment something ages out.
      t = Math.min(...live.map((s) => s.at + WINDOW));
    }
    started.push({ at: t, tokens: tok });
  }
  return t + LATENCY_MS;
}

/** The most of these calls (ascending arrival times) that fall in any one 60 s window. */
function peakPerMinute(at: number[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= WINDOW) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** How many extractBatch activities each process ran, by the identity Temporal records for them (the SDK's `pid@host`). */
async function batchesByProcess(temporal: Client, fillIds: string[], pids: number[]): Promise<number[]> {
  const counts = pids.map(() => 0);
  for (const id of fillIds) {
    const events = (await temporal.workflow.getHandle(id).fetchHistory()).events ?? [];
    const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name]));
    for (const e of events) {
      const a = e.activityTaskStartedEventAttributes;
      const i = pids.findIndex((pid) => a?.identity?.startsWith(`${pid}@`));
      if (a && i >= 0 && typeOf.get(String(a.scheduledEventId)) === 'extractBatch') counts[i]! += 1;
    }
  }
  return counts;
}

const generate = (since: number) => emulator.requests.slice(since).filter((r) => r.endpoint === 'generateContent');

/**
 * Where a run's Gemini workers run: in this process (one worker set, or a second Gemini worker with its own
 * connection and store handle), or as two `fillflow worker --role gemini` processes of their own on one SQLite file
 * or on Postgres. The fill worker (workflows, light activities) runs in this process in every case.
 */
type Placement = { kind: 'in-process'; geminiWorkers: 1 | 2 } | { kind: 'processes'; store: 'sqlite' | 'postgres' };

async function fillflowRun(name: string, placement: Placement): Promise<{ row: Row; sent: RecordedRequest[] }> {
  emulator.reset();
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-qbench-'));
  const schema = placement.kind === 'processes' && placement.store === 'postgres' ? await benchSchema('quota') : undefined;
  const dbPath = schema?.url ?? join(dir, 'db.sqlite');
  const limits = { requestsPerMinute: RPM, tokensPerMinute: TPM, maxBatchSize: BATCH };
  const env = { GEMINI_API_KEY: 'bench-key', GEMINI_BASE_URL: emulator.url, FILLFLOW_PROFILE: 'balanced' };
  const config = loadConfig({ ...env, FILLFLOW_DB: dbPath }, { limits }, dir);
  const stores = [await openStoreReady({ dbPath })];
  const store = stores[0]!;
  const docs = await ingestPaths(store, [join(EXAMPLE_DIR, 'docs')]);
  const connections = [await NativeConnection.connect({ address: server.address })];
  const clientConnection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection: clientConnection });
  const client = new FillflowClient(temporal);
  const inProcess = placement.kind === 'in-process';
  const sets = [await createWorkers({ config, connection: connections[0]!, store, roles: inProcess ? ['fill', 'gemini'] : ['fill'] })];
  if (inProcess && placement.geminiWorkers === 2) {
    stores.push(await openStoreReady({ dbPath }));
    connections.push(await NativeConnection.connect({ address: server.address }));
    sets.push(await createWorkers({ config, connection: connections[1]!, store: stores[1]!, roles: ['gemini'] }));
  }
  const processes = inProcess
    ? []
    : await Promise.all([0, 1].map(() => startWorkerProcess({ address: server.address, dbPath, role: 'gemini', config: { limits }, env })));
  const running = sets.map((s) => s.run());

  // Templates and documents are stored first: the clock measures the fills, not the ingestion.
  const jobs: { fillId: string; templateId: string; documentIds: string[] }[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const template = { ...base, id: `bench-${name}-${i}`, name: `${base.name} #${i}` };
    await store.putTemplate(template);
    // A note per template, so every prompt differs and the answer cache answers none.
    const note = join(dir, `note-${i}.txt`);
    writeFileSync(note, `Internal reference ${i}: onboarding ticket ${10_000 + i}, run ${name}.\n`);
    const [doc] = await ingestPaths(store, [note]);
    const job = { fillId: `fill-${name}-${i}`, templateId: template.id, documentIds: [...docs.map((d) => d.id), doc!.id] };
    await store.createFill(job);
    jobs.push(job);
  }
  const fills: string[] = [];
  const since = emulator.requests.length;
  const t0 = Date.now();
  for (const job of jobs) {
    await client.startFill({ ...job, options: { maxBatchSize: BATCH, maxInputTokens: config.limits.maxInputTokens, maxOutputTokens: config.limits.maxOutputTokens } });
    fills.push(job.fillId);
  }
  const results = await Promise.allSettled(fills.map((id) => client.waitForFill(id)));
  const wallMs = Date.now() - t0;
  const split = inProcess ? undefined : await batchesByProcess(temporal, fills, processes.map((p) => p.pid));
  await Promise.all(processes.map((p) => p.stop()));
  for (const s of sets) s.shutdown();
  await Promise.all(running);
  for (const c of connections) await c.close();
  await clientConnection.close();
  for (const s of stores) await s.close();
  await schema?.drop();

  const sent = generate(since);
  const ok = results.filter((r): r is PromiseFulfilledResult<FillResult> => r.status === 'fulfilled').map((r) => r.value);
  const answered = sent.filter((r) => r.status === 200);
  return {
    row: {
      name,
      wallMs,
      calls: sent.length,
      limited: sent.filter((r) => r.status === 429).length,
      failedFills: results.length - ok.filter((r) => r.status === 'completed').length,
      lostFields: TEMPLATES * base.fields.length - ok.flatMap((r) => r.fields).filter((f) => f.status === 'filled' && f.method === 'gemini').length,
      boundMs: quotaBoundMs(answered.map((r) => r.promptTokens)),
      peakPerMinute: peakPerMinute(answered.map((r) => r.at)),
      ...(split ? { split } : {}),
    },
    sent: answered,
  };
}

/** The old system's client: a semaphore of 2, at least 1 s between calls, exponential backoff on any failure, hints ignored. */
function oldClient() {
  let inFlight = 0;
  const queue: (() => void)[] = [];
  let nextStart = 0;
  const acquire = async () => {
    if (inFlight >= 2) await new Promise<void>((r) => queue.push(r));
    inFlight++;
    const wait = Math.max(0, nextStart - Date.now());
    nextStart = Math.max(Date.now(), nextStart) + 1_000;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  const release = () => {
    inFlight--;
    queue.shift()?.();
  };
  const spaced = async () => {
    const wait = Math.max(0, nextStart - Date.now());
    nextStart = Math.max(Date.now(), nextStart) + 1_000;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  const send = async (req: RecordedRequest) => {
    const res = await fetch(`${emulator.url}${req.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'bench-key' },
      body: JSON.stringify(req.body),
    });
    await res.text();
    return res.status;
  };
  if (HELD) {
    return async function call(req: RecordedRequest): Promise<boolean> {
      if (inFlight >= 2) await new Promise<void>((r) => queue.push(r));
      inFlight++;
      try {
        for (let attempt = 0; attempt < 10; attempt++) {
          await spaced();
          if ((await send(req)) === 200) return true;
          await new Promise((r) => setTimeout(r, Math.min(60_000, 1_000 * 2 ** attempt)));
        }
        return false;
      } finally {
        release();
      }
    };
  }
  return async function call(req: RecordedRequest): Promise<boolean> {
    for (let attempt = 0; attempt < 8; attempt++) {
      await acquire();
      let status = 0;
      try {
        const res = await fetch(`${emulator.url}${req.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-goog-api-key': 'bench-key' },
          body: JSON.stringify(req.body),
        });
        status = res.status;
        await res.text();
      } finally {
        release();
      }
      if (status === 200) return true;
      // 1 s, 2 s, 4 s, ... capped at 60 s: the server's retryDelay is not read.
      await new Promise((r) => setTimeout(r, Math.min(60_000, 1_000 * 2 ** attempt)));
    }
    return false;
  };
}

async function baselineRun(name: string, clients: 1 | 2, requests: RecordedRequest[], fillOf: (r: RecordedRequest) => string): Promise<Row> {
  emulator.reset();
  const since = emulator.requests.length;
  const callers = Array.from({ length: clients }, () => oldClient());
  const t0 = Date.now();
  const outcomes = await Promise.all(requests.map((r, i) => callers[i % clients]!(r).then((ok) => ({ ok, r }))));
  const wallMs = Date.now() - t0;
  const sent = generate(since);
  const failed = outcomes.filter((o) => !o.ok);
  return {
    name,
    wallMs,
    calls: sent.length,
    limited: sent.filter((r) => r.status === 429).length,
    failedFills: new Set(failed.map((o) => fillOf(o.r))).size,
    lostFields: failed.reduce((s, o) => s + o.r.fieldKeys.length, 0),
    boundMs: quotaBoundMs(requests.map((r) => r.promptTokens)),
    peakPerMinute: peakPerMinute(sent.filter((r) => r.status === 200).map((r) => r.at)),
  };
}

function print(rows: Row[]): void {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  console.log(`\n${TEMPLATES} templates × ${base.fields.length} fields, ${RPM} RPM / ${TPM} TPM, ${LATENCY_MS} ms per call (scale ${SCALE})`);
  console.log('run                         wall s   bound s  of bound  peak/min  calls  429s   429 share  failed fills  lost fields');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(26)} ${(r.wallMs / 1000).toFixed(1).padStart(7)} ${(r.boundMs / 1000).toFixed(1).padStart(9)} ${pct(r.boundMs / r.wallMs).padStart(9)} ${`${r.peakPerMinute}/${RPM}`.padStart(9)} ${String(r.calls).padStart(6)} ${String(r.limited).padStart(5)} ${pct(r.calls ? r.limited / r.calls : 0).padStart(11)} ${String(r.failedFills).padStart(13)} ${String(r.lostFields).padStart(12)}`,
    );
  }
  console.log(JSON.stringify({ templates: TEMPLATES, rpm: RPM, tpm: TPM, latencyMs: LATENCY_MS, scale: SCALE, rows }));
}

/** The process runs against the one-worker run of this invocation: each figure as a multiple of the baseline's. */
function printRatios(baseline: Row, runs: Row[]): void {
  const x = (a: number, b: number) => (b === 0 ? (a === 0 ? '—' : '∞') : `${(a / b).toFixed(3)}×`);
  console.log(`\nagainst ${baseline.name} (${(baseline.wallMs / 1000).toFixed(1)} s, ${baseline.calls} calls, ${baseline.limited} 429s, peak ${baseline.peakPerMinute}/${RPM} a minute)`);
  console.log('run                         wall      calls     peak/min  429s              batches per process');
  for (const r of runs) {
    console.log(
      `${r.name.padEnd(26)} ${x(r.wallMs, baseline.wallMs).padStart(8)} ${x(r.calls, baseline.calls).padStart(9)} ${x(r.peakPerMinute, baseline.peakPerMinute).padStart(11)}  ${`${r.limited} (baseline ${baseline.limited})`.padEnd(16)}  ${r.split?.join(' / ') ?? ''}`,
    );
  }
}

const only = args.only;
if (only !== undefined && !['ours', 'baseline', 'cluster'].includes(only)) throw new Error('--only must be ours, baseline or cluster');
const rows: Row[] = [];
try {
  // The one-worker run is every comparison's reference, and its requests are what the old-style client replays.
  const one = await fillflowRun('fillflow-1-worker', { kind: 'in-process', geminiWorkers: 1 });
  rows.push(one.row);
  print(rows);
  if (only === undefined || only === 'ours') {
    rows.push((await fillflowRun('fillflow-2-workers', { kind: 'in-process', geminiWorkers: 2 })).row);
    print(rows);
  }
  if (only === undefined || only === 'ours' || only === 'cluster') {
    const cluster: Row[] = [];
    for (const store of ['sqlite', 'postgres'] as const) {
      cluster.push((await fillflowRun(`2-gemini-procs-${store}`, { kind: 'processes', store })).row);
      rows.push(cluster.at(-1)!);
      print(rows);
    }
    printRatios(one.row, cluster);
  }
  if (only === undefined || only === 'baseline') {
    const fillOf = (r: RecordedRequest) => /onboarding ticket (\d+)/.exec(r.promptText)?.[1] ?? r.promptText.slice(0, 40);
    const v = HELD ? 'held' : 'released';
    rows.push(await baselineRun(`old-system-1-process-${v}`, 1, one.sent, fillOf));
    print(rows);
    rows.push(await baselineRun(`old-system-2-procs-${v}`, 2, one.sent, fillOf));
    print(rows);
  }
} finally {
  await emulator.close();
  await server.stop();
}
