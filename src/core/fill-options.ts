/** @module A fill's options: the defaults every start path and the workflow itself apply, and the check of
 * options that arrive from outside (another language's client, `temporal workflow start`). Pure, so the
 * workflow can apply the same defaults to a start that left options out. */
import type { FillInput, FillOptions } from './fill-records.js';
import { UNPROVEN_POLICIES } from './proof-policy.js';

/**
 * What a fill uses for an option nobody set: the balanced profile's batch and token sizes, interactive
 * priority, and waiting out an exhausted daily quota. The configuration's profiles start from these. (Fills
 * recorded before planner 2 ran with 15, 24,000 and 8,192; the workflow keeps those for their replays.)
 */
export const DEFAULT_FILL_OPTIONS: Readonly<Required<Pick<FillOptions, 'maxBatchSize' | 'maxInputTokens' | 'maxOutputTokens' | 'priority' | 'onQuotaExhausted'>>> = {
  maxBatchSize: 200,
  maxInputTokens: 32_000,
  maxOutputTokens: 65_536,
  priority: 'interactive',
  onQuotaExhausted: 'wait',
};

/** Options a fill's input cannot use, each named with its path and what was expected. */
export class FillOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid fill input: ${problems.join('; ')}`);
    this.name = 'FillOptionsError';
  }
}

const WHOLE_NUMBER_OPTIONS = ['maxBatchSize', 'maxInputTokens', 'maxOutputTokens', 'maxConcurrentBatches'] as const;
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([...WHOLE_NUMBER_OPTIONS, 'priority', 'fairnessKey', 'onQuotaExhausted', 'unproven', 'searchAttributes']);

/**
 * The options with every default filled in: what the workflow runs with, whoever started it.
 * @throws FillOptionsError naming every option that is unknown or has the wrong type or value
 */
export function withFillDefaults(options: unknown): FillOptions {
  const given = checkFillOptions(options);
  return { ...DEFAULT_FILL_OPTIONS, ...given };
}

/**
 * Checks options given by a caller (all optional) and returns them typed.
 * @throws FillOptionsError naming every option that is unknown or has the wrong type or value
 */
export function checkFillOptions(options: unknown, path = 'options'): Partial<FillOptions> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new FillOptionsError([`${path} must be an object`]);
  const o = options as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(o)) if (!KNOWN_OPTIONS.has(key)) problems.push(`${path}.${key} is not an option (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  for (const key of WHOLE_NUMBER_OPTIONS) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) problems.push(`${path}.${key} must be a whole number of at least 1, got ${JSON.stringify(v)}`);
  }
  if (o.priority !== undefined && o.priority !== 'interactive' && o.priority !== 'bulk') problems.push(`${path}.priority must be "interactive" or "bulk", got ${JSON.stringify(o.priority)}`);
  if (o.onQuotaExhausted !== undefined && o.onQuotaExhausted !== 'wait' && o.onQuotaExhausted !== 'fallback') {
    problems.push(`${path}.onQuotaExhausted must be "wait" or "fallback", got ${JSON.stringify(o.onQuotaExhausted)}`);
  }
  if (o.fairnessKey !== undefined && (typeof o.fairnessKey !== 'string' || o.fairnessKey.length === 0 || o.fairnessKey.length > 64)) {
    problems.push(`${path}.fairnessKey must be a string of 1 to 64 characters`);
  }
  if (o.unproven !== undefined && !(UNPROVEN_POLICIES as readonly unknown[]).includes(o.unproven)) {
    problems.push(`${path}.unproven must be "keep" or "invalid", got ${JSON.stringify(o.unproven)}`);
  }
  if (o.searchAttributes !== undefined && typeof o.searchAttributes !== 'boolean') problems.push(`${path}.searchAttributes must be true or false`);
  if (problems.length > 0) throw new FillOptionsError(problems);
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<FillOptions>;
}

/**
 * Checks a fill's whole input as it arrives at the workflow (from any client, in any language) and fills
 * in the options' defaults.
 * @throws FillOptionsError naming every field that is missing or of the wrong type
 */
export function checkFillInput(input: unknown): FillInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FillOptionsError(['the input must be an object { fillId, templateId, documentIds, options? }']);
  const i = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['fillId', 'templateId'] as const) {
    if (typeof i[key] !== 'string' || (i[key] as string).trim() === '') problems.push(`${key} must be a non-empty string`);
  }
  const ids = i.documentIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((d) => typeof d !== 'string' || d === '')) problems.push('documentIds must be a non-empty array of document IDs');
  let options: FillOptions | undefined;
  try {
    options = withFillDefaults(i.options);
  } catch (err) {
    if (!(err instanceof FillOptionsError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || !options) throw new FillOptionsError(problems);
  return { fillId: i.fillId as string, templateId: i.templateId as string, documentIds: ids as string[], options };
}
