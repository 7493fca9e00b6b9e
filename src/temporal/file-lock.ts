/** @module An exclusive lock file, so that processes installing the same binary take turns. */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long to wait for a lock and when to consider one abandoned. */
export interface FileLockOptions {
  /** Give up waiting after this long. @default 600_000 (10 minutes: a slow download must not trip it) */
  timeoutMs?: number;
  /** Pause between attempts. @default 200 */
  pollMs?: number;
  /** A lock older than this is abandoned whoever holds it. @default 1_800_000 (30 minutes) */
  staleMs?: number;
}

/**
 * Runs `fn` while holding the lock file at `lockPath`, created with O_EXCL so only one process
 * holds it at a time. A lock left by a dead process on this host, or older than `staleMs`, is
 * broken rather than waited on.
 *
 * Breaking a stale lock can, in a narrow race, let two waiters in at once. Callers must therefore
 * stay safe without the lock (install into a private temp dir, then rename atomically); the lock
 * only saves them from doing the same work twice.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const pollMs = opts.pollMs ?? 200;
  const staleMs = opts.staleMs ?? 1_800_000;
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    if (await tryCreate(lockPath)) break;
    const holder = await readHolder(lockPath);
    if (holder && (await isStale(lockPath, holder, staleMs))) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}` +
          (holder ? ` (held by pid ${holder.pid} on ${holder.host})` : '') +
          '; if no install is running, delete that file.',
      );
    }
    await sleep(pollMs);
  }

  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

interface LockHolder {
  pid: number;
  host: string;
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(`${process.pid}\n${hostname()}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readHolder(lockPath: string): Promise<LockHolder | undefined> {
  try {
    const [pid, host] = (await readFile(lockPath, 'utf8')).split('\n');
    return { pid: Number(pid), host: host ?? '' };
  } catch {
    // Released between our create attempt and this read: the next attempt will tell.
    return undefined;
  }
}

async function isStale(lockPath: string, holder: LockHolder, staleMs: number): Promise<boolean> {
  const age = await lockAge(lockPath);
  if (age === undefined) return false;
  if (age > staleMs) return true;
  // A half-written lock (its creator is between open and write) has no pid yet: give it time.
  if (holder.host !== hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function lockAge(lockPath: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
}
