/** @module The SQLite implementation of the quota-ledger part of the store. */
import type { SqliteModule } from './sqlite-modules.js';
import type { QuotaLedgerStore } from './quota-ledger-store.js';

export const sqliteQuotaLedger: SqliteModule<QuotaLedgerStore> = {
  name: 'quota-ledger',
  migrations: [],
  create: () => ({}),
};
