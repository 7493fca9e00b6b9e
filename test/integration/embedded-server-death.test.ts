/** A standalone `fillflow fill` whose embedded dev server is SIGKILLed mid-fill: the command stops waiting within
 * seconds, says the server exited (its pid and signal) and that the fill was not finished, and exits non-zero. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { goldAnswers, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { EXAMPLE_DIR, TEST_API_KEY, exampleGold } from '../helpers/fill-harness.js';
import { until } from '../helpers/worker-process.js';

const CLI = resolve(import.meta.dirname, '../../bin/fillflow.js');
let dir: string;
let emulator: Emulator;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-server-death-'));
  // Every answer takes a minute: the fill is certainly unfinished when its server dies.
  emulator = await startEmulator({ answer: goldAnswers(exampleGold()), latencyMs: 60_000 });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment without this machine's Fillflow, Temporal and Gemini settings, except the binaries global setup found. */
function cleanEnv(): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(FILLFLOW_|TEMPORAL_ADDRESS|TEMPORAL_NAMESPACE|GEMINI_)/.test(k)) base[k] = v;
  return {
    ...base,
    FILLFLOW_DB: join(dir, 'store.db'),
    GEMINI_API_KEY: TEST_API_KEY,
    GEMINI_BASE_URL: emulator.url,
    GEMINI_MODEL: 'gemini-3.5-flash',
  };
}

/** The pids of a process's children, from /proc (Linux). */
function childPids(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((t) => {
    try {
      return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

it('fails within seconds, naming the dead server, when the embedded dev server is SIGKILLed mid-fill', async () => {
  const out = join(dir, 'RESULT.json');
  const child = spawn(
    process.execPath,
    [CLI, 'fill', '--template', join(EXAMPLE_DIR, 'template.json'), '--docs', join(EXAMPLE_DIR, 'docs'), '--out', out],
    { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; at: number }>((done) => child.on('exit', (code) => done({ code, at: Date.now() })));

  // Mid-fill: the first Gemini request is waiting on the slow emulator.
  await until('the fill to send its first Gemini request', () => emulator.requests.some((q) => q.endpoint === 'generateContent'), 120_000);
  const server = childPids(child.pid!).find((pid) => commandLine(pid).includes('start-dev'));
  expect(server, `no dev server among the children of ${child.pid}; stderr so far:\n${stderr}`).toBeDefined();
  process.kill(server!, 'SIGKILL');
  const killedAt = Date.now();

  const { code, at } = await Promise.race([
    exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`fillflow fill still running 60 s after its server died:\n${stderr}`)), 60_000)),
  ]);
  expect(code, stderr).not.toBe(0);
  expect(stderr).toContain(`the Temporal dev server (pid ${server}) exited with signal SIGKILL`);
  expect(stderr).toMatch(/the fill fill-\S+ was not finished/);
  // "Within seconds": the generous bound of a loaded 2-core machine, far below the minute the answer takes.
  expect(at - killedAt).toBeLessThan(15_000);
}, 180_000);
