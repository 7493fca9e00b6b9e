/** Records the histories of two real example fills (dev server + emulator) into test/replay/histories/, for
 * the replay tests: one whose documents ride along whole (with a batch split after a truncated answer), and
 * one that must retrieve passages (vectors, then gathering). Run it with a new LABEL, and commit the files,
 * whenever fillTemplate changes on purpose; keep the older files, since running fills may replay them.
 *   npm run record-history -- v3 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FillOptions } from '../src/core/fill-records.js';
import { createRig, type Rig } from '../test/helpers/fill-harness.js';
import { createLocalTestEnv } from '../test/helpers/temporal-env.js';

const label = process.argv[2];
if (!label || !/^[a-z0-9.-]+$/i.test(label)) {
  console.error('usage: npm run record-history -- LABEL   (letters, digits, dots and dashes; e.g. v3)');
  process.exit(2);
}
const dir = resolve(import.meta.dirname, '../test/replay/histories');

async function record(env: TestWorkflowEnvironment, rig: Rig, name: string, options: Partial<FillOptions>): Promise<void> {
  const out = resolve(dir, `fill-template-${label}-${name}.json`);
  if (existsSync(out)) throw new Error(`${out} exists: recorded histories are kept as they are; choose a new label`);
  const { templateId, documentIds } = await rig.loadExample();
  const result = await rig.fill({ templateId, documentIds, fillId: `fill-recorded-${name}`, options });
  const history = await env.client.workflow.getHandle(result.fillId).fetchHistory();
  writeFileSync(out, `${historyToJSON(history)}\n`);
  console.log(`recorded ${history.events?.length ?? 0} events to ${out}`);
}

const env = await createLocalTestEnv();
try {
  const whole = await createRig(env);
  try {
    // A truncated first answer makes the history include a batch split.
    whole.emulator.inject({ kind: 'truncate' });
    await record(env, whole, 'whole-documents', { maxBatchSize: 20 });
  } finally {
    await whole.close();
  }
  // Its own store: nothing cached from the first fill. A small input budget makes the fill retrieve.
  const retrieval = await createRig(env);
  try {
    await record(env, retrieval, 'retrieval', { maxBatchSize: 20, maxInputTokens: 1_500 });
  } finally {
    await retrieval.close();
  }
} finally {
  await env.teardown();
}
