/** @module The domain records of Fillflow: templates, field values, results and usage. Pure types. */
import type { AnsweredBy } from './endpoint.js';

export type { AnsweredBy } from './endpoint.js';

export const FIELD_TYPES = [
  'string',
  'text',
  'number',
  'integer',
  'money',
  'date',
  'boolean',
  'enum',
  'email',
  'phone',
  'url',
  'list',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One named field of a template, as written in the template JSON (see docs/formats.md). */
export interface FieldSpec {
  key: string;
  label: string;
  description?: string;
  type: FieldType;
  required?: boolean;
  /** Allowed values; only for `enum`. */
  options?: string[];
  /** A regular expression (JavaScript syntax) the normalised value must match; string-like types only. */
  pattern?: string;
  examples?: string[];
}

/** What a value no passage proves becomes: `keep` (filled, `grounding: 'none'`, counted as unproven) or `invalid` (see proof-policy.ts). */
export type UnprovenPolicy = 'keep' | 'invalid';

export interface TemplateSpec {
  id: string;
  name: string;
  fields: FieldSpec[];
  /** BCP 47 locale the documents are written in ("en-GB"): gives the date order and phone region when not set. */
  locale?: string;
  /** How numeric dates are ordered ("03/04/2024"); overrides `locale`. Without either, ambiguous dates are not read. */
  dateOrder?: 'DMY' | 'MDY' | 'YMD';
  /** What a value no passage proves becomes: `keep` (filled, `grounding: 'none'`, counted as unproven) or `invalid`. @default 'keep' */
  unproven?: UnprovenPolicy;
}

export interface Money {
  amount: number;
  /** ISO 4217 code, upper case. */
  currency: string;
}

/** A normalised field value: `date` is `YYYY-MM-DD`, `money` a {@link Money}, `list` an array of strings. */
export type FieldValue = string | number | boolean | Money | string[] | null;

/** Where a value came from: `text.slice(start, end) === quote` in the document's stored text. */
export interface SourceRef {
  documentId: string;
  quote: string;
  start: number;
  end: number;
  page?: number;
}

export type FieldStatus = 'filled' | 'not_found' | 'fallback' | 'invalid';
export type FieldMethod = 'gemini' | 'cache' | 'offline';

export interface FieldResult {
  key: string;
  value: FieldValue;
  status: FieldStatus;
  method: FieldMethod;
  sources: SourceRef[];
  /** Why a field is `invalid` or `not_found`, or what a `fallback` stands in for. */
  reason?: string;
  /**
   * How the value's quote was found in the documents: `exact`, `normalized` (case, spacing, quote marks),
   * `fuzzy` (a close span; check it), or `none`: the value is ungrounded, not proven by any passage, and
   * should be reviewed before it is trusted. Set on every value Gemini gave; absent otherwise.
   */
  grounding?: 'exact' | 'normalized' | 'fuzzy' | 'none';
  /** How sure the offline extractor is of a `fallback` value (0..1), from the convention that found it; absent otherwise. */
  confidence?: number;
}

export interface Usage {
  /** Every request sent to Gemini, those answered 429 included. */
  apiCalls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
  /** Requests answered 429, of any kind. */
  rateLimited: number;
  /** Attempts after the first, of any Gemini activity. */
  retries: number;
  /** Filled values no passage proves (`grounding: 'none'`): counted apart, to be reviewed before they are trusted. */
  unproven: number;
  /** Fields asked per request actually sent (0 when none was sent). */
  fieldsPerCall: number;
  batches: number;
  durationMs: number;
  /** Time parked on an exhausted daily quota (ms); absent when the fill never parked. */
  pausedMs?: number;
  /** Time calls waited for the quota ledger to grant them, summed over calls (ms). */
  quotaWaitMs?: number;
}

export type FillStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface FillResult {
  fillId: string;
  templateId: string;
  status: FillStatus;
  fields: FieldResult[];
  /**
   * The endpoint and model whose answers these values are (Google's API is `gemini`; any other server is
   * named by its base URL; `offline` when no value came from an endpoint).
   */
  answeredBy: AnsweredBy;
  usage: Usage;
  /** Plain notes for the user, e.g. that Gemini was not configured and the offline extractor filled what it could. */
  notices?: string[];
  outputRef?: string;
}

export function emptyUsage(): Usage {
  return {
    apiCalls: 0,
    cacheHits: 0,
    promptTokens: 0,
    outputTokens: 0,
    rateLimited: 0,
    retries: 0,
    unproven: 0,
    fieldsPerCall: 0,
    batches: 0,
    durationMs: 0,
  };
}
