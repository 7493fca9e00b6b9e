/** @module The one place that picks a Store implementation from the configured location (FILLFLOW_DB). */
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * Opens the store at `dbPath`: a file path (or `:memory:`) opens SQLite; a `postgres://` or `postgresql://`
 * URL is where the Postgres/pgvector store will plug in, and says so until it exists.
 *
 * @param opts.dbPath - the value of FILLFLOW_DB (or its default), as loaded by the config.
 * @throws Error naming FILLFLOW_DB for a Postgres URL or any other URL scheme. The URL itself is never
 *   repeated in the message, since it may carry a password.
 */
export function openStore(opts: { dbPath: string }): Store {
  const location = opts.dbPath.trim();
  if (location === '') throw new Error('FILLFLOW_DB is empty; set it to a SQLite file path');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // The seam for clusters: an openPostgresStore(url) implementing Store goes here.
    throw new Error(
      'FILLFLOW_DB is a Postgres URL, but the Postgres/pgvector store is not implemented yet; ' +
        'set FILLFLOW_DB to a SQLite file path (e.g. .fillflow/fillflow.db) for now',
    );
  }
  if (scheme !== undefined) {
    throw new Error(`FILLFLOW_DB has the unsupported scheme "${scheme}://"; use a SQLite file path`);
  }
  return openSqliteStore(location);
}
