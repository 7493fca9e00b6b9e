/** @module A private PostgreSQL server for development and tests: its own data folder under `.fillflow/pg`, its
 * own port (55432 unless FILLFLOW_PG_PORT says otherwise), loopback only, with pgvector. Started by
 * `npm run db:start`, by the tests' global setup and by `.ci/run`, all through {@link startLocalPostgres}. */
import { createHash } from 'node:crypto';
import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { withFileLock } from '../../src/temporal/file-lock.js';
import { findPgBinaries, type PgBinaries } from './find-binaries.js';
import { ensurePgvector } from './pgvector.js';
import { exitCode, isRoot, run } from './run-command.js';

export const DEFAULT_PORT = 55432;
/** The database `db:start` prints the URL of, for a developer's FILLFLOW_DB. */
export const DEV_DATABASE = 'fillflow';
/** The superuser initdb creates; local connections are trusted (loopback only, private port). */
const SUPERUSER = 'postgres';
/** Who runs the server when we are root (initdb refuses root): Debian's postgres user, or one made for it. */
const FALLBACK_USER = 'fillflow-pg';

export interface LocalPostgresOptions {
  /** The project's root: `.fillflow/pg` is made under it. */
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
  log?: (line: string) => void;
}

/** What `start` left running, recorded in `.fillflow/pg/instance.json` for `stop` and `status`. */
export interface LocalPostgres {
  bin: string;
  version: string;
  dataDir: string;
  logFile: string;
  port: number;
  /** The user the server runs as, when started by root. */
  runAs?: string;
}

export interface Started {
  server: LocalPostgres;
  /** False when it was already running (and so is not ours to stop). */
  startedHere: boolean;
  /** How long each step took, ms: install (binaries and pgvector), initdb, start. */
  timings: { install: number; initdb: number; start: number };
}

function pgDir(root: string): string {
  return join(root, '.fillflow', 'pg');
}

function instanceFile(root: string): string {
  return join(pgDir(root), 'instance.json');
}

function portOf(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FILLFLOW_PG_PORT?.trim();
  if (!raw) return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`FILLFLOW_PG_PORT must be a port number, got "${raw}"`);
  return port;
}

/** A postgres:// URL for a database of the local server. */
export function localUrl(server: Pick<LocalPostgres, 'port'>, database: string): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${server.port}/${encodeURIComponent(database)}`;
}

async function readInstance(root: string): Promise<LocalPostgres | undefined> {
  try {
    return JSON.parse(await readFile(instanceFile(root), 'utf8')) as LocalPostgres;
  } catch {
    return undefined;
  }
}

/** A port nothing listens on now, chosen by the system. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Root hands the server to an unprivileged user: Debian's `postgres` if there is one, else one made here. */
async function serverUser(): Promise<string | undefined> {
  if (!isRoot()) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  if (/^postgres:/m.test(passwd)) return 'postgres';
  if (!new RegExp(`^${FALLBACK_USER}:`, 'm').test(passwd)) {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER]);
  }
  return FALLBACK_USER;
}

/**
 * The folder for this major version's data and log, writable by `user`. Under `.fillflow/pg` when the user can
 * reach it; a checkout under a folder only root may enter (/root) gets one in the temp folder instead.
 */
async function instanceDir(root: string, major: number, user: string | undefined): Promise<string> {
  const local = join(pgDir(root), String(major));
  const candidates = [local, join(tmpdir(), `fillflow-pg-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`, String(major))];
  for (const dir of candidates) {
    await mkdir(dir, { recursive: true });
    if (user === undefined) return dir;
    await run('chown', ['-R', `${user}:`, dir]);
    await chmod(dir, 0o700);
    if ((await exitCode('test', ['-w', dir, '-a', '-x', dir], { asUser: user })) === 0) return dir;
  }
  throw new Error(`no folder the ${user} user can write to for the server's data (tried ${candidates.join(', ')})`);
}

async function initdb(b: PgBinaries, dataDir: string, user: string | undefined): Promise<void> {
  // C collation sorts bytewise, as SQLite does; UTF8 holds any text; trust is safe on a loopback-only private port.
  await run(join(b.bin, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C'], { asUser: user, timeoutMs: 300_000 });
  await appendFile(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      '# Fillflow: a private development and test server (scripts/postgres/local-server.ts).',
      "listen_addresses = '127.0.0.1'",
      // No Unix socket: a checkout's path can exceed the socket path limit, and TCP on loopback is all we use.
      "unix_socket_directories = ''",
      'max_connections = 200',
      // Commits return before the WAL reaches disk: a crash loses the last instant, never consistency.
      'synchronous_commit = off',
      '',
    ].join('\n'),
  );
}

/** Connects to the local server's `postgres` database. */
async function withAdmin<T>(server: LocalPostgres, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: localUrl(server, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Makes sure `database` exists with the `vector` extension (in `public`), and returns its URL. `fresh` drops
 * it first (closing other sessions), for a test run that must not see the last run's rows.
 */
export async function ensureDatabase(server: LocalPostgres, database: string, opts: { fresh?: boolean } = {}): Promise<string> {
  await withAdmin(server, async (admin) => {
    const ident = `"${database.replace(/"/g, '""')}"`;
    if (opts.fresh) await admin.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${ident}`);
  });
  const client = new pg.Client({ connectionString: localUrl(server, database) });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public');
  } finally {
    await client.end();
  }
  return localUrl(server, database);
}

/**
 * Starts the private server, or finds it running: finds or installs PostgreSQL ≥ 15, makes sure it has
 * pgvector, initialises the data folder on first use, and starts it on the private port. Holds a lock file so
 * that two starters (a developer's `db:start` and a test run) take turns.
 */
export async function startLocalPostgres(opts: LocalPostgresOptions): Promise<Started> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.error(line));
  const dir = pgDir(opts.root);
  await mkdir(dir, { recursive: true });
  return withFileLock(join(dir, '.start.lock'), async () => {
    const chosen = env.FILLFLOW_PG_PORT?.trim() ? true : false;
    let port = portOf(env);
    const running = await runningInstance(opts.root);
    // Without a chosen port, this checkout's running server is used on whatever port it took.
    if (running && (running.port === port || !chosen)) return { server: running, startedHere: false, timings: { install: 0, initdb: 0, start: 0 } };
    if (await portAnswers(port)) {
      // Another program (another checkout's server, say) holds the default port: take a free one, unless chosen.
      if (chosen) throw new Error(`port ${port} on 127.0.0.1 is taken by another program; set FILLFLOW_PG_PORT to a free port`);
      const free = await freePort();
      log(`postgres: port ${port} on 127.0.0.1 is taken by another program; using ${free} (FILLFLOW_PG_PORT chooses one)`);
      port = free;
    }

    let t = Date.now();
    let binaries = await findPgBinaries({ env, pgDir: dir, log });
    // Building pgvector may upgrade Debian's server package (to match its headers): read the version again.
    if ((await ensurePgvector({ bin: binaries.bin, pgDir: dir, log })) === 'built') binaries = await findPgBinaries({ env, pgDir: dir, log });
    const install = Date.now() - t;

    const user = await serverUser();
    const home = await instanceDir(opts.root, binaries.major, user);
    const dataDir = join(home, 'data');
    const server: LocalPostgres = {
      bin: binaries.bin,
      version: binaries.version,
      dataDir,
      logFile: join(home, 'postgres.log'),
      port,
      ...(user !== undefined ? { runAs: user } : {}),
    };
    t = Date.now();
    const fresh = (await exitCode(join(server.bin, 'pg_ctl'), ['status', '-D', dataDir], { asUser: user })) === 4;
    if (fresh) {
      log(`postgres: initialising ${dataDir} (${binaries.version})`);
      await initdb(binaries, dataDir, user);
    }
    const initTime = Date.now() - t;

    t = Date.now();
    await run(join(server.bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', server.logFile, '-w', '-t', '120', '-o', `-p ${port}`], {
      asUser: user,
      timeoutMs: 180_000,
    }).catch(async (err: Error) => {
      const tail = await readFile(server.logFile, 'utf8').then((s) => s.trim().split('\n').slice(-8).join('\n')).catch(() => '');
      throw new Error(`${err.message}${tail ? `\n${server.logFile}:\n${tail}` : ''}`);
    });
    await writeFile(instanceFile(opts.root), `${JSON.stringify(server, null, 2)}\n`);
    await ensureDatabase(server, DEV_DATABASE);
    return { server, startedHere: true, timings: { install, initdb: initTime, start: Date.now() - t } };
  });
}

/** The instance `start` recorded, if its server is still running. */
export async function runningInstance(root: string): Promise<LocalPostgres | undefined> {
  const server = await readInstance(root);
  if (!server) return undefined;
  const status = await exitCode(join(server.bin, 'pg_ctl'), ['status', '-D', server.dataDir], { asUser: server.runAs });
  return status === 0 ? server : undefined;
}

/** Stops the server `start` recorded; false when none was running. */
export async function stopLocalPostgres(opts: Pick<LocalPostgresOptions, 'root'>): Promise<boolean> {
  const server = await runningInstance(opts.root);
  if (!server) return false;
  await run(join(server.bin, 'pg_ctl'), ['stop', '-D', server.dataDir, '-m', 'fast', '-w', '-t', '60'], { asUser: server.runAs, timeoutMs: 90_000 });
  return true;
}
