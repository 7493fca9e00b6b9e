/** @module The one place that picks a Store implementation from the configured location (FILLFLOW_DB): a file
 * path opens the embedded SQLite store, a `postgres://` URL the Postgres/pgvector store a cluster shares. */
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Where the store is, and how to connect: the config's own fields, so `openStore(config)` works. */
export interface StoreLocation {
  /** FILLFLOW_DB (or its default): a SQLite file path, `:memory:`, or a postgres:// URL. */
  dbPath: string;
  /** Most Postgres connections this process holds (FILLFLOW_DB_POOL_SIZE); SQLite ignores it. @default 10 */
  dbPoolSize?: number;
}

type Kind = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Reads FILLFLOW_DB. @throws naming FILLFLOW_DB for an empty value or an unknown URL scheme. */
export function parseStoreLocation(dbPath: string): Kind {
  const location = dbPath.trim();
  if (location === '') throw new Error('FILLFLOW_DB is empty; set it to a SQLite file path or a postgres:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url: location };
  if (scheme !== undefined) {
    throw new Error(`FILLFLOW_DB has the unsupported scheme "${scheme}://"; use a SQLite file path or a postgres:// URL`);
  }
  return { kind: 'sqlite', path: location };
}

/**
 * Opens the store and waits until it is ready: for Postgres, connected, checked and migrated. Use this where a
 * process should fail at start rather than at its first use of the store (a worker, the API, `db migrate`).
 *
 * @throws when the location is unusable; a Postgres URL's password is never repeated in the message.
 */
export async function openStoreReady(opts: StoreLocation): Promise<Store> {
  const where = parseStoreLocation(opts.dbPath);
  if (where.kind === 'sqlite') return openSqliteStore(where.path);
  return openPostgresStore(where.url, opts.dbPoolSize !== undefined ? { poolSize: opts.dbPoolSize } : {});
}

/**
 * Opens the store at `opts.dbPath` and returns it at once. SQLite opens (and migrates) before this returns.
 * Postgres connects and migrates in the background: every method waits for that, and fails with its error if
 * it failed, so a store that cannot open is reported where it is first used. {@link openStoreReady} waits instead.
 *
 * @throws Error naming FILLFLOW_DB for an empty location or an unsupported URL scheme.
 */
export function openStore(opts: StoreLocation): Store {
  const where = parseStoreLocation(opts.dbPath);
  if (where.kind === 'sqlite') return openSqliteStore(where.path);
  return whenReady(openStoreReady(opts));
}

/** A Store whose every method first waits for `ready`. */
function whenReady(ready: Promise<Store>): Store {
  // Handled here, so a failed open is an error at each call, never an unhandled rejection.
  ready.catch(() => undefined);
  let closed = false;
  return new Proxy({} as Store, {
    get(_target, name) {
      if (name === 'then') return undefined; // not a thenable: `await openStore(…)` gives the store itself
      if (name === 'close') {
        return async () => {
          if (closed) return;
          closed = true;
          const store = await ready.catch(() => undefined);
          await store?.close();
        };
      }
      return async (...args: unknown[]) => {
        const store = await ready;
        const method = store[name as keyof Store] as unknown;
        if (typeof method !== 'function') throw new TypeError(`the store has no method ${String(name)}`);
        return (method as (...a: unknown[]) => unknown).apply(store, args);
      };
    },
  });
}
