/** @module The evaluation sets: the small ones shipped in bench/eval/sample/, or the larger ones in EVAL_DIR (same
 * layout, described in bench/eval/sample/README.md). Documents, gold values, and each set's template turned into a
 * Fillflow template by its declared types, with nothing tuned to the data. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FieldSpec, FieldType, TemplateSpec } from '../../src/core/types.js';
import { validateTemplate } from '../../src/core/validate-template.js';

export interface EvalField {
  name: string;
  description: string;
  type: 'string' | 'date' | 'money' | 'enum';
  multiple: boolean;
  example: string;
  format: string;
  values?: string[];
  match: 'text' | 'date' | 'money' | 'exact' | 'postcode';
}

export type GoldValue = string | string[] | null;

export interface EvalDocument {
  id: string;
  text: string;
  /** Scored fields only: a field absent here is not scored for this document. */
  gold: Record<string, GoldValue>;
  alt: Record<string, GoldValue>;
  /** CUAD: annotated clause texts per field, in document text (pieces split at `<omitted>`). */
  evidence: Record<string, string[]>;
}

export interface Dataset {
  name: string;
  fields: EvalField[];
  template: TemplateSpec;
  documents: EvalDocument[];
}

/** The sets shipped with the project: a few documents each, enough to run every benchmark from a clone. */
export const SAMPLE_DIR = resolve(import.meta.dirname, 'sample');

/** Sets listed in this order when present (the README's tables follow it); any other set follows, by name. */
const REPORT_ORDER = ['kleister-nda', 'cuad', 'kleister-charity', 'nda', 'charity'];

/** EVAL_DIR when set (the larger sets), else the shipped sample. */
export function evalDir(env: Record<string, string | undefined> = process.env): string {
  const set = env.EVAL_DIR?.trim();
  const dir = set ? resolve(set) : SAMPLE_DIR;
  if (!existsSync(dir)) {
    throw new Error(`EVAL_DIR is ${dir}, which does not exist; point it at a folder holding evaluation sets (see bench/eval/sample/README.md), or unset it to use the shipped sample`);
  }
  return dir;
}

/** The sets in `dir`: each sub-folder holding a template.json and a dev/gold.jsonl. */
export function listDatasets(dir: string = evalDir()): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'template.json')) && existsSync(join(dir, e.name, 'dev', 'gold.jsonl')))
    .map((e) => e.name);
  if (names.length === 0) throw new Error(`no evaluation sets in ${dir}: each set is a folder with template.json and dev/gold.jsonl (see bench/eval/sample/README.md)`);
  const rank = (n: string) => (REPORT_ORDER.includes(n) ? REPORT_ORDER.indexOf(n) : REPORT_ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Every set the benchmarks run when `--datasets` is not given. */
export const DATASETS: readonly string[] = listDatasets();

/**
 * The set's own template as Fillflow fields: `multiple` becomes `list`, `money` (a bare decimal in the
 * gold) becomes `number`, `enum` keeps its values as options; the description and format become the
 * field's description, the example its example.
 */
export function toTemplate(name: string, fields: EvalField[]): TemplateSpec {
  const spec = {
    id: `eval-${name}`,
    name: `${name} (evaluation)`,
    fields: fields.map((f): FieldSpec => {
      const type: FieldType = f.multiple ? 'list' : f.type === 'money' ? 'number' : f.type === 'enum' ? 'enum' : f.type === 'date' ? 'date' : 'string';
      return {
        key: f.name,
        label: f.name.replace(/_+/g, ' '),
        description: `${f.description} Format: ${f.format}.`,
        type,
        ...(type === 'enum' ? { options: f.values ?? [] } : {}),
        examples: [f.example],
      };
    }),
  };
  return validateTemplate(spec);
}

/** @param dir the folder holding the sets @default {@link evalDir} */
export function loadDataset(name: string, limit?: number, dir: string = evalDir()): Dataset {
  const root = join(dir, name);
  if (!existsSync(join(root, 'template.json'))) throw new Error(`no evaluation set "${name}" in ${dir}; it holds ${listDatasets(dir).join(', ')}`);
  const fields = (JSON.parse(readFileSync(join(root, 'template.json'), 'utf8')) as { fields: EvalField[] }).fields;
  const lines = readFileSync(join(root, 'dev', 'gold.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const documents = lines.slice(0, limit ?? lines.length).map((line): EvalDocument => {
    const g = JSON.parse(line) as {
      doc: string;
      fields: Record<string, GoldValue>;
      alt_fields?: Record<string, GoldValue>;
      evidence?: Record<string, string[]>;
    };
    const text = readFileSync(join(root, 'dev', 'docs', `${g.doc}.txt`), 'utf8').replace(/\r\n?/g, '\n');
    const evidence: Record<string, string[]> = {};
    for (const [k, spans] of Object.entries(g.evidence ?? {})) evidence[k] = spans;
    return { id: g.doc, text, gold: g.fields, alt: g.alt_fields ?? {}, evidence };
  });
  return { name, fields, template: toTemplate(name, fields), documents };
}
