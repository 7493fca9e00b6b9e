/** @module Signals and queries of fillTemplate, shared by the workflow, the client, the CLI and the API. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FillProgress } from '../core/fill-records.js';

export const progressQuery = defineQuery<FillProgress>('progress');

/** Ends a pause (for example on an exhausted daily quota) at once instead of at the quota reset. */
export const resumeSignal = defineSignal('resume');
