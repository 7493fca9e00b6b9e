/** @module The evaluation sets under EVAL_DIR: documents, gold values, and each set's
 * template turned into a Fillflow template by its declared types, with nothing tuned to the data. */
import { existsSync, readFileSync } from 'node:fs';
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

export const DATASETS = ['kleister-nda', 'cuad', 'kleister-charity'] as const;

export function evalDir(env: Record<string, string | undefined> = process.env): string {
  const dir = env.EVAL_DIR ?? resolve(import.meta.dirname, '../../../shared/eval');
  if (!existsSync(dir)) throw new Error(`no evaluation data at ${dir}; set EVAL_DIR to the folder holding cuad/, kleister-nda/, ...`);
  return dir;
}

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

export function loadDataset(name: string, limit?: number): Dataset {
  const root = join(evalDir(), name);
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
