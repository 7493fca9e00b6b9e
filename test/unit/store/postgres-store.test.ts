/** @module What only the Postgres store has: versioned migrations under an advisory lock, `fillflow db migrate`, an
 * HNSW index per embedding space, the database's clock for the ledger, a pool sized by configuration, connections
 * lost and retried, and BM25 that ranks as SQLite's FTS5 does. */
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { dbCommand } from '../../../src/cli/db-command.js';
import { loadConfig, ConfigError } from '../../../src/config.js';
import { openStore, openStoreReady } from '../../../src/store/open-store.js';
import { exactSearchSql, indexSearchSql, spaceIndexName } from '../../../src/store/postgres/postgres-embeddings.js';
import { POSTGRES_PARTS, compareVersions, openPostgresStore, redactUrl, type PostgresStoreOptions } from '../../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { putText } from './contract/chunks.js';
import { schemaUrl, testPostgresUrl } from './contract/store-kinds.js';

const admin = new pg.Pool({ connectionString: testPostgresUrl(), max: 3 });
const schemas: string[] = [];
const stores: Store[] = [];

/** A new empty schema of the test database, and its URL. */
async function newSchema(): Promise<{ schema: string; url: string }> {
  const schema = `p_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  return { schema, url: schemaUrl(schema) };
}

async function open(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const store = await openPostgresStore(url, { log: () => undefined, ...opts });
  stores.push(store);
  return store;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const s of stores.splice(0)) await s.close();
});
afterAll(async () => {
  if (schemas.length > 0) await admin.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`);
  await admin.end();
});

describe('migrations', () => {
  it('run at open, record each part\'s version, and do nothing on the next open', async () => {
    const { schema, url } = await newSchema();
    await open(url);
    const versions = async () =>
      Object.fromEntries((await admin.query<{ name: string; version: number }>(`SELECT name, version FROM ${schema}.module_versions`)).rows.map((r) => [r.name, r.version]));
    const expected = Object.fromEntries(POSTGRES_PARTS.map((p) => [p.name, p.migrations.length]));
    expect(await versions()).toEqual(expected);
    await open(url);
    expect(await versions()).toEqual(expected);
  });

  it('run once when many processes open a new database at the same moment', async () => {
    const { schema, url } = await newSchema();
    const opened = await Promise.all(Array.from({ length: 6 }, () => open(url)));
    await Promise.all(opened.map((s, i) => putText(s, `${i}.txt`, `Document ${i}.`)));
    expect(await opened[0]!.listDocuments()).toHaveLength(6);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'chunks'`, [schema]);
    expect(rows[0].n).toBe(1);
  });

  it('`fillflow db migrate` brings a new database up to date and says so; a second run finds it up to date', async () => {
    const { url } = await newSchema();
    const out: string[] = [];
    const io = { stdout: (line: string) => out.push(line), stderr: () => undefined };
    vi.stubEnv('FILLFLOW_DB', url);
    try {
      expect(await dbCommand('migrate', { json: true }, io)).toBe(0);
      const first = JSON.parse(out.pop()!) as { store: string; parts: { name: string; from: number; to: number }[] };
      expect(first.store).toBe('postgres');
      expect(first.parts.find((p) => p.name === 'quota-ledger')).toMatchObject({ from: 0, to: 1 });
      expect(await dbCommand('migrate', {}, io)).toBe(0);
      expect(out[0]).toMatch(/^postgres store at .*: up to date$/);
    } finally {
      vi.unstubAllEnvs();
    }
    await expect(dbCommand('rollback', {}, io)).rejects.toThrow(/expected migrate/);
  });

  it('create the vector extension in a database that lacks it', async () => {
    const database = `fillflow_novector_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = new URL(testPostgresUrl());
      url.pathname = `/${database}`;
      const store = await open(url.toString());
      await putText(store, 'a.txt', 'Vectors need pgvector.');
      await store.close();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});

describe('opening', () => {
  it('openStore picks Postgres for postgres:// and postgresql:// URLs, and waits for it on first use', async () => {
    const { url } = await newSchema();
    for (const location of [url, url.replace(/^postgres:/, 'postgresql:')]) {
      const store = openStore({ dbPath: location, dbPoolSize: 2 });
      stores.push(store);
      const doc = await putText(store, 'a.txt', 'Opened lazily.');
      expect(await store.getDocument(doc.id)).toEqual(doc);
      // `await openStore(…)` is the store itself, not a promise of it.
      expect(await Promise.resolve(store)).toBe(store);
    }
    expect(() => openStore({ dbPath: 'mysql://x/y' })).toThrow(/FILLFLOW_DB.*unsupported scheme/);
    expect(() => openStore({ dbPath: '  ' })).toThrow(/FILLFLOW_DB is empty/);
  });

  it('names an unreachable server without repeating the password', async () => {
    const url = 'postgres://fillflow:s3cret-pw@127.0.0.1:1/fillflow';
    const failure = openPostgresStore(url, { retryForMs: 300, log: () => undefined });
    await expect(failure).rejects.toThrow(/could not open the Postgres store at postgres:\/\/fillflow:\*\*\*@127\.0\.0\.1:1\/fillflow/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
    expect(redactUrl('postgres://u:p@h/d?options=-c%20x')).toBe('postgres://u:***@h/d?options=-c%20x');
    expect(redactUrl('postgres://h/d')).toBe('postgres://h/d');
    expect(redactUrl('not a url')).not.toMatch(/not a url/);
  });

  it('holds at most FILLFLOW_DB_POOL_SIZE connections, queuing the rest', async () => {
    expect(loadConfig({ FILLFLOW_DB_POOL_SIZE: '3' }, {}, '/nonexistent').dbPoolSize).toBe(3);
    expect(loadConfig({}, {}, '/nonexistent').dbPoolSize).toBe(10);
    expect(() => loadConfig({ FILLFLOW_DB_POOL_SIZE: '0' }, {}, '/nonexistent')).toThrow(ConfigError);
    expect(() => loadConfig({ FILLFLOW_DB_POOL_SIZE: 'many' }, {}, '/nonexistent')).toThrow(/FILLFLOW_DB_POOL_SIZE/);

    const { schema, url } = await newSchema();
    const appName = `pool-${schema}`;
    const tagged = new URL(url);
    tagged.searchParams.set('application_name', appName);
    const store = await openStoreReady({ dbPath: tagged.toString(), dbPoolSize: 2 });
    stores.push(store);
    const bucket = { keyId: 'k', model: 'm' };
    const limits = { requestsPerMinute: 100, tokensPerMinute: 100_000, requestsPerDay: 1_000, minIntervalMs: 0 };
    await store.quotaReserve(bucket, limits, 1);
    // Hold the bucket's row lock: every reservation now waits inside the database, holding a connection.
    const holder = await admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${schema}.quota_buckets FOR UPDATE`);
      const waiting = Array.from({ length: 6 }, () => store.quotaReserve(bucket, limits, 1));
      await new Promise((r) => setTimeout(r, 500));
      const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
      expect(rows[0]!.n).toBe(2);
      await holder.query('COMMIT');
      expect((await Promise.all(waiting)).every((r) => r.ok)).toBe(true);
    } finally {
      holder.release();
    }
  });
});

describe('vectors', () => {
  const space = { endpoint: "https://proxy.example/it's", model: 'embed', dimensions: 16 };
  const vec = (i: number, d = 16) => Array.from({ length: d }, (_, j) => Math.sin((i + 1) * (j + 1)));

  async function storeWithVectors(n: number, opts: PostgresStoreOptions = {}, s = space) {
    const { schema, url } = await newSchema();
    const store = await open(url, opts);
    const text = Array.from({ length: n }, (_, i) => `Passage ${i}.`).join(' ');
    const doc = await putText(store, 'v.txt', text, Array.from({ length: n - 1 }, (_, i) => text.indexOf(`Passage ${i + 1}.`)));
    const chunks = await store.listChunks([doc.id]);
    await store.putChunkEmbeddings(s, chunks.map((c) => ({ chunkId: c.chunkId, vector: vec(c.seq, s.dimensions) })));
    return { schema, url, store, doc };
  }

  it('gives each embedding space a partial HNSW index on its cast', async () => {
    const { schema, store, doc } = await storeWithVectors(5);
    const other = { ...space, endpoint: 'gemini' };
    await store.putChunkEmbeddings(other, [{ chunkId: `${doc.id}:0`, vector: vec(0) }]);
    const { rows } = await admin.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'chunk_embeddings_hnsw_%' ORDER BY indexname",
      [schema],
    );
    expect(rows.map((r) => r.indexname).sort()).toEqual([spaceIndexName(space), spaceIndexName(other)].sort());
    const def = rows.find((r) => r.indexname === spaceIndexName(space))!.indexdef;
    expect(def).toMatch(/USING hnsw \(\(\(embedding\)::vector\(16\)\) vector_cosine_ops\)/);
    expect(def).toMatch(/WHERE \(\(endpoint = 'https:\/\/proxy\.example\/it''s'::text\) AND \(model = 'embed'::text\) AND \(dims = 16\)\)/);
  });

  it('walks the index when the documents hold more chunks than the exact-scan limit, and ranks as the exact scan', async () => {
    const { schema, store, doc } = await storeWithVectors(60, { exactVectorScanLimit: 0 });
    const q = vec(7);
    const viaIndex = await store.searchByVector(space, q, [doc.id], 5);
    const exact = await (await open(schemaUrl(schema))).searchByVector(space, q, [doc.id], 5);
    expect(viaIndex.map((h) => h.seq)).toEqual(exact.map((h) => h.seq));
    expect(viaIndex[0]).toMatchObject({ seq: 7 });
    expect(viaIndex[0]!.score).toBeCloseTo(1, 5);

    // What the planner does with each query: the index for one, never for the other.
    const client = await admin.connect();
    try {
      await client.query(`SET search_path = ${schema}, public`);
      await client.query('SET enable_seqscan = off');
      const params = [`[${q.join(',')}]`, [doc.id], 5];
      const plan = async (sql: string) => (await client.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(await plan(indexSearchSql(space, 'vector'))).toContain(spaceIndexName(space));
      expect(await plan(exactSearchSql(space))).not.toContain('hnsw');
    } finally {
      client.release();
    }
  });

  it('indexes vectors past 2,000 dimensions as halfvec, and searches wider ones exactly', async () => {
    const wide = { ...space, dimensions: 3072 };
    const { schema, store, doc } = await storeWithVectors(4, { exactVectorScanLimit: 0 }, wide);
    expect((await store.searchByVector(wide, vec(2, 3072), [doc.id], 2))[0]).toMatchObject({ seq: 2 });
    const { rows } = await admin.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, spaceIndexName(wide)]);
    // halfvec came with pgvector 0.7 (PyPI's pgserver wheel has 0.6.2): without it such a space is searched exactly.
    const [vector] = (await admin.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows;
    if (compareVersions(vector!.v, '0.7.0') >= 0) expect(rows[0]?.indexdef).toMatch(/halfvec\(3072\)\) halfvec_cosine_ops/);
    else expect(rows).toEqual([]);

    const wider = { ...space, dimensions: 4096 };
    const chunks = await store.listChunks([doc.id]);
    await store.putChunkEmbeddings(wider, chunks.map((c) => ({ chunkId: c.chunkId, vector: vec(c.seq, 4096) })));
    expect((await store.searchByVector(wider, vec(3, 4096), [doc.id], 1))[0]).toMatchObject({ seq: 3 });
  });
});

describe('the quota ledger on the database\'s clock', () => {
  it('records a call at the database\'s time, whatever the worker\'s clock says', async () => {
    const { url } = await newSchema();
    const store = await open(url);
    const bucket = { keyId: 'k', model: 'm' };
    const limits = { requestsPerMinute: 1, tokensPerMinute: 1_000, requestsPerDay: 10, minIntervalMs: 0 };
    // This worker's clock is 26 years behind; a ledger on it would record the call long out of today's window.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2000, 0, 1) });
    expect(await store.quotaReserve(bucket, limits, 5)).toMatchObject({ ok: true });
    expect(await store.quotaReserve(bucket, limits, 5)).toMatchObject({ ok: false, reason: 'per-minute' });
    vi.useRealTimers();
    const { rows } = await admin.query<{ now: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now');
    const [snap] = await store.quotaSnapshots(bucket);
    expect(snap).toMatchObject({ requestsInWindow: 1, tokensInWindow: 5, requestsToday: 1 });
    expect(snap!.day).not.toBe('1999-12-31');
    expect((await store.quotaSnapshots(bucket, rows[0]!.now))[0]).toMatchObject({ requestsInWindow: 1 });
  });
});

describe('lost connections', () => {
  /** A TCP proxy to the test server that can drop every connection and refuse new ones for a while. */
  async function proxy(): Promise<{ url: (base: string) => string; drop: () => void; down: () => Promise<void>; up: () => Promise<void>; close: () => Promise<void> }> {
    const target = new URL(testPostgresUrl());
    const sockets = new Set<Socket>();
    const make = () =>
      createServer((client) => {
        const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
    let server: Server = make();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const drop = () => sockets.forEach((s) => s.destroy());
    return {
      url: (base) => {
        const u = new URL(base);
        u.port = String(port);
        return u.toString();
      },
      drop,
      down: async () => {
        drop();
        await new Promise<void>((r) => server.close(() => r()));
      },
      up: async () => {
        server = make();
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      },
      close: async () => {
        drop();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  }

  it('a connection the server ends is replaced, and the statement on it runs again', async () => {
    const { schema, url } = await newSchema();
    const appName = `lost-${schema}`;
    const tagged = new URL(url);
    tagged.searchParams.set('application_name', appName);
    const logged: string[] = [];
    const store = await open(tagged.toString(), { log: (line) => logged.push(line) });
    const doc = await putText(store, 'a.txt', 'Survives a restart.');
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.getDocument(doc.id)).toEqual(doc);
    expect(await store.quotaReserve({ keyId: 'k', model: 'm' }, { requestsPerMinute: 5, tokensPerMinute: 100, requestsPerDay: 5, minIntervalMs: 0 }, 1)).toMatchObject({ ok: true });
    expect(logged.join('\n')).toMatch(/lost|retrying/);
  });

  it('a server unreachable for a while: statements wait with backoff and go through once it is back', async () => {
    const p = await proxy();
    try {
      const { url } = await newSchema();
      const store = await open(p.url(url), { retryForMs: 10_000, baseDelayMs: 20, maxDelayMs: 200 });
      const doc = await putText(store, 'a.txt', 'Before the outage.');
      await p.down();
      const during = Promise.all([
        store.getDocument(doc.id),
        store.recordUsage({ fillId: 'f', batchId: 'b', kind: 'api_call', fields: 1 }),
        store.quotaReserve({ keyId: 'k', model: 'm' }, { requestsPerMinute: 5, tokensPerMinute: 100, requestsPerDay: 5, minIntervalMs: 0 }, 1),
      ]);
      await new Promise((r) => setTimeout(r, 700));
      await p.up();
      const [got, , reserved] = await during;
      expect(got).toEqual(doc);
      expect(reserved).toMatchObject({ ok: true });
      // Each happened once: the usage event and the reservation were not doubled by the retries.
      expect((await store.usageTotals('f')).apiCalls).toBe(1);
      expect((await store.quotaSnapshots({ keyId: 'k', model: 'm' }))[0]).toMatchObject({ requestsInWindow: 1 });
    } finally {
      await p.close();
    }
  });

  it('gives up after retryForMs with the connection error, and the store works again afterwards', async () => {
    const p = await proxy();
    try {
      const { url } = await newSchema();
      const store = await open(p.url(url), { retryForMs: 400, baseDelayMs: 20, maxDelayMs: 100 });
      await store.cacheSize();
      await p.down();
      const started = Date.now();
      await expect(store.cacheSize()).rejects.toThrow(/ECONNREFUSED|terminated|connect/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      await p.up();
      expect(await store.cacheSize()).toBe(0);
    } finally {
      await p.close();
    }
  });
});

describe('BM25', () => {
  const corpus = [
    'This Agreement is governed by the laws of the State of New York, without regard to conflict of laws principles.',
    'The Supplier shall deliver the Goods within thirty (30) days of the Purchase Order.',
    'Either party may terminate this Agreement upon sixty days written notice to the other party.',
    'Invoices are payable within 45 days of receipt. Late payments bear interest at 1.5% per month.',
    'The Supplier warrants that the Goods are free from defects for a period of twelve months.',
    'Any notice under this Agreement shall be in writing and delivered to the addresses above.',
    'The Customer shall pay all invoices in US dollars. Payment terms: net 45.',
    'Confidential Information shall not be disclosed to any third party without prior written consent.',
  ];
  const queries = [
    'governing law state',
    'termination notice period days',
    'payment terms invoices',
    'warranty period defects',
    'confidential information disclosure',
    'delivery of goods',
    'written notice',
    'interest on late payments',
  ];

  it('ranks one document\'s passages as SQLite\'s FTS5 bm25() does', async () => {
    const text = corpus.join('\n\n');
    const cuts = corpus.slice(1).map((c) => text.indexOf(c));
    const { url } = await newSchema();
    const pgStore = await open(url);
    const sqlite = openSqliteStore(':memory:');
    try {
      const a = await putText(pgStore, 'c.txt', text, cuts);
      const b = await putText(sqlite, 'c.txt', text, cuts);
      for (const query of queries) {
        const onPg = await pgStore.searchChunks(query, [a.id], 8);
        const onSqlite = await sqlite.searchChunks(query, [b.id], 8);
        expect(onPg.map((h) => h.seq), query).toEqual(onSqlite.map((h) => h.seq));
        onPg.forEach((h, i) => expect(h.score, `${query} #${i}`).toBeCloseTo(onSqlite[i]!.score, 4));
      }
    } finally {
      await sqlite.close();
    }
  });
});
