/** @module Queries and signals of bulkFill, shared by the workflow, the bulk client, the CLI and the API. They
 * have the same names as a fill's (`progress`, `resume`), so an operator asks either kind the same way. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BulkProgress } from '../bulk/bulk-records.js';

export const bulkProgressQuery = defineQuery<BulkProgress>('progress');

/** Ends the bulk's park on an exhausted daily quota at once, and every parked row's with it. */
export const bulkResumeSignal = defineSignal('resume');
