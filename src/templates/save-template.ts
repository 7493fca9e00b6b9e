/** @module Stores a parsed template and its source file together: the source first, the spec second, and
 * the source removed again if the spec cannot be written, so a failed save leaves nothing half-stored. */
import { isDeepStrictEqual } from 'node:util';
import type { Store } from '../store/store.js';
import type { ParsedTemplate } from './template-source.js';

export class TemplateConflictError extends Error {
  override readonly name = 'TemplateConflictError';
  constructor(readonly templateId: string) {
    super(`a different template with id "${templateId}" already exists; choose another id`);
  }
}

/**
 * @param opts.ifExists `reject` refuses to change a stored template with the same id (the API: running fills read it);
 *   `replace` overwrites it (the CLI, where the file is the truth).
 * @returns whether the template was new, already stored exactly so, or replaced
 */
export async function saveTemplate(
  store: Store,
  parsed: ParsedTemplate,
  opts: { ifExists: 'reject' | 'replace' },
): Promise<'created' | 'unchanged' | 'replaced'> {
  const { spec, source } = parsed;
  const existing = await store.getTemplate(spec.id);
  if (existing) {
    const oldSource = await store.getTemplateSource(spec.id);
    const same =
      isDeepStrictEqual(existing, spec) &&
      (oldSource === undefined ? source === undefined : source !== undefined && oldSource.bytes.equals(source.bytes));
    if (same) return 'unchanged';
    if (opts.ifExists === 'reject') throw new TemplateConflictError(spec.id);
  }
  if (source) {
    await store.putTemplateSource({
      templateId: spec.id,
      format: source.format,
      fileName: source.fileName,
      mediaType: source.mediaType,
      bytes: source.bytes,
      ...(source.fieldNames ? { fieldNames: source.fieldNames } : {}),
    });
  } else {
    await store.deleteTemplateSource(spec.id);
  }
  try {
    await store.putTemplate(spec);
  } catch (err) {
    if (source && !existing) await store.deleteTemplateSource(spec.id).catch(() => undefined);
    throw err;
  }
  return existing ? 'replaced' : 'created';
}
