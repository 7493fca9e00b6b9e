/** @module `npm run db:start` / `npm run db:stop` (`tsx scripts/postgres.ts start|stop|status`): a private
 * PostgreSQL with pgvector for development and tests, installed through the registries when the machine has
 * none. `start` prints the URL to put in FILLFLOW_DB on stdout; progress goes to stderr. FILLFLOW_PG_ROOT (with
 * FILLFLOW_PG_PORT) names another folder to keep a second, separate server's data and instance file in, so a test
 * can stop and start a server of its own without touching the one everybody shares. */
import { findPackageRoot } from '../src/temporal/binaries.js';
import { DEV_DATABASE, localUrl, runningInstance, startLocalPostgres, stopLocalPostgres } from './postgres/local-server.js';

async function main(action: string | undefined): Promise<number> {
  const root = process.env.FILLFLOW_PG_ROOT?.trim() || findPackageRoot();
  switch (action) {
    case 'start': {
      const started = Date.now();
      const { server, startedHere, timings } = await startLocalPostgres({ root });
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.error(
        startedHere
          ? `postgres: ${server.version} with pgvector on 127.0.0.1:${server.port}, data in ${server.dataDir} ` +
              `(install ${seconds(timings.install)}, initdb ${seconds(timings.initdb)}, start ${seconds(timings.start)}; ${seconds(Date.now() - started)} in all)`
          : `postgres: already running on 127.0.0.1:${server.port} (data in ${server.dataDir})`,
      );
      console.log(localUrl(server, DEV_DATABASE));
      return 0;
    }
    case 'stop': {
      const stopped = await stopLocalPostgres({ root });
      console.error(stopped ? 'postgres: stopped' : 'postgres: was not running');
      return 0;
    }
    case 'status': {
      const server = await runningInstance(root);
      if (!server) {
        console.error('postgres: not running (npm run db:start starts it)');
        return 3;
      }
      console.error(`postgres: running on 127.0.0.1:${server.port} (${server.version}), data in ${server.dataDir}`);
      console.log(localUrl(server, DEV_DATABASE));
      return 0;
    }
    default:
      console.error('usage: tsx scripts/postgres.ts start|stop|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`postgres: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
