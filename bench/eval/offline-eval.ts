/** @module `npx tsx bench/eval/offline-eval.ts`: the offline extractor alone, as a fill with no API key runs
 * it, scored per set and per field on the evaluation sets in EVAL_DIR. Not a test: it measures.
 *
 * Each document is ingested from its file into a temporary SQLite store, as `fillflow fill` does; the
 * product's own activities then run without Temporal: gatherContext (BM25 only, since without a key there
 * are no vectors; field memory off, since offline fills prove no quotes for it) and extractOffline over the
 * passages it chose (the whole document for a field with none). Scoring is bench/eval's own `isCorrect`,
 * the comparison run-eval reports accuracy with.
 *
 * Options: --datasets kleister-nda,kleister-charity,cuad  --limit N (documents per set)  --json FILE
 *          --misses (print each wrong answer: document, field, gold, got, quote) */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeExtractOffline } from '../../src/activities/extract-offline.js';
import { makeGatherContext } from '../../src/activities/gather-context.js';
import { loadConfig } from '../../src/config.js';
import type { FieldValue } from '../../src/core/types.js';
import { ingestFile } from '../../src/retrieval/ingest.js';
import { openStore } from '../../src/store/open-store.js';
import { DATASETS, evalDir, loadDataset } from './datasets.js';
import { isCorrect } from './gold-evidence.js';

const { values: args } = parseArgs({
  options: {
    datasets: { type: 'string', default: DATASETS.join(',') },
    limit: { type: 'string' },
    json: { type: 'string' },
    misses: { type: 'boolean', default: false },
  },
});

interface FieldTally {
  right: number;
  total: number;
  /** Scored documents where the extractor gave a value (right or wrong): how often it answers at all. */
  answered: number;
}

interface SetReport {
  dataset: string;
  documents: number;
  fields: Record<string, FieldTally>;
}

const show = (v: unknown) => (v === null || v === undefined ? '∅' : JSON.stringify(v));

async function evaluate(name: string, workDir: string): Promise<SetReport> {
  const ds = loadDataset(name, args.limit ? Number(args.limit) : undefined);
  const dbPath = join(workDir, `${name}.db`);
  const config = loadConfig({ FILLFLOW_DB: dbPath, FILLFLOW_FIELD_MEMORY: '0' }, {}, workDir);
  const store = openStore({ dbPath });
  const report: SetReport = { dataset: name, documents: ds.documents.length, fields: {} };
  for (const f of ds.fields) report.fields[f.name] = { right: 0, total: 0, answered: 0 };
  try {
    await store.putTemplate(ds.template);
    const gatherContext = makeGatherContext({ store, config });
    const extractOffline = makeExtractOffline({ store, config });
    const fieldKeys = ds.template.fields.map((f) => f.key);
    for (const doc of ds.documents) {
      const record = await ingestFile(store, join(evalDir(), name, 'dev', 'docs', `${doc.id}.txt`));
      const documentIds = [record.id];
      const gathered = await gatherContext({ templateId: ds.template.id, documentIds, fieldKeys });
      const results = await extractOffline({
        templateId: ds.template.id,
        documentIds,
        fields: gathered.map((g) => ({ key: g.key, chunkIds: g.context.map((c) => c.chunkId), because: 'no API key' })),
      });
      const byKey = new Map(results.map((r) => [r.key, r]));
      for (const f of ds.fields) {
        if (!(f.name in doc.gold)) continue;
        const result = byKey.get(f.name);
        const value: FieldValue = result?.value ?? null;
        const ok = isCorrect(f, doc, value);
        const t = report.fields[f.name]!;
        t.total++;
        if (ok) t.right++;
        if (value !== null) t.answered++;
        if (!ok && args.misses) {
          const quote = result?.sources[0]?.quote.replace(/\s+/g, ' ').slice(0, 120) ?? '';
          console.log(`miss ${name} ${doc.id} ${f.name}: gold ${show(doc.gold[f.name])} got ${show(value)}${quote ? ` from "${quote}"` : ''}`);
        }
      }
    }
  } finally {
    await store.close();
  }
  return report;
}

const pct = (a: number, b: number) => (b === 0 ? '    -' : `${((100 * a) / b).toFixed(0).padStart(4)}%`);

function print(r: SetReport): void {
  console.log(`\n== ${r.dataset}: ${r.documents} documents, offline extractor alone (BM25 passages, no API key)`);
  console.log(`${'field'.padEnd(38)} ${'right/total'.padStart(11)}       %   answered`);
  let right = 0;
  let total = 0;
  for (const [field, t] of Object.entries(r.fields)) {
    right += t.right;
    total += t.total;
    console.log(`${field.padEnd(38)} ${`${t.right}/${t.total}`.padStart(11)}   ${pct(t.right, t.total)}   ${String(t.answered).padStart(8)}`);
  }
  console.log(`${'ALL FIELDS'.padEnd(38)} ${`${right}/${total}`.padStart(11)}   ${pct(right, total)}`);
}

const workDir = mkdtempSync(join(tmpdir(), 'fillflow-offline-eval-'));
const reports: SetReport[] = [];
try {
  for (const name of args.datasets!.split(',').map((x) => x.trim()).filter(Boolean)) {
    const t0 = performance.now();
    const r = await evaluate(name, workDir);
    reports.push(r);
    print(r);
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
if (args.json) writeFileSync(args.json, `${JSON.stringify(reports, null, 2)}\n`);
