/** @module A store file as the release before endpoints were recorded left it: the baseline (user_version 1)
 * and the parts' tables at the versions then shipped, written out here as they were, not read from the
 * source, so a shipped migration edited since shows up as a schema that no longer matches. */
import Database from 'better-sqlite3';

const BASELINE = `
  CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    text TEXT NOT NULL,
    length INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
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
`;

const PARTS = `
  CREATE TABLE chunk_embeddings (
    chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    dims INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (chunk_id, model, dims)
  );
  CREATE TABLE query_embeddings (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    dims INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE template_sources (
    template_id TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    field_names TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE outputs (
    fill_id TEXT PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    template_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE quota_calls (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    reconciled INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX quota_calls_window ON quota_calls (key_id, model, at_ms);
  CREATE INDEX quota_calls_day ON quota_calls (key_id, model, day);
  CREATE TABLE quota_buckets (
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    rate_factor REAL NOT NULL DEFAULT 1,
    last_limited_ms INTEGER,
    limited_day TEXT,
    limited_today INTEGER NOT NULL DEFAULT 0,
    exhausted_day TEXT,
    resumed_day TEXT,
    PRIMARY KEY (key_id, model)
  );
  CREATE TABLE quota_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE field_quotes (
    template_id TEXT NOT NULL,
    field_key TEXT NOT NULL,
    quote TEXT NOT NULL,
    document_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (template_id, field_key, quote)
  );
  CREATE INDEX field_quotes_newest ON field_quotes (template_id, field_key, seq DESC);
  CREATE TABLE field_quote_choices (
    template_id TEXT NOT NULL,
    field_key TEXT NOT NULL,
    document_set TEXT NOT NULL,
    quotes TEXT NOT NULL,
    PRIMARY KEY (template_id, field_key, document_set)
  );
  CREATE TABLE module_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
  INSERT INTO module_versions (name, version) VALUES ('embeddings', 1), ('outputs', 1), ('quota-ledger', 2), ('field-memory', 1);
`;

/** The part versions that release recorded, by part name. */
export const SHIPPED_PART_VERSIONS = { embeddings: 1, outputs: 1, 'quota-ledger': 2, 'field-memory': 1 } as const;

/** Creates a store file at `path` with that release's schema, and returns it open for the caller to fill. */
export function createShippedStore(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(BASELINE);
  db.pragma('user_version = 1');
  db.exec(PARTS);
  return db;
}
