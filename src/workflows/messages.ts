/** @module Signals and queries of fillTemplate, shared by the workflow, the client, the CLI and the API. */
import { defineQuery } from '@temporalio/workflow';
import type { FillProgress } from '../core/fill-records.js';

export const progressQuery = defineQuery<FillProgress>('progress');
