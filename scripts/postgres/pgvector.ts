/** @module Makes pgvector available to a PostgreSQL found on this machine. Debian bookworm has no pgvector
 * package, so it is built from Debian's own source package (trixie's `pgvector` 0.8.0, checked against a pinned
 * sha256) against `postgresql-server-dev-N`, and installed into the server's folders. The built tree is kept in
 * `.fillflow/pg/pgvector-<version>`, and a server that already has the extension is left alone, so the build
 * happens once per machine. The `pgserver` wheel ships pgvector already. */
import { createHash } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aptInstall } from './find-binaries.js';
import { isRoot, run } from './run-command.js';

/** The source package, and the sha256 of its upstream tarball as Debian publishes it. */
export const PGVECTOR_SOURCE = {
  version: '0.8.0',
  suite: 'trixie',
  tarball: 'pgvector_0.8.0.orig.tar.gz',
  sha256: '867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0',
} as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server's `pg_config`, if the folder has one (Debian's appears with postgresql-server-dev-N). */
async function pgConfigOf(bin: string): Promise<string | undefined> {
  const file = join(bin, 'pg_config');
  return (await exists(file)) ? file : undefined;
}

async function hasServerHeaders(pgConfig: string): Promise<boolean> {
  return exists(join((await run(pgConfig, ['--includedir-server'])).trim(), 'postgres.h'));
}

/** Debian keeps version N's binaries in /usr/lib/postgresql/N/bin. */
function debianMajor(bin: string): number | undefined {
  const m = /^\/usr\/lib\/postgresql\/(\d+)\/bin\/?$/.exec(bin);
  return m ? Number(m[1]) : undefined;
}

/** Where the server looks for extensions' control files, when that can be known without starting it. */
async function extensionDir(bin: string): Promise<string | undefined> {
  const pgConfig = await pgConfigOf(bin);
  if (pgConfig) return join((await run(pgConfig, ['--sharedir'])).trim(), 'extension');
  const major = debianMajor(bin);
  return major !== undefined ? `/usr/share/postgresql/${major}/extension` : undefined;
}

/** True when the server in `bin` can CREATE EXTENSION vector; undefined when that cannot be told before it runs. */
export async function hasPgvector(bin: string): Promise<boolean | undefined> {
  const dir = await extensionDir(bin);
  return dir === undefined ? undefined : exists(join(dir, 'vector.control'));
}

export interface PgvectorOptions {
  bin: string;
  /** `.fillflow/pg`: the source and build are kept here. */
  pgDir: string;
  log: (line: string) => void;
}

/** Builds and installs pgvector for the server in `bin`, unless it has it. Throws with what to do when it cannot. */
export async function ensurePgvector(opts: PgvectorOptions): Promise<'present' | 'built'> {
  if ((await hasPgvector(opts.bin)) !== false) return 'present';
  const major = debianMajor(opts.bin);
  if (!isRoot() || major === undefined) {
    throw new Error(
      `the PostgreSQL in ${opts.bin} has no pgvector, and it can only be built here as root for Debian's PostgreSQL. ` +
        'Install pgvector for it, or point FILLFLOW_PG_BIN at a build that has it, or remove FILLFLOW_PG_BIN and PostgreSQL from PATH ' +
        'so `npm run db:start` unpacks the pgserver wheel (PostgreSQL 16 with pgvector) instead',
    );
  }
  const started = Date.now();
  // Debian's client package ships pg_config too; the server's headers come only with postgresql-server-dev-N.
  let pgConfig = await pgConfigOf(opts.bin);
  if (!pgConfig || !(await hasServerHeaders(pgConfig))) {
    opts.log(`postgres: installing postgresql-server-dev-${major} to build pgvector`);
    await aptInstall([`postgresql-server-dev-${major}`]);
    pgConfig = await pgConfigOf(opts.bin);
    if (!pgConfig || !(await hasServerHeaders(pgConfig))) throw new Error(`postgresql-server-dev-${major} installed no server headers for ${opts.bin}`);
  }
  const source = await pgvectorSource(opts);
  opts.log(`postgres: building pgvector ${PGVECTOR_SOURCE.version} in ${source}`);
  // No LLVM bitcode (needs clang, and only serves JIT); no -march=native, so the build suits any machine it is copied to.
  const make = ['OPTFLAGS=', 'with_llvm=no', `PG_CONFIG=${pgConfig}`];
  await run('make', ['-C', source, ...make], { timeoutMs: 600_000 });
  await run('make', ['-C', source, ...make, 'install'], { timeoutMs: 120_000 });
  if ((await hasPgvector(opts.bin)) === false) throw new Error(`pgvector built, but ${opts.bin}'s server still has no vector.control`);
  opts.log(`postgres: pgvector ${PGVECTOR_SOURCE.version} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}

/** The unpacked source (reused when there), fetched as Debian's source package and checked against the pin. */
async function pgvectorSource(opts: PgvectorOptions): Promise<string> {
  const dir = join(opts.pgDir, `pgvector-${PGVECTOR_SOURCE.version}`);
  if (await exists(join(dir, 'vector.control'))) return dir;
  await mkdir(opts.pgDir, { recursive: true });
  const work = await mkdtemp(join(opts.pgDir, '.pgvector-'));
  try {
    opts.log(`postgres: fetching pgvector's Debian source package (${PGVECTOR_SOURCE.suite})`);
    await aptGetSource(work);
    const tarball = join(work, PGVECTOR_SOURCE.tarball);
    const sha = createHash('sha256').update(await readFile(tarball)).digest('hex');
    if (sha !== PGVECTOR_SOURCE.sha256) throw new Error(`${PGVECTOR_SOURCE.tarball} has sha256 ${sha}, expected ${PGVECTOR_SOURCE.sha256}`);
    await run('tar', ['-xzf', tarball, '-C', work]);
    const unpacked = (await readdir(work)).find((e) => e.startsWith('pgvector-'));
    if (!unpacked) throw new Error(`${PGVECTOR_SOURCE.tarball} unpacked no pgvector-* folder`);
    await rm(dir, { recursive: true, force: true });
    await rename(join(work, unpacked), dir);
    return dir;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `apt-get source --download-only pgvector` from the newer Debian release, with a private sources list and
 * package-list folder: the machine's own apt configuration is not touched.
 */
async function aptGetSource(work: string): Promise<void> {
  const apt = join(work, 'apt');
  await mkdir(join(apt, 'lists', 'partial'), { recursive: true });
  await mkdir(join(apt, 'cache', 'archives', 'partial'), { recursive: true });
  await writeFile(join(apt, 'sources.list'), `deb-src http://deb.debian.org/debian ${PGVECTOR_SOURCE.suite} main\n`);
  const config = [
    '-o', `Dir::Etc::SourceList=${join(apt, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(apt, 'lists')}`,
    '-o', `Dir::Cache=${join(apt, 'cache')}`,
    // Root downloads into a folder the _apt user cannot write; apt says so and goes on unsandboxed.
    '-o', 'APT::Sandbox::User=root',
  ];
  await run('apt-get', [...config, 'update'], { timeoutMs: 300_000 });
  await run('apt-get', [...config, 'source', '--download-only', `pgvector=${PGVECTOR_SOURCE.version}-1`], { timeoutMs: 300_000, cwd: work });
}
