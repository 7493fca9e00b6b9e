/** A deliberately changed fillTemplate (a timer before the first activity): replaying old histories
 * against it must fail, which proves the replay test can fail. */
import { sleep } from '@temporalio/workflow';
import type { FillInput } from '../../../src/core/fill-records.js';
import type { FillResult } from '../../../src/core/types.js';
import { fillTemplate as original } from '../../../src/workflows/fill-template.js';

export async function fillTemplate(input: FillInput): Promise<FillResult> {
  await sleep('1 second');
  return original(input);
}
