/** @module `fillflow db migrate [--json]`: brings the store at FILLFLOW_DB up to date and says what ran. Every
 * process also migrates when it opens the store; this runs it ahead of a deploy, once, where it can be watched. */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config.js';
import { parseStoreLocation } from '../store/open-store.js';
import { PgDb } from '../store/postgres/postgres-db.js';
import { migratePostgres, redactUrl } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { CliError, ExitCode } from './cli-error.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

/** One part's schema version before and after. */
interface PartVersion {
  name: string;
  from: number;
  to: number;
}

export async function dbCommand(action: string | undefined, opts: { json?: boolean }, io: Io): Promise<number> {
  if (action !== 'migrate') throw new CliError(`db: expected migrate, got "${action ?? ''}"`);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const where = parseStoreLocation(config.dbPath);
  const report =
    where.kind === 'postgres'
      ? { store: 'postgres', location: redactUrl(where.url), parts: await migrateOnPostgres(where.url) }
      : { store: 'sqlite', location: where.path, parts: await migrateSqlite(where.path) };
  if (opts.json) {
    io.stdout(JSON.stringify(report));
    return ExitCode.ok;
  }
  const ran = report.parts.filter((p) => p.to > p.from);
  io.stdout(`${report.store} store at ${report.location}: ${ran.length === 0 ? 'up to date' : `migrated ${ran.length} part(s)`}`);
  for (const p of report.parts) io.stdout(`  ${p.name}: version ${p.to}${p.to > p.from ? ` (was ${p.from})` : ''}`);
  return ExitCode.ok;
}

async function migrateOnPostgres(url: string): Promise<PartVersion[]> {
  // One connection, and no long retry: an operator running this wants the failure at once.
  const db = new PgDb({ url, poolSize: 1, retryForMs: 5_000, log: () => undefined });
  try {
    return await migratePostgres(db);
  } catch (err) {
    throw new CliError(`could not migrate the Postgres store at ${redactUrl(url)}: ${(err as Error).message}`, ExitCode.unavailable);
  } finally {
    await db.close();
  }
}

/** Opening the SQLite store migrates it; the versions are read before and after from its `module_versions`. */
async function migrateSqlite(path: string): Promise<PartVersion[]> {
  if (path === ':memory:') throw new CliError('db migrate: FILLFLOW_DB is :memory:, which keeps nothing to migrate');
  const before = existsSync(path) ? sqliteVersions(path) : new Map<string, number>();
  await openSqliteStore(path).close();
  const after = sqliteVersions(path);
  return [...after].map(([name, to]) => ({ name, from: before.get(name) ?? 0, to }));
}

function sqliteVersions(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const versions = new Map<string, number>([['baseline', db.pragma('user_version', { simple: true }) as number]]);
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'module_versions'").get();
    if (table) {
      for (const row of db.prepare<[], { name: string; version: number }>('SELECT name, version FROM module_versions ORDER BY name').all()) {
        versions.set(row.name, row.version);
      }
    }
    return versions;
  } finally {
    db.close();
  }
}
