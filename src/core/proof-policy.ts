/** @module What a value no passage proves (`grounding: 'none'`) becomes: kept and counted as unproven, or,
 * when the template or the fill asks for proof, `invalid` with the reason, so it is asked again with that
 * reason and, failing that, handed to the offline extractor. Pure. */
import type { FieldResult, UnprovenPolicy } from './types.js';

export type { UnprovenPolicy } from './types.js';

export const UNPROVEN_POLICIES: readonly UnprovenPolicy[] = ['keep', 'invalid'];

/** A filled value that no passage proves. */
export function isUnproven(field: Pick<FieldResult, 'status' | 'grounding'>): boolean {
  return field.status === 'filled' && field.grounding === 'none';
}

/** The fill's own policy wins over its template's; neither set keeps unproven values. */
export function unprovenPolicy(fill: UnprovenPolicy | undefined, template: UnprovenPolicy | undefined): UnprovenPolicy {
  return fill ?? template ?? 'keep';
}

/**
 * Applies the policy to answered fields: under `invalid`, each unproven value becomes `invalid` with no
 * value (a filled document never shows it), and its reason quotes what was answered, for review.
 */
export function applyProofPolicy(fields: readonly FieldResult[], policy: UnprovenPolicy): FieldResult[] {
  if (policy === 'keep') return [...fields];
  return fields.map((f): FieldResult => {
    if (!isUnproven(f)) return f;
    const { grounding: _none, ...rest } = f;
    return {
      ...rest,
      value: null,
      status: 'invalid',
      reason: `unproven: ${JSON.stringify(f.value)} was answered but ${f.reason?.replace(/^ungrounded: /, '') ?? 'no passage states it'}; give the quote, copied exactly from one passage, that states the value`,
    };
  });
}

/** How many of the fields hold a value no passage proves. */
export function countUnproven(fields: readonly Pick<FieldResult, 'status' | 'grounding'>[]): number {
  return fields.filter(isUnproven).length;
}
