/** @module `npm run test:node -- <major> [vitest args]`: runs the unit tests under another Node major (22, 24) from a
 * checkout installed under Node 20, without touching that install. `npm run test:node -- <major> -- <command>` runs
 * any command there instead (`-- node bin/fillflow.js stats`). docs/node.md says why and how.
 *
 * Everything lives in `.fillflow/node/<major>/`:
 * - `runtime/`: the registry's `node-<platform>-<arch>` package of that major, which holds the Node binary and the
 *   headers (`include/node`) node-gyp builds against, so neither nodejs.org nor GitHub has to be reachable;
 * - `addons/`: a copy of each package with a native addon (a `binding.gyp`: better-sqlite3), rebuilt there by
 *   `npm rebuild` under that Node, with the project's `allowScripts` so the same install scripts are approved;
 * - `project/`: a copy of the checkout (its files, not node_modules) whose `node_modules` links every package to the
 *   checkout's own except the rebuilt ones. Node resolves a module from the real path of the file importing it, so
 *   the tests must run from a copy: from the checkout they would load the Node 20 addon.
 * The unit project's JSON report goes to `.fillflow/node/<major>/vitest-report.json`, never to the checkout's. */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative, sep } from 'node:path';
import pg from 'pg';
import { ensureDatabase, localUrl, startLocalPostgres } from './postgres/local-server.js';
import { run } from './postgres/run-command.js';
import { withFileLock } from '../src/temporal/file-lock.js';
import {
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_TEST_SERVER_PATH_ENV,
  executablePath,
  findPackageRoot,
  resolveTemporalCli,
  resolveTestServer,
} from '../src/temporal/binaries.js';

/** The variable test/global-setup.ts takes a ready database from (instead of starting a server for the copy). */
const TEST_PG_URL_ENV = 'FILLFLOW_TEST_PG_URL';
/** What runs when only the major is given. */
const DEFAULT_VITEST_ARGS = ['--project', 'unit'];
/** Checkout entries the copy leaves out: installs, caches, history and the Node 20 run's report. */
const NOT_COPIED = new Set(['node_modules', '.fillflow', '.git', '.vitest-report.json']);

interface Runtime {
  /** `runtime/`: what node-gyp takes as `nodedir`. */
  dir: string;
  /** `runtime/bin`: put first on PATH, so `node`, npm and node-gyp all run under this major. */
  binDir: string;
  version: string;
}

type Plan = { major: number; vitestArgs: string[] } | { major: number; command: string[] };

function log(line: string): void {
  console.error(`test:node ${line}`);
}

function parseArgs(argv: string[]): Plan {
  const [first, ...rest] = argv;
  const major = Number(first);
  if (!first || !Number.isInteger(major) || major < 20) {
    throw new Error('usage: npm run test:node -- <node major> [vitest args] | -- <command> [args]   (e.g. 24, or 22 -- node bin/fillflow.js --help)');
  }
  if (rest[0] === '--') {
    if (rest.length < 2) throw new Error('a command must follow "--"');
    return { major, command: rest.slice(1) };
  }
  return { major, vitestArgs: rest.length > 0 ? rest : DEFAULT_VITEST_ARGS };
}

/** The registry package that ships one platform's Node build (the names the `node` package itself installs). */
function platformPackage(): string {
  if (process.platform === 'win32') throw new Error('Windows is not supported here: run the tests under that Node with a version manager');
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${process.platform}-${process.arch}`;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The newest Node of `major` from the npm registry, unpacked once into `<home>/runtime` and kept for later runs. */
async function nodeRuntime(major: number, home: string): Promise<Runtime> {
  const dir = join(home, 'runtime');
  const runtime = (version: string): Runtime => ({ dir, binDir: join(dir, 'bin'), version });
  const kept = readJson<{ version?: string }>(join(dir, 'package.json'))?.version;
  if (kept?.startsWith(`${major}.`) && existsSync(join(dir, 'bin', 'node')) && existsSync(join(dir, 'include', 'node', 'node_version.h'))) {
    return runtime(kept);
  }
  const spec = `${platformPackage()}@${major}`;
  log(`${major}: fetching ${spec} from the npm registry`);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const version = await unpack(spec, staging);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return runtime(version);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Unpacks the registry's `spec` into `staging` and checks it has the headers; returns its version. */
async function unpack(spec: string, staging: string): Promise<string> {
  const packed = JSON.parse(await run('npm', ['pack', spec, '--json', '--pack-destination', staging], { cwd: staging, timeoutMs: 600_000 })) as {
    filename: string;
    version: string;
  }[];
  const tarball = packed[0];
  if (!tarball) throw new Error(`npm pack ${spec} gave no tarball`);
  await run('tar', ['-xzf', join(staging, tarball.filename), '-C', staging, '--strip-components=1'], { timeoutMs: 300_000 });
  rmSync(join(staging, tarball.filename));
  if (!existsSync(join(staging, 'include', 'node', 'node_version.h'))) throw new Error(`${spec} has no include/node headers to build addons against`);
  return tarball.version;
}

/** The names of the packages directly in `modules` (`@scope/name` for scoped ones), without npm's dot entries. */
function topLevelPackages(modules: string): string[] {
  return readdirSync(modules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) => (entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry]));
}

/** The checkout's top-level packages that compile a native addon, which is tied to one Node ABI. */
function nativePackages(root: string): string[] {
  return topLevelPackages(join(root, 'node_modules')).filter((name) => existsSync(join(root, 'node_modules', name, 'binding.gyp')));
}

function packageJson(dir: string): { version: string; dependencies?: Record<string, string> } {
  const pkg = readJson<{ version: string; dependencies?: Record<string, string> }>(join(dir, 'package.json'));
  if (!pkg) throw new Error(`no package.json in ${dir}`);
  return pkg;
}

/** Links `name` in `modules` to `target`, making the scope folder first. */
function link(modules: string, name: string, target: string): void {
  const at = join(modules, name);
  mkdirSync(join(at, '..'), { recursive: true });
  symlinkSync(relative(join(at, '..'), target), at);
}

/**
 * `<home>/addons/node_modules`, holding `names` rebuilt for `runtime`: each package is copied from the checkout
 * without its build, its dependencies are linked to the checkout's, and `npm rebuild` runs its install script
 * (prebuild-install, else node-gyp against the runtime's headers). Kept while the Node and package versions match.
 */
async function rebuiltAddons(root: string, names: string[], runtime: Runtime, home: string): Promise<string> {
  const dir = join(home, 'addons');
  const versions = Object.fromEntries(names.map((n) => [n, packageJson(join(root, 'node_modules', n)).version]));
  const stamp = JSON.stringify({ node: runtime.version, packages: versions });
  if (existsSync(join(dir, 'built-for.json')) && readFileSync(join(dir, 'built-for.json'), 'utf8') === stamp) return join(dir, 'node_modules');

  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await rebuildInto(root, names, versions, runtime, staging);
    writeFileSync(join(staging, 'built-for.json'), stamp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return join(dir, 'node_modules');
}

/** Copies `names` into `<staging>/node_modules` and rebuilds them there for `runtime`. */
async function rebuildInto(root: string, names: string[], versions: Record<string, string>, runtime: Runtime, staging: string): Promise<void> {
  const modules = join(staging, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const project = packageJson(root) as { allowScripts?: Record<string, boolean> };
  writeFileSync(
    join(staging, 'package.json'),
    JSON.stringify({ name: `fillflow-node${runtime.version.split('.')[0]}-addons`, private: true, dependencies: versions, allowScripts: project.allowScripts ?? {} }, null, 2),
  );
  for (const name of names) {
    const copy = join(modules, name);
    const build = join(root, 'node_modules', name, 'build');
    cpSync(join(root, 'node_modules', name), copy, { recursive: true, filter: (src) => src !== build && !src.startsWith(build + sep) });
    for (const dep of Object.keys(packageJson(copy).dependencies ?? {})) {
      const own = join(copy, 'node_modules', dep);
      const shared = join(root, 'node_modules', dep);
      if (!existsSync(own) && !existsSync(join(modules, dep)) && existsSync(shared)) link(modules, dep, shared);
    }
  }

  log(`${runtime.version}: rebuilding ${names.join(', ')} (npm rebuild under that Node; a compile takes a few minutes)`);
  const started = Date.now();
  await run('npm', ['rebuild', ...names, '--foreground-scripts', '--no-audit', '--no-fund'], {
    cwd: staging,
    timeoutMs: 1_800_000,
    // nodedir: the headers of this runtime, not the ones of the Node that installed the checkout (nor ~/.npmrc's).
    env: { ...process.env, PATH: onPath(runtime), npm_config_nodedir: runtime.dir },
  });
  // npm reports success also when it ran no script (denied in allowScripts, or unreviewed under a strict npm).
  for (const name of names) {
    if (!containsAddon(join(modules, name, 'build'))) throw new Error(`npm rebuild ${name} left no compiled .node file: is its install script approved in package.json "allowScripts"?`);
  }
  log(`${runtime.version}: rebuilt in ${seconds(Date.now() - started)}`);
}

function containsAddon(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.node'));
}

/** PATH with the runtime's bin first. */
function onPath(runtime: Runtime): string {
  return [runtime.binDir, process.env.PATH ?? ''].join(delimiter);
}

/** `<home>/project`: the checkout's files, freshly copied, with node_modules linked as the module header says. */
function projectCopy(root: string, home: string, addons: string, names: string[]): string {
  const dir = join(home, 'project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(root)) {
    if (!NOT_COPIED.has(entry)) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  // Of npm's dot entries (caches, bookkeeping) only .bin is needed: vitest, tsx.
  for (const name of [...topLevelPackages(join(root, 'node_modules')), '.bin']) {
    link(modules, name, names.includes(name) ? join(addons, name) : join(root, 'node_modules', name));
  }
  return dir;
}

/**
 * What the copy's global setup needs from outside: the checkout's Temporal binaries and a database of this run's
 * own on the checkout's test PostgreSQL (named as global-setup names its own, so one left by a killed run is
 * dropped by the next). Returns the environment and a function that drops the database.
 */
async function testServices(root: string): Promise<{ env: Record<string, string>; release: () => Promise<void> }> {
  const strict = { sdkDownloadFallback: false, log: (line: string) => console.error(line) };
  const env: Record<string, string> = {
    [TEMPORAL_CLI_PATH_ENV]: executablePath(await resolveTemporalCli(strict)),
    [TEMPORAL_TEST_SERVER_PATH_ENV]: executablePath(await resolveTestServer(strict)),
  };
  const given = process.env[TEST_PG_URL_ENV]?.trim();
  if (given) return { env: { ...env, [TEST_PG_URL_ENV]: given }, release: async () => undefined };
  const { server } = await startLocalPostgres({ root, log: (line) => console.error(line) });
  const database = `fillflow_test_${process.pid}`;
  const url = await ensureDatabase(server, database, { fresh: true });
  return {
    env: { ...env, [TEST_PG_URL_ENV]: url },
    release: async () => {
      const admin = new pg.Client({ connectionString: localUrl(server, 'postgres') });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Runs a command with the terminal attached; resolves to its exit code (1 when killed by a signal). */
function attached(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(0)} s`;
}

async function main(argv: string[]): Promise<number> {
  const plan = parseArgs(argv);
  const root = findPackageRoot();
  const home = join(root, '.fillflow', 'node', String(plan.major));
  mkdirSync(home, { recursive: true });
  // One run per major at a time: runs share the runtime, the rebuilt addons and the copy.
  return withFileLock(
    join(home, '.lock'),
    async () => {
      const started = Date.now();
      const runtime = await nodeRuntime(plan.major, home);
      const names = nativePackages(root);
      const addons = await rebuiltAddons(root, names, runtime, home);
      const dir = projectCopy(root, home, addons, names);
      const env = { ...process.env, PATH: onPath(runtime) };
      log(`${runtime.version}: ready in ${seconds(Date.now() - started)} (${relative(root, dir)})`);

      if ('command' in plan) {
        const [command, ...args] = plan.command;
        return attached(command!, args, dir, env);
      }
      const report = join(home, 'vitest-report.json');
      rmSync(report, { force: true });
      const services = await testServices(root);
      const testsStarted = Date.now();
      let code: number;
      try {
        const vitest = join(dir, 'node_modules', 'vitest', 'vitest.mjs');
        code = await attached(join(runtime.binDir, 'node'), [vitest, 'run', ...plan.vitestArgs, `--outputFile.json=${report}`], dir, {
          ...env,
          ...services.env,
        });
      } finally {
        await services.release().catch((err: Error) => log(`could not drop the test database: ${err.message}`));
      }
      const r = readJson<{ numPassedTests: number; numFailedTests: number; numFailedTestSuites: number }>(report);
      const failed = r ? r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? 1 : 0) : 1;
      const outcome = (r ? `${r.numPassedTests} passed, ${failed} failed` : 'no report') + (code !== 0 ? `, vitest exited ${code}` : '');
      log(`${runtime.version}: ${outcome} (vitest run ${plan.vitestArgs.join(' ')}, ${seconds(Date.now() - testsStarted)}; ${relative(root, report)})`);
      return code !== 0 || failed > 0 ? 1 : 0;
    },
    // The lock is held through the test run: a second run of the same major waits for it.
    { timeoutMs: 3_600_000, staleMs: 7_200_000 },
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
