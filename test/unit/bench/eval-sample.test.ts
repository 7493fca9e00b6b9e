/** The evaluation sample the repository ships (bench/eval/sample/): found without EVAL_DIR, laid out as the larger
 * sets are, and consistent, so `npm run bench:eval` runs from a clone and every gold value it scores can be found. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_DIR, evalDir, listDatasets, loadDataset } from '../../../bench/eval/datasets.js';
import { evidenceFor } from '../../../bench/eval/gold-evidence.js';

describe('the shipped evaluation sample', () => {
  it('is where the benchmarks look when EVAL_DIR is unset, and EVAL_DIR wins when set', () => {
    expect(evalDir({})).toBe(SAMPLE_DIR);
    expect(evalDir({ EVAL_DIR: '  ' })).toBe(SAMPLE_DIR);
    const other = mkdtempSync(join(tmpdir(), 'fillflow-eval-dir-'));
    try {
      expect(evalDir({ EVAL_DIR: other })).toBe(other);
      expect(() => listDatasets(other)).toThrow(/no evaluation sets in .*template\.json and dev\/gold\.jsonl/);
    } finally {
      rmSync(other, { recursive: true });
    }
    expect(() => evalDir({ EVAL_DIR: join(other, 'gone') })).toThrow(/EVAL_DIR is .*gone, which does not exist/);
  });

  it('holds three sets, listed in the report order', () => {
    expect(listDatasets(SAMPLE_DIR)).toEqual(['cuad', 'nda', 'charity']);
  });

  it.each(['nda', 'cuad', 'charity'])('%s: every document has text, and every gold key is a field of its template', (name) => {
    const ds = loadDataset(name, undefined, SAMPLE_DIR);
    expect(ds.documents.length).toBeGreaterThanOrEqual(2);
    const fields = new Set(ds.fields.map((f) => f.name));
    for (const doc of ds.documents) {
      expect(doc.text.length).toBeGreaterThan(1_000);
      for (const key of Object.keys(doc.gold)) expect(fields, `${doc.id}: ${key}`).toContain(key);
    }
    expect(ds.template.fields.map((f) => f.key)).toEqual(ds.fields.map((f) => f.name));
  });

  it.each(['nda', 'charity'])('%s (written for the project): every gold value is found in its document', (name) => {
    const ds = loadDataset(name, undefined, SAMPLE_DIR);
    for (const doc of ds.documents) {
      for (const field of ds.fields) {
        if (doc.gold[field.name] === undefined) continue;
        expect(evidenceFor(doc, field), `${doc.id}: ${field.name}`).not.toBe('unlocatable');
      }
    }
  });

  it('names the sets it has when asked for one it lacks', () => {
    expect(() => loadDataset('kleister-nda', undefined, SAMPLE_DIR)).toThrow(/no evaluation set "kleister-nda" in .*; it holds cuad, nda, charity/);
  });
});
