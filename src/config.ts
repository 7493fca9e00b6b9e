/** @module Loads Fillflow's configuration once: profile, then config file, then environment, then
 * explicit overrides. Nothing else reads `process.env`; everything receives the frozen result. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_FILL_OPTIONS } from './core/fill-options.js';
import { CURRENT_MODEL_OUTPUT_TOKENS } from './core/model-limits.js';
import { GEMINI_TASK_QUEUE, TASK_QUEUE } from './core/task-queues.js';
import { findPackageRoot } from './temporal/binaries.js';
import { temporalProfile } from './temporal-connection.js';
import type { PriceTable } from './bulk/price-table.js';

/**
 * Most fields in one call (a ceiling: the answer and input budgets usually bind first). 200 is the largest
 * form Fillflow is made for, so such a form goes in one call when its answers and documents fit: measured with
 * `npm run bench`, its expected answer (about 95 tokens a field, Gemini's real ones nearer 35) is under a third
 * of a current Flash model's 65,536-token limit. The old 15 was the replaced system's rule of thumb.
 */
const BATCH_CEILING = DEFAULT_FILL_OPTIONS.maxBatchSize;

export const PROFILES = {
  /** Free tier: one call at a time, large batches, few calls. */
  conservative: {
    concurrency: 1,
    requestsPerMinute: 10,
    tokensPerMinute: 250_000,
    requestsPerDay: 250,
    maxBatchSize: BATCH_CEILING,
    maxInputTokens: 32_000,
    maxOutputTokens: CURRENT_MODEL_OUTPUT_TOKENS,
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
  /** Paid tier: more calls in flight, smaller batches that answer sooner (half the answer of the largest form). */
  aggressive: {
    concurrency: 8,
    requestsPerMinute: 1_000,
    tokensPerMinute: 4_000_000,
    requestsPerDay: 100_000,
    maxBatchSize: BATCH_CEILING / 2,
    maxInputTokens: 16_000,
    maxOutputTokens: CURRENT_MODEL_OUTPUT_TOKENS,
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
  /**
   * Most connections to a Postgres store (FILLFLOW_DB a postgres:// URL) each process holds; SQLite ignores it.
   * From FILLFLOW_DB_POOL_SIZE. @default 10
   */
  dbPoolSize: number;
  apiPort: number;
  /**
   * The address the API binds to, and the name it answers to (FILLFLOW_API_HOST). Beyond loopback the API
   * refuses to start without apiToken. IPv6 without brackets. @default '127.0.0.1'
   */
  apiHost: string;
  /**
   * Further names clients use in `Host` (FILLFLOW_API_ALLOWED_HOSTS): `name` for any port (a reverse proxy's
   * public name), `name:port` for that port only. Lower case, IPv6 in brackets. @default []
   */
  apiAllowedHosts: readonly string[];
  /** Web origins whose pages may use the API, with CORS (FILLFLOW_API_CORS_ORIGINS). @default [] (CORS off) */
  apiCorsOrigins: readonly string[];
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
  /**
   * Payload encryption (src/codec/): set when FILLFLOW_ENCRYPTION_KEY or FILLFLOW_ENCRYPTION_OLD_KEYS is, and then
   * every Temporal connection this process makes encrypts with the current key and decrypts with any key held.
   */
  encryption?: EncryptionSettings;
  /** `fillflow codec-server`, and the one `fillflow dev` starts for the Temporal UI when encryption is on. */
  codecServer: CodecServerSettings;
  /** Bulk fills (docs/bulk.md): the config file's `bulk`, and FILLFLOW_BULK_WINDOW. */
  bulk: BulkSettings;
  /** Worker versioning (docs/deploying.md): the deployment version every worker of this process polls as. */
  versioning: VersioningSettings;
  /**
   * `IP:port` where the process serves Prometheus metrics at `/metrics`: the Temporal SDK's and Fillflow's
   * (docs/metrics.md). From FILLFLOW_METRICS_ADDRESS, e.g. `0.0.0.0:9464` or `[::]:9464`. @default none: no metrics
   */
  metricsAddress?: string;
}

/**
 * Which Temporal worker deployment version this process's workers are, and what a workflow they start is bound to.
 * The server routes a new workflow to the deployment's current version; a PINNED one stays on the version it
 * started on until it closes (with its children, its continue-as-new runs and its activities).
 */
export interface VersioningSettings {
  /** One per Fillflow installation in a namespace (FILLFLOW_DEPLOYMENT_NAME, or the config file's `versioning.deploymentName`). @default 'fillflow' */
  deploymentName: string;
  /** The code's identity (FILLFLOW_BUILD_ID). @default package.json's version, so a release is a new version */
  buildId: string;
  /**
   * What a workflow these workers start is bound to (FILLFLOW_VERSIONING_BEHAVIOR `pinned` | `auto-upgrade`, or the config
   * file's `versioning.behavior`). PINNED: a fill parked for a day finishes on the code it started on, so the old
   * version's workers run until it drains. AUTO_UPGRADE: running fills move to each new current version at their next
   * task, which is safe only for changes made with `patched()` and checked by the replay tests. @default 'PINNED'
   */
  behavior: VersioningBehaviorSetting;
}

export type VersioningBehaviorSetting = 'PINNED' | 'AUTO_UPGRADE';

export interface BulkSettings {
  /** Rows in flight at once. @default sized to the quota (src/bulk/window-size.ts) */
  window?: number;
  /** Over the built-in price table (src/bulk/price-table.ts): models added or replaced, its date, route shares. */
  prices?: Partial<PriceTable>;
}

/** One AES-256 key and the ID its payloads carry in their `encryption-key-id` metadata. */
export interface EncryptionKey {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

export interface EncryptionSettings {
  /** The key new payloads are encrypted with; absent, payloads are written in clear and old ones still decrypt. */
  current?: EncryptionKey;
  /** Keys that only decrypt: those payloads written before a rotation carry (FILLFLOW_ENCRYPTION_OLD_KEYS). */
  older: readonly EncryptionKey[];
}

export interface CodecServerSettings {
  /** From FILLFLOW_CODEC_PORT. @default 8081 */
  port: number;
  /** Browser origins allowed to call it (the Temporal UI's), from FILLFLOW_CODEC_CORS_ORIGINS. @default the dev server's UI */
  corsOrigins: readonly string[];
}

/** The origins the dev server's UI is served from (`fillflow dev` and `fillflow server` put it on port 8233). */
export const DEFAULT_CODEC_CORS_ORIGINS: readonly string[] = ['http://127.0.0.1:8233', 'http://localhost:8233'];

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
  bulk?: unknown;
  versioning?: { deploymentName?: unknown; behavior?: unknown };
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
  // TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, else a temporal.toml profile that TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE
  // names (src/temporal-connection.ts); no address from either means standalone.
  const temporal = temporalProfileSetting(env);
  const address = nonEmpty(temporal.address);
  const config: FillflowConfig = {
    gemini: {
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      model: nonEmpty(env.GEMINI_MODEL) ?? file.model ?? DEFAULT_MODEL,
      timeoutMs: intSetting(env.GEMINI_TIMEOUT_MS, 'GEMINI_TIMEOUT_MS', 1) ?? 120_000,
    },
    temporal: {
      ...(address !== undefined ? { address } : {}),
      namespace: nonEmpty(temporal.namespace) ?? 'default',
      taskQueue: TASK_QUEUE,
      geminiTaskQueue: GEMINI_TASK_QUEUE,
    },
    dbPath: overrides.dbPath ?? nonEmpty(env.FILLFLOW_DB) ?? resolve(cwd, '.fillflow', 'fillflow.db'),
    dbPoolSize: intSetting(env.FILLFLOW_DB_POOL_SIZE, 'FILLFLOW_DB_POOL_SIZE', 1) ?? DEFAULT_DB_POOL_SIZE,
    apiPort: intSetting(env.FILLFLOW_API_PORT, 'FILLFLOW_API_PORT', 1) ?? 8080,
    apiHost: apiHost(env.FILLFLOW_API_HOST),
    apiAllowedHosts: Object.freeze(listSetting(env.FILLFLOW_API_ALLOWED_HOSTS).map(allowedHost)),
    apiCorsOrigins: Object.freeze(listSetting(env.FILLFLOW_API_CORS_ORIGINS).map(corsOrigin)),
    ...(apiToken !== undefined ? { apiToken } : {}),
    profile,
    limits,
    queueRate: queueRateMode(overrides.queueRate ?? env.FILLFLOW_QUEUE_RATE ?? file.queueRate),
    fill: fillDefaults({ ...file.fill, ...definedOnly(overrides.fill ?? {}) }),
    fieldMemory: intSetting(env.FILLFLOW_FIELD_MEMORY, 'FILLFLOW_FIELD_MEMORY', 0) ?? DEFAULT_FIELD_MEMORY,
    ...encryptionPart(env),
    codecServer: {
      port: intSetting(env.FILLFLOW_CODEC_PORT, 'FILLFLOW_CODEC_PORT', 1) ?? 8081,
      corsOrigins: originList(env.FILLFLOW_CODEC_CORS_ORIGINS, 'FILLFLOW_CODEC_CORS_ORIGINS') ?? DEFAULT_CODEC_CORS_ORIGINS,
    },
    bulk: bulkSettings(file.bulk, env),
    versioning: versioningSettings(file.versioning, env),
    ...metricsPart(env.FILLFLOW_METRICS_ADDRESS),
  };
  return Object.freeze(config);
}

/**
 * FILLFLOW_METRICS_ADDRESS, checked as the exporter will read it: an IP address (IPv6 in brackets) and a port. The
 * exporter binds no host names, and port 0 would listen where no scraper could know to look.
 */
function metricsPart(v: string | undefined): { metricsAddress?: string } {
  const raw = nonEmpty(v);
  if (raw === undefined) return {};
  const m = /^(\[([^\]]+)\]|[^:\[\]]+):(\d{1,5})$/.exec(raw);
  const ip = m ? (m[2] ?? m[1]!) : undefined;
  const port = m ? Number(m[3]) : NaN;
  const family = ip === undefined ? 0 : isIP(ip);
  // IPv4 without brackets, IPv6 only within them.
  if (!m || family === 0 || (family === 6) !== (m[2] !== undefined) || port < 1 || port > 65_535) {
    throw new ConfigError(
      `FILLFLOW_METRICS_ADDRESS must be IP:port to serve metrics on (0.0.0.0:9464 for every interface, 127.0.0.1:9464 for this machine, [::]:9464 for IPv6), got "${raw}"`,
    );
  }
  return { metricsAddress: raw };
}

/** The config file's `bulk` ({ window?, prices? }) and FILLFLOW_BULK_WINDOW (which wins), checked. */
function bulkSettings(v: unknown, env: Record<string, string | undefined>): BulkSettings {
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) throw new ConfigError('config file bulk must be an object { window?, prices? }');
  const o = (v ?? {}) as { window?: unknown; prices?: unknown };
  const out: BulkSettings = {};
  const window = intSetting(env.FILLFLOW_BULK_WINDOW, 'FILLFLOW_BULK_WINDOW', 1) ?? o.window;
  if (window !== undefined) {
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 500) throw new ConfigError(`bulk.window must be a whole number from 1 to 500, got ${JSON.stringify(window)}`);
    out.window = window;
  }
  if (o.prices !== undefined) {
    const p = o.prices as { asOf?: unknown; models?: unknown; routeShare?: unknown };
    const price = (x: unknown) => typeof x === 'object' && x !== null && ['input', 'output'].every((k) => typeof (x as Record<string, unknown>)[k] === 'number' && ((x as Record<string, number>)[k] ?? -1) >= 0);
    if (typeof p !== 'object' || p === null || (p.asOf !== undefined && typeof p.asOf !== 'string')) throw new ConfigError('bulk.prices must be an object { asOf?, models?, routeShare? }');
    if (p.models !== undefined && (typeof p.models !== 'object' || p.models === null || !Object.values(p.models).every(price))) {
      throw new ConfigError('bulk.prices.models must map model names to { "input": USD per million tokens, "output": USD per million tokens }');
    }
    out.prices = p as Partial<PriceTable>;
  }
  return out;
}

/**
 * The config file's `versioning` ({ deploymentName?, behavior? }) under FILLFLOW_DEPLOYMENT_NAME, FILLFLOW_BUILD_ID and
 * FILLFLOW_VERSIONING_BEHAVIOR. The server refuses a deployment name with a dot (it once separated name and build ID);
 * a colon separates them in the TemporalWorkerDeploymentVersion search attribute, so neither may hold one.
 */
function versioningSettings(v: ConfigFile['versioning'], env: Record<string, string | undefined>): VersioningSettings {
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) throw new ConfigError('config file versioning must be an object { deploymentName?, behavior? }');
  const fromFile = (key: 'deploymentName' | 'behavior'): string | undefined => {
    const value = v?.[key];
    if (value !== undefined && typeof value !== 'string') throw new ConfigError(`config file versioning.${key} must be a string, got ${JSON.stringify(value)}`);
    return value;
  };
  const deploymentName = nonEmpty(env.FILLFLOW_DEPLOYMENT_NAME) ?? fromFile('deploymentName') ?? 'fillflow';
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(deploymentName)) {
    throw new ConfigError(`deployment name (FILLFLOW_DEPLOYMENT_NAME or versioning.deploymentName) must be 1 to 100 letters, digits, dashes or underscores, got "${deploymentName}"`);
  }
  const buildId = nonEmpty(env.FILLFLOW_BUILD_ID) ?? packageVersion();
  if (!/^[A-Za-z0-9_.+-]{1,100}$/.test(buildId)) {
    throw new ConfigError(`FILLFLOW_BUILD_ID must be 1 to 100 letters, digits, dots, dashes, underscores or pluses, got "${buildId}"`);
  }
  const behavior = (nonEmpty(env.FILLFLOW_VERSIONING_BEHAVIOR) ?? fromFile('behavior') ?? 'pinned').toLowerCase();
  if (behavior !== 'pinned' && behavior !== 'auto-upgrade') {
    throw new ConfigError(`versioning behavior (FILLFLOW_VERSIONING_BEHAVIOR or versioning.behavior) must be "pinned" or "auto-upgrade", got "${behavior}"`);
  }
  return Object.freeze({ deploymentName, buildId, behavior: behavior === 'pinned' ? 'PINNED' : 'AUTO_UPGRADE' });
}

/** Fillflow's own version, from the package.json above this module (src/ under tsx, dist/src/ when compiled). */
function packageVersion(): string {
  const version: unknown = JSON.parse(readFileSync(join(findPackageRoot(), 'package.json'), 'utf8')).version;
  if (typeof version !== 'string' || version === '') throw new ConfigError('package.json has no version to use as the build ID; set FILLFLOW_BUILD_ID');
  return version;
}

/**
 * Quotes per field recalled from field memory. On CUAD (`npm run bench:eval`), 16 found more evidence than 8;
 * each is one more BM25 query per field, which costs milliseconds, not tokens.
 */
export const DEFAULT_FIELD_MEMORY = 16;

/** Postgres connections per process: enough for a worker's concurrent activities, few enough that a cluster of
 * workers stays well under a server's usual max_connections (100). */
export const DEFAULT_DB_POOL_SIZE = 10;

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

function temporalProfileSetting(env: Record<string, string | undefined>): { address?: string | undefined; namespace?: string | undefined } {
  try {
    return temporalProfile(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
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

function encryptionPart(env: Record<string, string | undefined>): { encryption?: EncryptionSettings } {
  const encryption = encryptionFromEnv(env);
  return encryption ? { encryption } : {};
}

/**
 * The payload keys from FILLFLOW_ENCRYPTION_KEY (base64 of 32 bytes), FILLFLOW_ENCRYPTION_KEY_ID (the ID payloads
 * carry; default `k-` and 12 hex digits of the key's SHA-256, never the key) and FILLFLOW_ENCRYPTION_OLD_KEYS
 * (`id:base64,id:base64`, keys that only decrypt). Exported apart from {@link loadConfig} for FillflowClient.connect,
 * which reads connection settings only. Error messages name the setting and never show a key.
 * @returns undefined when no key is set
 */
export function encryptionFromEnv(env: Record<string, string | undefined>): EncryptionSettings | undefined {
  const keyText = nonEmpty(env.FILLFLOW_ENCRYPTION_KEY);
  const keyId = nonEmpty(env.FILLFLOW_ENCRYPTION_KEY_ID);
  const oldText = nonEmpty(env.FILLFLOW_ENCRYPTION_OLD_KEYS);
  if (keyText === undefined && keyId !== undefined) throw new ConfigError('FILLFLOW_ENCRYPTION_KEY_ID is set but FILLFLOW_ENCRYPTION_KEY is not');
  if (keyText === undefined && oldText === undefined) return undefined;
  let current: EncryptionKey | undefined;
  if (keyText !== undefined) {
    const key = aesKey(keyText, 'FILLFLOW_ENCRYPTION_KEY');
    current = { id: keyId === undefined ? derivedKeyId(key) : checkedKeyId(keyId, 'FILLFLOW_ENCRYPTION_KEY_ID'), key };
  }
  const older: EncryptionKey[] = [];
  for (const [i, entry] of (oldText?.split(',') ?? []).entries()) {
    const item = entry.trim();
    if (item === '') continue;
    const where = `FILLFLOW_ENCRYPTION_OLD_KEYS entry ${i + 1}`;
    const colon = item.indexOf(':');
    if (colon < 0) throw new ConfigError(`${where} must be "id:base64-key"`);
    const id = checkedKeyId(item.slice(0, colon).trim(), `${where}'s id`);
    const key = aesKey(item.slice(colon + 1).trim(), where);
    const clash = [...(current ? [current] : []), ...older].find((k) => k.id === id);
    if (clash && !sameBytes(clash.key, key)) throw new ConfigError(`${where}: key id "${id}" is already used by another key`);
    if (!clash) older.push({ id, key });
  }
  return Object.freeze({ ...(current ? { current } : {}), older: Object.freeze(older) });
}

/** Base64 (standard or URL-safe) of exactly 32 bytes; the message says how to make one and never echoes the value. */
function aesKey(text: string, name: string): Uint8Array {
  const hint = `${name} must be base64 of exactly 32 bytes (make one with \`openssl rand -base64 32\`)`;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new ConfigError(`${hint}; it is not base64`);
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new ConfigError(`${hint}; it decodes to ${key.length} bytes`);
  return new Uint8Array(key);
}

function derivedKeyId(key: Uint8Array): string {
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

function checkedKeyId(id: string, name: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new ConfigError(`${name} must be 1 to 64 letters, digits, dots, dashes or underscores, got "${id}"`);
  return id;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A comma-separated list of http(s) origins (scheme, host, optional port; no path). */
function originList(v: string | undefined, name: string): string[] | undefined {
  if (nonEmpty(v) === undefined) return undefined;
  const origins = v!.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const o of origins) {
    if (!/^https?:\/\/[^\s/]+$/.test(o)) throw new ConfigError(`${name} must list origins like http://127.0.0.1:8233 (no path), got "${o}"`);
  }
  return origins;
}

/** A comma- or space-separated list setting, empty entries dropped. */
function listSetting(v: string | undefined): string[] {
  return (v ?? '').split(/[\s,]+/).filter((item) => item !== '');
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address or a DNS name, brackets of an IPv6 address removed; anything else is undefined. */
function hostName(v: string): string | undefined {
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  if (isIP(bare) !== 0) return bare.toLowerCase();
  return v === bare && DNS_NAME.test(v) ? v.toLowerCase() : undefined;
}

function apiHost(v: string | undefined): string {
  const raw = nonEmpty(v);
  if (raw === undefined) return '127.0.0.1';
  const host = hostName(raw);
  if (host !== undefined) return host;
  const hint = /^[a-z]+:\/\//i.test(raw)
    ? 'give the address alone, without a scheme'
    : /:\d+$/.test(raw) && hostName(raw.replace(/:\d+$/, '')) !== undefined
      ? 'give the address alone and the port in FILLFLOW_API_PORT'
      : 'give an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name';
  throw new ConfigError(`FILLFLOW_API_HOST must be the address to bind to; ${hint}, got "${raw}"`);
}

/** `name` or `name:port` as a Host header spells it: lower case, IPv6 in brackets. */
function allowedHost(entry: string): string {
  const refuse = (why: string) => new ConfigError(`FILLFLOW_API_ALLOWED_HOSTS: "${entry}" ${why}; list host names clients use, as name or name:port (e.g. fillflow.internal, 10.0.0.5:8080, [fd00::5])`);
  if (entry === '*') throw refuse('would accept any Host and turn off the DNS-rebinding check');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
  const name = m ? hostName(m[1]!) : undefined;
  if (!m || name === undefined) throw refuse('is not a host name');
  const bracketed = isIP(name) === 6 ? `[${name}]` : name;
  if (m[2] === undefined) return bracketed;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw refuse('has a port outside 1-65535');
  return `${bracketed}:${port}`;
}

/** An origin as browsers send it in `Origin`: scheme, host and a port other than the default. */
function corsOrigin(entry: string): string {
  const refuse = (why: string) => new ConfigError(`FILLFLOW_API_CORS_ORIGINS: "${entry}" ${why}; list origins such as https://app.example.com or http://localhost:3000`);
  if (entry === '*') throw refuse('would let every web site use the API');
  if (entry.toLowerCase() === 'null') throw refuse('would let any sandboxed frame or local file use the API');
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw refuse('is not an origin');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('is not an http or https origin');
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw refuse('has more than scheme, host and port (an origin has no path, query or credentials)');
  }
  return url.origin;
}
