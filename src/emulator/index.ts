/** @module The Gemini emulator: a local HTTP server speaking @google/genai's REST protocol, with quotas, faults and a recording. */

// It imports nothing else of Fillflow's (docs/architecture.md), so it can run as its own process and so a bug in
// our client cannot hide by being shared with the fake. Answers follow Fillflow's response
// convention: `responseJsonSchema` is an object whose properties are field keys, and the answer is
// `{ "<key>": { "value": <typed or null>, "quote": <string or null> } }`. See startEmulator for usage.
export { startEmulator } from './start-emulator.js';
export { goldAnswers, nullAnswers, loadGoldTable, parseGoldTable } from './gold-answers.js';
export type { GoldEntry, GoldTable, FieldAnswer } from './gold-answers.js';
export { hashedEmbedding, DEFAULT_DIMENSIONS } from './hashed-embedding.js';
export { CHARS_PER_TOKEN, estimateTokens } from './token-estimate.js';
export { pacificDay, nextPacificMidnight } from './pacific-day.js';
export { formatProtoDuration, parseProtoDuration } from './proto-duration.js';
export { hashApiKey } from './model-endpoints.js';
export type { BatchControl, BatchItemFault, BatchJobRecord, BatchModeOptions, FlexOptions } from './batch-mode.js';
export { MALFORMED_TEXT } from './model-responses.js';
export type {
  AnswerRequest,
  AnswerSource,
  BlockReason,
  EmbedFunction,
  Emulator,
  EmulatorOptions,
  Endpoint,
  Fault,
  FaultEndpoint,
  FaultMix,
  FaultQueueing,
  FaultSpec,
  LatencyOption,
  LimitsConfig,
  QuotaKind,
  QuotaLimits,
  RecordedRequest,
} from './types.js';
