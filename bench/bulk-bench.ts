/** `npm run bench:bulk [-- --rows N] [-- --rpm R] [-- --tpm T] [-- --latency MS]`: a bulk of N rows (default 1,000)
 * of the example template's 30 fields, each row its own corpus (the example's three documents and a cover note of
 * its own, so no row is answered from another's cache), against the emulator enforcing a paid-tier quota scaled
 * down (R requests and T tokens a minute: time compressed, so the quota binds where a real paid tier would leave
 * orchestration the bottleneck). It runs the product itself: the start path, the bulkFill workflow, the real
 * workers. Prints, in one run: completion time against the quota bound (the least time those limits allow for
 * the requests the bulk sent), the largest history of any run (the bulk's runs and its rows) against Temporal's
 * 50 MB and 51,200-event limits, the workers' memory at the end against the start, orchestration time per row
 * (a second bulk with no quota and no latency), and the batch route's cost against the standard route's (two
 * more bulks of fresh rows, priced at the same table). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { BulkClient } from '../src/bulk-client.js';
import type { BulkRoute } from '../src/bulk/bulk-records.js';
import { loadConfig } from '../src/config.js';
import { goldAnswers, startEmulator } from '../src/emulator/index.js';
import { ingestPaths } from '../src/retrieval/ingest.js';
import { installRuntime } from '../src/runtime/runtime.js';
import type { NewBulkRow } from '../src/store/bulk-store.js';
import { openStore } from '../src/store/open-store.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorkers } from '../src/worker.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes.js';
import { EXAMPLE_DIR, TEST_API_KEY, exampleGold, exampleTemplate } from '../test/helpers/fill-harness.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000' },
    rpm: { type: 'string', default: '120' },
    tpm: { type: 'string', default: '2000000' },
    latency: { type: 'string', default: '300' },
    // Rows of each side bulk (orchestration, standard and batch cost).
    side: { type: 'string', default: '100' },
  },
});
const ROWS = Number(args.rows);
const RPM = Number(args.rpm);
const TPM = Number(args.tpm);
const LATENCY_MS = Number(args.latency);
const SIDE = Math.min(ROWS, Number(args.side));
const WINDOW_MS = 60_000;
const HISTORY_BYTES = 50 * 1024 * 1024;
const HISTORY_EVENTS = 51_200;

installRuntime({ level: 'ERROR' });
// No latency of its own: the main run queues it per request, so the orchestration run can go without.
const emulator = await startEmulator({ answer: goldAnswers(exampleGold()), limits: { rpm: RPM, tpm: TPM }, batch: { turnaroundMs: 2_000 } });
const server = await startDevServer({ port: 0, headless: true, logLevel: 'error', searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES });
const dir = mkdtempSync(join(tmpdir(), 'fillflow-bulk-bench-'));
const config = loadConfig(
  { GEMINI_API_KEY: TEST_API_KEY, GEMINI_BASE_URL: emulator.url, GEMINI_MODEL: 'gemini-2.5-flash', FILLFLOW_DB: join(dir, 'fillflow.db'), FILLFLOW_PROFILE: 'aggressive' },
  { limits: { requestsPerMinute: RPM, tokensPerMinute: TPM } },
  dir,
);
const store = openStore({ dbPath: config.dbPath });
const template = exampleTemplate();
await store.putTemplate(template);
const exampleDocs = (await ingestPaths(store, [join(EXAMPLE_DIR, 'docs')])).map((d) => d.id);

/** `n` rows from `first`, each with the example's documents and a cover note of its own. */
async function makeRows(first: number, n: number): Promise<NewBulkRow[]> {
  const rows: NewBulkRow[] = [];
  for (let i = first; i < first + n; i++) {
    const path = join(dir, `cover-${i}.txt`);
    writeFileSync(path, `Cover note ${i}: the onboarding file for this supplier, sent with its three documents for review.\n`);
    const [cover] = await ingestPaths(store, [path]);
    rows.push({ row: `r${i}`, templateId: template.id, documentIds: [...exampleDocs, cover!.id] });
  }
  return rows;
}

const workerConnection = await NativeConnection.connect({ address: server.address });
const clientConnection = await Connection.connect({ address: server.address });
const client = new Client({ connection: clientConnection });
const bulks = new BulkClient(client, { config, store });
const workers = await createWorkers({ config, connection: workerConnection, store });
const running = workers.run();
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const memoryStart = process.memoryUsage().rss;

async function runBulk(rows: NewBulkRow[], route: BulkRoute = 'standard') {
  const since = emulator.requests.length;
  const t0 = Date.now();
  const { bulkId, input } = await bulks.startBulk({ rows, route, batch: { pollMs: 1_000 } });
  const state = await bulks.waitForBulk(bulkId, { pollMs: 1_000 });
  const wallMs = Date.now() - t0;
  if (state.status !== 'completed' || state.progress.completed !== rows.length) throw new Error(`bulk ${bulkId} ended ${state.status}: ${JSON.stringify(state.progress)}`);
  const summary = await bulks.summary(bulkId, state.status);
  const calls = emulator.requests.slice(since).filter((q) => q.endpoint === 'generateContent');
  return { bulkId, window: input.window, wallMs, summary, calls };
}

/** The least time the limits allow for these requests in order (each as soon as both windows have room), plus one call's latency. */
function quotaBoundMs(tokens: number[]): number {
  const started: { at: number; tokens: number }[] = [];
  let t = 0;
  for (const tok of tokens) {
    for (;;) {
      const live = started.filter((s) => s.at + WINDOW_MS > t);
      const used = live.reduce((a, s) => a + s.tokens, 0);
      if (live.length < RPM && used + tok <= TPM) break;
      t = Math.min(...live.map((s) => s.at + WINDOW_MS));
    }
    started.push({ at: t, tokens: tok });
  }
  return t + LATENCY_MS;
}

/** The largest history of the bulk's runs and its rows, by bytes and by events. */
async function largestHistory(bulkId: string): Promise<{ bytes: number; events: number }> {
  let bytes = 0;
  let events = 0;
  for await (const w of client.workflow.list({ query: `FillflowBulkId = "${bulkId}" OR WorkflowId = "${bulkId}"` })) {
    bytes = Math.max(bytes, w.historySize ?? 0);
    events = Math.max(events, w.historyLength);
  }
  return { bytes, events };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

// 1. The main bulk, at the quota.
const mainRows = await makeRows(0, ROWS);
emulator.inject({ kind: 'latency', ms: LATENCY_MS, count: 1_000_000, endpoint: 'generateContent' });
const main = await runBulk(mainRows);
const boundMs = quotaBoundMs(main.calls.map((c) => c.promptTokens));
const history = await largestHistory(main.bulkId);
gc?.();
const memoryEnd = process.memoryUsage().rss;

// 2. Orchestration alone: no quota (neither the emulator's nor the ledger's), no latency, fresh rows.
emulator.reset();
emulator.setLimits({});
await store.quotaSetLimits({ requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 });
const orchestration = await runBulk(await makeRows(ROWS, SIDE));

// 3. Cost: the same kind of rows through the standard route and the batch route.
const standard = await runBulk(await makeRows(ROWS + SIDE, SIDE), 'standard');
const batch = await runBulk(await makeRows(ROWS + 2 * SIDE, SIDE), 'batch');

console.log(`bulk benchmark: ${ROWS} rows × ${template.fields.length} fields, ${RPM} requests/min, ${TPM.toLocaleString('en-US')} tokens/min, ${LATENCY_MS} ms per call, window ${main.window}`);
console.table({
  'completion vs quota bound': { value: pct(boundMs / main.wallMs), detail: `${(main.wallMs / 1000).toFixed(1)} s against a ${(boundMs / 1000).toFixed(1)} s bound for ${main.calls.length} calls (goal ≥ 95 %)` },
  'largest history vs 50 MB': { value: pct(history.bytes / HISTORY_BYTES), detail: `${(history.bytes / 1024).toFixed(0)} KiB (goal < 10 %)` },
  'largest history vs 51,200 events': { value: pct(history.events / HISTORY_EVENTS), detail: `${history.events} events (goal < 10 %)` },
  'worker memory end vs start': { value: `${(memoryEnd / memoryStart).toFixed(2)}×`, detail: `${(memoryStart / 2 ** 20).toFixed(0)} MiB → ${(memoryEnd / 2 ** 20).toFixed(0)} MiB${gc ? ' (after gc)' : ' (run with --expose-gc for after-gc figures)'}` },
  'orchestration time per row': {
    value: `${(orchestration.wallMs / SIDE).toFixed(0)} ms`,
    detail: `${SIDE} rows with no quota and no latency in ${(orchestration.wallMs / 1000).toFixed(1)} s; ${pct(orchestration.wallMs / SIDE / (main.wallMs / ROWS))} of a row's share of the main run`,
  },
  'batch cost vs standard': {
    value: standard.summary.usage.costUsd && batch.summary.usage.costUsd !== undefined ? pct(batch.summary.usage.costUsd / standard.summary.usage.costUsd) : 'n/a',
    detail: `$${batch.summary.usage.costUsd?.toFixed(4)} against $${standard.summary.usage.costUsd?.toFixed(4)} for ${SIDE} rows; ${batch.calls.length} standard calls on the batch route`,
  },
});

workers.shutdown();
await running;
await workerConnection.close();
await clientConnection.close();
await store.close();
await emulator.close();
await server.stop();
