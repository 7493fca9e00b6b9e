/** @module The Postgres implementation of the embeddings part of the store: pgvector columns, and an HNSW index
 * per embedding space (endpoint, model, dimensions).
 *
 * One `vector` column holds every space's vectors, so it has no fixed dimension, and pgvector can only index a
 * column whose dimension is fixed. Each space therefore gets a partial expression index,
 * `USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE endpoint = … AND model = … AND dims = 768`,
 * created the first time the space stores a vector: the cast gives the index its dimension, the predicate keeps
 * other spaces' vectors out of its graph (so filtering by space costs the walk nothing), and a query that repeats
 * the cast and the predicate uses it. Over 2,000 dimensions (pgvector's limit for `vector`) the index casts to
 * `halfvec` (up to 4,000, pgvector ≥ 0.7); past that a space is searched exactly.
 *
 * A fill searches its own documents, a few thousand chunks, which an exact scan ranks in milliseconds and
 * without an approximate index's misses; so the index is walked only when the documents searched hold more
 * chunks than {@link PgPartContext.exactVectorScanLimit}, with pgvector 0.8's iterative scan so the document
 * filter cannot leave it short. */
import { createHash } from 'node:crypto';
import type { EmbeddingSpace } from '../../core/chunk-ref.js';
import type { ChunkToEmbed, EmbeddingStore } from '../embedding-store.js';
import type { PgDb, PgQueryable } from './postgres-db.js';
import type { PgFeatures, PgModule, PgPartContext } from './postgres-modules.js';

/** pgvector's HNSW limits: `vector` up to 2,000 dimensions, `halfvec` up to 4,000. */
const VECTOR_INDEX_MAX_DIMS = 2_000;
const HALFVEC_INDEX_MAX_DIMS = 4_000;
/** pgvector's largest `hnsw.ef_search`. */
const MAX_EF_SEARCH = 1_000;

function queryKey(space: EmbeddingSpace, text: string): string {
  return createHash('sha256').update(JSON.stringify([space.endpoint, space.model, space.dimensions, text])).digest('hex');
}

/** pgvector's text form; `[1,2,3]` needs no client library. */
function toVectorText(vector: number[]): string {
  return `[${vector.join(',')}]`;
}

function fromVectorText(text: string): number[] {
  return JSON.parse(text) as number[];
}

/** A string as an SQL literal, for the DDL and predicates that cannot take parameters. */
function literal(value: string): string {
  if (value.includes('\0')) throw new Error('an embedding space name cannot contain NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

/** How a space's vectors are indexed, or undefined when pgvector cannot index that many dimensions. */
function indexType(dimensions: number, features: PgFeatures): 'vector' | 'halfvec' | undefined {
  if (dimensions <= VECTOR_INDEX_MAX_DIMS) return 'vector';
  if (dimensions <= HALFVEC_INDEX_MAX_DIMS && features.halfvec) return 'halfvec';
  return undefined;
}

/** The index's name: a hash of the space, since endpoints are URLs and names are at most 63 bytes. */
export function spaceIndexName(space: EmbeddingSpace): string {
  const hash = createHash('sha256').update(JSON.stringify([space.endpoint, space.model, space.dimensions])).digest('hex');
  return `chunk_embeddings_hnsw_${hash.slice(0, 20)}`;
}

/** The SQL that selects a space's rows, literally, so the planner can match the partial index's predicate. */
function spacePredicate(space: EmbeddingSpace, alias: string): string {
  return `${alias}.endpoint = ${literal(space.endpoint)} AND ${alias}.model = ${literal(space.model)} AND ${alias}.dims = ${space.dimensions}`;
}

function check(space: EmbeddingSpace, vector: number[]): void {
  if (!Number.isInteger(space.dimensions) || space.dimensions < 1) throw new Error(`embedding dimensions must be a positive whole number, got ${space.dimensions}`);
  if (vector.length !== space.dimensions) {
    throw new Error(`embedding has ${vector.length} dimensions, expected ${space.dimensions} for ${space.model} at ${space.endpoint}`);
  }
  if (!vector.every(Number.isFinite)) throw new Error(`embedding for ${space.model} at ${space.endpoint} holds a value that is not a finite number`);
}

/**
 * Nearest chunks of the documents `$2`, exactly: the column is compared uncast, an expression no index has, so
 * the planner scans the documents' vectors. Parameters: `$1` the query vector (text), `$2` document ids, `$3` limit.
 */
export function exactSearchSql(space: EmbeddingSpace): string {
  return `SELECT c.id, c.document_id, c.seq, c.tokens, e.embedding <=> $1::vector AS distance
    FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id
    WHERE ${spacePredicate(space, 'e')} AND c.document_id = ANY($2::text[])
    ORDER BY distance, c.document_id COLLATE "C", c.seq
    LIMIT $3`;
}

/** The same through the space's HNSW index: its cast and its predicate, repeated so the planner matches them. */
export function indexSearchSql(space: EmbeddingSpace, type: 'vector' | 'halfvec'): string {
  const cast = `${type}(${space.dimensions})`;
  return `SELECT * FROM (
      SELECT c.id, c.document_id, c.seq, c.tokens, (e.embedding::${cast}) <=> $1::${cast} AS distance
      FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id
      WHERE ${spacePredicate(space, 'e')} AND c.document_id = ANY($2::text[])
      ORDER BY (e.embedding::${cast}) <=> $1::${cast}
      LIMIT $3
    ) AS nearest
    ORDER BY distance, document_id COLLATE "C", seq`;
}

interface HitRow {
  id: string;
  document_id: string;
  seq: number;
  tokens: number;
  distance: number;
}

const MIGRATIONS = [
  `
  CREATE TABLE chunk_embeddings (
    chunk_id text NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    endpoint text NOT NULL,
    model text NOT NULL,
    dims integer NOT NULL,
    embedding vector NOT NULL,
    PRIMARY KEY (chunk_id, endpoint, model, dims),
    CHECK (vector_dims(embedding) = dims)
  );
  -- key: sha256 of the endpoint, model, size and text (see queryKey).
  CREATE TABLE query_embeddings (
    key text PRIMARY KEY,
    endpoint text NOT NULL,
    model text NOT NULL,
    dims integer NOT NULL,
    text text NOT NULL,
    embedding vector NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  `,
];

export const postgresEmbeddings: PgModule<EmbeddingStore> = {
  name: 'embeddings',
  migrations: MIGRATIONS,
  create: (db, context) => createEmbeddings(db, context),
};

function createEmbeddings(db: PgDb, { features, exactVectorScanLimit }: PgPartContext): EmbeddingStore {
  /** Spaces whose index this process has made sure of. */
  const indexed = new Set<string>();

  const ensureIndex = async (space: EmbeddingSpace): Promise<void> => {
    const name = spaceIndexName(space);
    const type = indexType(space.dimensions, features);
    if (indexed.has(name) || type === undefined) return;
    await db.tx(async (q) => {
      // Two workers storing a new space's first vectors would otherwise race to create the same index.
      await q.query('SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext($1))', [name]);
      await q.query(
        `CREATE INDEX IF NOT EXISTS ${name} ON chunk_embeddings
         USING hnsw ((embedding::${type}(${space.dimensions})) ${type}_cosine_ops) WHERE ${spacePredicate(space, 'chunk_embeddings')}`,
      );
    });
    indexed.add(name);
  };

  const exactSearch = (q: PgQueryable, space: EmbeddingSpace, vector: string, documentIds: string[], limit: number) =>
    q.query<HitRow>(exactSearchSql(space), [vector, documentIds, limit]);

  const indexSearch = (space: EmbeddingSpace, type: 'vector' | 'halfvec', vector: string, documentIds: string[], limit: number) =>
    db.tx(async (q) => {
      await q.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.min(MAX_EF_SEARCH, Math.max(40, limit * 2)))]);
      // Relaxed order: the walk goes on past rows the document filter drops; the outer ORDER BY restores exact order.
      if (features.iterativeScan) await q.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      const rows = await q.query<HitRow>(indexSearchSql(space, type), [vector, documentIds, limit]);
      // Without iterative scans (pgvector < 0.8) a selective filter can leave the walk short: rank exactly instead.
      return rows.length >= limit || features.iterativeScan ? rows : exactSearch(q, space, vector, documentIds, limit);
    });

  return {
    async chunksWithoutEmbedding(space, documentIds): Promise<ChunkToEmbed[]> {
      const unique = [...new Set(documentIds)];
      if (unique.length === 0) return [];
      const rows = await db.query<{ id: string; text: string }>(
        `SELECT c.id, c.text FROM unnest($1::text[]) WITH ORDINALITY AS d(id, ord) JOIN chunks c ON c.document_id = d.id
         WHERE NOT EXISTS (SELECT 1 FROM chunk_embeddings e
                           WHERE e.chunk_id = c.id AND e.endpoint = $2 AND e.model = $3 AND e.dims = $4)
         ORDER BY d.ord, c.seq`,
        [unique, space.endpoint, space.model, space.dimensions],
      );
      return rows.map((r) => ({ chunkId: r.id, text: r.text }));
    },
    async putChunkEmbeddings(space, entries) {
      for (const e of entries) check(space, e.vector);
      if (entries.length === 0) return;
      await ensureIndex(space);
      // One row per chunk: a chunk given twice keeps its last vector, as row-by-row replacement would.
      const byChunk = new Map(entries.map((e) => [e.chunkId, e.vector]));
      await db.query(
        `INSERT INTO chunk_embeddings (chunk_id, endpoint, model, dims, embedding)
         SELECT chunk_id, $2, $3, $4, embedding::vector FROM unnest($1::text[], $5::text[]) AS v(chunk_id, embedding)
         ON CONFLICT (chunk_id, endpoint, model, dims) DO UPDATE SET embedding = excluded.embedding`,
        [[...byChunk.keys()], space.endpoint, space.model, space.dimensions, [...byChunk.values()].map(toVectorText)],
      );
    },
    async getQueryEmbeddings(space, texts) {
      const found = new Map<string, number[]>();
      if (texts.length === 0) return found;
      const keys = new Map(texts.map((text) => [queryKey(space, text), text]));
      const rows = await db.query<{ key: string; embedding: string }>(
        'SELECT key, embedding::text AS embedding FROM query_embeddings WHERE key = ANY($1::text[])',
        [[...keys.keys()]],
      );
      const byKey = new Map(rows.map((r) => [r.key, fromVectorText(r.embedding)]));
      // In the order asked, as the SQLite store returns them.
      for (const [key, text] of keys) {
        const vector = byKey.get(key);
        if (vector) found.set(text, vector);
      }
      return found;
    },
    async putQueryEmbeddings(space, entries) {
      for (const e of entries) check(space, e.vector);
      if (entries.length === 0) return;
      // One row per key: a text given twice keeps its last vector, as row-by-row replacement would.
      const byKey = new Map(entries.map((e) => [queryKey(space, e.text), e]));
      await db.query(
        `INSERT INTO query_embeddings (key, endpoint, model, dims, text, embedding)
         SELECT key, $2, $3, $4, text, embedding::vector FROM unnest($1::text[], $5::text[], $6::text[]) AS v(key, text, embedding)
         ON CONFLICT (key) DO UPDATE SET embedding = excluded.embedding, created_at = now()`,
        [
          [...byKey.keys()],
          space.endpoint,
          space.model,
          space.dimensions,
          [...byKey.values()].map((e) => e.text),
          [...byKey.values()].map((e) => toVectorText(e.vector)),
        ],
      );
    },
    async searchByVector(space, vector, documentIds, limit) {
      check(space, vector);
      const max = Math.floor(limit);
      const unique = [...new Set(documentIds)];
      if (unique.length === 0 || !(max > 0)) return [];
      const text = toVectorText(vector);
      const type = indexType(space.dimensions, features);
      let rows: HitRow[];
      if (type === undefined) {
        rows = await exactSearch(db, space, text, unique, max);
      } else {
        const [scope] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks WHERE document_id = ANY($1::text[])', [unique]);
        rows = (scope?.n ?? 0) <= exactVectorScanLimit ? await exactSearch(db, space, text, unique, max) : await indexSearch(space, type, text, unique, max);
      }
      return rows.map((r) => ({ chunkId: r.id, documentId: r.document_id, seq: r.seq, tokens: r.tokens, score: 1 - r.distance }));
    },
  };
}
