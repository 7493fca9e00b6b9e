/** @module The SQLite implementation of the embeddings part of the store: float32 blobs, ranked inside SQLite
 * with sqlite-vec. Exact (brute-force) search over a fill's chunks: a fill's documents hold thousands of
 * chunks, not millions, and an exact scan needs no index tuning and can filter by document freely. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type { EmbeddingSpace } from '../core/chunk-ref.js';
import type { ChunkToEmbed, EmbeddingStore } from './embedding-store.js';
import type { SqliteModule } from './sqlite-modules.js';

const require = createRequire(import.meta.url);

function toBlob(vector: number[]): Buffer {
  const f = Float32Array.from(vector);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

function fromBlob(blob: Buffer): number[] {
  return Array.from(new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4));
}

function queryKey(space: EmbeddingSpace, text: string): string {
  return createHash('sha256').update(JSON.stringify([space.endpoint, space.model, space.dimensions, text])).digest('hex');
}

/**
 * Loads sqlite-vec into the connection. If its native extension cannot load on this platform, the same SQL
 * function is registered in JavaScript, so search still works (more slowly) rather than failing the fill.
 */
function loadVectorFunctions(db: Database.Database): 'sqlite-vec' | 'javascript' {
  try {
    (require('sqlite-vec') as { load(db: unknown): void }).load(db);
    return 'sqlite-vec';
  } catch {
    db.function('vec_distance_cosine', { deterministic: true }, (a: unknown, b: unknown) => {
      const x = fromBlob(a as Buffer);
      const y = fromBlob(b as Buffer);
      let dot = 0;
      let nx = 0;
      let ny = 0;
      for (let i = 0; i < x.length; i++) {
        dot += x[i]! * y[i]!;
        nx += x[i]! * x[i]!;
        ny += y[i]! * y[i]!;
      }
      return nx === 0 || ny === 0 ? 1 : 1 - dot / Math.sqrt(nx * ny);
    });
    return 'javascript';
  }
}

export const sqliteEmbeddings: SqliteModule<EmbeddingStore> = {
  name: 'embeddings',
  migrations: [
    `
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
    `,
    // Vectors are kept per endpoint as well (EmbeddingSpace.endpoint). The endpoint that made the vectors
    // stored so far was never recorded, and calling them Google's could let an emulator's hashed vectors rank
    // passages for a fill answered by Google. They are a cache, recomputed by the next fill that needs them,
    // so they go rather than be guessed.
    `
    DROP TABLE chunk_embeddings;
    DROP TABLE query_embeddings;
    CREATE TABLE chunk_embeddings (
      chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
      endpoint TEXT NOT NULL,
      model TEXT NOT NULL,
      dims INTEGER NOT NULL,
      vector BLOB NOT NULL,
      PRIMARY KEY (chunk_id, endpoint, model, dims)
    );
    -- key: sha256 of the endpoint, model, size and text (see queryKey).
    CREATE TABLE query_embeddings (
      key TEXT PRIMARY KEY,
      endpoint TEXT NOT NULL,
      model TEXT NOT NULL,
      dims INTEGER NOT NULL,
      text TEXT NOT NULL,
      vector BLOB NOT NULL,
      created_at TEXT NOT NULL
    );
    `,
  ],
  create(db) {
    loadVectorFunctions(db);
    const sql = {
      missing: db.prepare<[string, string, string, number], { id: string; text: string }>(
        `SELECT c.id, c.text FROM json_each(?) AS d JOIN chunks AS c ON c.document_id = d.value
         WHERE NOT EXISTS (SELECT 1 FROM chunk_embeddings e
                           WHERE e.chunk_id = c.id AND e.endpoint = ? AND e.model = ? AND e.dims = ?)
         ORDER BY d.key, c.seq`,
      ),
      putChunk: db.prepare<[string, string, string, number, Buffer]>(
        'INSERT OR REPLACE INTO chunk_embeddings (chunk_id, endpoint, model, dims, vector) VALUES (?, ?, ?, ?, ?)',
      ),
      getQuery: db.prepare<[string], { vector: Buffer }>('SELECT vector FROM query_embeddings WHERE key = ?'),
      putQuery: db.prepare<[string, string, string, number, string, Buffer, string]>(
        `INSERT OR REPLACE INTO query_embeddings (key, endpoint, model, dims, text, vector, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // Ties fall back to document and position, so results are stable.
      search: db.prepare<[Buffer, string, string, number, string, number], { id: string; document_id: string; seq: number; tokens: number; distance: number }>(
        `SELECT c.id, c.document_id, c.seq, c.tokens, vec_distance_cosine(e.vector, ?) AS distance
         FROM chunk_embeddings AS e JOIN chunks AS c ON c.id = e.chunk_id
         WHERE e.endpoint = ? AND e.model = ? AND e.dims = ? AND c.document_id IN (SELECT value FROM json_each(?))
         ORDER BY distance, c.document_id, c.seq
         LIMIT ?`,
      ),
    };
    const check = (space: EmbeddingSpace, vector: number[]) => {
      if (vector.length !== space.dimensions) {
        throw new Error(`embedding has ${vector.length} dimensions, expected ${space.dimensions} for ${space.model} at ${space.endpoint}`);
      }
    };
    const putChunks = db.transaction((space: EmbeddingSpace, entries: { chunkId: string; vector: number[] }[]) => {
      for (const e of entries) sql.putChunk.run(e.chunkId, space.endpoint, space.model, space.dimensions, toBlob(e.vector));
    });
    const putQueries = db.transaction((space: EmbeddingSpace, entries: { text: string; vector: number[] }[]) => {
      const at = new Date().toISOString();
      for (const e of entries) {
        sql.putQuery.run(queryKey(space, e.text), space.endpoint, space.model, space.dimensions, e.text, toBlob(e.vector), at);
      }
    });
    return {
      async chunksWithoutEmbedding(space, documentIds): Promise<ChunkToEmbed[]> {
        const unique = [...new Set(documentIds)];
        if (unique.length === 0) return [];
        return sql.missing.all(JSON.stringify(unique), space.endpoint, space.model, space.dimensions).map((r) => ({ chunkId: r.id, text: r.text }));
      },
      async putChunkEmbeddings(space, entries) {
        for (const e of entries) check(space, e.vector);
        putChunks.immediate(space, entries);
      },
      async getQueryEmbeddings(space, texts) {
        const found = new Map<string, number[]>();
        for (const text of texts) {
          const row = sql.getQuery.get(queryKey(space, text));
          if (row) found.set(text, fromBlob(row.vector));
        }
        return found;
      },
      async putQueryEmbeddings(space, entries) {
        for (const e of entries) check(space, e.vector);
        putQueries.immediate(space, entries);
      },
      async searchByVector(space, vector, documentIds, limit) {
        check(space, vector);
        const max = Math.floor(limit);
        if (documentIds.length === 0 || !(max > 0)) return [];
        return sql.search
          .all(toBlob(vector), space.endpoint, space.model, space.dimensions, JSON.stringify([...new Set(documentIds)]), max)
          .map((r) => ({ chunkId: r.id, documentId: r.document_id, seq: r.seq, tokens: r.tokens, score: 1 - r.distance }));
      },
    };
  },
};
