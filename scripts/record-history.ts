/** Records the histories of real runs (dev server + emulator) into test/replay/histories/, for the replay
 * tests: two example fills, one whose documents ride along whole (with a batch split after a truncated answer)
 * and one that must retrieve passages (vectors, then gathering), and three small bulks (the standard route, the
 * batch route through a Batch Mode job, and one parked on the daily quota and resumed). Run it with a new LABEL,
 * and commit the files, whenever fillTemplate or bulkFill changes on purpose; keep the older files, since running
 * fills and bulks may replay them. A second argument records only the fills or only the bulks.
 *   npm run record-history -- v3
 *   npm run record-history -- v4 bulks */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BulkClient } from '../src/bulk-client.js';
import type { FillOptions } from '../src/core/fill-records.js';
import { createWorkers } from '../src/worker.js';
import { createRig, workflowBundle, type Rig } from '../test/helpers/fill-harness.js';
import { registerAnswers, storeRows } from '../test/integration/bulk-fixture.js';
import { createLocalTestEnv } from '../test/helpers/temporal-env.js';

const [label, only] = process.argv.slice(2);
if (!label || !/^[a-z0-9.-]+$/i.test(label) || (only !== undefined && only !== 'fills' && only !== 'bulks')) {
  console.error('usage: npm run record-history -- LABEL [fills|bulks]   (LABEL: letters, digits, dots and dashes; e.g. v3)');
  process.exit(2);
}
const dir = resolve(import.meta.dirname, '../test/replay/histories');

async function record(env: TestWorkflowEnvironment, rig: Rig, name: string, options: Partial<FillOptions>): Promise<void> {
  const { templateId, documentIds } = await rig.loadExample();
  const result = await rig.fill({ templateId, documentIds, fillId: `fill-recorded-${name}`, options });
  await save(env, result.fillId, `fill-template-${label}-${name}.json`);
}

async function save(env: TestWorkflowEnvironment, workflowId: string, file: string): Promise<void> {
  const out = resolve(dir, file);
  if (existsSync(out)) throw new Error(`${out} exists: recorded histories are kept as they are; choose a new label`);
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(out, `${historyToJSON(history)}\n`);
  console.log(`recorded ${history.events?.length ?? 0} events to ${out}`);
}

/** Bulks of four rows, two at a time: the sliding window starting, awaiting and refilling its children; the batch
 * route's job submitted, polled and collected; and a park on the daily quota, then `bulk resume`. */
async function recordBulks(env: TestWorkflowEnvironment): Promise<void> {
  const rig = await createRig(env, { emulator: { answer: registerAnswers } });
  const workers = await createWorkers({ config: rig.config, connection: env.nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  const running = workers.run();
  try {
    const bulks = new BulkClient(env.client, { config: rig.config, store: rig.store });
    const standard = await bulks.startBulk({ rows: await storeRows(rig.store, rig.dir, 4), window: 2 });
    await finished(bulks, standard.bulkId);
    await save(env, standard.bulkId, `bulk-fill-${label}.json`);

    rig.emulator.batch.setOptions({ turnaroundMs: 300 });
    const batch = await bulks.startBulk({ rows: await storeRows(rig.store, rig.dir, 4, 100), window: 2, route: 'batch', batch: { pollMs: 200 } });
    await finished(bulks, batch.bulkId);
    await save(env, batch.bulkId, `bulk-fill-${label}-batch-route.json`);

    // The second call from here is refused for the day: the bulk parks until `resume`.
    rig.emulator.reset();
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day', match: (q) => q.seq >= 2 });
    const parked = await bulks.startBulk({ rows: await storeRows(rig.store, rig.dir, 4, 200), window: 2, quotaCheckMs: 300 });
    const deadline = Date.now() + 60_000;
    while ((await bulks.getBulk(parked.bulkId)).status !== 'paused-quota') {
      if (Date.now() > deadline) throw new Error(`bulk ${parked.bulkId} did not park`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await bulks.resume(parked.bulkId);
    await finished(bulks, parked.bulkId);
    await save(env, parked.bulkId, `bulk-fill-${label}-parked.json`);
  } finally {
    workers.shutdown();
    await running;
    await rig.close();
  }
}

async function finished(bulks: BulkClient, bulkId: string): Promise<void> {
  const state = await bulks.waitForBulk(bulkId);
  if (state.status !== 'completed') throw new Error(`bulk ${bulkId} ended ${state.status}: ${state.error ?? ''}`);
}

const env = await createLocalTestEnv();
try {
  if (only !== 'bulks') await recordFills(env);
  if (only !== 'fills') await recordBulks(env);
} finally {
  await env.teardown();
}

async function recordFills(env: TestWorkflowEnvironment): Promise<void> {
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
}
