/** @module Workers in a child process of their own (the `fillflow worker` command), so a test can SIGKILL them:
 * pointed at the rig's store, emulator and a dev server, with a config file of the test's choosing. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TEST_API_KEY, type Rig } from './fill-harness.js';

const CLI = resolve(import.meta.dirname, '../../bin/fillflow.js');

/** Starts `fillflow worker` for the rig against the server at `address`; its output is printed if it fails. */
export function startWorkerProcess(rig: Rig, address: string, configFileContents: object): ChildProcess {
  const configFile = join(rig.dir, 'fillflow.config.json');
  writeFileSync(configFile, JSON.stringify(configFileContents));
  const child = spawn(process.execPath, [CLI, 'worker'], {
    cwd: rig.dir,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      FILLFLOW_DB: rig.config.dbPath,
      FILLFLOW_CONFIG: configFile,
      GEMINI_API_KEY: TEST_API_KEY,
      GEMINI_BASE_URL: rig.emulator.url,
      GEMINI_MODEL: rig.config.gemini.model,
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

/** Polls `check` every 100 ms until it holds. @throws naming `what` after `timeoutMs` */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
