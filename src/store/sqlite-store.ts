/** @module The embedded Store: one SQLite file in WAL mode, shared safely by the CLI, workers and the API. */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { FillResult, TemplateSpec } from '../core/types.js';
import type {
  CachedAnswer,
  Chunk,
  ChunkHit,
  DocumentRecord,
  FillRecord,
  NewChunk,
  Store,
  UsageEvent,
  UsageTotals,
} from './store.js';
import { installModule } from './sqlite-modules.js';
import { sqliteEmbeddings } from './sqlite-embeddings.js';
import { sqliteFieldMemory } from './sqlite-field-memory.js';
import { sqliteOutputs } from './sqlite-outputs.js';
import { sqliteQuotaLedger } from './sqlite-quota-ledger.js';

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * How long a write waits for another process's write lock before failing with SQLITE_BUSY.
   * @default 10000
   */
  busyTimeoutMs?: number;
}

/**
 * Each entry moves the schema from version `index` to `index + 1`; `PRAGMA user_version` records how many
 * have run. Append only: a shipped entry is never edited, because files in the field already ran it.
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

/** Common English words that would only add noise to a BM25 query. */
const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between ' +
    'both but by can could did do does doing down during each few for from further had has have having he her ' +
    'here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not ' +
    'now of off on once only or other our ours ourselves out over own same she should so some such than that ' +
    'the their theirs them themselves then there these they this those through to too under until up very was ' +
    'we were what when where which while who whom why will with would you your yours yourself yourselves'
  ).split(' '),
);

/** Long pasted text would otherwise become a query FTS5 spends real time on, for no better ranking. */
const MAX_QUERY_TERMS = 64;

/**
 * Turns arbitrary user text into an FTS5 query that cannot be a syntax error: every term is a quoted string
 * of letters and digits, so `NEAR`, `AND`, colons, quotes and parentheses lose their meaning as operators.
 * Terms are ORed so a chunk matching some of them still ranks; BM25 rewards the ones matching more.
 * Returns `undefined` when nothing searchable is left.
 *
 * @example toFtsQuery('Invoice "number": (NEAR)') // '"invoice" OR "number" OR "near"'
 */
export function toFtsQuery(text: string): string | undefined {
  // No Unicode normalisation here: the index stores the text as written, and the query must tokenize alike.
  const words = (text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).filter(
    (word) => /[\p{L}\p{N}]/u.test(word),
  );
  const content = words.filter((word) => !STOPWORDS.has(word));
  // A query made only of stopwords ("to", "the who") still means something to the person who typed it.
  const terms = [...new Set(content.length > 0 ? content : words)].slice(0, MAX_QUERY_TERMS);
  if (terms.length === 0) return undefined;
  return terms.map((term) => `"${term}"`).join(' OR ');
}

interface DocumentRow {
  id: string;
  name: string;
  mime_type: string;
  length: number;
  created_at: string;
}

interface ChunkRow {
  id: string;
  document_id: string;
  seq: number;
  start: number;
  end: number;
  page: number | null;
  text: string;
  tokens: number;
}

interface HitRow {
  id: string;
  document_id: string;
  seq: number;
  tokens: number;
  rank: number;
}

interface FillRow {
  fill_id: string;
  template_id: string;
  document_ids: string;
  status: string;
  result: string | null;
  created_at: string;
  updated_at: string;
}

interface CacheRow {
  text: string;
  prompt_tokens: number;
  output_tokens: number;
  finish_reason: string;
}

interface TotalsRow {
  api_calls: number;
  cache_hits: number;
  prompt_tokens: number;
  output_tokens: number;
  rate_limited: number;
  retries: number;
  errors: number;
  fields_asked: number;
  quota_wait_ms: number;
  parked_ms: number;
}

function now(): string {
  return new Date().toISOString();
}

function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return { id: row.id, name: row.name, mimeType: row.mime_type, length: row.length, createdAt: row.created_at };
}

function toChunk(row: ChunkRow): Chunk {
  const chunk: Chunk = {
    id: row.id,
    documentId: row.document_id,
    seq: row.seq,
    start: row.start,
    end: row.end,
    text: row.text,
    tokens: row.tokens,
  };
  if (row.page !== null) chunk.page = row.page;
  return chunk;
}

function toFillRecord(row: FillRow): FillRecord {
  const fill: FillRecord = {
    fillId: row.fill_id,
    templateId: row.template_id,
    documentIds: JSON.parse(row.document_ids) as string[],
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.result !== null) fill.result = JSON.parse(row.result) as FillResult;
  return fill;
}

/** Catches a chunker bug here, where it names the chunk, rather than later as a quote that cannot be found. */
function checkChunks(name: string, text: string, chunks: NewChunk[]): void {
  for (const chunk of chunks) {
    const where = `document "${name}", chunk ${chunk.seq}`;
    if (!Number.isInteger(chunk.seq) || chunk.seq < 0) throw new Error(`${where}: seq must be a non-negative integer`);
    if (!Number.isInteger(chunk.start) || !Number.isInteger(chunk.end) || chunk.start < 0 || chunk.end <= chunk.start) {
      throw new Error(`${where}: offsets [${chunk.start}, ${chunk.end}) are not a non-empty range`);
    }
    if (chunk.end > text.length) {
      throw new Error(`${where}: ends at ${chunk.end}, past the text's ${text.length} characters`);
    }
    if (text.slice(chunk.start, chunk.end) !== chunk.text) {
      throw new Error(`${where}: text differs from the document text at [${chunk.start}, ${chunk.end})`);
    }
  }
}

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

/**
 * Opens (creating it and its folder if needed) the SQLite store at `path`.
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
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });

  const db = new Database(path);
  // The busy timeout comes first so that even switching to WAL waits for a concurrent opener.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 10_000))}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const sql = {
    documentById: db.prepare<[string], DocumentRow>(
      'SELECT id, name, mime_type, length, created_at FROM documents WHERE id = ?',
    ),
    documentText: db.prepare<[string], { text: string }>('SELECT text FROM documents WHERE id = ?'),
    documents: db.prepare<[], DocumentRow>(
      'SELECT id, name, mime_type, length, created_at FROM documents ORDER BY created_at, id',
    ),
    insertDocument: db.prepare<[string, string, string, string, number, string]>(
      'INSERT INTO documents (id, name, mime_type, text, length, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertChunk: db.prepare<[string, string, number, number, number, number | null, string, number]>(
      'INSERT INTO chunks (id, document_id, seq, start, "end", page, text, tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    chunksByIds: db.prepare<[string], ChunkRow>(
      `SELECT id, document_id, seq, start, "end", page, text, tokens FROM chunks
       WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    // Ordered by the position of each document in the list asked for, then by position within it.
    chunksOfDocuments: db.prepare<[string], HitRow>(
      `SELECT c.id, c.document_id, c.seq, c.tokens, 0 AS rank
       FROM json_each(?) AS d JOIN chunks AS c ON c.document_id = d.value
       ORDER BY d.key, c.seq`,
    ),
    // bm25() is lower-is-better; ties fall back to document and position so results are stable.
    search: db.prepare<[string, string, number], HitRow>(
      `SELECT c.id, c.document_id, c.seq, c.tokens, bm25(chunks_fts) AS rank
       FROM chunks_fts JOIN chunks AS c ON c.pk = chunks_fts.rowid
       WHERE chunks_fts MATCH ? AND c.document_id IN (SELECT value FROM json_each(?))
       ORDER BY rank, c.document_id, c.seq
       LIMIT ?`,
    ),
    upsertTemplate: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO templates (id, name, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, updated_at = excluded.updated_at`,
    ),
    templateById: db.prepare<[string], { spec: string }>('SELECT spec FROM templates WHERE id = ?'),
    templates: db.prepare<[], { id: string; name: string; fields: number }>(
      `SELECT id, name, json_array_length(spec, '$.fields') AS fields FROM templates ORDER BY name, id`,
    ),
    // An activity retried after a lost reply calls this again; the first record stands.
    insertFill: db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO fills (fill_id, template_id, document_ids, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fill_id) DO NOTHING`,
    ),
    updateFill: db.prepare<[string, string | null, string, string]>(
      'UPDATE fills SET status = ?, result = coalesce(?, result), updated_at = ? WHERE fill_id = ?',
    ),
    fillById: db.prepare<[string], FillRow>('SELECT * FROM fills WHERE fill_id = ?'),
    cacheGet: db.prepare<[string], CacheRow>(
      'SELECT text, prompt_tokens, output_tokens, finish_reason FROM answer_cache WHERE key = ?',
    ),
    cachePut: db.prepare<[string, string, number, number, string, string]>(
      `INSERT OR REPLACE INTO answer_cache (key, text, prompt_tokens, output_tokens, finish_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    cacheSize: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM answer_cache'),
    insertUsage: db.prepare<
      [string, string, string, string | null, number | null, number | null, number | null, string]
    >(
      `INSERT INTO usage_events (fill_id, batch_id, kind, detail, prompt_tokens, output_tokens, fields, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Tokens and fields count only on api_call events: a cache hit or a retry marker spent nothing by itself.
    // The (? IS NULL OR ...) form keeps one statement for "all fills" and "one fill".
    totals: db.prepare<[string | null, string | null], TotalsRow>(
      `SELECT
         count(*) FILTER (WHERE kind = 'api_call') AS api_calls,
         count(*) FILTER (WHERE kind = 'cache_hit') AS cache_hits,
         coalesce(sum(prompt_tokens) FILTER (WHERE kind = 'api_call'), 0) AS prompt_tokens,
         coalesce(sum(output_tokens) FILTER (WHERE kind = 'api_call'), 0) AS output_tokens,
         count(*) FILTER (WHERE kind = 'rate_limited') AS rate_limited,
         count(*) FILTER (WHERE kind = 'retry') AS retries,
         count(*) FILTER (WHERE kind = 'error') AS errors,
         coalesce(sum(fields) FILTER (WHERE kind = 'api_call'), 0) AS fields_asked,
         coalesce(sum(CAST(detail AS INTEGER)) FILTER (WHERE kind = 'quota_wait'), 0) AS quota_wait_ms,
         coalesce(sum(CAST(detail AS INTEGER)) FILTER (WHERE kind = 'parked'), 0) AS parked_ms
       FROM usage_events WHERE (? IS NULL OR fill_id = ?)`,
    ),
    rateLimitedByKind: db.prepare<[string | null, string | null], { kind: string; n: number }>(
      `SELECT coalesce(detail, 'unknown') AS kind, count(*) AS n FROM usage_events
       WHERE kind = 'rate_limited' AND (? IS NULL OR fill_id = ?)
       GROUP BY 1 ORDER BY 1`,
    ),
  };

  const storeDocument = db.transaction(
    (id: string, doc: { name: string; mimeType: string; text: string }, chunks: NewChunk[]): DocumentRow => {
      const existing = sql.documentById.get(id);
      if (existing) return existing;
      const createdAt = now();
      sql.insertDocument.run(id, doc.name, doc.mimeType, doc.text, doc.text.length, createdAt);
      for (const c of chunks) {
        sql.insertChunk.run(`${id}:${c.seq}`, id, c.seq, c.start, c.end, c.page ?? null, c.text, c.tokens);
      }
      return { id, name: doc.name, mime_type: doc.mimeType, length: doc.text.length, created_at: createdAt };
    },
  );

  const toHit = (row: HitRow, score: number): ChunkHit => ({
    chunkId: row.id,
    documentId: row.document_id,
    seq: row.seq,
    score,
    tokens: row.tokens,
  });

  // Each part brings its own tables and methods; see sqlite-modules.ts.
  const parts = {
    ...installModule(db, sqliteEmbeddings),
    ...installModule(db, sqliteOutputs),
    ...installModule(db, sqliteQuotaLedger),
    ...installModule(db, sqliteFieldMemory),
  };

  return {
    ...parts,
    async putDocument(doc, chunks) {
      checkChunks(doc.name, doc.text, chunks);
      const id = createHash('sha256').update(doc.text, 'utf8').digest('hex');
      // Immediate takes the write lock before the existence check, so two processes storing the same
      // text cannot both find it missing; and the busy timeout applies, which it does not to a lock upgrade.
      return toDocumentRecord(storeDocument.immediate(id, doc, chunks));
    },

    async getDocument(id) {
      const row = sql.documentById.get(id);
      return row ? toDocumentRecord(row) : undefined;
    },

    async getDocumentText(id) {
      return sql.documentText.get(id)?.text;
    },

    async listDocuments() {
      return sql.documents.all().map(toDocumentRecord);
    },

    async getChunks(ids) {
      if (ids.length === 0) return [];
      const byId = new Map(sql.chunksByIds.all(JSON.stringify(ids)).map((row) => [row.id, toChunk(row)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async listChunks(documentIds) {
      const unique = [...new Set(documentIds)];
      if (unique.length === 0) return [];
      return sql.chunksOfDocuments.all(JSON.stringify(unique)).map((row) => toHit(row, 0));
    },

    async searchChunks(query, documentIds, limit) {
      const match = toFtsQuery(query);
      const max = Math.floor(limit);
      if (match === undefined || documentIds.length === 0 || !(max > 0)) return [];
      return sql.search.all(match, JSON.stringify([...new Set(documentIds)]), max).map((row) => toHit(row, -row.rank));
    },

    async putTemplate(spec: TemplateSpec) {
      const at = now();
      sql.upsertTemplate.run(spec.id, spec.name, JSON.stringify(spec), at, at);
    },

    async getTemplate(id) {
      const row = sql.templateById.get(id);
      return row ? (JSON.parse(row.spec) as TemplateSpec) : undefined;
    },

    async listTemplates() {
      return sql.templates.all();
    },

    async createFill(fill) {
      const at = now();
      sql.insertFill.run(fill.fillId, fill.templateId, JSON.stringify(fill.documentIds), 'running', at, at);
    },

    async updateFill(fillId, update) {
      const result = update.result === undefined ? null : JSON.stringify(update.result);
      const { changes } = sql.updateFill.run(update.status, result, now(), fillId);
      if (changes === 0) throw new Error(`fill "${fillId}" is not in the store; createFill must come first`);
    },

    async getFill(fillId) {
      const row = sql.fillById.get(fillId);
      return row ? toFillRecord(row) : undefined;
    },

    async cacheGet(key) {
      const row = sql.cacheGet.get(key);
      if (!row) return undefined;
      return {
        text: row.text,
        promptTokens: row.prompt_tokens,
        outputTokens: row.output_tokens,
        finishReason: row.finish_reason,
      };
    },

    async cachePut(key, answer: CachedAnswer) {
      sql.cachePut.run(key, answer.text, answer.promptTokens, answer.outputTokens, answer.finishReason, now());
    },

    async cacheSize() {
      return sql.cacheSize.get()?.n ?? 0;
    },

    async recordUsage(event: UsageEvent) {
      sql.insertUsage.run(
        event.fillId,
        event.batchId,
        event.kind,
        event.detail ?? null,
        event.promptTokens ?? null,
        event.outputTokens ?? null,
        event.fields ?? null,
        event.at ?? now(),
      );
    },

    async usageTotals(fillId): Promise<UsageTotals> {
      const key = fillId ?? null;
      const row = sql.totals.get(key, key);
      const rateLimitedByKind: Record<string, number> = {};
      for (const { kind, n } of sql.rateLimitedByKind.all(key, key)) rateLimitedByKind[kind] = n;
      return {
        apiCalls: row?.api_calls ?? 0,
        cacheHits: row?.cache_hits ?? 0,
        promptTokens: row?.prompt_tokens ?? 0,
        outputTokens: row?.output_tokens ?? 0,
        rateLimited: row?.rate_limited ?? 0,
        rateLimitedByKind,
        retries: row?.retries ?? 0,
        errors: row?.errors ?? 0,
        fieldsAsked: row?.fields_asked ?? 0,
        quotaWaitMs: row?.quota_wait_ms ?? 0,
        parkedMs: row?.parked_ms ?? 0,
      };
    },

    async close() {
      if (db.open) db.close();
    },
  };
}
