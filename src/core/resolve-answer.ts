/** @module Turns one Gemini answer (JSON text) into field results: parse, validate by type, ground the quote. */
import { groundQuote, type GroundingPassage } from './ground-quote.js';
import { normalizeValue } from './normalize-value.js';
import type { FieldMethod, FieldResult, FieldSpec } from './types.js';

export interface RawAnswer {
  value: unknown;
  quote: string | null;
}

export type ParsedAnswer = { ok: true; answers: Map<string, RawAnswer> } | { ok: false; reason: string };

/**
 * Parses the answer text of a batch. Anything that is not a JSON object is a failed answer (the batch
 * is split and re-asked); a field whose entry is a bare value rather than {value, quote} is accepted
 * without a quote, since structured output occasionally flattens.
 */
export function parseAnswer(text: string | undefined, keys: readonly string[]): ParsedAnswer {
  if (text === undefined || text.trim() === '') return { ok: false, reason: 'empty answer' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripFence(text));
  } catch (e) {
    // V8's message quotes the text around the error, i.e. the documents; the reason ends up in logs and history.
    return { ok: false, reason: `answer is not valid JSON (${/at position \d+/.exec((e as Error).message)?.[0] ?? 'unexpected token'}; its text is not repeated here)` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'answer is not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  const answers = new Map<string, RawAnswer>();
  for (const key of keys) {
    if (!(key in record)) continue;
    const entry = record[key];
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && ('value' in entry || 'quote' in entry)) {
      const e = entry as { value?: unknown; quote?: unknown };
      answers.set(key, { value: e.value ?? null, quote: typeof e.quote === 'string' ? e.quote : null });
    } else {
      answers.set(key, { value: entry ?? null, quote: null });
    }
  }
  return { ok: true, answers };
}

/** Results for every field of the batch, in the batch's order. */
export function resolveAnswers(
  fields: readonly FieldSpec[],
  answers: ReadonlyMap<string, RawAnswer>,
  passages: readonly GroundingPassage[],
  method: FieldMethod,
): FieldResult[] {
  return fields.map((field) => resolveField(field, answers.get(field.key), passages, method));
}

function resolveField(field: FieldSpec, answer: RawAnswer | undefined, passages: readonly GroundingPassage[], method: FieldMethod): FieldResult {
  const base = { key: field.key, method, sources: [] };
  if (answer === undefined) return { ...base, value: null, status: 'not_found', reason: 'missing from the answer' };
  const normalized = normalizeValue(field, answer.value);
  if (!normalized.ok) return { ...base, value: null, status: 'invalid', reason: normalized.reason };
  if (normalized.value === null) return { ...base, value: null, status: 'not_found', reason: 'not stated in the passages' };

  const grounded =
    (answer.quote !== null ? groundQuote(answer.quote, passages) : undefined) ??
    // Without a usable quote, the value itself may be a verbatim span (names, codes, addresses).
    (typeof answer.value === 'string' ? groundQuote(answer.value, passages) : undefined);
  if (grounded) return { ...base, value: normalized.value, status: 'filled', sources: [grounded.source], grounding: grounded.match };
  // Kept, since the model may be right, but never silently: `grounding: 'none'` says no passage proves it.
  return {
    ...base,
    value: normalized.value,
    status: 'filled',
    grounding: 'none',
    reason: answer.quote === null ? 'ungrounded: no quote given' : 'ungrounded: the quote is not in the passages',
  };
}

/** Some models wrap JSON in a Markdown fence even in JSON mode. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}
