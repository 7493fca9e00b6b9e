/** `npm run bench:eval`: retrieval recall, oracle fill accuracy, prompt tokens per field and calls per
 * document on the real evaluation sets (in EVAL_DIR), for Fillflow and two baselines in one
 * run, plus the offline extractor alone. Not a test: it measures.
 *
 * It measures the product: each document is filled by the product's own activities (prepareFill,
 * gatherContext, embedContext, extractBatch, finalizeFill) run in process without Temporal (in-process.ts),
 * planned by planBatches and asked in the workflow's own Extraction rounds (planned batches with their
 * splits, the wider round for fields not found, the re-ask of invalid values), on an in-memory SQLite store,
 * with the real @google/genai client over HTTP against the Gemini emulator; so 200 documents take a minute
 * or two rather than an hour of workflow round trips. The answer cache is never read (every measured call is
 * asked), and the quota ledger's limits are set far above what a run sends. Recall is measured on the document
 * text the sent passages cover (overlapping or touching passages read as one stretch), so chunk overlap is
 * not counted against it. The emulator's oracle answers a field from the gold table only when the
 * field's evidence is in the prompt, so accuracy measures the pipeline, not a model. Its embeddings are
 * hashed bags of words: the vector half of hybrid search is exercised, not its semantics. --embedder has
 * the emulator answer with a local sentence-embedding model instead (local-embedder/), to measure what
 * real semantic dense retrieval adds; install it first with `npm run bench:eval:setup-embedder` (add
 * `-- --with-mpnet` for mpnet, a 400 MB download).
 *
 * Options: --datasets cuad,kleister-nda,kleister-charity  --budgets 4000,16000 (input tokens per call; Fillflow
 *            runs at each, today's planner beside the current one; the first is the per-field table's)
 *          --planner 1|2|3 (the per-field table's planner; default the current one, 3)  --scarce requests|tokens|neither
 *            (the quota planners 2 and 3 spare; default neither, the balanced profile's)  --extra-chunks N (passages per
 *            field beyond the core ones, neither scarce)
 *          --curve (the current planner at every budget with 0, 1, 2 and 4 extra passages per field, and with tokens
 *            and with requests scarce, planner 2 with tokens scarce beside it: recall and accuracy against tokens sent)
 *          --agreement-stop X  --agreed-core N  --wider-chunks N (planner 2's context economy, in place of its
 *            defaults: the agreement from which a field brings N core passages and no extras, and the passages a
 *            field not found brings to the wider round)
 *          --limit N (documents per set)  --chunk-tokens 300  --overlap 0  --top-k 4 (per-field baseline)  --lexical
 *          --max-chunks N  --core-chunks N (planning options)  --no-openings  --no-widen (skip the wider round)
 *          --field-memory N (quotes per field recalled from earlier documents' fills; 0 = off; default 16)
 *          --warm (field memory learnt from a first pass over the whole set, each document's own quotes
 *            excluded: a template already used on a bulk job; default: learnt online, in file order)
 *          --embedder minilm|mpnet|e5 (vectors from all-MiniLM-L6-v2 (384), all-mpnet-base-v2 (768) or
 *            multilingual-e5-small (384) run locally; default the emulator's hashed bags of words, 768)
 *            --embedder gemini (the real gemini-embedding-001, with GEMINI_API_KEY where Google is reachable)
 *          --json FILE  --misses FILE (the evidence spans Fillflow's context missed, one JSON object per line) */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EMBEDDING_DIMENSIONS } from '../../src/activities/embed-context.js';
import { createFillActivities, createGeminiActivities, type GeminiActivities } from '../../src/activities/index.js';
import { DEFAULT_FIELD_MEMORY, loadConfig, PROFILES, type FillflowConfig } from '../../src/config.js';
import { CURRENT_PLANNER, DEFAULT_EXTRA_CHUNKS_PER_FIELD, type PlannerVersion } from '../../src/core/plan-batches.js';
import type { ScarceQuota } from '../../src/core/quota-scarcity.js';
import type { EmbeddingSpace } from '../../src/core/chunk-ref.js';
import { extractOffline } from '../../src/core/offline-extract.js';
import { toPassage } from '../../src/core/to-passage.js';
import type { FieldValue, TemplateSpec } from '../../src/core/types.js';
import { goldAnswers, startEmulator, type GoldTable } from '../../src/emulator/index.js';
import { createGeminiClient, type EmbeddingTask, type GeminiClient } from '../../src/gemini/gemini-client.js';
import { apiKeyIdentity } from '../../src/gemini/key-identity.js';
import { buildFieldQuery } from '../../src/retrieval/build-field-query.js';
import { chunkText } from '../../src/retrieval/chunk-text.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { DATASETS, loadDataset, type Dataset, type EvalDocument } from './datasets.js';
import { isLocalEmbedderName, LOCAL_EMBEDDERS, startLocalEmbedder, type LocalEmbedder, type LocalEmbedderName } from './local-embedder/local-embedder.js';
import { coveredText, evidenceFor, isCorrect, spanInContext } from './gold-evidence.js';
import { inProcess, withoutCacheReads, type FailureCounts } from './in-process.js';
import { runFillflow, runPerField, runWholeDocument, type DocRun, type Rig, type RunSettings } from './strategies.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: DATASETS.join(',') },
    budget: { type: 'string' },
    budgets: { type: 'string', default: '4000,16000' },
    planner: { type: 'string', default: String(CURRENT_PLANNER) },
    scarce: { type: 'string', default: 'neither' },
    'extra-chunks': { type: 'string' },
    'agreement-stop': { type: 'string' },
    'agreed-core': { type: 'string' },
    'wider-chunks': { type: 'string' },
    curve: { type: 'boolean', default: false },
    limit: { type: 'string' },
    'chunk-tokens': { type: 'string', default: '300' },
    overlap: { type: 'string', default: '0' },
    'top-k': { type: 'string', default: '4' },
    lexical: { type: 'boolean', default: false },
    'no-openings': { type: 'boolean', default: false },
    'no-widen': { type: 'boolean', default: false },
    warm: { type: 'boolean', default: false },
    // Dropped when the benchmark came to drive the product, which has neither switch; named here to say so.
    'no-merge': { type: 'boolean', default: false },
    'retrieve-k': { type: 'string' },
    'max-chunks': { type: 'string' },
    'core-chunks': { type: 'string' },
    json: { type: 'string' },
    misses: { type: 'string' },
    'field-memory': { type: 'string', default: String(DEFAULT_FIELD_MEMORY) },
    embedder: { type: 'string' },
  },
});

const STRATEGIES = ['fillflow', 'whole-doc', 'per-field'] as const;
type StrategyName = (typeof STRATEGIES)[number];

/**
 * Recall is counted two ways. By span: every gold evidence span (CUAD annotates each clause of a field) or
 * located value must be in the field's context. By field: a (document, field) pair counts once, found when
 * the context holds what answering it needs: one of its spans for a single-valued field (one clause states
 * a yes/no or a date), every span for a field of many values (each party is a value of its own).
 */
interface Tally {
  recallHit: number;
  recallAll: number;
  fieldHit: number;
  fieldAll: number;
  correct: number;
  scored: number;
}
const tally = (): Tally => ({ recallHit: 0, recallAll: 0, fieldHit: 0, fieldAll: 0, correct: 0, scored: 0 });

type Totals = Tally & { calls: number; promptTokens: number; fieldsAsked: number };
const totals = (): Totals => ({ ...tally(), calls: 0, promptTokens: 0, fieldsAsked: 0 });

/** One way Fillflow is run on every document: a budget and a planner setting. The first is the per-field table's. */
interface Variant {
  label: string;
  budget: number;
  planner: PlannerVersion;
  scarce?: ScarceQuota;
  extraChunksPerField?: number;
}

interface DatasetReport {
  dataset: string;
  documents: number;
  budget: number;
  unlocatable: Record<string, number>;
  perField: Record<string, Record<StrategyName | 'offline', Tally>>;
  overall: Record<StrategyName | 'offline', Totals>;
  /** Fillflow under every variant (the first is `overall.fillflow`): recall, accuracy and tokens side by side. */
  variants: (Variant & Totals)[];
  /** Fillflow's notices (as a fill reports them), with the number of documents that gave each. */
  notices: Record<string, number>;
  /** Activity calls that failed after their attempts, by activity and failure type (a split batch among them). */
  failures: Record<string, number>;
}

const fieldMemory = Number(args['field-memory']);
if (!Number.isInteger(fieldMemory) || fieldMemory < 0) throw new Error(`--field-memory must be a whole number (0 turns it off), got ${args['field-memory']}`);
if (args['no-merge']) throw new Error('--no-merge is gone: the benchmark runs the product, whose extractBatch always sends touching passages as one');
if (args['retrieve-k'] !== undefined) throw new Error('--retrieve-k is gone: the benchmark runs the product, whose gatherContext keeps 10 passages per field');
if (args.budget !== undefined) throw new Error('--budget is now --budgets (one or more, comma-separated): Fillflow runs at each');
const budgets = args.budgets!.split(',').map((b) => Number(b.trim()));
if (budgets.length === 0 || budgets.some((b) => !Number.isInteger(b) || b < 1_000)) throw new Error(`--budgets must list whole numbers of at least 1000, got ${args.budgets}`);
if (!['1', '2', '3'].includes(args.planner!)) throw new Error(`--planner must be 1, 2 or 3, got ${args.planner}`);
if (!['requests', 'tokens', 'neither'].includes(args.scarce!)) throw new Error(`--scarce must be requests, tokens or neither, got ${args.scarce}`);
const extraChunks = args['extra-chunks'] === undefined ? undefined : Number(args['extra-chunks']);
/** Planner 2's context economy, set apart from the product's defaults (plan-batches.ts) to measure another. */
const economy = {
  ...(args['agreement-stop'] !== undefined ? { agreementStop: Number(args['agreement-stop']) } : {}),
  ...(args['agreed-core'] !== undefined ? { agreedCoreChunks: Number(args['agreed-core']) } : {}),
  ...(args['wider-chunks'] !== undefined ? { widerChunksPerField: Number(args['wider-chunks']) } : {}),
};
for (const [name, v] of Object.entries(economy)) if (!(v >= 0)) throw new Error(`${name} must be a number of at least 0, got ${v}`);
if (extraChunks !== undefined && (!Number.isInteger(extraChunks) || extraChunks < 0)) throw new Error(`--extra-chunks must be a whole number, got ${args['extra-chunks']}`);

/**
 * What Fillflow runs as, per budget: the asked planner first (its per-field table), today's planner (1) beside
 * the current one for comparison, and with --curve the current planner's context economy swept from core passages
 * only to the whole input budget (requests scarce), with planner 2 beside it where tokens are scarce (the one
 * case planner 3 plans differently).
 */
function variants(): Variant[] {
  const asked = Number(args.planner) as PlannerVersion;
  const chosen: Omit<Variant, 'label' | 'budget'> =
    asked === 1 ? { planner: 1 } : { planner: asked, scarce: args.scarce as ScarceQuota, ...(extraChunks !== undefined ? { extraChunksPerField: extraChunks } : {}) };
  const out: Variant[] = [];
  const add = (v: Omit<Variant, 'label'>) => {
    const label = v.planner === 1 ? `today's planner @${v.budget}` : `planner ${v.planner}, ${v.scarce === 'neither' ? `+${v.extraChunksPerField ?? DEFAULT_EXTRA_CHUNKS_PER_FIELD} extra/field` : `${v.scarce} scarce`} @${v.budget}`;
    if (!out.some((o) => o.label === label)) out.push({ ...v, label });
  };
  const now = CURRENT_PLANNER;
  for (const budget of budgets) {
    add({ ...chosen, budget });
    add({ planner: 1, budget });
    add({ planner: now, scarce: 'neither', budget });
    if (args.curve) {
      for (const extra of [0, 1, 2, 4]) add({ planner: now, scarce: 'neither', extraChunksPerField: extra, budget });
      add({ planner: now, scarce: 'tokens', budget });
      if (now !== 2) add({ planner: 2, scarce: 'tokens', budget });
      add({ planner: now, scarce: 'requests', budget });
    }
  }
  return out;
}
const runVariants = variants();

/** Fill options per planner: today's 15-field cap and 8,192-token answers, or the balanced profile's ceilings. */
function optionsFor(v: Variant): RunSettings['options'] {
  const ceilings = v.planner === 1 ? { maxBatchSize: 15, maxOutputTokens: 8_192 } : { maxBatchSize: PROFILES.balanced.maxBatchSize, maxOutputTokens: PROFILES.balanced.maxOutputTokens };
  return { ...ceilings, maxInputTokens: v.budget };
}
if (args.embedder !== undefined && args.embedder !== 'gemini' && !isLocalEmbedderName(args.embedder)) {
  throw new Error(`--embedder must be gemini or one of ${Object.keys(LOCAL_EMBEDDERS).join(', ')}, got ${args.embedder}`);
}

/** Whatever answers the emulator's embedding calls in place of its hashed vectors. */
type EvalEmbedder = Pick<LocalEmbedder, 'model' | 'dimensions' | 'embed' | 'close'> & { name: string };

/**
 * --embedder gemini: the real gemini-embedding-001 through the real SDK, with GEMINI_API_KEY, from a machine
 * that reaches Google (none here does). Generation still goes to the emulator's oracle, so recall and accuracy
 * read as in every other run: this is the measurement of what Gemini's own vectors add. Calls go one at a
 * time, 100 texts each, so a free-tier key may meet its per-minute quota on a full set.
 */
function geminiEmbedder(): EvalEmbedder {
  const apiKey = process.env.GEMINI_API_KEY;
  if (!apiKey) throw new Error('--embedder gemini needs GEMINI_API_KEY (and a machine that reaches Google)');
  const real = createGeminiClient({ apiKey, model: 'gemini-3.5-flash' });
  return {
    name: 'gemini',
    model: real.embeddingModel,
    dimensions: 768,
    embed: (texts, task, dimensions) =>
      real.embed({ texts, task: task as EmbeddingTask, dimensions: dimensions ?? 768 }),
    close: async () => undefined,
  };
}
if (args.embedder && args.lexical) throw new Error('--embedder has nothing to do with --lexical (BM25 only)');
const localEmbedder: EvalEmbedder | undefined =
  args.embedder === 'gemini' ? geminiEmbedder() : args.embedder ? await startLocalEmbedder(args.embedder as LocalEmbedderName) : undefined;
const emulator = await startEmulator(localEmbedder ? { embed: localEmbedder.embed } : {});

/** No fillflow.config.json is read: the configuration is this file's, whatever the working directory holds. */
const configDir = mkdtempSync(join(tmpdir(), 'fillflow-eval-'));
/**
 * The configuration the activities run with: a Gemini worker's, pointed at the emulator, with the fill's
 * budgets and quota limits so far above a run's few thousand calls that the ledger never makes one wait.
 */
function evalConfig(memory: number): Readonly<FillflowConfig> {
  return loadConfig(
    { GEMINI_API_KEY: 'eval-key', GEMINI_BASE_URL: emulator.url, FILLFLOW_FIELD_MEMORY: String(memory) },
    {
      limits: {
        requestsPerMinute: 1_000_000_000,
        tokensPerMinute: 1_000_000_000_000,
        requestsPerDay: 1_000_000_000,
        minIntervalMs: 0,
      },
    },
    configDir,
  );
}
const config = evalConfig(fieldMemory);
const { apiKey, baseUrl, model, timeoutMs } = config.gemini;
const gemini = createGeminiClient({ apiKey: apiKey!, model, timeoutMs, ...(baseUrl ? { baseUrl } : {}) });
/** The settings every document's runs share; the template, budget and planner are each variant's. */
const settings: Omit<RunSettings, 'templateId' | 'options' | 'planner'> = {
  topK: Number(args['top-k']),
  vectors: !args.lexical,
  openings: !args['no-openings'],
  widen: !args['no-widen'],
  ...(args['max-chunks'] ? { maxChunksPerField: Number(args['max-chunks']) } : {}),
  ...(args['core-chunks'] ? { coreChunksPerField: Number(args['core-chunks']) } : {}),
};

/** The oracle's gold table for one document: the gold value, answered only when its evidence is in the prompt. */
function goldTable(ds: Dataset, doc: EvalDocument): GoldTable {
  const table: GoldTable = {};
  for (const f of ds.fields) {
    if (!(f.name in doc.gold)) continue;
    const ev = evidenceFor(doc, f);
    const value = doc.gold[f.name] ?? null;
    // An unlocatable value can never be proven from the text, so the oracle never answers it.
    table[f.name] = ev === 'unlocatable' ? { value, quote: '\u0000not in the document' } : { value, quote: ev?.quote ?? null };
  }
  return table;
}

const chunkDocument = (text: string) => chunkText(text, { maxTokens: Number(args['chunk-tokens']), overlapTokens: Number(args.overlap) });

/** Wall time spent in embedding calls, per dataset: with a local model it is most of a run. */
let embedMs = 0;

/**
 * embedContext for a local model whose vectors are not the product's 768 dimensions (MiniLM, e5: 384): the
 * product's activity asks for 768, which such a model cannot give, so its work is done here in the model's
 * own size (chunks, then the fields' queries, each embedded once and stored), and the space named the same way.
 */
function embedContextInOwnSize(store: Store, client: GeminiClient, template: TemplateSpec, dimensions: number): GeminiActivities['embedContext'] {
  return async (input) => {
    const space: EmbeddingSpace = { endpoint: client.endpoint, model: client.embeddingModel, dimensions };
    const missing = await store.chunksWithoutEmbedding(space, input.documentIds);
    for (let i = 0; i < missing.length; i += 100) {
      const group = missing.slice(i, i + 100);
      const vectors = await client.embed({ texts: group.map((c) => c.text), task: 'RETRIEVAL_DOCUMENT', dimensions });
      await store.putChunkEmbeddings(space, group.map((c, j) => ({ chunkId: c.chunkId, vector: vectors[j]! })));
    }
    const queries = [...new Set(template.fields.filter((f) => input.fieldKeys.includes(f.key)).map(buildFieldQuery))];
    const cached = await store.getQueryEmbeddings(space, queries);
    const todo = queries.filter((q) => !cached.has(q));
    if (todo.length > 0) {
      const vectors = await client.embed({ texts: todo, task: 'RETRIEVAL_QUERY', dimensions });
      await store.putQueryEmbeddings(space, todo.map((text, j) => ({ text, vector: vectors[j]! })));
    }
    return { ...space, chunksEmbedded: missing.length, queriesEmbedded: todo.length };
  };
}

/** The set's store and the product's activities on it, run in process; failures are counted into `failures`. */
function rigFor(store: Store, template: TemplateSpec, failures: FailureCounts): Rig {
  const geminiActivities = createGeminiActivities({ store: withoutCacheReads(store), config, gemini, keyId: apiKeyIdentity(config.gemini.apiKey) });
  const dimensions = localEmbedder?.dimensions ?? EMBEDDING_DIMENSIONS;
  const embedContext = dimensions === EMBEDDING_DIMENSIONS ? geminiActivities.embedContext : embedContextInOwnSize(store, gemini, template, dimensions);
  const timed: GeminiActivities['embedContext'] = async (input) => {
    const t0 = performance.now();
    try {
      return await embedContext(input);
    } finally {
      embedMs += performance.now() - t0;
    }
  };
  return {
    store,
    emulator,
    fill: inProcess(createFillActivities({ store, config }), failures),
    coldFill: inProcess(createFillActivities({ store, config: evalConfig(0) }), failures),
    gemini: inProcess({ ...geminiActivities, embedContext: timed }, failures),
  };
}

async function evaluate(name: string): Promise<DatasetReport> {
  const ds = loadDataset(name, args.limit ? Number(args.limit) : undefined);
  const store = openSqliteStore(':memory:');
  await store.putTemplate(ds.template);
  const failures: FailureCounts = new Map();
  const rig = rigFor(store, ds.template, failures);
  // Each variant fills its own copy of the template, so field memory (kept per template) is learnt by that
  // variant's fills alone, as if it were the only one run.
  const runs = runVariants.map((v, i) => {
    const templateId = `${ds.template.id}.v${i}`;
    const s: RunSettings = {
      ...settings,
      templateId,
      options: optionsFor(v),
      planner: v.planner,
      ...(v.scarce ? { scarce: v.scarce } : {}),
      ...(v.extraChunksPerField !== undefined ? { extraChunksPerField: v.extraChunksPerField } : {}),
      ...economy,
    };
    return { variant: v, s, totals: totals() };
  });
  for (const { s } of runs) await store.putTemplate({ ...ds.template, id: s.templateId });
  // The baselines send the same whatever the budget: they run once per document, as the first variant's fill would.
  const main = runs[0]!;
  const baseline: RunSettings = { ...main.s, templateId: ds.template.id };
  const report: DatasetReport = {
    dataset: name,
    documents: ds.documents.length,
    budget: main.variant.budget,
    unlocatable: {},
    perField: {},
    overall: {} as DatasetReport['overall'],
    variants: [],
    notices: {},
    failures: {},
  };
  for (const k of [...STRATEGIES, 'offline'] as const) report.overall[k] = totals();
  for (const f of ds.fields) report.perField[f.name] = Object.fromEntries([...STRATEGIES, 'offline'].map((k) => [k, tally()])) as DatasetReport['perField'][string];

  /** Stores the document (once) and points the oracle at its gold values. */
  const loadDocument = async (doc: EvalDocument) => {
    const record = await store.putDocument({ name: `${doc.id}.txt`, mimeType: 'text/plain', text: doc.text }, chunkDocument(doc.text));
    emulator.setAnswer(goldAnswers(goldTable(ds, doc)));
    return record;
  };

  // --warm: a first, unscored pass over the set fills field memory (finalizeFill teaches it, as after any
  // fill), as a template already used on a bulk job would have it; this pass gathers without memory, and each
  // document is then searched with quotes from the others only.
  if (args.warm && fieldMemory > 0) {
    for (const [i, doc] of ds.documents.entries()) {
      const id = (await loadDocument(doc)).id;
      for (const [v, { s }] of runs.entries()) await runFillflow(rig, rig.coldFill, rig.fill, `warm-${name}-${i}-v${v}`, id, s);
    }
  }

  /** Adds one run's recall and accuracy on one document to `t` (and to the per-field table when `perField` is set). */
  const score = (doc: EvalDocument, run: DocRun | undefined, offline: Map<string, FieldValue> | undefined, t: Tally, perField?: StrategyName | 'offline') => {
    for (const f of ds.fields.filter((x) => x.name in doc.gold)) {
      const ev = evidenceFor(doc, f);
      const value = run ? (run.results.get(f.name)?.value ?? null) : (offline?.get(f.name) ?? null);
      const context = run ? coveredText(doc.text, run.context.get(f.name) ?? []) : undefined;
      const cell = perField ? report.perField[f.name]![perField] : undefined;
      const ok = isCorrect(f, doc, value) ? 1 : 0;
      for (const x of cell ? [t, cell] : [t]) {
        x.scored++;
        x.correct += ok;
      }
      if (context === undefined || ev === null || ev === 'unlocatable') continue;
      const hits: number[] = ev.spans.map((span) => (spanInContext(span, context) ? 1 : 0));
      ev.spans.forEach((span, k) => {
        if (!hits[k] && perField === 'fillflow') misses.push({ dataset: name, doc: doc.id, field: f.name, span: span.join(' <omitted> ') });
      });
      if (hits.length === 0) continue;
      const found = f.multiple ? hits.every((h) => h === 1) : hits.some((h) => h === 1);
      for (const x of cell ? [t, cell] : [t]) {
        x.recallAll += hits.length;
        x.recallHit += hits.reduce((a, b) => a + b, 0);
        x.fieldAll++;
        x.fieldHit += found ? 1 : 0;
      }
    }
  };
  const count = (t: Totals, run: DocRun) => {
    t.calls += run.calls;
    t.promptTokens += run.promptTokens;
    t.fieldsAsked += ds.fields.length;
  };

  for (const [i, doc] of ds.documents.entries()) {
    const record = await loadDocument(doc);
    for (const f of ds.fields) if (evidenceFor(doc, f) === 'unlocatable' && f.name in doc.gold) report.unlocatable[f.name] = (report.unlocatable[f.name] ?? 0) + 1;
    // Documents are filled in file order, each learning only from the ones before it, as a bulk fill would.
    for (const [v, r] of runs.entries()) {
      const run = await runFillflow(rig, rig.fill, rig.fill, `fill-${name}-${i}-v${v}`, record.id, r.s);
      count(r.totals, run);
      score(doc, run, undefined, r.totals, v === 0 ? 'fillflow' : undefined);
      if (v === 0) {
        count(report.overall.fillflow, run);
        for (const text of run.notices) report.notices[text] = (report.notices[text] ?? 0) + 1;
      }
    }
    for (const k of ['whole-doc', 'per-field'] as const) {
      const run = k === 'whole-doc' ? await runWholeDocument(rig, `${k}-${name}-${i}`, ds.template.fields, record.id, baseline) : await runPerField(rig, `${k}-${name}-${i}`, ds.template.fields, record.id, baseline);
      count(report.overall[k], run);
      score(doc, run, undefined, report.overall[k], k);
    }
    const allPassages = (await store.getChunks((await store.listChunks([record.id])).map((h) => h.chunkId))).map(toPassage);
    const offline = new Map(ds.template.fields.map((spec) => [spec.key, extractOffline(spec, allPassages)?.value ?? null]));
    score(doc, undefined, offline, report.overall.offline, 'offline');
  }
  const first = runs[0]!.totals;
  Object.assign(report.overall.fillflow, { recallHit: first.recallHit, recallAll: first.recallAll, fieldHit: first.fieldHit, fieldAll: first.fieldAll, correct: first.correct, scored: first.scored });
  report.variants = runs.map((r) => ({ ...r.variant, ...r.totals }));
  report.failures = Object.fromEntries(failures);
  await store.close();
  return report;
}

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

function print(r: DatasetReport): void {
  console.log(
    `\n== ${r.dataset}: ${r.documents} documents, Fillflow as ${r.variants[0]!.label} (input budget ${r.budget} tokens per call)` +
      (args.lexical ? ', BM25 only' : `, BM25 + vectors (RRF) from ${localEmbedder ? `${localEmbedder.name} (${localEmbedder.model}, ${localEmbedder.dimensions} dims)` : 'hashed bags of words'}`) +
      `, field memory ${fieldMemory > 0 ? `${fieldMemory} quotes per field${args.warm ? ', learnt from a first pass over the other documents' : ', learnt from the documents before'}` : 'off'}`,
  );
  console.log(`${'field'.padEnd(36)} ${'recall: fillflow whole-doc per-field'.padEnd(38)} accuracy: fillflow whole-doc per-field offline`);
  const row = (label: string, t: Record<StrategyName | 'offline', Tally>) =>
    console.log(
      `${label.padEnd(36)} ${STRATEGIES.map((k) => pct(t[k].recallHit, t[k].recallAll)).join('   ').padEnd(38)}  ` +
        [...STRATEGIES, 'offline' as const].map((k) => pct(t[k].correct, t[k].scored)).join('   '),
    );
  for (const [field, t] of Object.entries(r.perField)) {
    const n = t.fillflow.recallAll;
    row(`${field} (${t.fillflow.scored} scored, ${n} spans${r.unlocatable[field] ? `, ${r.unlocatable[field]} unlocatable` : ''})`, t);
  }
  row('OVERALL', r.overall);
  console.log(`${'  recall by field'.padEnd(36)} ${STRATEGIES.map((k) => pct(r.overall[k].fieldHit, r.overall[k].fieldAll)).join('   ')}  (${r.overall.fillflow.fieldAll} document fields with evidence)`);
  for (const k of STRATEGIES) {
    const o = r.overall[k];
    console.log(
      `  ${k.padEnd(10)} calls/doc ${(o.calls / r.documents).toFixed(2).padStart(6)}   prompt tokens ${String(o.promptTokens).padStart(9)}   per field ${(o.promptTokens / o.fieldsAsked).toFixed(0).padStart(6)}   vs whole-doc ${((100 * o.promptTokens) / r.overall['whole-doc'].promptTokens).toFixed(1)}%`,
    );
  }
  const whole = r.overall['whole-doc'].promptTokens;
  console.log(`  Fillflow by budget and planner: recall and accuracy against tokens sent (as a share of whole-document's)`);
  console.log(`  ${'variant'.padEnd(40)} recall  accuracy  tokens vs whole-doc  calls/doc  recall by field`);
  for (const v of r.variants) {
    console.log(
      `  ${v.label.padEnd(40)} ${pct(v.recallHit, v.recallAll)}   ${pct(v.correct, v.scored)}   ${`${((100 * v.promptTokens) / whole).toFixed(1)}%`.padStart(17)}   ${(v.calls / r.documents).toFixed(2).padStart(8)}     ${pct(v.fieldHit, v.fieldAll)}`,
    );
  }
  for (const [text, n] of Object.entries(r.notices)) console.log(`  notice (${n} document${n === 1 ? '' : 's'}): ${text}`);
  for (const [kind, n] of Object.entries(r.failures)) console.log(`  failed activity calls: ${kind} ×${n}`);
}

const reports: DatasetReport[] = [];
/** Evidence spans Fillflow's context missed (--misses FILE): what to read when asking what retrieval lacks. */
const misses: { dataset: string; doc: string; field: string; span: string }[] = [];
try {
  for (const name of args.datasets!.split(',').map((x) => x.trim()).filter(Boolean)) {
    const t0 = performance.now();
    embedMs = 0;
    const r = await evaluate(name);
    reports.push(r);
    print(r);
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s${args.lexical ? '' : `, of which embedding ${(embedMs / 1000).toFixed(1)} s`})`);
  }
} finally {
  await emulator.close();
  await localEmbedder?.close();
  rmSync(configDir, { recursive: true, force: true });
}
if (args.json) writeFileSync(args.json, `${JSON.stringify(reports, null, 2)}\n`);
if (args.misses) writeFileSync(args.misses, misses.map((m) => `${JSON.stringify(m)}\n`).join(''));
