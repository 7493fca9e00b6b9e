/** @module Turns a checked manifest into the bulk's rows: each distinct template file read once and stored, each
 * distinct document path ingested once, and the IDs a row names looked up. Every problem names its line. */
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { TemplateError } from '../core/validate-template.js';
import { IngestError, ingestPaths } from '../retrieval/ingest.js';
import type { NewBulkRow } from '../store/bulk-store.js';
import type { Store } from '../store/store.js';
import { parseTemplateFile } from '../templates/parse-template.js';
import { saveTemplate } from '../templates/save-template.js';
import { TemplateFileError } from '../templates/template-file-error.js';
import type { ParsedTemplate } from '../templates/template-source.js';
import { ManifestError, type ManifestRow } from './manifest.js';

export interface StoredManifest {
  rows: NewBulkRow[];
  /** Template warnings (fields in the document but not the spec, …), each with the first line that used it. */
  warnings: string[];
}

/**
 * Reads every template and document the manifest names, then stores them (templates replace stored ones of
 * the same ID, as `fillflow fill` does: the file is the truth).
 * @throws ManifestError naming the line of each file that cannot be read and each ID the store does not hold
 */
export async function storeManifest(store: Store, file: string, manifest: ManifestRow[]): Promise<StoredManifest> {
  const problems: { line: number; message: string }[] = [];
  const templates = new Map<string, { parsed: ParsedTemplate; line: number }>();
  const byTemplateId = new Map<string, { path: string; line: number }>();
  for (const r of manifest) {
    if (!r.template || templates.has(r.template)) continue;
    try {
      const parsed = await parseTemplateFile({ fileName: r.template, bytes: await readFile(r.template) });
      const other = byTemplateId.get(parsed.spec.id);
      if (other && !isDeepStrictEqual(templates.get(other.path)?.parsed.spec, parsed.spec)) {
        problems.push({ line: r.line, message: `${r.template} has the template ID "${parsed.spec.id}" of another template (${other.path}, line ${other.line}); give one of them another id` });
        continue;
      }
      templates.set(r.template, { parsed: { ...parsed, ...(parsed.source ? { source: { ...parsed.source, fileName: r.template.replace(/^.*[\\/]/, '') } } : {}) }, line: r.line });
      byTemplateId.set(parsed.spec.id, { path: r.template, line: r.line });
    } catch (err) {
      if (err instanceof TemplateError || err instanceof TemplateFileError) problems.push({ line: r.line, message: `${r.template}: ${err.message}` });
      else problems.push({ line: r.line, message: `${r.template}: ${(err as Error).message}` });
    }
  }

  const documents = new Map<string, string[]>();
  for (const r of manifest) {
    for (const path of r.docs ?? []) {
      if (documents.has(path)) continue;
      try {
        const docs = await ingestPaths(store, [path]);
        if (docs.length === 0) throw new IngestError('no_documents', path, `${path}: no documents found`);
        documents.set(path, docs.map((d) => d.id));
      } catch (err) {
        if (!(err instanceof IngestError)) throw err;
        problems.push({ line: r.line, message: err.message });
        documents.set(path, []);
      }
    }
    if (r.templateId !== undefined && !byTemplateId.has(r.templateId) && !(await store.getTemplate(r.templateId))) {
      problems.push({ line: r.line, message: `no template "${r.templateId}" in the store; give its file as "template"` });
    }
    for (const id of r.documentIds ?? []) {
      if (!(await store.getDocument(id))) problems.push({ line: r.line, message: `no document "${id}" in the store; give its file in "docs"` });
    }
  }
  if (problems.length > 0) throw new ManifestError(file, problems.sort((a, b) => a.line - b.line));

  const warnings: string[] = [];
  for (const [path, { parsed, line }] of templates) {
    await saveTemplate(store, parsed, { ifExists: 'replace' });
    for (const w of parsed.warnings) warnings.push(`${file}:${line}: ${path}: ${w.path}: ${w.message}`);
  }
  const rows = manifest.map((r) => ({
    row: r.row,
    templateId: r.template ? templates.get(r.template)!.parsed.spec.id : r.templateId!,
    documentIds: [...new Set(r.documentIds ?? (r.docs ?? []).flatMap((p) => documents.get(p) ?? []))],
  }));
  return { rows, warnings };
}
