/** @module The Postgres store's parts and their versioned migrations. Each part owns its tables and records its
 * schema version in `module_versions`, as the SQLite store's parts do; every pending migration runs at open, in
 * one transaction under an advisory lock, so workers starting together neither race nor half-migrate. */
import type { PgDb, PgQueryable } from './postgres-db.js';

/** What the server offers beyond PostgreSQL 15 and pgvector's basics, detected at open. */
export interface PgFeatures {
  /** `server_version_num`, e.g. 150018. */
  serverVersionNum: number;
  /** The installed pgvector version, e.g. `0.8.0`. */
  vectorVersion: string;
  /** pgvector ≥ 0.7: `halfvec`, so vectors of up to 4,000 dimensions can have an HNSW index. */
  halfvec: boolean;
  /** pgvector ≥ 0.8: `hnsw.iterative_scan`, so a filtered index scan keeps going until it has enough rows. */
  iterativeScan: boolean;
}

/** What a part is built with besides its connection pool. */
export interface PgPartContext {
  features: PgFeatures;
  /**
   * Vector search over at most this many chunks scans them exactly; over more, it walks the space's HNSW index.
   * @default 20_000
   */
  exactVectorScanLimit: number;
}

/** A part of the Postgres store: its migrations and the methods it adds to the store. */
export interface PgModule<T extends object> {
  /** Names the part in `module_versions`; never renamed once shipped. */
  name: string;
  /** Append only: entry i moves the part from version i to i + 1. A shipped entry is never edited. */
  migrations: readonly string[];
  create(db: PgDb, context: PgPartContext): T;
}

/** One part's schema version before and after {@link migrateModules}. */
export interface MigrationReport {
  name: string;
  from: number;
  to: number;
}

/** First key of the two-key advisory lock the migrations hold; the second is the schema's hash. */
const MIGRATION_LOCK = 0x66_6c_66_6d; // "flfm"

/**
 * Brings every part up to date. Reads the versions first without a lock, so opening an up-to-date store waits
 * for nobody; otherwise takes a transaction-level advisory lock keyed by the schema (released at COMMIT or
 * ROLLBACK, never left behind by a crashed worker), reads the versions again, and runs what is still pending.
 * DDL is transactional in Postgres: a failed migration leaves the schema as it was.
 */
export async function migrateModules(db: PgDb, modules: readonly Pick<PgModule<object>, 'name' | 'migrations'>[]): Promise<MigrationReport[]> {
  const before = await readVersions(db);
  if (modules.every((m) => (before.get(m.name) ?? 0) >= m.migrations.length)) {
    return modules.map((m) => ({ name: m.name, from: before.get(m.name) ?? 0, to: before.get(m.name) ?? 0 }));
  }
  return db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [MIGRATION_LOCK]);
    await q.query('CREATE TABLE IF NOT EXISTS module_versions (name text PRIMARY KEY, version integer NOT NULL)');
    const current = await readVersions(q);
    const report: MigrationReport[] = [];
    for (const m of modules) {
      const from = current.get(m.name) ?? 0;
      for (let v = from; v < m.migrations.length; v++) {
        await q.query(m.migrations[v] as string);
        await q.query(
          'INSERT INTO module_versions (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
          [m.name, v + 1],
        );
      }
      report.push({ name: m.name, from, to: Math.max(from, m.migrations.length) });
    }
    return report;
  });
}

async function readVersions(q: PgQueryable): Promise<Map<string, number>> {
  const [table] = await q.query<{ exists: boolean }>("SELECT to_regclass('module_versions') IS NOT NULL AS exists");
  if (!table?.exists) return new Map();
  const rows = await q.query<{ name: string; version: number }>('SELECT name, version FROM module_versions');
  return new Map(rows.map((r) => [r.name, r.version]));
}
