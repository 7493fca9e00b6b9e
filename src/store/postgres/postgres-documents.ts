/** @module The Postgres implementation of the documents part of the store: documents, their chunks with
 * character offsets, and BM25 over the chunks. Postgres' own ranking (`ts_rank_cd`) knows nothing of how rare
 * a word is, so BM25 is computed in SQL from a `tsvector` per chunk (GIN-indexed): term frequencies from its
 * positions, document frequencies, chunk count and mean length over the documents searched. */
import { createHash } from 'node:crypto';
import { checkChunks, toChunk, toRef, type ChunkRefRow, type ChunkRow } from '../chunk-rows.js';
import type { DocumentRecord, NewChunk, Store } from '../store.js';
import type { PgModule } from './postgres-modules.js';
import { TEXT_SEARCH_CONFIG, queryWords, searchableText } from './postgres-search-text.js';

type DocumentStore = Pick<
  Store,
  'putDocument' | 'getDocument' | 'getDocumentText' | 'listDocuments' | 'getChunks' | 'listChunks' | 'searchChunks'
>;

/** FTS5's defaults, so scores mean the same on both stores. */
const K1 = 1.2;
const B = 0.75;

interface DocumentRow {
  id: string;
  name: string;
  mime_type: string;
  length: number;
  created_at: Date;
}

interface HitRow extends ChunkRefRow {
  score: number;
}

const MIGRATIONS = [
  `
  CREATE TEXT SEARCH DICTIONARY ${TEXT_SEARCH_CONFIG}_stem (TEMPLATE = snowball, Language = english);
  CREATE TEXT SEARCH CONFIGURATION ${TEXT_SEARCH_CONFIG} (COPY = pg_catalog.simple);
  ALTER TEXT SEARCH CONFIGURATION ${TEXT_SEARCH_CONFIG}
    ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
    WITH ${TEXT_SEARCH_CONFIG}_stem;

  CREATE TABLE documents (
    id text PRIMARY KEY,
    name text NOT NULL,
    mime_type text NOT NULL,
    text text NOT NULL,
    length integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );

  -- terms: the chunk's words (see postgres-search-text.ts), stemmed. words: how many, BM25's document length.
  CREATE TABLE chunks (
    id text PRIMARY KEY,
    document_id text NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    page integer,
    text text NOT NULL,
    tokens integer NOT NULL,
    terms tsvector NOT NULL,
    words integer NOT NULL,
    UNIQUE (document_id, seq),
    CHECK (start >= 0 AND "end" > start)
  );
  CREATE INDEX chunks_terms ON chunks USING gin (terms);
  `,
];

function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return { id: row.id, name: row.name, mimeType: row.mime_type, length: row.length, createdAt: row.created_at.toISOString() };
}

/** The shared chunk check, and what only Postgres refuses. */
function checkChunksForPostgres(name: string, text: string, chunks: readonly NewChunk[]): void {
  // Postgres text cannot hold U+0000 (ingestion strips it; a caller storing text directly must too).
  if (text.includes('\0')) throw new Error(`document "${name}": text contains a NUL character, which Postgres cannot store`);
  checkChunks(name, text, chunks);
}

/**
 * BM25 as FTS5 computes it (k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5) / (n + 0.5)), floored at 1e-6), with
 * N, n and the mean length taken over the chunks of the documents searched. FTS5 takes them over every chunk in
 * the file; here a fill's ranking depends on its own documents only, so what other fills stored in a shared
 * database cannot reorder it (and a fill of the same documents plans the same calls, for the answer cache).
 * Every chunk matching a word is found through the GIN index, then each word's frequency in it is the number of
 * its positions.
 */
const SEARCH = `
  WITH q AS (
    SELECT array_agg(DISTINCT lexeme) AS lexemes,
           string_agg(DISTINCT quote_literal(lexeme), ' | ')::tsquery AS query
    FROM unnest(to_tsvector('${TEXT_SEARCH_CONFIG}', $1::text))
  ),
  scope AS MATERIALIZED (
    SELECT count(*)::float8 AS n, coalesce(avg(words), 0)::float8 AS avgdl FROM chunks WHERE document_id = ANY($2::text[])
  ),
  hits AS MATERIALIZED (
    SELECT c.id, c.document_id, c.seq, c.tokens, c.words, t.lexeme, coalesce(cardinality(t.positions), 1)::float8 AS f
    FROM chunks c CROSS JOIN q
      -- Only the query's lexemes: weighted A by setweight, kept by ts_filter, so unnest spreads out a few, not all.
      CROSS JOIN LATERAL unnest(ts_filter(setweight(c.terms, 'A', q.lexemes), '{a}')) AS t
    WHERE c.document_id = ANY($2::text[]) AND c.terms @@ q.query
  ),
  df AS MATERIALIZED (
    SELECT lexeme, count(*)::float8 AS n FROM hits GROUP BY lexeme
  )
  SELECT h.id, h.document_id, h.seq, h.tokens,
    sum(greatest(ln((s.n - df.n + 0.5) / (df.n + 0.5)), 1e-6) * h.f * ${K1 + 1}
        / (h.f + ${K1} * (${1 - B} + ${B} * h.words / greatest(s.avgdl, 1e-9)))) AS score
  FROM hits h JOIN df USING (lexeme) CROSS JOIN scope s
  GROUP BY h.id, h.document_id, h.seq, h.tokens
  ORDER BY score DESC, h.document_id COLLATE "C", h.seq
  LIMIT $3`;

export const postgresDocuments: PgModule<DocumentStore> = {
  name: 'documents',
  migrations: MIGRATIONS,
  create(db) {
    return {
      async putDocument(doc, chunks) {
        checkChunksForPostgres(doc.name, doc.text, chunks);
        const id = createHash('sha256').update(doc.text, 'utf8').digest('hex');
        const searchable = chunks.map((c) => searchableText(c.text));
        return db.tx(async (q) => {
          // ON CONFLICT DO NOTHING waits for a concurrent insert of the same id to commit or roll back, so two
          // processes storing the same text cannot both insert its chunks.
          const inserted = await q.query<DocumentRow>(
            `INSERT INTO documents (id, name, mime_type, text, length) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO NOTHING RETURNING id, name, mime_type, length, created_at`,
            [id, doc.name, doc.mimeType, doc.text, doc.text.length],
          );
          const row = inserted[0];
          if (!row) {
            const [existing] = await q.query<DocumentRow>('SELECT id, name, mime_type, length, created_at FROM documents WHERE id = $1', [id]);
            return toDocumentRecord(existing!);
          }
          if (chunks.length > 0) {
            await q.query(
              `INSERT INTO chunks (id, document_id, seq, start, "end", page, text, tokens, terms, words)
               SELECT $1 || ':' || c.seq, $1, c.seq, c.start, c."end", c.page, c.text, c.tokens,
                      to_tsvector('${TEXT_SEARCH_CONFIG}', c.searchable), c.words
               FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::text[], $7::int[], $8::text[], $9::int[])
                 AS c(seq, start, "end", page, text, tokens, searchable, words)`,
              [
                id,
                chunks.map((c) => c.seq),
                chunks.map((c) => c.start),
                chunks.map((c) => c.end),
                chunks.map((c) => c.page ?? null),
                chunks.map((c) => c.text),
                chunks.map((c) => c.tokens),
                searchable.map((s) => s.text),
                searchable.map((s) => s.words),
              ],
            );
          }
          return toDocumentRecord(row);
        });
      },
      async getDocument(id) {
        const [row] = await db.query<DocumentRow>('SELECT id, name, mime_type, length, created_at FROM documents WHERE id = $1', [id]);
        return row ? toDocumentRecord(row) : undefined;
      },
      async getDocumentText(id) {
        const [row] = await db.query<{ text: string }>('SELECT text FROM documents WHERE id = $1', [id]);
        return row?.text;
      },
      async listDocuments() {
        const rows = await db.query<DocumentRow>('SELECT id, name, mime_type, length, created_at FROM documents ORDER BY created_at, id COLLATE "C"');
        return rows.map(toDocumentRecord);
      },
      async getChunks(ids) {
        if (ids.length === 0) return [];
        const rows = await db.query<ChunkRow>(
          'SELECT id, document_id, seq, start, "end", page, text, tokens FROM chunks WHERE id = ANY($1::text[])',
          [[...new Set(ids)]],
        );
        const byId = new Map(rows.map((row) => [row.id, toChunk(row)]));
        return ids.flatMap((id) => byId.get(id) ?? []);
      },
      async listChunks(documentIds) {
        const unique = [...new Set(documentIds)];
        if (unique.length === 0) return [];
        // Ordered by the position of each document in the list asked for, then by position within it.
        const rows = await db.query<ChunkRefRow>(
          `SELECT c.id, c.document_id, c.seq, c.tokens
           FROM unnest($1::text[]) WITH ORDINALITY AS d(id, ord) JOIN chunks c ON c.document_id = d.id
           ORDER BY d.ord, c.seq`,
          [unique],
        );
        return rows.map((row) => toRef(row, 0));
      },
      async searchChunks(query, documentIds, limit) {
        const words = queryWords(query);
        const max = Math.floor(limit);
        if (words.length === 0 || documentIds.length === 0 || !(max > 0)) return [];
        const rows = await db.query<HitRow>(SEARCH, [words.join(' '), [...new Set(documentIds)], max]);
        return rows.map((row) => toRef(row, row.score));
      },
    };
  },
};
