/** @module Merges the fields a document names (placeholders, form fields) with an optional spec, and
 * reports what is in one but not the other. The merged spec goes through validateTemplate as any other. */
import type { FieldSpec, TemplateSpec } from '../core/types.js';
import { validateTemplate, type TemplateIssue } from '../core/validate-template.js';

/** A field as the document names it, with what the document itself says about it (a PDF checkbox is boolean). */
export interface DocumentField {
  key: string;
  /** Where it is, for messages: `line 4`, `PDF field "Name"`. */
  where: string;
  hint?: Partial<Omit<FieldSpec, 'key'>>;
}

export interface SpecInput {
  id?: unknown;
  name?: unknown;
  fields?: unknown;
  [k: string]: unknown;
}

/**
 * @param spec a template object (validated here); without one, every document field becomes a field of its hinted type (string by default).
 * @throws TemplateError from validateTemplate, paths relative to the spec
 */
export function reconcileFields(
  docFields: DocumentField[],
  spec: SpecInput | undefined,
  defaults: { id: string; name?: string },
): { spec: TemplateSpec; warnings: TemplateIssue[] } {
  const warnings: TemplateIssue[] = [];
  const fromDoc = (f: DocumentField): Record<string, unknown> => ({ type: 'string', ...f.hint, key: f.key });
  let raw: Record<string, unknown>;
  if (spec === undefined || !Array.isArray(spec.fields)) {
    raw = { ...spec, id: spec?.id ?? defaults.id, ...(spec?.name ?? defaults.name ? { name: spec?.name ?? defaults.name } : {}), fields: docFields.map(fromDoc) };
  } else {
    const specKeys = new Set(spec.fields.map((f) => (isRecord(f) ? f.key : undefined)));
    const docKeys = new Set(docFields.map((f) => f.key));
    const extra = docFields.filter((f) => !specKeys.has(f.key));
    for (const f of extra) {
      warnings.push({ path: f.where, message: `"${f.key}" is in the document but not in the spec; added as a ${f.hint?.type ?? 'string'} field` });
    }
    spec.fields.forEach((f, i) => {
      const key = isRecord(f) ? f.key : undefined;
      if (typeof key === 'string' && !docKeys.has(key)) {
        warnings.push({ path: `fields[${i}]`, message: `"${key}" is in the spec but not in the document; it is filled but not rendered` });
      }
    });
    raw = { ...spec, id: spec.id ?? defaults.id, ...(spec.name ?? defaults.name ? { name: spec.name ?? defaults.name } : {}), fields: [...spec.fields, ...extra.map(fromDoc)] };
  }
  return { spec: validateTemplate(raw), warnings };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A template id from a file name: `Supplier Form (v2).docx` → `Supplier-Form-v2`. */
export function idFromFileName(fileName: string): string {
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const id = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '').slice(0, 128);
  return id === '' ? 'template' : id;
}
