/** @module Loads a template's field specs by key, failing in a way Temporal will not retry. */
import type { FieldSpec, TemplateSpec } from '../core/types.js';
import type { Store } from '../store/store.js';
import { toFailure } from './to-failure.js';

export async function loadTemplate(store: Store, templateId: string): Promise<TemplateSpec> {
  const template = await store.getTemplate(templateId);
  if (!template) {
    throw toFailure({ kind: 'invalid-input', message: `unknown template "${templateId}"` });
  }
  return template;
}

/** The specs of `keys`, in the order asked. */
export async function loadFields(store: Store, templateId: string, keys: readonly string[]): Promise<FieldSpec[]> {
  const template = await loadTemplate(store, templateId);
  const byKey = new Map(template.fields.map((f) => [f.key, f]));
  return keys.map((k) => {
    const f = byKey.get(k);
    if (!f) {
      throw toFailure({ kind: 'invalid-input', message: `template "${templateId}" has no field "${k}"` });
    }
    return f;
  });
}
