/** @module The SQLite implementation of the outputs part of the store. */
import type { SqliteModule } from './sqlite-modules.js';
import type { OutputStore } from './output-store.js';

export const sqliteOutputs: SqliteModule<OutputStore> = {
  name: 'outputs',
  migrations: [],
  create: () => ({}),
};
