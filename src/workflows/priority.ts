/** @module The Temporal task priority of a fill's Gemini calls: interactive ahead of bulk, one fairness key per tenant. */
import type { Priority } from '@temporalio/common';
import type { FillOptions } from '../core/fill-records.js';

/** Lower runs first; the server's default levels are 1..5 and an unset key means 3. */
export const PRIORITY_KEY = { interactive: 2, bulk: 4 } as const;

export function geminiPriority(options: Pick<FillOptions, 'priority' | 'fairnessKey'>): Priority {
  return {
    priorityKey: PRIORITY_KEY[options.priority ?? 'interactive'],
    // The server takes at most 64 bytes; identities are 16 hex digits, anything longer is cut.
    ...(options.fairnessKey ? { fairnessKey: options.fairnessKey.slice(0, 64) } : {}),
  };
}
