/** @module What the API is built from: the store, the configuration and a fill service (the TypeScript
 * client). Tests pass the same client on a test server; nothing is mocked at module level. */
import type { FillflowClient } from '../client.js';
import type { FillflowConfig } from '../config.js';
import type { ProcessMetrics } from '../metrics/process-metrics.js';
import { DEFAULT_DOCUMENT_LIMITS } from '../retrieval/document-guard.js';
import type { Store } from '../store/store.js';

export type FillService = Pick<FillflowClient, 'startFill' | 'getFill' | 'resume' | 'cancel'>;

export interface ApiLimits {
  /** Largest document upload (bytes). @default 50 MiB */
  maxDocumentBytes: number;
  /** Largest template upload (bytes). @default 20 MiB */
  maxTemplateBytes: number;
  /** Largest JSON body (bytes). @default 4 MiB */
  maxJsonBytes: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  // The same limit every way a document comes in (the CLI, `fillflow ingest`) applies.
  maxDocumentBytes: DEFAULT_DOCUMENT_LIMITS.maxBytes,
  maxTemplateBytes: 20 * 1024 * 1024,
  maxJsonBytes: 4 * 1024 * 1024,
};

export interface ApiDeps {
  store: Store;
  fills: FillService;
  config: Readonly<FillflowConfig>;
  limits?: Partial<ApiLimits>;
  /** Where 5xx causes are logged (never sent to the client). @default console.error */
  logError?: (message: string, err: unknown) => void;
  /** This process's metrics, when it serves them: GET /metrics answers with them, and requests are counted in them. */
  metrics?: ProcessMetrics;
}
