/** Records the history of a real example fill (dev server + emulator) into test/replay/histories/,
 * for the replay tests. Run again, and commit the file, whenever fillTemplate changes on purpose. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { createRig } from '../test/helpers/fill-harness.js';
import { createLocalTestEnv } from '../test/helpers/temporal-env.js';

const out = resolve(import.meta.dirname, '../test/replay/histories/fill-template.json');
const env = await createLocalTestEnv();
const rig = await createRig(env);
try {
  const { templateId, documentIds } = await rig.loadExample();
  // A truncated first answer makes the history include a batch split.
  rig.emulator.inject({ kind: 'truncate' });
  const result = await rig.fill({ templateId, documentIds, fillId: 'fill-recorded', options: { maxBatchSize: 20 } });
  const history = await env.client.workflow.getHandle(result.fillId).fetchHistory();
  writeFileSync(out, `${historyToJSON(history)}\n`);
  console.log(`recorded ${history.events?.length ?? 0} events to ${out}`);
} finally {
  await rig.close();
  await env.teardown();
}
