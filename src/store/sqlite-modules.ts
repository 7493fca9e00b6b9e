/** @module Store parts: each owns its tables and keeps its own schema version in `module_versions`, so parts
 * grow independently of each other. The parts whose tables the baseline created (documents, templates, fills,
 * the answer cache, usage) count their versions from it: their first migration runs on the baseline's table. */
import type Database from 'better-sqlite3';

/** A part of the SQLite store: its migrations and the methods it adds to the store. */
export interface SqliteModule<T extends object> {
  /** Names the part in the `module_versions` table; never renamed once shipped. */
  name: string;
  /** Append only: entry i moves the part from version i to i + 1. */
  migrations: readonly string[];
  create(db: Database.Database): T;
}

/** Runs a part's pending migrations in one immediate transaction (two processes may open a new file at once). */
function migrateModule(db: Database.Database, name: string, migrations: readonly string[]): void {
  // Read first, outside any transaction: opening an up-to-date store must not wait for another writer's lock.
  if (currentVersion(db, name) >= migrations.length) return;
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS module_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const write = db.prepare('INSERT INTO module_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version');
    for (let v = currentVersion(db, name); v < migrations.length; v++) {
      db.exec(migrations[v] as string);
      write.run(name, v + 1);
    }
  }).immediate();
}

function currentVersion(db: Database.Database, name: string): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'module_versions'").get();
  if (!table) return 0;
  return db.prepare<[string], { version: number }>('SELECT version FROM module_versions WHERE name = ?').get(name)?.version ?? 0;
}

/** Migrates the part and returns its methods. */
export function installModule<T extends object>(db: Database.Database, mod: SqliteModule<T>): T {
  migrateModule(db, mod.name, mod.migrations);
  return mod.create(db);
}
