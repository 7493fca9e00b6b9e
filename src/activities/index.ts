/** @module Activity factories, one per task queue: `fillflow` (light work) and `fillflow-gemini` (rate limited). */
import { createBulkActivities } from './bulk-activities.js';
import { createBulkRouteActivities } from './bulk-routes.js';
import type { FillActivityDeps, GeminiActivityDeps } from './deps.js';
import { makeEmbedContext } from './embed-context.js';
import { makeExtractBatch } from './extract-batch.js';
import { makeExtractOffline } from './extract-offline.js';
import { makeFinalizeFill } from './finalize-fill.js';
import { makeGatherContext } from './gather-context.js';
import { beatingWhileRunning } from './liveness.js';
import { makePrepareFill } from './prepare-fill.js';
import { makeRenderOutput } from './render-output.js';

export type { FillActivityDeps, GeminiActivityDeps } from './deps.js';

export function createFillActivities(deps: FillActivityDeps) {
  return {
    // A fill's light steps beat while they run, so a worker that dies under one is noticed in seconds.
    prepareFill: beatingWhileRunning(makePrepareFill(deps)),
    gatherContext: beatingWhileRunning(makeGatherContext(deps)),
    extractOffline: beatingWhileRunning(makeExtractOffline(deps)),
    finalizeFill: beatingWhileRunning(makeFinalizeFill(deps)),
    renderOutput: beatingWhileRunning(makeRenderOutput(deps)),
    ...createBulkActivities(deps),
  };
}

export function createGeminiActivities(deps: GeminiActivityDeps) {
  return { extractBatch: makeExtractBatch(deps), embedContext: makeEmbedContext(deps), ...createBulkRouteActivities(deps) };
}

export type FillActivities = ReturnType<typeof createFillActivities>;
export type GeminiActivities = ReturnType<typeof createGeminiActivities>;
