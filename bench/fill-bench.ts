/** `npm run bench`: what a fill spends, the current planner against today's planner (planner 1: batches of at most 15
 * fields, answers up to 8,192 tokens, the old balanced profile's 24,000-token calls), on forms of 30 fields (the
 * example), 100 and 200 fields (the generated site register, test/helpers/large-form.ts), in one run. Every
 * fill is the product's: its activities run in process and the workflow's own planning step and extraction
 * rounds (as `npm run bench:eval` drives them), against the emulator over HTTP with a realistic answer time
 * (300 ms per call plus 250 output tokens a second, so a long answer costs time as a real model's does). The
 * current planner also fills each form through the real workflow on a Temporal dev server, as a check that the
 * in-process figures are the product's. It prints calls, prompt tokens, answer tokens, wall time and values
 * right, and for the 200-field form the same at several batch ceilings (what the profiles' 200 was chosen on).
 * The emulator answers from a gold table; no model is measured. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createFillActivities, createGeminiActivities } from '../src/activities/index.js';
import { FillflowClient } from '../src/client.js';
import { loadConfig, PROFILES, type FillflowConfig, type ProfileName } from '../src/config.js';
import type { FillOptions } from '../src/core/fill-records.js';
import { normalizeValue } from '../src/core/normalize-value.js';
import { CURRENT_PLANNER, type PlannerVersion } from '../src/core/plan-batches.js';
import type { FieldResult, TemplateSpec } from '../src/core/types.js';
import { goldAnswers, startEmulator, type GoldTable } from '../src/emulator/index.js';
import { createGeminiClient } from '../src/gemini/gemini-client.js';
import { apiKeyIdentity } from '../src/gemini/key-identity.js';
import { ingestPaths } from '../src/retrieval/ingest.js';
import { installRuntime } from '../src/runtime/runtime.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorkers } from '../src/worker.js';
import { EXAMPLE_DIR, exampleGold, exampleTemplate } from '../test/helpers/fill-harness.js';
import { largeForm } from '../test/helpers/large-form.js';
import { inProcess, withoutCacheReads } from './eval/in-process.js';
import { runFillflow, type Rig } from './eval/strategies.js';

const LATENCY_MS = 300;
const OUTPUT_TOKENS_PER_SECOND = 250;
const RUNS = 3;
const API_KEY = 'bench-key';

/** One form: its template, where its documents are, and the gold answers. */
interface Form {
  name: string;
  template: TemplateSpec;
  docsDir: string;
  gold: GoldTable;
}

/** One way of filling: a planner and the options its fill carries. */
interface Variant {
  name: string;
  planner: PlannerVersion;
  profile: ProfileName;
  options: Pick<FillOptions, 'maxBatchSize' | 'maxInputTokens' | 'maxOutputTokens'>;
}

interface Row {
  form: string;
  variant: string;
  calls: number;
  promptTokens: number;
  outputTokens: number;
  wallMs: number;
  right: number;
  fields: number;
}

/** Today's planner with today's balanced profile: the 15-field cap, 24,000-token calls, 8,192-token answers. */
const TODAY: Variant = { name: "today's planner (15 fields, 24k, 8,192)", planner: 1, profile: 'balanced', options: { maxBatchSize: 15, maxInputTokens: 24_000, maxOutputTokens: 8_192 } };
const current = (profile: ProfileName, maxBatchSize?: number): Variant => {
  const p = PROFILES[profile];
  const options = { maxBatchSize: maxBatchSize ?? p.maxBatchSize, maxInputTokens: p.maxInputTokens, maxOutputTokens: p.maxOutputTokens };
  return { name: `planner ${CURRENT_PLANNER}, ${profile}${maxBatchSize !== undefined ? `, ceiling ${maxBatchSize}` : ''}`, planner: CURRENT_PLANNER, profile, options };
};

installRuntime({ level: 'ERROR' });
const emulator = await startEmulator({ latencyMs: LATENCY_MS, outputTokensPerSecond: OUTPUT_TOKENS_PER_SECOND });
const work = mkdtempSync(join(tmpdir(), 'fillflow-bench-'));

function forms(): Form[] {
  const out: Form[] = [{ name: '30 fields (the example)', template: exampleTemplate(), docsDir: join(EXAMPLE_DIR, 'docs'), gold: exampleGold() }];
  for (const n of [100, 200]) {
    const f = largeForm(n);
    const docsDir = join(work, `form-${n}`);
    mkdirSync(docsDir, { recursive: true });
    for (const d of f.documents) writeFileSync(join(docsDir, d.name), d.text);
    out.push({ name: `${n} fields (site register)`, template: f.template, docsDir, gold: f.gold });
  }
  return out;
}

function configFor(profile: ProfileName, dir: string): Readonly<FillflowConfig> {
  return loadConfig({ GEMINI_API_KEY: API_KEY, GEMINI_BASE_URL: emulator.url, FILLFLOW_DB: join(dir, 'db.sqlite'), FILLFLOW_PROFILE: profile }, {}, dir);
}

async function freshStore(config: Readonly<FillflowConfig>, form: Form): Promise<{ store: Store; documentIds: string[] }> {
  const store = openStore({ dbPath: config.dbPath });
  const docs = await ingestPaths(store, [form.docsDir]);
  await store.putTemplate(form.template);
  return { store, documentIds: docs.map((d) => d.id) };
}

/** Fields whose value is the gold value, normalised as the product normalises answers. */
function valuesRight(form: Form, results: ReadonlyMap<string, FieldResult>): number {
  return form.template.fields.filter((spec) => {
    const gold = normalizeValue(spec, form.gold[spec.key]?.value ?? null);
    const got = results.get(spec.key);
    return gold.ok && got?.status === 'filled' && JSON.stringify(got.value) === JSON.stringify(gold.value);
  }).length;
}

function measured(since: number) {
  const sent = emulator.requests.slice(since).filter((r) => r.endpoint === 'generateContent');
  return { calls: sent.length, promptTokens: sent.reduce((s, r) => s + r.promptTokens, 0), outputTokens: sent.reduce((s, r) => s + (r.outputTokens ?? 0), 0) };
}

/** One fill in process, on a fresh store (so nothing comes from the cache), through the product's rounds. */
async function inProcessRun(form: Form, v: Variant): Promise<Row> {
  const dir = mkdtempSync(join(work, 'run-'));
  const config = configFor(v.profile, dir);
  const { store, documentIds } = await freshStore(config, form);
  const failures = new Map<string, number>();
  const gemini = createGeminiClient({ apiKey: API_KEY, baseUrl: emulator.url, model: config.gemini.model });
  const fill = inProcess(createFillActivities({ store, config }), failures);
  const rig: Rig = {
    store,
    emulator,
    fill,
    coldFill: fill,
    gemini: inProcess(createGeminiActivities({ store: withoutCacheReads(store), config, gemini, keyId: apiKeyIdentity(API_KEY) }), failures),
  };
  emulator.setAnswer(goldAnswers(form.gold));
  const options: FillOptions = { ...v.options, fairnessKey: apiKeyIdentity(API_KEY) };
  const t0 = performance.now();
  const run = await runFillflow(rig, fill, fill, `bench-${Date.now()}`, documentIds, {
    templateId: form.template.id,
    options,
    topK: 4,
    vectors: true,
    openings: true,
    widen: true,
    planner: v.planner,
  });
  const wallMs = performance.now() - t0;
  await store.close();
  if (failures.size > 0) throw new Error(`${form.name}, ${v.name}: failed activity calls ${JSON.stringify([...failures])}`);
  return { form: form.name, variant: v.name, calls: run.calls, promptTokens: run.promptTokens, outputTokens: run.outputTokens, wallMs, right: valuesRight(form, run.results), fields: form.template.fields.length };
}

/** One fill through the real workflow on the dev server, with the profile's options, workers in this process. */
async function temporalRun(server: { address: string }, form: Form, v: Variant): Promise<Row> {
  const dir = mkdtempSync(join(work, 'run-'));
  const config = configFor(v.profile, dir);
  const { store, documentIds } = await freshStore(config, form);
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new FillflowClient(new Client({ connection: clientConnection }), { config, store });
  const workers = await createWorkers({ config, connection, store });
  const running = workers.run();
  emulator.setAnswer(goldAnswers(form.gold));
  const since = emulator.requests.length;
  try {
    const t0 = performance.now();
    const { fillId } = await client.startFill({ templateId: form.template.id, documentIds, options: v.options });
    const result = await client.waitForFill(fillId);
    const wallMs = performance.now() - t0;
    const results = new Map(result.fields.map((f) => [f.key, f]));
    return { form: form.name, variant: `${v.name}, on Temporal`, ...measured(since), wallMs, right: valuesRight(form, results), fields: form.template.fields.length };
  } finally {
    workers.shutdown();
    await running;
    await connection.close();
    await clientConnection.close();
    await store.close();
  }
}

async function median(run: () => Promise<Row>, runs = RUNS): Promise<Row> {
  const rows: Row[] = [];
  for (let i = 0; i < runs; i++) rows.push(await run());
  return [...rows].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(rows.length / 2)]!;
}

const n = (x: number) => x.toLocaleString('en-US');

function print(title: string, rows: Row[], base: (r: Row) => Row | undefined): void {
  console.log(`\n${title}`);
  console.log(['form'.padEnd(26), 'variant'.padEnd(44), 'calls', 'prompt tokens', 'vs today', 'answer tokens', 'wall s', 'values right'].join('  '));
  for (const r of rows) {
    const b = base(r);
    console.log(
      [
        r.form.padEnd(26),
        r.variant.padEnd(44),
        String(r.calls).padStart(5),
        n(r.promptTokens).padStart(13),
        (b ? `${((100 * r.promptTokens) / b.promptTokens).toFixed(1)}%` : '').padStart(8),
        n(r.outputTokens).padStart(13),
        (r.wallMs / 1_000).toFixed(1).padStart(6),
        `${r.right}/${r.fields}`.padStart(12),
      ].join('  '),
    );
  }
}

const server = await startDevServer({ port: 0, headless: true, logLevel: 'error' });
try {
  const all = forms();
  // Warm-up: webpack bundles the workflow code once; it should not count against the first timed fill.
  await temporalRun(server, all[0]!, current('balanced'));
  const rows: Row[] = [];
  for (const form of all) {
    rows.push(await median(() => inProcessRun(form, TODAY)));
    for (const profile of ['balanced', 'conservative', 'aggressive'] as const) rows.push(await median(() => inProcessRun(form, current(profile))));
    rows.push(await median(() => temporalRun(server, form, current('balanced'))));
  }
  const today = (r: Row) => rows.find((x) => x.form === r.form && x.variant === TODAY.name);
  print(`Fills against today's planner; emulator ${LATENCY_MS} ms per call + ${OUTPUT_TOKENS_PER_SECOND} answer tokens/s; median of ${RUNS} runs by wall time`, rows, today);

  const large = all.at(-1)!;
  const sweep: Row[] = [];
  for (const ceiling of [15, 50, 100, 200]) sweep.push(await inProcessRun(large, current('balanced', ceiling)));
  print('The 200-field form by batch ceiling (balanced profile otherwise; one run each)', sweep, () => today(rows.find((r) => r.form === large.name)!));
  const answered = rows.filter((r) => r.variant === current('balanced').name);
  const perField = answered.reduce((s, r) => s + r.outputTokens, 0) / answered.reduce((s, r) => s + r.fields, 0);
  console.log(`\nanswer tokens per field, as the emulator counts the gold answers (a value with its quote): ${perField.toFixed(1)}`);
} finally {
  await emulator.close();
  await server.stop();
}
