/** @module Answer sources in Fillflow's convention ({ <key>: { value, quote } }), from a gold table, never from reading. */
import { readFileSync } from 'node:fs';
import { schemaFieldKeys } from './read-request.js';
import type { AnswerSource } from './types.js';

/** The known answer for one field. */
export interface GoldEntry {
  value: unknown;
  quote?: string | null;
}

/** Known answers by field key: the content of a gold file, `{ "<key>": { "value": ..., "quote": "..." } }`. */
export type GoldTable = Record<string, GoldEntry>;

/** One field's answer in Fillflow's convention. */
export interface FieldAnswer {
  value: unknown;
  quote: string | null;
}

const NOT_FOUND: FieldAnswer = { value: null, quote: null };

/** Checks that `data` is a gold table; the error names the offending key. */
export function parseGoldTable(data: unknown, source = 'gold table'): GoldTable {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${source}: expected an object keyed by field key`);
  }
  for (const [key, entry] of Object.entries(data)) {
    if (typeof entry !== 'object' || entry === null || !('value' in entry)) {
      throw new Error(`${source}: ${key}: needs { "value": ... } (null when the documents do not state it)`);
    }
    const quote: unknown = (entry as { quote?: unknown }).quote;
    if (quote !== undefined && quote !== null && typeof quote !== 'string') {
      throw new Error(`${source}: ${key}.quote: must be a string, got ${JSON.stringify(quote)}`);
    }
  }
  return data as GoldTable;
}

/** Reads a gold table from a JSON file, synchronously, since it is read once while a test sets up. */
export function loadGoldTable(path: string): GoldTable {
  return parseGoldTable(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** Lower case with runs of whitespace collapsed: the comparison the oracle uses. */
function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The evidence the oracle looks for: the quote, else the value when it is plain text or a number. */
function evidence(entry: GoldEntry): string | undefined {
  if (typeof entry.quote === 'string') return entry.quote;
  if (typeof entry.value === 'string' || typeof entry.value === 'number') return String(entry.value);
  return undefined;
}

/**
 * Answers every field the request's schema asks for from `gold`. With `oracle` (the default) a field
 * is answered only when its evidence (the quote, or failing that a string or number value) occurs in
 * the prompt, ignoring case and whitespace, so retrieval that missed the passage yields `not found`
 * just as a real model would. A gold entry with neither quote nor text value is always answered.
 * Fields without a gold entry, or whose evidence is absent, get `{ value: null, quote: null }`.
 *
 * @example
 * const emulator = await startEmulator({ answer: goldAnswers(loadGoldTable('test/fixtures/gold/lease.json')) });
 */
export function goldAnswers(gold: GoldTable, opts: { oracle?: boolean } = {}): AnswerSource {
  const oracle = opts.oracle ?? true;
  return ({ promptText, schema }) => {
    // Only the contents: instructions and examples in the system text are not evidence.
    const seen = normalise(promptText);
    const out: Record<string, FieldAnswer> = {};
    for (const key of schemaFieldKeys(schema)) {
      const entry = Object.hasOwn(gold, key) ? gold[key] : undefined;
      if (entry === undefined) {
        out[key] = NOT_FOUND;
        continue;
      }
      const proof = evidence(entry);
      const present = !oracle || proof === undefined || seen.includes(normalise(proof));
      out[key] = present ? { value: entry.value, quote: entry.quote ?? null } : NOT_FOUND;
    }
    return out;
  };
}

/** Answers every field of the schema with `{ value: null, quote: null }`: the default answer source. */
export function nullAnswers(): AnswerSource {
  return ({ schema }) => Object.fromEntries(schemaFieldKeys(schema).map((key) => [key, NOT_FOUND]));
}
