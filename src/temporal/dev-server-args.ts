/** @module The command line for `temporal server start-dev`, built from options as a pure function. */

/** Search attribute types as the CLI spells them in `--search-attribute Name=Type`. */
export type DevServerSearchAttributeType = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

const SEARCH_ATTRIBUTE_TYPES: ReadonlySet<string> = new Set<DevServerSearchAttributeType>([
  'Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList',
]);

/** The CLI's global `--log-level` values. */
export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

/**
 * Dynamic config every Fillflow dev server gets unless overridden.
 *
 * One read and one write partition per task queue, instead of the server's default of 4. The server
 * divides a task-queue rate limit L evenly across the P partitions, each with its own limiter, and
 * puts every task on a random partition. So with P = 4 the `fillflow-gemini` queue releases
 * P·(1 + ⌊L/P⌋) tasks at once after an idle spell (4 at L = 1/s, where one partition releases 2),
 * and runs below L whenever tasks land unevenly. With one partition the limit is the one configured,
 * which requests-per-minute quotas and the tests that measure them need (test/integration/quota-limits.test.ts
 * runs against a dev server started with these settings). Partitions and their limiters are the server's, not the SDK's.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // Fairness keys (one per API-key identity) share the Gemini queue between tenants; off by default in
  // every server release. It implies the new (priority) matcher, whose GCRA limiter enforces the queue's
  // rate limit with a 1 s burst window; checked with server 1.32.0 (CLI 1.9.1) by
  // test/integration/quota-limits.test.ts, which runs with this setting.
  'matching.enableFairness': true,
});

/** What {@link devServerArgs} turns into flags. */
export interface DevServerArgsOptions {
  /** Address the front end binds to. @default '127.0.0.1' */
  ip?: string;
  /** The gRPC port, already chosen (1–65535): picking a free one is the caller's job. */
  port: number;
  /** No web UI. Excludes `uiPort`. @default false */
  headless?: boolean;
  /** Web UI port. @default the CLI's own: port + 1000 */
  uiPort?: number;
  /**
   * A codec server the web UI decodes payloads through (`--ui-codec-endpoint`, CLI 1.x): the browser posts each
   * page's payloads to `<url>/decode`. Needs the UI, so excludes `headless`. @default none: the UI shows payloads as stored
   */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps state across restarts. @default in memory */
  dbFilename?: string;
  /** Namespace to create (`default` always exists too). @default 'default' */
  namespace?: string;
  /** Custom search attributes to register, by name. */
  searchAttributes?: Readonly<Record<string, DevServerSearchAttributeType>>;
  /**
   * Dynamic config, merged over {@link DEV_SERVER_DYNAMIC_CONFIG}. Values are JSON-encoded (so a
   * string arrives quoted, as the CLI requires); `undefined` drops a default.
   */
  dynamicConfig?: Readonly<Record<string, unknown>>;
  /** @default 'warn' */
  logLevel?: DevServerLogLevel;
}

/**
 * The arguments (after the executable) that start a dev server with these options.
 *
 * @example
 * devServerArgs({ port: 7233, headless: true })
 * // ['server', 'start-dev', '--ip', '127.0.0.1', '--port', '7233', '--headless', '--namespace', 'default',
 * //  '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', ..., '--log-level', 'warn']
 */
export function devServerArgs(opts: DevServerArgsOptions): string[] {
  checkPort('port', opts.port);
  if (opts.uiPort !== undefined) {
    if (opts.headless) throw new TypeError('devServerArgs: uiPort and headless exclude each other');
    checkPort('uiPort', opts.uiPort);
  }
  if (opts.uiCodecEndpoint !== undefined) {
    if (opts.headless) throw new TypeError('devServerArgs: uiCodecEndpoint needs the UI, and headless has none');
    if (!/^https?:\/\/[^\s]+$/.test(opts.uiCodecEndpoint)) {
      throw new TypeError(`devServerArgs: uiCodecEndpoint must be an http(s) URL, got ${JSON.stringify(opts.uiCodecEndpoint)}`);
    }
  }
  const args = ['server', 'start-dev', '--ip', opts.ip ?? '127.0.0.1', '--port', String(opts.port)];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (opts.uiCodecEndpoint !== undefined) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFilename !== undefined) args.push('--db-filename', opts.dbFilename);
  args.push('--namespace', opts.namespace ?? 'default');

  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    if (!name || name.includes('=')) throw new TypeError(`devServerArgs: bad search attribute name ${JSON.stringify(name)}`);
    if (!SEARCH_ATTRIBUTE_TYPES.has(type)) {
      throw new TypeError(
        `devServerArgs: search attribute ${name} has type ${JSON.stringify(type)}; ` +
          `expected one of ${[...SEARCH_ATTRIBUTE_TYPES].join(', ')}`,
      );
    }
    args.push('--search-attribute', `${name}=${type}`);
  }

  args.push(...dynamicConfigArgs(opts.dynamicConfig));
  args.push('--log-level', opts.logLevel ?? 'warn');
  return args;
}

/**
 * `--dynamic-config-value KEY=JSON` pairs for `overrides` merged over {@link DEV_SERVER_DYNAMIC_CONFIG}:
 * what `TestWorkflowEnvironment.createLocal` needs in `server.extraArgs` to match {@link devServerArgs}.
 */
export function dynamicConfigArgs(overrides: Readonly<Record<string, unknown>> = {}): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...overrides })) {
    if (value === undefined) continue;
    args.push('--dynamic-config-value', `${checkConfigKey(key)}=${encodeConfigValue(key, value)}`);
  }
  return args;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`devServerArgs: ${name} must be an integer from 1 to 65535, got ${port}`);
  }
}

function checkConfigKey(key: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new TypeError(`devServerArgs: bad dynamic config key ${JSON.stringify(key)}`);
  return key;
}

function encodeConfigValue(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`devServerArgs: dynamic config ${key} is not JSON-encodable: ${(err as Error).message}`);
  }
  // JSON.stringify returns undefined, not a string, for functions and symbols.
  if (json === undefined) throw new TypeError(`devServerArgs: dynamic config ${key} is not JSON-encodable`);
  return json;
}
