/** @module A dev server per test file and rigs closed with it (vitest hooks, so apart from fill-harness,
 * which scripts and benchmarks import outside vitest). */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { createRig, workflowBundle, type Rig, type RigOptions } from './fill-harness.js';
import { createLocalTestEnv } from './temporal-env.js';

/**
 * For a test file: one dev server for all its tests (started in beforeAll, with the workflow bundle
 * built), and `rig()` for rigs that are closed with it in afterAll. Call at the top level of the file.
 */
export function useDevServerRigs(): { env: () => TestWorkflowEnvironment; rig: (opts?: RigOptions) => Promise<Rig> } {
  let env: TestWorkflowEnvironment | undefined;
  const rigs: Rig[] = [];
  beforeAll(async () => {
    env = await createLocalTestEnv();
    await workflowBundle();
  });
  afterAll(async () => {
    for (const r of rigs) await r.close();
    await env?.teardown();
  });
  const current = () => {
    if (!env) throw new Error('the dev server starts in beforeAll: use env() inside a test');
    return env;
  };
  return {
    env: current,
    rig: async (opts?: RigOptions) => {
      const r = await createRig(current(), opts);
      rigs.push(r);
      return r;
    },
  };
}
