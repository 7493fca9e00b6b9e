/** @module The embedded Store: one SQLite file in WAL mode, shared safely by the CLI, workers and the API.
 * Opens the file, lays down the baseline schema and installs the store's parts, each with its own tables,
 * migrations and methods (see sqlite-modules.ts). */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { installModule } from './sqlite-modules.js';
import { sqliteBulks } from './sqlite-bulks.js';
import { sqliteCache } from './sqlite-cache.js';
import { sqliteDocuments } from './sqlite-documents.js';
import { sqliteEmbeddings } from './sqlite-embeddings.js';
import { sqliteFieldMemory } from './sqlite-field-memory.js';
import { sqliteFills } from './sqlite-fills.js';
import { sqliteOutputs } from './sqlite-outputs.js';
import { sqliteQuotaLedger } from './sqlite-quota-ledger.js';
import { sqliteTemplates } from './sqlite-templates.js';
import { sqliteUsage } from './sqlite-usage.js';
import type { Store } from './store.js';

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * How long a write waits for another process's write lock before failing with SQLITE_BUSY.
   * @default 10000
   */
  busyTimeoutMs?: number;
}

/**
 * The baseline: the core tables as first shipped. Each entry moves the schema from version `index` to
 * `index + 1`; `PRAGMA user_version` records how many have run. A shipped entry is never edited, because
 * files in the field already ran it.
 *
 * Closed: every table here now belongs to a store part (documents, chunks and chunks_fts to
 * sqlite-documents.ts, templates to sqlite-templates.ts, fills to sqlite-fills.ts, answer_cache to
 * sqlite-cache.ts, usage_events to sqlite-usage.ts), which changes it with its own migrations, run after
 * this baseline. Append nothing here.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    text TEXT NOT NULL,
    length INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );

  -- pk is an explicit rowid alias: the FTS index refers to it, and an implicit rowid may change on VACUUM.
  CREATE TABLE chunks (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    text TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    UNIQUE (document_id, seq),
    CHECK (start >= 0 AND "end" > start)
  );

  -- External content: the index holds no second copy of the text. Porter stemming lets "invoices" find "invoice".
  CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text,
    content = 'chunks',
    content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );

  CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text) VALUES (new.pk, new.text);
  END;

  CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.pk, old.text);
  END;

  CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE fills (
    fill_id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL,
    document_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE answer_cache (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    finish_reason TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE usage_events (
    id INTEGER PRIMARY KEY,
    fill_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT,
    prompt_tokens INTEGER,
    output_tokens INTEGER,
    fields INTEGER,
    at TEXT NOT NULL
  );
  CREATE INDEX usage_events_by_fill ON usage_events (fill_id);
  `,
];

function migrate(db: Database.Database): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() >= MIGRATIONS.length) return;
  // Immediate, and the version read again inside: two processes opening a new file at once must not both migrate.
  db.transaction(() => {
    for (let v = version(); v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  // The busy timeout comes first so that even switching to WAL waits for a concurrent opener.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The baseline first, then every part's own migrations: a part's first migration may change a baseline table. */
function installParts(db: Database.Database): Omit<Store, 'close'> {
  migrate(db);
  return {
    ...installModule(db, sqliteDocuments),
    ...installModule(db, sqliteTemplates),
    ...installModule(db, sqliteFills),
    ...installModule(db, sqliteCache),
    ...installModule(db, sqliteUsage),
    ...installModule(db, sqliteEmbeddings),
    ...installModule(db, sqliteOutputs),
    ...installModule(db, sqliteQuotaLedger),
    ...installModule(db, sqliteFieldMemory),
    ...installModule(db, sqliteBulks),
  };
}

/**
 * Opens (creating it and its folder if needed) the SQLite store at `path`, migrating an older file.
 *
 * Several processes may open the same file: WAL lets readers run beside the one writer, every write is a short
 * `BEGIN IMMEDIATE` transaction, and a writer that finds the lock taken waits up to `busyTimeoutMs`. The
 * driver is synchronous, so that wait blocks this process's event loop; keep transactions short.
 *
 * @example
 * const store = openSqliteStore('.fillflow/fillflow.db');
 * const hits = await store.searchChunks('invoice number', [docId], 5);
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const db = openDatabase(path, opts.busyTimeoutMs ?? 10_000);
  let parts: Omit<Store, 'close'>;
  try {
    parts = installParts(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    ...parts,
    async close() {
      if (db.open) db.close();
    },
  };
}
