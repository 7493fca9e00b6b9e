/** `npm run bench:eval`: retrieval recall, oracle fill accuracy, prompt tokens per field and calls per
 * document on the real evaluation sets (../shared/eval or EVAL_DIR), for Fillflow's plan and two baselines
 * in one run, plus the offline extractor alone. Not a test: it measures.
 *
 * It runs the pipeline's pure parts without Temporal, so 200 documents take a minute rather than an hour
 * of workflow round trips: ingestion (chunking), embeddings and hybrid search on an in-memory SQLite store,
 * planning, prompt and schema, the real @google/genai client over HTTP against the Gemini emulator, answer
 * resolution, the wider round for fields not found and one re-ask round. Recall is measured on the document
 * text the sent passages cover (overlapping or touching passages read as one stretch), so chunk overlap is
 * not counted against it. The emulator's oracle answers a field from the gold table only when the
 * field's evidence is in the prompt, so accuracy measures the pipeline, not a model. Its embeddings are
 * hashed bags of words: the vector half of hybrid search is exercised, not its semantics. --embedder has
 * the emulator answer with a local sentence-embedding model instead (local-embedder/), to measure what
 * real semantic dense retrieval adds; install it first with `npm run bench:eval:setup-embedder` (add
 * `-- --with-mpnet` for mpnet, a 400 MB download).
 *
 * Options: --datasets cuad,kleister-nda,kleister-charity  --budget 4000 (input tokens per call)
 *          --limit N (documents per set)  --chunk-tokens 300  --overlap 0  --top-k 4 (per-field baseline)  --lexical
 *          --max-chunks N  --core-chunks N  --retrieve-k N (passages retrieved per field)  --no-openings
 *          --no-widen (skip the wider round)  --no-merge (each chunk its own passage)
 *          --field-memory N (quotes per field recalled from earlier documents' fills; 0 = off; default 16)
 *          --warm (field memory learnt from a first pass over the whole set, each document's own quotes
 *            excluded: a template already used on a bulk job; default: learnt online, in file order)
 *          --embedder minilm|mpnet|e5 (vectors from all-MiniLM-L6-v2 (384), all-mpnet-base-v2 (768) or
 *            multilingual-e5-small (384) run locally; default the emulator's hashed bags of words, 768)
 *            --embedder gemini (the real gemini-embedding-001, with GEMINI_API_KEY where Google is reachable)
 *          --json FILE  --misses FILE (the evidence spans Fillflow's context missed, one JSON object per line) */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { provenQuotes } from '../../src/activities/finalize-fill.js';
import { DEFAULT_FIELD_MEMORY } from '../../src/config.js';
import { extractOffline } from '../../src/core/offline-extract.js';
import type { FieldValue } from '../../src/core/types.js';
import { goldAnswers, startEmulator, type GoldTable } from '../../src/emulator/index.js';
import { createGeminiClient, type EmbeddingTask } from '../../src/gemini/gemini-client.js';
import { buildFieldQuery } from '../../src/retrieval/build-field-query.js';
import { chunkText } from '../../src/retrieval/chunk-text.js';
import type { EmbeddingSpace } from '../../src/store/embedding-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { DATASETS, loadDataset, type Dataset, type EvalDocument } from './datasets.js';
import { isLocalEmbedderName, LOCAL_EMBEDDERS, startLocalEmbedder, type LocalEmbedder, type LocalEmbedderName } from './local-embedder/local-embedder.js';
import { coveredText, evidenceFor, isCorrect, spanInContext } from './gold-evidence.js';
import { runFillflow, runPerField, runWholeDocument, setMergeTouching, type DocRun, type RunSettings } from './strategies.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: DATASETS.join(',') },
    budget: { type: 'string', default: '4000' },
    limit: { type: 'string' },
    'chunk-tokens': { type: 'string', default: '300' },
    overlap: { type: 'string', default: '0' },
    'top-k': { type: 'string', default: '4' },
    lexical: { type: 'boolean', default: false },
    'no-openings': { type: 'boolean', default: false },
    'no-merge': { type: 'boolean', default: false },
    'no-widen': { type: 'boolean', default: false },
    warm: { type: 'boolean', default: false },
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

interface Tally {
  recallHit: number;
  recallAll: number;
  correct: number;
  scored: number;
}
const tally = (): Tally => ({ recallHit: 0, recallAll: 0, correct: 0, scored: 0 });

interface DatasetReport {
  dataset: string;
  documents: number;
  budget: number;
  unlocatable: Record<string, number>;
  perField: Record<string, Record<StrategyName | 'offline', Tally>>;
  overall: Record<StrategyName | 'offline', Tally & { calls: number; promptTokens: number; fieldsAsked: number }>;
}

const fieldMemory = Number(args['field-memory']);
if (!Number.isInteger(fieldMemory) || fieldMemory < 0) throw new Error(`--field-memory must be a whole number (0 turns it off), got ${args['field-memory']}`);
setMergeTouching(!args['no-merge']);
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
const gemini = createGeminiClient({ apiKey: 'eval-key', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
const settings: RunSettings = {
  maxInputTokens: Number(args.budget),
  maxOutputTokens: 8_192,
  maxBatchSize: 15,
  topK: Number(args['top-k']),
  openings: !args['no-openings'],
  widen: !args['no-widen'],
  ...(args['retrieve-k'] ? { retrieveK: Number(args['retrieve-k']) } : {}),
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

async function embedDocument(store: Store, space: EmbeddingSpace, documentId: string, queries: string[]): Promise<void> {
  const t0 = performance.now();
  const missing = await store.chunksWithoutEmbedding(space, [documentId]);
  for (let i = 0; i < missing.length; i += 100) {
    const group = missing.slice(i, i + 100);
    const vectors = await gemini.embed({ texts: group.map((c) => c.text), task: 'RETRIEVAL_DOCUMENT', dimensions: space.dimensions });
    await store.putChunkEmbeddings(space, group.map((c, j) => ({ chunkId: c.chunkId, vector: vectors[j]! })));
  }
  const cached = await store.getQueryEmbeddings(space, queries);
  const todo = queries.filter((q) => !cached.has(q));
  if (todo.length > 0) {
    const vectors = await gemini.embed({ texts: todo, task: 'RETRIEVAL_QUERY', dimensions: space.dimensions });
    await store.putQueryEmbeddings(space, todo.map((text, j) => ({ text, vector: vectors[j]! })));
  }
  embedMs += performance.now() - t0;
}

async function evaluate(name: string): Promise<DatasetReport> {
  const ds = loadDataset(name, args.limit ? Number(args.limit) : undefined);
  const store = openSqliteStore(':memory:');
  // A local model embeds in its own size only; the hashed stand-in takes Gemini's recommended 768.
  const space: EmbeddingSpace = { model: gemini.embeddingModel, dimensions: localEmbedder?.dimensions ?? 768 };
  const s: RunSettings = {
    ...settings,
    ...(args.lexical ? {} : { embeddings: space }),
    ...(fieldMemory > 0 ? { memory: { templateId: ds.template.id, perField: fieldMemory } } : {}),
  };
  const queries = ds.template.fields.map(buildFieldQuery);
  const report: DatasetReport = {
    dataset: name,
    documents: ds.documents.length,
    budget: s.maxInputTokens,
    unlocatable: {},
    perField: {},
    overall: {} as DatasetReport['overall'],
  };
  for (const k of [...STRATEGIES, 'offline'] as const) report.overall[k] = { ...tally(), calls: 0, promptTokens: 0, fieldsAsked: 0 };
  for (const f of ds.fields) report.perField[f.name] = Object.fromEntries([...STRATEGIES, 'offline'].map((k) => [k, tally()])) as DatasetReport['perField'][string];

  // --warm: a first, unscored pass over the set fills field memory, as a template that has already been used
  // on a bulk job would have it; each document is then searched with quotes from the others only.
  /** Stores (once) and embeds the document, and points the oracle at its gold values. */
  const loadDocument = async (doc: EvalDocument) => {
    const record = await store.putDocument({ name: `${doc.id}.txt`, mimeType: 'text/plain', text: doc.text }, chunkDocument(doc.text));
    if (s.embeddings) await embedDocument(store, space, record.id, queries);
    emulator.setAnswer(goldAnswers(goldTable(ds, doc)));
    return record;
  };
  const remember = (run: DocRun) => (s.memory ? store.rememberQuotes(s.memory.templateId, provenQuotes([...run.results.values()])) : Promise.resolve());

  if (args.warm && s.memory) {
    const { memory: _recallNothing, ...cold } = s;
    for (const doc of ds.documents) await remember(await runFillflow(store, gemini, ds.template.fields, (await loadDocument(doc)).id, cold));
  }

  for (const doc of ds.documents) {
    const record = await loadDocument(doc);
    const runs: Record<StrategyName, DocRun> = {
      fillflow: await runFillflow(store, gemini, ds.template.fields, record.id, s),
      'whole-doc': await runWholeDocument(store, gemini, ds.template.fields, record.id, s),
      'per-field': await runPerField(store, gemini, ds.template.fields, record.id, s),
    };
    // Documents are filled in file order, each learning only from the ones before it, as a bulk fill would.
    await remember(runs.fillflow);
    const allPassages = (await store.getChunks((await store.listChunks([record.id])).map((h) => h.chunkId))).map((c) => ({
      documentId: c.documentId,
      start: c.start,
      text: c.text,
      ...(c.page !== undefined ? { page: c.page } : {}),
    }));
    const scoredFields = ds.fields.filter((f) => f.name in doc.gold);
    for (const name of STRATEGIES) {
      const o = report.overall[name];
      o.calls += runs[name].calls;
      o.promptTokens += runs[name].promptTokens;
      o.fieldsAsked += ds.fields.length;
    }
    for (const f of scoredFields) {
      const spec = ds.template.fields.find((x) => x.key === f.name)!;
      const ev = evidenceFor(doc, f);
      if (ev === 'unlocatable') report.unlocatable[f.name] = (report.unlocatable[f.name] ?? 0) + 1;
      const offlineValue: FieldValue = extractOffline(spec, allPassages)?.value ?? null;
      const cells: [StrategyName | 'offline', FieldValue, string | undefined][] = [
        ...STRATEGIES.map((k): [StrategyName, FieldValue, string] => [k, runs[k].results.get(f.name)?.value ?? null, coveredText(doc.text, runs[k].context.get(f.name) ?? [])]),
        ['offline', offlineValue, undefined],
      ];
      for (const [k, value, context] of cells) {
        const t = report.perField[f.name]![k];
        const o = report.overall[k];
        const ok = isCorrect(f, doc, value) ? 1 : 0;
        t.scored++;
        t.correct += ok;
        o.scored++;
        o.correct += ok;
        if (context !== undefined && ev !== null && ev !== 'unlocatable') {
          for (const span of ev.spans) {
            const hit = spanInContext(span, context) ? 1 : 0;
            if (!hit && k === 'fillflow') misses.push({ dataset: name, doc: doc.id, field: f.name, span: span.join(' <omitted> ') });
            t.recallAll++;
            t.recallHit += hit;
            o.recallAll++;
            o.recallHit += hit;
          }
        }
      }
    }
  }
  await store.close();
  return report;
}

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);

function print(r: DatasetReport): void {
  console.log(
    `\n== ${r.dataset}: ${r.documents} documents, input budget ${r.budget} tokens per call` +
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
  for (const k of STRATEGIES) {
    const o = r.overall[k];
    console.log(
      `  ${k.padEnd(10)} calls/doc ${(o.calls / r.documents).toFixed(2).padStart(6)}   prompt tokens ${String(o.promptTokens).padStart(9)}   per field ${(o.promptTokens / o.fieldsAsked).toFixed(0).padStart(6)}   vs whole-doc ${((100 * o.promptTokens) / r.overall['whole-doc'].promptTokens).toFixed(0)}%`,
    );
  }
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
}
if (args.json) writeFileSync(args.json, `${JSON.stringify(reports, null, 2)}\n`);
if (args.misses) writeFileSync(args.misses, misses.map((m) => `${JSON.stringify(m)}\n`).join(''));
