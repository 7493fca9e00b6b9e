/** @module The SQLite implementation of the embeddings part of the store. */
import type { SqliteModule } from './sqlite-modules.js';
import type { EmbeddingStore } from './embedding-store.js';

export const sqliteEmbeddings: SqliteModule<EmbeddingStore> = {
  name: 'embeddings',
  migrations: [],
  create: () => ({}),
};
