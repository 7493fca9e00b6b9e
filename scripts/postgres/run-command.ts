/** @module Runs a setup command (optionally as another user), and fails with the command's own last words. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface RunOptions {
  /** Run as this user (through `runuser`): initdb and the server refuse to run as root. */
  asUser?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** True when this process runs as root (and so must hand the server to another user). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs `command` and returns its stdout; throws with the command line and the tail of its stderr. */
export async function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const [file, argv] = opts.asUser !== undefined && isRoot() ? ['runuser', ['-u', opts.asUser, '--', command, ...args]] : [command, [...args]];
  try {
    const { stdout } = await exec(file, argv, {
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: opts.env ?? process.env,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string; killed?: boolean };
    const why =
      e.code === 'ENOENT'
        ? `${file} was not found`
        : e.killed
          ? 'timed out'
          : (e.stderr || e.stdout || e.message).trim().split('\n').slice(-6).join('\n');
    throw new Error(`\`${[command, ...args].join(' ')}\`${opts.asUser && isRoot() ? ` (as ${opts.asUser})` : ''} failed: ${why}`);
  }
}

/** Exit code of a command that reports through it (pg_ctl status: 0 running, 3 stopped, 4 no data folder). */
export async function exitCode(command: string, args: readonly string[], opts: RunOptions = {}): Promise<number> {
  const [file, argv] = opts.asUser !== undefined && isRoot() ? ['runuser', ['-u', opts.asUser, '--', command, ...args]] : [command, [...args]];
  try {
    await exec(file, argv, { timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env });
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'number' ? code : -1;
  }
}
