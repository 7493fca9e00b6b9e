/** @module What activities are built from: the store, the configuration and, on Gemini workers, the client. */
import type { FillflowConfig } from '../config.js';
import type { GeminiClient } from '../gemini/gemini-client.js';
import type { Store } from '../store/store.js';

export interface FillActivityDeps {
  store: Store;
  config: Readonly<FillflowConfig>;
}

export interface GeminiActivityDeps extends FillActivityDeps {
  /** Absent when the worker has no GEMINI_API_KEY: batches then fail fast and fall back offline. */
  gemini?: GeminiClient;
  /** The API key's non-secret identity (see src/gemini/key-identity.ts): the quota ledger's bucket. */
  keyId?: string;
}
