/** @module Dense vectors of chunks and queries, for hybrid retrieval. The store methods of this part.
 * SQLite keeps them as float32 blobs and ranks with sqlite-vec's `vec_distance_cosine`; a Postgres store
 * implements the same methods over a pgvector column (`ORDER BY embedding <=> $1`). */
import type { ChunkRef, EmbeddingSpace } from '../core/chunk-ref.js';

export interface ChunkToEmbed {
  chunkId: string;
  text: string;
}

export interface EmbeddingStore {
  /** Chunks of the documents that have no vector in `space` yet, in document then position order. */
  chunksWithoutEmbedding(space: EmbeddingSpace, documentIds: string[]): Promise<ChunkToEmbed[]>;
  /** Stores chunk vectors; a vector already stored for the chunk in this space is replaced. */
  putChunkEmbeddings(space: EmbeddingSpace, entries: { chunkId: string; vector: number[] }[]): Promise<void>;
  /** Cached query vectors by query text; texts not cached are absent from the map. */
  getQueryEmbeddings(space: EmbeddingSpace, texts: string[]): Promise<Map<string, number[]>>;
  putQueryEmbeddings(space: EmbeddingSpace, entries: { text: string; vector: number[] }[]): Promise<void>;
  /** Nearest chunks of the documents by cosine similarity (score = 1 - cosine distance), best first. */
  searchByVector(space: EmbeddingSpace, vector: number[], documentIds: string[], limit: number): Promise<ChunkRef[]>;
}
