/** @module The Store for clusters: PostgreSQL 15 or later with pgvector, shared by every worker, API and CLI of a
 * cluster. Opens a connection pool, checks the server, runs every part's pending migrations, and installs the
 * parts (one file each, mirroring the SQLite store's). */
import type { Store } from '../store.js';
import { postgresBulks } from './postgres-bulks.js';
import { PgDb, type PgRetryOptions } from './postgres-db.js';
import { postgresCache } from './postgres-cache.js';
import { postgresDocuments } from './postgres-documents.js';
import { postgresEmbeddings } from './postgres-embeddings.js';
import { postgresFieldMemory } from './postgres-field-memory.js';
import { postgresFills } from './postgres-fills.js';
import { migrateModules, type MigrationReport, type PgFeatures, type PgModule, type PgPartContext } from './postgres-modules.js';
import { postgresOutputs } from './postgres-outputs.js';
import { postgresQuotaLedger } from './postgres-quota-ledger.js';
import { postgresTemplates } from './postgres-templates.js';
import { postgresUsage } from './postgres-usage.js';

/** Options for {@link openPostgresStore}. */
export interface PostgresStoreOptions extends PgRetryOptions {
  /** Most connections this process holds (FILLFLOW_DB_POOL_SIZE). @default 10 */
  poolSize?: number;
  /** See {@link PgPartContext.exactVectorScanLimit}. @default 20_000 */
  exactVectorScanLimit?: number;
  /** Where a lost connection or a retry is reported. @default console.warn */
  log?: (line: string) => void;
}

/** The oldest server the store runs on (what managed Postgres services offer today). */
export const MIN_SERVER_VERSION_NUM = 150000;

/** Every part, in migration order: chunks come before the vectors that reference them. */
export const POSTGRES_PARTS = [
  postgresDocuments,
  postgresTemplates,
  postgresFills,
  postgresCache,
  postgresUsage,
  postgresEmbeddings,
  postgresOutputs,
  postgresQuotaLedger,
  postgresFieldMemory,
  postgresBulks,
] as const;

/** The parts' methods, all together: what installParts returns. */
type Parts = Omit<Store, 'close'>;

/** The URL without its password, for messages: a URL may carry credentials, a message may end up in a log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the Postgres URL in FILLFLOW_DB';
  }
}

/**
 * Checks the server (version, pgvector), creating the `vector` extension when it is available but not yet
 * created in this database. Throws with what to do when the server cannot hold the store.
 */
export async function checkServer(db: PgDb): Promise<PgFeatures> {
  const probe = async () =>
    (await db.query<{ server: number; installed: string | null; available: string | null }>(
      `SELECT current_setting('server_version_num')::int AS server,
         (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed,
         (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available`,
    ))[0]!;
  let found = await probe();
  if (found.server < MIN_SERVER_VERSION_NUM) {
    throw new Error(`the Fillflow store needs PostgreSQL 15 or later; this server is version ${formatVersionNum(found.server)}`);
  }
  if (found.installed === null) {
    if (found.available === null) {
      throw new Error(
        'pgvector is not installed on this PostgreSQL server (no "vector" extension available): install it ' +
          '(managed services offer it; on a machine of your own, `npm run db:start` sets up a local server with it)',
      );
    }
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Another process created it at the same moment: the probe below finds it.
      if (code !== '23505' && code !== '42710') {
        throw new Error(
          `could not create the pgvector extension in this database (${(err as Error).message}); ` +
            'a superuser (or your provider\'s admin role) must run CREATE EXTENSION vector in it once',
          { cause: err },
        );
      }
    }
    found = await probe();
  }
  const version = found.installed ?? '0';
  return {
    serverVersionNum: found.server,
    vectorVersion: version,
    halfvec: compareVersions(version, '0.7.0') >= 0,
    iterativeScan: compareVersions(version, '0.8.0') >= 0,
  };
}

/** Runs every part's pending migrations (what `fillflow db migrate` does); opening the store does the same. */
export async function migratePostgres(db: PgDb): Promise<MigrationReport[]> {
  await checkServer(db);
  return migrateModules(db, POSTGRES_PARTS);
}

function installParts(db: PgDb, context: PgPartContext): Parts {
  const install = <T extends object>(part: PgModule<T>): T => part.create(db, context);
  return {
    ...install(postgresDocuments),
    ...install(postgresTemplates),
    ...install(postgresFills),
    ...install(postgresCache),
    ...install(postgresUsage),
    ...install(postgresEmbeddings),
    ...install(postgresOutputs),
    ...install(postgresQuotaLedger),
    ...install(postgresFieldMemory),
    ...install(postgresBulks),
  };
}

/**
 * Opens the Postgres store at `url`, migrating its schema. The tables go into the first schema of the
 * connection's `search_path` (by default `public`; `?options=-c%20search_path%3Dfillflow,public` in the URL
 * picks another, and the `vector` type must be reachable on the path).
 *
 * Many processes on many machines may open the same database: migrations take an advisory lock, every write is
 * one statement or one short transaction, and the quota ledger locks one bucket's row per reservation. A
 * connection lost under a statement is retried on a new one (see {@link PgDb}).
 *
 * @throws when the server is older than PostgreSQL 15, lacks pgvector, or cannot be reached for
 *   `retryForMs`; the message never repeats the URL's password.
 * @example
 * const store = await openPostgresStore('postgres://fillflow@db.internal:5432/fillflow', { poolSize: 20 });
 */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const db = new PgDb({ url, ...opts });
  try {
    const features = await checkServer(db);
    await migrateModules(db, POSTGRES_PARTS);
    const parts = installParts(db, { features, exactVectorScanLimit: opts.exactVectorScanLimit ?? 20_000 });
    return {
      ...parts,
      async close() {
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new Error(`could not open the Postgres store at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
}

function formatVersionNum(n: number): string {
  return `${Math.floor(n / 10000)}.${n % 10000}`;
}

/** Compares dotted version strings numerically (`0.10.0` is after `0.8.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
