/** @module The records retrieval, planning and the store share about passages and vectors: a reference to a
 * stored chunk (never its text) and the vector space embeddings live in. Pure types. */

/**
 * A stored chunk as search results, planning and history see it: an id, where it sits, its size and how
 * well it ranked. The text stays in the store.
 */
export interface ChunkRef {
  chunkId: string;
  documentId: string;
  /** The chunk's position in its document, from 0: restores reading order. */
  seq: number;
  /** Higher is better; comparable only within one search (0 where nothing was ranked). */
  score: number;
  tokens: number;
}

/**
 * Vectors are comparable only within one endpoint, model and size: every stored or searched vector names its
 * space, so vectors from an emulator never rank passages for a fill answered by Google, or the reverse.
 */
export interface EmbeddingSpace {
  /** The endpoint's identity (see {@link endpointIdentity}): `gemini` for Google's API, else the base URL. */
  endpoint: string;
  model: string;
  dimensions: number;
}
