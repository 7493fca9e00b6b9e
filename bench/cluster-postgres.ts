/** @module Where the cluster benchmarks (bench:quota's process runs, bench:ledger) keep a Postgres store: the database
 * FILLFLOW_BENCH_PG_URL names, or else `fillflow_bench` on the private server `npm run db:start` runs (started here
 * when it is not running). Each run gets a schema of its own, dropped after, so no run sees another's ledger. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, startLocalPostgres } from '../scripts/postgres/local-server.js';
import { findPackageRoot } from '../src/temporal/binaries.js';

export interface BenchSchema {
  /** A postgres:// URL whose search_path starts with the new schema (FILLFLOW_DB for every process of the run). */
  url: string;
  drop(): Promise<void>;
}

async function benchDatabase(): Promise<string> {
  const given = process.env.FILLFLOW_BENCH_PG_URL?.trim();
  if (given) return given;
  const { server } = await startLocalPostgres({ root: findPackageRoot(), log: (line) => console.error(line) });
  return ensureDatabase(server, 'fillflow_bench');
}

/** A new empty schema in the benchmark database; tables go there, the `vector` type is found in public. */
export async function benchSchema(tag: string): Promise<BenchSchema> {
  const base = await benchDatabase();
  const schema = `bench_${tag}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
