/** @module Worker processes for the benchmarks: `fillflow worker` in a working directory of its own, reaching the
 * others only through the Temporal server and the store it is given, as a worker on another machine would. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../bin/fillflow.js');

export interface WorkerProcessSpec {
  /** TEMPORAL_ADDRESS */
  address: string;
  /** FILLFLOW_DB: a SQLite file every process opens, or a postgres:// URL. */
  dbPath: string;
  role: 'fill' | 'gemini';
  /** The process's config file (`limits`, `profile`, ...). */
  config: object;
  /** GEMINI_API_KEY, GEMINI_BASE_URL and the like. */
  env: Record<string, string>;
}

export interface RunningWorkerProcess {
  pid: number;
  /** SIGTERM, then waits for it to exit; removes its working directory. */
  stop(): Promise<void>;
}

/** Starts one worker process and resolves once it has said it is ready. @throws with its output when it exits first */
export async function startWorkerProcess(spec: WorkerProcessSpec): Promise<RunningWorkerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'fillflow-bench-worker-'));
  const configFile = join(cwd, 'fillflow.config.json');
  writeFileSync(configFile, JSON.stringify(spec.config));
  const child = spawn(process.execPath, [CLI, 'worker', '--role', spec.role], {
    cwd,
    env: { ...process.env, ...spec.env, TEMPORAL_ADDRESS: spec.address, FILLFLOW_DB: spec.dbPath, FILLFLOW_CONFIG: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('worker ready')) ready();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`worker process exited ${code} before it was ready:\n${output}`)));
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
