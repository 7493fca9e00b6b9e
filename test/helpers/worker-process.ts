/** @module Workers in a child process of their own (the `fillflow worker` command), so a test can SIGKILL them:
 * pointed at the rig's store, emulator and a dev server, with a config file of the test's choosing. A cluster test
 * gives each its own working directory, roles and store (`FILLFLOW_DB`), so they share nothing but what it names. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TEST_API_KEY, type Rig } from './fill-harness.js';

const CLI = resolve(import.meta.dirname, '../../bin/fillflow.js');

/** Where and how one worker process runs; every option defaults to what the rig's own workers would use. */
export interface WorkerProcessOptions {
  /** The process's working directory, where its config file is written. @default the rig's directory */
  cwd?: string;
  /** `--role`: one worker of the two. @default both */
  role?: 'fill' | 'gemini';
  /** Set over the environment built from the rig (e.g. `FILLFLOW_DB` for another store). */
  env?: Record<string, string>;
}

/** Starts `fillflow worker` for the rig against the server at `address`; its output is printed if it fails. */
export function startWorkerProcess(rig: Rig, address: string, configFileContents: object, opts: WorkerProcessOptions = {}): ChildProcess {
  const cwd = opts.cwd ?? rig.dir;
  const configFile = join(cwd, 'fillflow.config.json');
  writeFileSync(configFile, JSON.stringify(configFileContents));
  const child = spawn(process.execPath, [CLI, 'worker', ...(opts.role ? ['--role', opts.role] : [])], {
    cwd,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      FILLFLOW_DB: rig.config.dbPath,
      FILLFLOW_CONFIG: configFile,
      GEMINI_API_KEY: TEST_API_KEY,
      GEMINI_BASE_URL: rig.emulator.url,
      GEMINI_MODEL: rig.config.gemini.model,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`worker exited ${code}:\n${output}`);
  });
  return child;
}

/**
 * Resolves once the worker process has printed its ready line (its workers are built and about to poll).
 * @throws when it exits first, or after `timeoutMs`
 */
export function workerReady(child: ChildProcess, timeoutMs = 110_000): Promise<void> {
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`worker ${child.pid} not ready after ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      fail(new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready`));
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!out.includes('worker ready')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      done();
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Polls `check` every 100 ms until it holds. @throws naming `what` after `timeoutMs` */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
