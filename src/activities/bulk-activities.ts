/** @module The `bulkFill` workflow's activities (on the `fillflow` queue): read a page of rows from the store,
 * record rows' outcomes (counted in fillflow_bulk_rows_total) and read whether the key's day is closed, reopen the
 * day on `bulk resume`, and follow a row's fill that a restarted bulk finds already started. */
import { Context, heartbeat } from '@temporalio/activity';
import type { BulkCheckpointInput, BulkCheckpointResult, BulkRowRef, LoadBulkRowsInput } from '../bulk/bulk-records.js';
import type { FillResult } from '../core/types.js';
import { apiKeyIdentity } from '../gemini/key-identity.js';
import { activityMetrics } from '../metrics/activity-metrics.js';
import type { QuotaBucket } from '../store/quota-ledger-store.js';
import type { FillActivityDeps } from './deps.js';

const HEARTBEAT_MS = 10_000;

export function createBulkActivities(deps: FillActivityDeps) {
  const { store, config } = deps;
  /** The ledger bucket the rows' Gemini calls reserve in: this key (as the Gemini workers' config names it) and model. */
  const bucket = (fairnessKey: string | undefined): QuotaBucket => ({
    keyId: config.gemini.apiKey ? apiKeyIdentity(config.gemini.apiKey) : (fairnessKey ?? 'no-key'),
    model: config.gemini.model,
  });

  return {
    async loadBulkRows(input: LoadBulkRowsInput): Promise<BulkRowRef[]> {
      const rows = await store.listBulkRows(input.bulkId, input.offset, input.limit);
      return rows.map((r) => ({ index: r.index, row: r.row, fillId: r.fillId, templateId: r.templateId, documentIds: r.documentIds }));
    },

    /**
     * Records outcomes (the first stands, so a retry changes nothing) and reads whether the day is closed. The rows
     * metric counts what the record changed, as the store reports it: a retried or re-run checkpoint (an activity
     * retried after its worker died, or a bulk replayed from local activities before they became activities)
     * counts nothing twice.
     */
    async bulkCheckpoint(input: BulkCheckpointInput): Promise<BulkCheckpointResult> {
      if (input.outcomes.length > 0) {
        const changed = await store.recordBulkRowOutcomes(input.bulkId, input.outcomes);
        const metrics = activityMetrics();
        for (const outcome of ['completed', 'failed', 'cancelled'] as const) metrics.bulkRows(outcome, changed[outcome]);
      }
      const [snapshot] = await store.quotaSnapshots(bucket(input.fairnessKey));
      return snapshot?.exhaustedUntil !== undefined ? { dayClosedUntil: snapshot.exhaustedUntil } : {};
    },

    /** `bulk resume`: rows started from now on may call at once, as a resumed fill's next call would. */
    async reopenBulkQuota(input: { fairnessKey?: string }): Promise<void> {
      await store.quotaReopen(bucket(input.fairnessKey));
    },

    /**
     * The result of a row's fill that this bulk did not start in this run (a restarted bulk found its ID taken):
     * waits for it, heartbeating, and fails as it failed.
     */
    async awaitFill(input: { fillId: string }): Promise<FillResult> {
      const beat = setInterval(() => heartbeat(), HEARTBEAT_MS);
      try {
        return (await Context.current().client.workflow.getHandle(input.fillId).result()) as FillResult;
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type BulkActivities = ReturnType<typeof createBulkActivities>;
