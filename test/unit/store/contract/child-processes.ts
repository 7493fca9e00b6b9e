/** @module Runs the store tests' child processes (quota-reserver.ts, concurrent-writer.ts) together: each opens the
 * store and reports, then all are told "go" at once, so their work really overlaps. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A script beside the store tests (test/unit/store/NAME). */
export function storeScript(name: string): string {
  return fileURLToPath(new URL(`../${name}`, import.meta.url));
}

/**
 * Starts one process per argument list, waits until every one has printed "opened", sends "go" to all, runs
 * `afterGo`, and returns each one's stdout once all have exited. A process that fails rejects with its stderr.
 */
export async function runTogether(
  script: string,
  argLists: string[][],
  opts: { timeoutMs?: number; afterGo?: () => Promise<void> | void } = {},
): Promise<string[]> {
  const children: ChildProcess[] = [];
  const opened: Promise<void>[] = [];
  const finished = argLists.map((args) => {
    let signalOpened: () => void = () => undefined;
    opened.push(new Promise<void>((resolve) => (signalOpened = resolve)));
    return new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('opened\n')) signalOpened();
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${err}`))));
    });
  });
  const timer = setTimeout(() => children.forEach((c) => c.kill()), opts.timeoutMs ?? 60_000);
  try {
    // A child that dies before opening must not leave us waiting for its "opened".
    await Promise.race([Promise.all(opened), Promise.all(finished)]);
    for (const child of children) child.stdin!.end('go\n');
    await opts.afterGo?.();
    return await Promise.all(finished);
  } finally {
    clearTimeout(timer);
  }
}
