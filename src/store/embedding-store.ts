/** @module Dense vectors of chunks and queries, for hybrid retrieval (issue 3). The store methods of this part. */

export interface EmbeddingStore {}
