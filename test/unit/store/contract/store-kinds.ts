/** @module The stores the contract suite runs against, each able to make a new empty location and open a store
 * there: SQLite (a file in a temp folder) and Postgres (a new schema in the test database that the global setup
 * made, reached through the URL's search_path). Every test gets a location of its own. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { openStoreReady } from '../../../../src/store/open-store.js';
import type { Store } from '../../../../src/store/store.js';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** An empty place for one test's store: a new file path, or a Postgres URL whose search_path starts with the
   * file's schema, emptied. */
  newLocation(): Promise<string>;
  /** Removes every location made. */
  cleanup(): Promise<void>;
}

/** The URL of the run's Postgres test database (test/global-setup.ts); the run fails without one. */
export function testPostgresUrl(): string {
  const url = process.env.FILLFLOW_TEST_PG_URL;
  if (!url) throw new Error('FILLFLOW_TEST_PG_URL is not set: run the tests through vitest, whose global setup (test/global-setup.ts) starts Postgres');
  return url;
}

/** The URL for a schema of the test database: tables go to the schema, the `vector` type is found in public. */
export function schemaUrl(schema: string, base = testPostgresUrl()): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
}

function sqliteKind(): StoreKind {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async newLocation() {
      const dir = mkdtempSync(join(tmpdir(), 'fillflow-contract-'));
      dirs.push(dir);
      return join(dir, 'nested', 'fillflow.db');
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One schema per test file, migrated once, and emptied for each test: migrating a new schema costs a few hundred
 * milliseconds of DDL, emptying one a few.
 */
function postgresKind(): StoreKind {
  let admin: pg.Pool | undefined;
  let schema: string | undefined;
  const pool = () => (admin ??= new pg.Pool({ connectionString: testPostgresUrl(), max: 2 }));
  return {
    name: 'postgres',
    async newLocation() {
      if (schema === undefined) {
        const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
        await pool().query(`CREATE SCHEMA ${name}`);
        schema = name;
        await (await openStoreReady({ dbPath: schemaUrl(name) })).close();
        return schemaUrl(name);
      }
      const { rows } = await pool().query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'module_versions'",
        [schema],
      );
      // DELETE, not TRUNCATE: on tables of a few rows it is ten times quicker (TRUNCATE makes new files).
      if (rows.length > 0) await pool().query(rows.map((r) => `DELETE FROM ${schema}.${r.tablename}`).join('; '));
      return schemaUrl(schema);
    },
    async cleanup() {
      if (!admin) return;
      if (schema !== undefined) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      schema = undefined;
      await admin.end();
      admin = undefined;
    },
  };
}

/** Both stores, for `describe.each(STORE_KINDS)('$name', …)`. */
export const STORE_KINDS: readonly StoreKind[] = [sqliteKind(), postgresKind()];

/** A test's store, and a way to open more on the same location (another process's view of it). */
export interface StoreHarness {
  readonly kind: StoreKind;
  /** This test's location. */
  location: string;
  /** The store opened on it before the test. */
  store: Store;
  /** Opens another store (closed after the test), on this test's location unless told otherwise. */
  open(location?: string): Promise<Store>;
}

/** Registers hooks that give every test of the enclosing describe a fresh location and store of `kind`. */
export function useStore(kind: StoreKind): StoreHarness {
  const opened: Store[] = [];
  const h: StoreHarness = {
    kind,
    location: '',
    store: undefined as unknown as Store,
    async open(location = h.location) {
      const s = await openStoreReady({ dbPath: location });
      opened.push(s);
      return s;
    },
  };
  beforeEach(async () => {
    h.location = await kind.newLocation();
    h.store = await h.open();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  afterAll(async () => {
    await kind.cleanup();
  });
  return h;
}
