/** @module Checking a LimitsConfig once, and resolving the limits that apply to one model. */
import type { LimitsConfig, QuotaLimits } from './types.js';

const LIMIT_KEYS = ['rpm', 'tpm', 'rpd'] as const;

function checkQuotaLimits(value: unknown, where: string): QuotaLimits {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object like { rpm?, tpm?, rpd? }`);
  }
  const out: QuotaLimits = {};
  for (const [key, n] of Object.entries(value)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) {
      throw new Error(`${where}.${key}: unknown limit; expected rpm, tpm or rpd`);
    }
    if (n === undefined || n === null) continue;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new Error(`${where}.${key}: must be an integer >= 0, got ${JSON.stringify(n)}`);
    }
    out[key as (typeof LIMIT_KEYS)[number]] = n;
  }
  return out;
}

/**
 * Validates limits (from options or the control API) and returns a clean copy. Unknown keys are
 * refused by name: a misspelt `rmp` would otherwise leave a benchmark silently unthrottled.
 */
export function checkLimits(value: unknown): LimitsConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('limits: expected an object like { rpm?, tpm?, rpd?, perModel? }');
  }
  const { perModel, ...base } = value as Record<string, unknown>;
  const out: LimitsConfig = checkQuotaLimits(base, 'limits');
  if (perModel !== undefined) {
    if (typeof perModel !== 'object' || perModel === null || Array.isArray(perModel)) {
      throw new Error('limits.perModel: expected { "<model>": { rpm?, tpm?, rpd? } }');
    }
    out.perModel = {};
    for (const [model, limits] of Object.entries(perModel)) {
      out.perModel[model] = checkQuotaLimits(limits, `limits.perModel.${model}`);
    }
  }
  return out;
}

/** The limits for one model: the top-level values with the model's own entry merged over them. */
export function limitsFor(config: LimitsConfig, model: string): QuotaLimits {
  const { perModel, ...base } = config;
  return { ...base, ...(perModel?.[model] ?? {}) };
}
