/** @module Finds PostgreSQL server binaries (15 or later), installing them when there are none: Debian's
 * `postgresql-15` when running as root with apt, otherwise PyPI's `pgserver` wheel (PostgreSQL 16 with
 * pgvector, no compiler needed) unpacked into the project's `.fillflow/pg/pgserver`. */
import { access, chmod, constants, mkdir, mkdtemp, readdir, realpath, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { isRoot, run } from './run-command.js';

/** The oldest major version the store supports. */
export const MIN_MAJOR = 15;
/** The Debian package installed when nothing is found (bookworm's PostgreSQL). */
export const DEBIAN_MAJOR = 15;
/** PyPI's self-contained server: PostgreSQL 16.2 and pgvector 0.6.2 as one wheel. */
export const PGSERVER_WHEEL = { distribution: 'pgserver', version: '0.1.4', python: '3.11' } as const;

export type PgBinarySource = 'FILLFLOW_PG_BIN' | 'PATH' | 'system' | 'project' | 'apt' | 'pypi';

export interface PgBinaries {
  /** The folder holding initdb, pg_ctl and postgres. */
  bin: string;
  major: number;
  /** `postgres --version`'s line. */
  version: string;
  source: PgBinarySource;
}

export interface FindOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** `.fillflow/pg` of the project: where the wheel is unpacked. */
  pgDir: string;
  /** Install when nothing is found. @default true */
  install?: boolean;
  log: (line: string) => void;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];

/** Where the wheel is unpacked, its own layout kept: its binaries find their libraries at `$ORIGIN/../../../pgserver.libs`. */
function pgserverDir(pgDir: string): string {
  return join(pgDir, `${PGSERVER_WHEEL.distribution}-${PGSERVER_WHEEL.version}`);
}

/** The `pgserver` wheel's binaries, once unpacked. */
export function pgserverBin(pgDir: string): string {
  return join(pgserverDir(pgDir), 'pgserver', 'pginstall', 'bin');
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder's version if it holds a complete server, else undefined. */
async function probe(bin: string, source: PgBinarySource): Promise<PgBinaries | undefined> {
  for (const name of REQUIRED) if (!(await isExecutable(join(bin, name)))) return undefined;
  const version = (await run(join(bin, 'postgres'), ['--version'], { timeoutMs: 30_000 })).trim();
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1]);
  if (!Number.isInteger(major)) return undefined;
  return { bin, major, version, source };
}

/** Folders on PATH holding pg_ctl, resolved through symlinks (Debian's live in /usr/lib/postgresql/N/bin). */
async function onPath(env: FindOptions['env']): Promise<string[]> {
  const found: string[] = [];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, 'pg_ctl');
    if (await isExecutable(file)) found.push(dirname(await realpath(file)));
  }
  return found;
}

/** Debian's and Ubuntu's per-version folders, newest first. */
async function systemBins(): Promise<string[]> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  return versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'));
}

/**
 * Finds a PostgreSQL ≥ 15: `$FILLFLOW_PG_BIN`, then `pg_ctl` on PATH, then /usr/lib/postgresql/N/bin, then a
 * wheel unpacked before; installs one when none is there (unless `install` is false).
 */
export async function findPgBinaries(opts: FindOptions): Promise<PgBinaries> {
  const explicit = opts.env.FILLFLOW_PG_BIN?.trim();
  if (explicit) {
    const found = await probe(explicit, 'FILLFLOW_PG_BIN');
    if (!found) throw new Error(`FILLFLOW_PG_BIN=${explicit} does not hold initdb, pg_ctl and postgres`);
    if (found.major < MIN_MAJOR) throw new Error(`FILLFLOW_PG_BIN=${explicit} is PostgreSQL ${found.major}; the store needs ${MIN_MAJOR} or later`);
    return found;
  }
  const candidates: [string, PgBinarySource][] = [
    ...(await onPath(opts.env)).map((b): [string, PgBinarySource] => [b, 'PATH']),
    ...(await systemBins()).map((b): [string, PgBinarySource] => [b, 'system']),
    [pgserverBin(opts.pgDir), 'project'],
  ];
  for (const [bin, source] of candidates) {
    const found = await probe(bin, source);
    if (found && found.major >= MIN_MAJOR) return found;
  }
  if (opts.install === false) throw new Error(`no PostgreSQL ${MIN_MAJOR} or later found (FILLFLOW_PG_BIN, PATH, /usr/lib/postgresql)`);
  return installPostgres(opts);
}

async function hasAptGet(): Promise<boolean> {
  return isExecutable('/usr/bin/apt-get');
}

async function installPostgres(opts: FindOptions): Promise<PgBinaries> {
  if (isRoot() && (await hasAptGet())) {
    opts.log(`postgres: installing postgresql-${DEBIAN_MAJOR} with apt-get`);
    await aptInstall([`postgresql-${DEBIAN_MAJOR}`]);
    const found = await probe(`/usr/lib/postgresql/${DEBIAN_MAJOR}/bin`, 'apt');
    if (found) return found;
    throw new Error(`apt-get installed postgresql-${DEBIAN_MAJOR}, but /usr/lib/postgresql/${DEBIAN_MAJOR}/bin holds no server`);
  }
  return installPgserverWheel(opts);
}

/** `apt-get install` without prompts or recommends, refreshing the package lists first when they are empty or stale. */
export async function aptInstall(packages: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs: 900_000 });
  try {
    await install();
  } catch {
    await run('apt-get', ['update'], { env, timeoutMs: 300_000 });
    await install();
  }
}

/** Downloads the pinned `pgserver` wheel with pip and unpacks its `pginstall` tree (binaries, libraries, pgvector). */
export async function installPgserverWheel(opts: FindOptions): Promise<PgBinaries> {
  const { distribution, version, python } = PGSERVER_WHEEL;
  const platform = process.arch === 'arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
  if (process.platform !== 'linux') throw new Error(`no PostgreSQL found, and the ${distribution} wheel is for Linux only: install PostgreSQL ${MIN_MAJOR}+ with pgvector and set FILLFLOW_PG_BIN`);
  opts.log(`postgres: installing ${distribution}==${version} (PostgreSQL 16 + pgvector) from PyPI into ${opts.pgDir}`);
  await mkdir(opts.pgDir, { recursive: true });
  const work = await mkdtemp(join(opts.pgDir, '.install-pgserver-'));
  try {
    // The wheel's binaries do not depend on Python, so its cp311 build serves whatever Python runs pip.
    await run('python3', [
      '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input', '--quiet',
      '--python-version', python, '--implementation', 'cp', '--platform', platform,
      '--dest', work, `${distribution}==${version}`,
    ], { timeoutMs: 600_000 });
    await run('python3', ['-c', UNPACK_SCRIPT, work, join(work, 'unpacked')], { timeoutMs: 300_000 });
    const target = pgserverDir(opts.pgDir);
    await rm(target, { recursive: true, force: true });
    await rename(join(work, 'unpacked'), target);
    // The server runs as another user when we are root; it must be able to read and run the tree.
    await chmod(target, 0o755);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const found = await probe(pgserverBin(opts.pgDir), 'pypi');
  if (!found) throw new Error(`the ${distribution} wheel unpacked, but ${pgserverBin(opts.pgDir)} holds no working server`);
  return found;
}

/**
 * Unpacks the server (`pgserver/pginstall/**`) and the libraries auditwheel moved beside it (`pgserver.libs/**`)
 * from the one wheel in argv[1] into argv[2], in the wheel's own layout, keeping each file's mode.
 */
const UNPACK_SCRIPT = `
import glob, os, sys, zipfile
work, dest = sys.argv[1:3]
wheels = glob.glob(os.path.join(work, '*.whl'))
if len(wheels) != 1:
    sys.exit('expected one wheel in %s, found %d' % (work, len(wheels)))
with zipfile.ZipFile(wheels[0]) as wheel:
    for info in wheel.infolist():
        if not info.filename.startswith(('pgserver/pginstall/', 'pgserver.libs/')):
            continue
        path = os.path.join(dest, info.filename)
        if info.is_dir():
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with wheel.open(info) as src, open(path, 'wb') as out:
            out.write(src.read())
        mode = (info.external_attr >> 16) & 0o777
        os.chmod(path, mode or 0o644)
`;
