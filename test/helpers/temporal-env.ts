/** @module Test environments on the local Temporal binaries that test/global-setup.ts resolved. */
import { TestWorkflowEnvironment, type DevServerConfig } from '@temporalio/testing';
import {
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_TEST_SERVER_PATH_ENV,
  executablePath,
  resolveTemporalCli,
  resolveTestServer,
  type ResolvedBinary,
} from '../../src/temporal/binaries.js';
import { installRuntime } from '../../src/runtime/runtime.js';
import { dynamicConfigArgs } from '../../src/temporal/dev-server.js';
import { FILL_SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes.js';
import proto from '@temporalio/proto';

// A CommonJS package: Node's ESM loader (tsx) gives only its default export.
const { temporal } = proto;

/** The proto enum value for each search attribute type, as the operator API takes it. */
const INDEXED_VALUE_TYPE: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Options for {@link createLocalTestEnv}. */
export interface LocalTestEnvOptions {
  /** Custom search attributes to register, e.g. `defineSearchAttributeKey('FillStatus', 'KEYWORD')`. */
  searchAttributes?: DevServerConfig['searchAttributes'];
  /** Dynamic config merged over DEV_SERVER_DYNAMIC_CONFIG (one task-queue partition). */
  dynamicConfig?: Record<string, unknown>;
  /** @default 'default' */
  namespace?: string;
  /** SQLite file, for tests that restart the server. @default in memory */
  dbFilename?: string;
}

/**
 * A real dev server (random port, headless) through `TestWorkflowEnvironment.createLocal`.
 * Call `teardown()` in `afterAll`.
 *
 * Note: the SDK gives the server 5 s to come up, then fails with a startup timeout. On a loaded
 * machine use `startDevServer` (60 s) with `TestWorkflowEnvironment.createFromExistingServer`.
 */
export async function createLocalTestEnv(opts: LocalTestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  // The SDK's runtime is created with the environment; warnings only, or worker state chatter floods the output.
  installRuntime();
  const path = await binaryPath(TEMPORAL_CLI_PATH_ENV, resolveTemporalCli);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      // Fillflow's own search attributes always, so fills that publish them can start.
      searchAttributes: [...FILL_SEARCH_ATTRIBUTE_KEYS, ...(opts.searchAttributes ?? [])],
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
      extraArgs: dynamicConfigArgs(opts.dynamicConfig),
    },
  });
}

/** The Java time-skipping test server, for tests that sleep through days. Call `teardown()` after. */
export async function createTimeSkippingTestEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const path = await binaryPath(TEMPORAL_TEST_SERVER_PATH_ENV, resolveTestServer);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  // The test server starts with no custom search attributes; fills publish Fillflow's own.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(FILL_SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]!])),
  });
  return env;
}

/** The path global setup exported, or (when a file runs without it) a strict resolution of our own. */
async function binaryPath(envVar: string, resolve: typeof resolveTemporalCli): Promise<string> {
  const fromSetup = process.env[envVar];
  if (fromSetup) return fromSetup;
  const resolved: ResolvedBinary = await resolve({ sdkDownloadFallback: false });
  return executablePath(resolved);
}
