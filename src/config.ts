/** @module Loads Fillflow's configuration once: profile, then config file, then environment, then
 * explicit overrides. Nothing else reads `process.env`; everything receives the frozen result. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_FILL_OPTIONS } from './core/fill-options.js';
import { GEMINI_TASK_QUEUE, TASK_QUEUE } from './core/task-queues.js';

export const PROFILES = {
  /** Free tier: one call at a time, large batches, few calls. */
  conservative: {
    concurrency: 1,
    requestsPerMinute: 10,
    tokensPerMinute: 250_000,
    requestsPerDay: 250,
    maxBatchSize: 15,
    maxInputTokens: 24_000,
    maxOutputTokens: 8_192,
    /** The old system's free-tier spacing: at least 2 s between the starts of two calls. */
    minIntervalMs: 2_000,
  },
  /** The default; its batch and token sizes are the workflow's own defaults, for fills started without options. */
  balanced: {
    concurrency: 4,
    requestsPerMinute: 60,
    tokensPerMinute: 1_000_000,
    requestsPerDay: 10_000,
    maxBatchSize: DEFAULT_FILL_OPTIONS.maxBatchSize,
    maxInputTokens: DEFAULT_FILL_OPTIONS.maxInputTokens,
    maxOutputTokens: DEFAULT_FILL_OPTIONS.maxOutputTokens,
    minIntervalMs: 0,
  },
  /** Paid tier: more calls in flight, smaller batches that answer sooner. */
  aggressive: {
    concurrency: 8,
    requestsPerMinute: 1_000,
    tokensPerMinute: 4_000_000,
    requestsPerDay: 100_000,
    maxBatchSize: 10,
    maxInputTokens: 16_000,
    maxOutputTokens: 8_192,
    minIntervalMs: 0,
  },
} as const;
export type ProfileName = keyof typeof PROFILES;
export type Limits = { -readonly [K in keyof (typeof PROFILES)['balanced']]: number };

/** A current stable Flash model; GEMINI_MODEL changes it (models retire: a 404 says so). */
export const DEFAULT_MODEL = 'gemini-3.5-flash';

export interface FillflowConfig {
  gemini: {
    /** Present only in processes that call Gemini; never copied into workflow input or logs. */
    apiKey?: string;
    baseUrl?: string;
    model: string;
    timeoutMs: number;
  };
  temporal: {
    /** Unset means standalone: the CLI starts a local dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    geminiTaskQueue: string;
  };
  dbPath: string;
  apiPort: number;
  apiToken?: string;
  profile: ProfileName;
  limits: Limits;
  /**
   * Who enforces requests per minute. `ledger`: the shared quota ledger's exact sliding window, which lets a
   * quiet window's burst through; the task queue's server-side limit is a looser cluster-wide backstop.
   * `server`: the task queue's limit at the safe steady rate (RPM − P)/61, for clusters whose machines do
   * not share one ledger (a SQLite store per machine). @default 'ledger'
   */
  queueRate: QueueRateMode;
  /** Defaults for every fill's options (FillOptions); a fill's own options win. */
  fill: FillDefaults;
  /**
   * Field memory: quotes per field, proved by earlier fills of the same template, that retrieval also searches
   * with (src/store/field-memory-store.ts). 0 turns it off. From FILLFLOW_FIELD_MEMORY. @default 16
   */
  fieldMemory: number;
}

export type QueueRateMode = 'ledger' | 'server';

export interface FillDefaults {
  /** @default 'interactive' */
  priority?: 'interactive' | 'bulk';
  /** @default 'wait' */
  onQuotaExhausted?: 'wait' | 'fallback';
  maxConcurrentBatches?: number;
}

export interface ConfigOverrides {
  profile?: string;
  limits?: Partial<Limits>;
  dbPath?: string;
  configFile?: string;
  queueRate?: string;
  fill?: { priority?: string; onQuotaExhausted?: string; maxConcurrentBatches?: string | number };
}

/** A configuration value that cannot be used; the message names where it came from. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface ConfigFile {
  profile?: string;
  model?: string;
  limits?: Partial<Record<keyof Limits, unknown>>;
  queueRate?: string;
  fill?: { priority?: unknown; onQuotaExhausted?: unknown; maxConcurrentBatches?: unknown };
}

/**
 * @param env the environment to read (tests pass a plain object)
 * @param overrides CLI flags or per-call options; they win over everything else
 * @param cwd where `.fillflow/` and `fillflow.config.json` are looked for
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: ConfigOverrides = {}, cwd = process.cwd()): Readonly<FillflowConfig> {
  const file = readConfigFile(overrides.configFile ?? env.FILLFLOW_CONFIG, cwd);
  const profileName = overrides.profile ?? env.FILLFLOW_PROFILE ?? file.profile ?? 'balanced';
  if (!(profileName in PROFILES)) {
    throw new ConfigError(`unknown profile "${profileName}" (expected one of: ${Object.keys(PROFILES).join(', ')})`);
  }
  const profile = profileName as ProfileName;
  const limits: Limits = { ...PROFILES[profile] };
  for (const [k, v] of Object.entries(file.limits ?? {})) setLimit(limits, k, v, 'config file limits');
  for (const [k, v] of Object.entries(overrides.limits ?? {})) if (v !== undefined) setLimit(limits, k, v, 'option');

  const apiKey = nonEmpty(env.GEMINI_API_KEY);
  const apiToken = nonEmpty(env.FILLFLOW_API_TOKEN);
  const baseUrl = nonEmpty(env.GEMINI_BASE_URL);
  if (baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(baseUrl)) {
    throw new ConfigError(`GEMINI_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  }
  const address = nonEmpty(env.TEMPORAL_ADDRESS);
  const config: FillflowConfig = {
    gemini: {
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      model: nonEmpty(env.GEMINI_MODEL) ?? file.model ?? DEFAULT_MODEL,
      timeoutMs: intSetting(env.GEMINI_TIMEOUT_MS, 'GEMINI_TIMEOUT_MS', 1) ?? 120_000,
    },
    temporal: {
      ...(address !== undefined ? { address } : {}),
      namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
      taskQueue: TASK_QUEUE,
      geminiTaskQueue: GEMINI_TASK_QUEUE,
    },
    dbPath: overrides.dbPath ?? nonEmpty(env.FILLFLOW_DB) ?? resolve(cwd, '.fillflow', 'fillflow.db'),
    apiPort: intSetting(env.FILLFLOW_API_PORT, 'FILLFLOW_API_PORT', 1) ?? 8080,
    ...(apiToken !== undefined ? { apiToken } : {}),
    profile,
    limits,
    queueRate: queueRateMode(overrides.queueRate ?? env.FILLFLOW_QUEUE_RATE ?? file.queueRate),
    fill: fillDefaults({ ...file.fill, ...definedOnly(overrides.fill ?? {}) }),
    fieldMemory: intSetting(env.FILLFLOW_FIELD_MEMORY, 'FILLFLOW_FIELD_MEMORY', 0) ?? DEFAULT_FIELD_MEMORY,
  };
  return Object.freeze(config);
}

/**
 * Quotes per field recalled from field memory. On CUAD (`npm run bench:eval`), 16 found more evidence than 8;
 * each is one more BM25 query per field, which costs milliseconds, not tokens.
 */
export const DEFAULT_FIELD_MEMORY = 16;

/** Limits where 0 means "none" rather than "nothing allowed". */
const ZERO_ALLOWED: ReadonlySet<string> = new Set(['minIntervalMs']);

/** Validates and applies one limit override, naming its source in the error. */
export function setLimit(limits: Limits, key: string, value: unknown, source: string): void {
  if (!(key in limits)) {
    throw new ConfigError(`${source}: unknown limit "${key}" (expected one of: ${Object.keys(limits).join(', ')})`);
  }
  const n = typeof value === 'string' ? Number(value) : value;
  const least = ZERO_ALLOWED.has(key) ? 0 : 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < least) {
    throw new ConfigError(`${source}: ${key} must be a whole number of at least ${least}, got ${JSON.stringify(value)}`);
  }
  limits[key as keyof Limits] = n;
}

function readConfigFile(path: string | undefined, cwd: string): ConfigFile {
  const file = resolve(cwd, path ?? 'fillflow.config.json');
  if (!existsSync(file)) {
    if (path !== undefined) throw new ConfigError(`config file not found: ${file}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  return parsed as ConfigFile;
}

function fillDefaults(v: { priority?: unknown; onQuotaExhausted?: unknown; maxConcurrentBatches?: unknown }): FillDefaults {
  const out: FillDefaults = {};
  if (v.priority !== undefined) {
    if (v.priority !== 'interactive' && v.priority !== 'bulk') throw new ConfigError(`fill.priority (--priority) must be "interactive" or "bulk", got ${JSON.stringify(v.priority)}`);
    out.priority = v.priority;
  }
  if (v.onQuotaExhausted !== undefined) {
    if (v.onQuotaExhausted !== 'wait' && v.onQuotaExhausted !== 'fallback') {
      throw new ConfigError(`fill.onQuotaExhausted (--on-quota-exhausted) must be "wait" or "fallback", got ${JSON.stringify(v.onQuotaExhausted)}`);
    }
    out.onQuotaExhausted = v.onQuotaExhausted;
  }
  if (v.maxConcurrentBatches !== undefined) {
    const n = typeof v.maxConcurrentBatches === 'string' ? Number(v.maxConcurrentBatches) : v.maxConcurrentBatches;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new ConfigError(`fill.maxConcurrentBatches (--max-concurrent-batches) must be a whole number of at least 1, got ${JSON.stringify(v.maxConcurrentBatches)}`);
    }
    out.maxConcurrentBatches = n;
  }
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function queueRateMode(v: string | undefined): QueueRateMode {
  if (v === undefined || v === 'ledger' || v === 'server') return v ?? 'ledger';
  throw new ConfigError(`queueRate (FILLFLOW_QUEUE_RATE, --queue-rate or the config file) must be "ledger" or "server", got "${v}"`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** An optional whole-number setting of at least `least` (0 or 1), its error naming the setting and the value. */
function intSetting(v: string | undefined, name: string, least: 0 | 1): number | undefined {
  if (nonEmpty(v) === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < least) {
    throw new ConfigError(`${name} must be a ${least === 1 ? 'positive whole number' : 'whole number (0 or more)'}, got "${v}"`);
  }
  return n;
}
