/** @module The SQLite implementation of the documents part of the store: documents, their chunks, and BM25
 * search over the chunks with FTS5. Its tables are the baseline's (see sqlite-store.ts). */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SqliteModule } from './sqlite-modules.js';
import { checkChunks, toChunk, toRef, type ChunkRefRow, type ChunkRow } from './chunk-rows.js';
import type { DocumentRecord, NewChunk, Store } from './store.js';

type DocumentStore = Pick<
  Store,
  'putDocument' | 'getDocument' | 'getDocumentText' | 'listDocuments' | 'getChunks' | 'listChunks' | 'searchChunks'
>;

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

interface HitRow extends ChunkRefRow {
  rank: number;
}

function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return { id: row.id, name: row.name, mimeType: row.mime_type, length: row.length, createdAt: row.created_at };
}

function prepare(db: Database.Database) {
  return {
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
  };
}

function createDocuments(db: Database.Database): DocumentStore {
  const sql = prepare(db);
  const storeDocument = db.transaction(
    (id: string, doc: { name: string; mimeType: string; text: string }, chunks: NewChunk[]): DocumentRow => {
      const existing = sql.documentById.get(id);
      if (existing) return existing;
      const createdAt = new Date().toISOString();
      sql.insertDocument.run(id, doc.name, doc.mimeType, doc.text, doc.text.length, createdAt);
      for (const c of chunks) {
        sql.insertChunk.run(`${id}:${c.seq}`, id, c.seq, c.start, c.end, c.page ?? null, c.text, c.tokens);
      }
      return { id, name: doc.name, mime_type: doc.mimeType, length: doc.text.length, created_at: createdAt };
    },
  );

  return {
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
      return sql.chunksOfDocuments.all(JSON.stringify(unique)).map((row) => toRef(row, 0));
    },
    async searchChunks(query, documentIds, limit) {
      const match = toFtsQuery(query);
      const max = Math.floor(limit);
      if (match === undefined || documentIds.length === 0 || !(max > 0)) return [];
      return sql.search.all(match, JSON.stringify([...new Set(documentIds)]), max).map((row) => toRef(row, -row.rank));
    },
  };
}

export const sqliteDocuments: SqliteModule<DocumentStore> = {
  name: 'documents',
  // The tables (documents, chunks, chunks_fts and its triggers) are the baseline's; changes to them go here.
  migrations: [],
  create: createDocuments,
};
