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
import { installRuntimeLogger } from '../../src/runtime/runtime-logger.js';
import { dynamicConfigArgs } from '../../src/temporal/dev-server.js';

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
  installRuntimeLogger();
  const path = await binaryPath(TEMPORAL_CLI_PATH_ENV, resolveTemporalCli);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ...(opts.searchAttributes ? { searchAttributes: opts.searchAttributes } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
      extraArgs: dynamicConfigArgs(opts.dynamicConfig),
    },
  });
}

/** The Java time-skipping test server, for tests that sleep through days. Call `teardown()` after. */
export async function createTimeSkippingTestEnv(): Promise<TestWorkflowEnvironment> {
  installRuntimeLogger();
  const path = await binaryPath(TEMPORAL_TEST_SERVER_PATH_ENV, resolveTestServer);
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}

/** The path global setup exported, or (when a file runs without it) a strict resolution of our own. */
async function binaryPath(envVar: string, resolve: typeof resolveTemporalCli): Promise<string> {
  const fromSetup = process.env[envVar];
  if (fromSetup) return fromSetup;
  const resolved: ResolvedBinary = await resolve({ sdkDownloadFallback: false });
  return executablePath(resolved);
}
