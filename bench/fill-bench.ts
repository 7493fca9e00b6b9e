/** `npm run bench`: the example 30-field fill against the emulator (300 ms per call), Fillflow on a real
 * Temporal dev server against two baselines measured in the same run: one call per field (the old
 * method) and one call per batch made sequentially. Prints calls, fields per call, prompt tokens per
 * field, wall time, and ratios. The emulator answers from a gold table; no model is measured. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { FillflowClient } from '../src/client.js';
import { loadConfig, type FillflowConfig } from '../src/config.js';
import { buildPrompt } from '../src/core/build-prompt.js';
import { buildResponseSchema } from '../src/core/build-response-schema.js';
import { BASE_PROMPT_TOKENS, expectedOutputTokens, fieldSpecTokens, planBatches, type PlanField } from '../src/core/plan-batches.js';
import type { FieldSpec } from '../src/core/types.js';
import { goldAnswers, startEmulator, type Emulator } from '../src/emulator/index.js';
import { createGeminiClient } from '../src/gemini/gemini-client.js';
import { ingestPaths } from '../src/retrieval/ingest.js';
import { searchFields } from '../src/retrieval/search-fields.js';
import { installRuntimeLogger } from '../src/runtime/runtime-logger.js';
import { openStore } from '../src/store/open-store.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorkers } from '../src/worker.js';
import { EXAMPLE_DIR, exampleGold, exampleTemplate } from '../test/helpers/fill-harness.js';

const LATENCY_MS = 300;
const RUNS = 3;

interface Row {
  name: string;
  calls: number;
  fields: number;
  promptTokens: number;
  wallMs: number;
}

installRuntimeLogger('ERROR');
const emulator = await startEmulator({ latencyMs: LATENCY_MS, answer: goldAnswers(exampleGold()) });
const server = await startDevServer({ port: 0, headless: true, logLevel: 'error' });
const template = exampleTemplate();

function freshConfig(): { config: Readonly<FillflowConfig>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-bench-'));
  const config = loadConfig(
    { GEMINI_API_KEY: 'bench-key', GEMINI_BASE_URL: emulator.url, FILLFLOW_DB: join(dir, 'db.sqlite'), FILLFLOW_PROFILE: 'aggressive' },
    {},
    dir,
  );
  return { config, dir };
}

async function freshStore(config: Readonly<FillflowConfig>) {
  const store = openStore({ dbPath: config.dbPath });
  const docs = await ingestPaths(store, [join(EXAMPLE_DIR, 'docs')]);
  await store.putTemplate(template);
  return { store, documentIds: docs.map((d) => d.id) };
}

function measure(em: Emulator, since: number) {
  const sent = em.requests.slice(since).filter((r) => r.endpoint === 'generateContent');
  return { calls: sent.length, promptTokens: sent.reduce((s, r) => s + r.promptTokens, 0) };
}

async function fillflowRun(name: string, maxBatchSize: number): Promise<Row> {
  const { config } = freshConfig();
  const { store, documentIds } = await freshStore(config);
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new FillflowClient(new Client({ connection: clientConnection }));
  const workers = await createWorkers({ config, connection, store });
  const running = workers.run();
  const since = emulator.requests.length;
  const t0 = performance.now();
  const { fillId } = await client.startFill({
    templateId: template.id,
    documentIds,
    options: { maxBatchSize, maxInputTokens: config.limits.maxInputTokens, maxOutputTokens: config.limits.maxOutputTokens },
  });
  const result = await client.waitForFill(fillId);
  const wallMs = performance.now() - t0;
  workers.shutdown();
  await running;
  await connection.close();
  await clientConnection.close();
  await store.close();
  const m = measure(emulator, since);
  if (result.fields.some((f) => f.status !== 'filled')) throw new Error(`${name}: not every field was filled`);
  return { name, ...m, fields: template.fields.length, wallMs };
}

/** The same prompts and client as Fillflow, called in a plain loop: what batching buys without Temporal's parallelism. */
async function loopRun(name: string, groups: (fields: FieldSpec[], plan: PlanField[]) => { fields: FieldSpec[]; chunkIds: string[] }[]): Promise<Row> {
  const { config } = freshConfig();
  const { store, documentIds } = await freshStore(config);
  const gemini = createGeminiClient({ apiKey: 'bench-key', baseUrl: emulator.url, model: config.gemini.model });
  const hits = await searchFields(store, template.fields, documentIds, { topK: 8 });
  const planFields: PlanField[] = template.fields.map((f) => ({
    key: f.key,
    specTokens: fieldSpecTokens(f),
    outputTokens: expectedOutputTokens(f),
    context: (hits[f.key] ?? []).map((h) => ({ chunkId: h.chunkId, documentId: h.documentId, seq: h.seq, tokens: h.tokens, score: h.score })),
  }));
  const calls = groups(template.fields, planFields);
  const since = emulator.requests.length;
  const t0 = performance.now();
  for (const call of calls) {
    const chunks = await store.getChunks(call.chunkIds);
    const prompt = buildPrompt(call.fields, chunks.map((c) => ({ documentName: c.documentId, text: c.text })));
    await gemini.generateJson({ ...prompt, responseJsonSchema: buildResponseSchema(call.fields), maxOutputTokens: 8192 });
  }
  const wallMs = performance.now() - t0;
  await store.close();
  return { name, ...measure(emulator, since), fields: template.fields.length, wallMs };
}

const perField = (fields: FieldSpec[], plan: PlanField[]) =>
  fields.map((f, i) => ({ fields: [f], chunkIds: plan[i]!.context.slice(0, 4).map((c) => c.chunkId) }));

function sequentialBatches(maxBatchSize: number) {
  return (fields: FieldSpec[], plan: PlanField[]) => {
    const byKey = new Map(fields.map((f) => [f.key, f]));
    const corpus = plan.flatMap((p) => p.context);
    const unique = [...new Map(corpus.map((c) => [c.chunkId, c])).values()];
    const p = planBatches(plan, unique, { maxBatchSize, maxInputTokens: 16_000, maxOutputTokens: 8_192, baseTokens: BASE_PROMPT_TOKENS });
    return p.batches.map((b) => ({ fields: b.fieldKeys.map((k) => byKey.get(k)!), chunkIds: b.chunkIds }));
  };
}

function median(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function repeat(run: () => Promise<Row>): Promise<Row> {
  const rows: Row[] = [];
  for (let i = 0; i < RUNS; i++) rows.push(await run());
  return median(rows);
}

try {
  // Warm-up: webpack bundles the workflow code once; it should not count against the first timed fill.
  await fillflowRun('warm-up', 15);
  const rows = [
    await repeat(() => loopRun('naive: 1 call per field, sequential', perField)),
    await repeat(() => loopRun('batched, sequential, no Temporal', sequentialBatches(5))),
    await repeat(() => fillflowRun('fillflow (batches of 15, parallel)', 15)),
    await repeat(() => fillflowRun('fillflow (batches of 5, parallel)', 5)),
  ];
  const base = rows[0]!;
  console.log(`\n30-field fill, emulator latency ${LATENCY_MS} ms/call, median of ${RUNS} runs each\n`);
  console.log(
    ['variant'.padEnd(40), 'calls', 'fields/call', 'prompt tok/field', 'wall ms', 'calls vs naive', 'wall vs naive'].join('  '),
  );
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(40),
        String(r.calls).padStart(5),
        (r.fields / r.calls).toFixed(1).padStart(11),
        (r.promptTokens / r.fields).toFixed(0).padStart(16),
        r.wallMs.toFixed(0).padStart(7),
        (r.calls / base.calls).toFixed(3).padStart(14),
        (r.wallMs / base.wallMs).toFixed(3).padStart(13),
      ].join('  '),
    );
  }
  const seq = rows[1]!;
  const par = rows[3]!;
  console.log(`\nparallel vs sequential, same 6 batches of 5: wall ${(par.wallMs / seq.wallMs).toFixed(3)}x`);
} finally {
  await emulator.close();
  await server.stop();
}
