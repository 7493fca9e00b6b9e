/** @module The emulator's public records: options, limits, faults, recorded requests and answer sources. */
import type { BatchControl, BatchModeOptions, FlexOptions } from './batch-mode.js';

/** The quota dimensions the emulator enforces, named as Fillflow names them. */
export type QuotaKind = 'per-minute' | 'per-day' | 'tokens-per-minute';

/**
 * Limits for one (api key, model) pair. An absent limit is not enforced; `0` means the model is not
 * available at all, which Google reports as a 429 with `limit: 0` (test/fixtures/gemini/429-limit-zero.json).
 */
export interface QuotaLimits {
  /** Accepted generateContent requests in any sliding 60 s window. */
  rpm?: number;
  /** Input (prompt) tokens of accepted requests in any sliding 60 s window. */
  tpm?: number;
  /** Accepted requests per America/Los_Angeles calendar day. */
  rpd?: number;
}

/**
 * Limits for every model, with optional per-model overrides. A per-model entry is merged over the
 * top-level values (`{ rpm: 10, perModel: { m: { rpd: 5 } } }` gives `m` rpm 10 and rpd 5).
 */
export interface LimitsConfig extends QuotaLimits {
  perModel?: Record<string, QuotaLimits>;
}

/** What an {@link AnswerSource} sees of a generateContent request. */
export interface AnswerRequest {
  model: string;
  /** Every text part of `contents`, joined with newlines. */
  promptText: string;
  /** Every text part of `systemInstruction`, joined with newlines ('' when absent). */
  systemText: string;
  /** `generationConfig.responseJsonSchema` (or `responseSchema`), `undefined` when absent. */
  schema: unknown;
  generationConfig: Record<string, unknown>;
}

/**
 * Decides what the "model" answers. The result is serialised with `JSON.stringify` (a string is sent
 * as is) and becomes the candidate's text. It may return a promise. It is never real extraction.
 */
export type AnswerSource = (req: AnswerRequest) => unknown;

/** `promptFeedback.blockReason` values the real API sends. */
export type BlockReason =
  | 'BLOCKED_REASON_UNSPECIFIED'
  | 'SAFETY'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'IMAGE_SAFETY'
  | 'MODEL_ARMOR'
  | 'JAILBREAK';

/** One fault, without the queueing options: what the request is answered with instead of the model. */
export type FaultSpec =
  /** An error status with Google's body for it (503: "The model is overloaded...", UNAVAILABLE). */
  | { kind: 'status'; status: number; message?: string }
  /** A real-shape 429 for one quota; `retryDelay` is a protobuf duration such as `"12.5s"`. */
  | { kind: 'rate-limit'; quota: QuotaKind; retryDelay?: string }
  /** A 429 whose violations carry `limit: 0` and `quotaValue: "0"`: the model is not on this tier. */
  | { kind: 'limit-zero' }
  /** The bare 429 "Resource has been exhausted (e.g. check quota)." with no details. */
  | { kind: 'no-details-429' }
  /**
   * A 200 with `finishReason: MAX_TOKENS` and the JSON answer cut mid-way, or after `atTokens` output tokens
   * (as a model's answer stops at its limit: whatever fields closed before it, then a broken one).
   */
  | { kind: 'truncate'; atTokens?: number }
  /** A 200 with `finishReason: STOP` whose text is not JSON. */
  | { kind: 'malformed' }
  /** A 200 with `promptFeedback.blockReason` and no candidates. @default reason 'SAFETY' */
  | { kind: 'blocked'; reason?: BlockReason }
  /**
   * batchEmbedContents only: a 200 whose vectors have `dimensions` values whatever size was asked, as from a
   * Gemini-compatible server that ignores `outputDimensionality`. @default 3072 (gemini-embedding-001's full size)
   */
  | { kind: 'wrong-dimensions'; dimensions?: number }
  /** Extra delay before the answer; stacks with one other fault on the same request. */
  | { kind: 'latency'; ms: number };

/** The options every queued fault takes. */
export interface FaultQueueing {
  /** How many matching requests this fault answers. @default 1 */
  count?: number;
  /** Only requests this accepts are answered by the fault; others pass it by. @default every request */
  match?: (req: RecordedRequest) => boolean;
  /**
   * The model endpoint whose requests the fault answers. Error and latency faults serve either;
   * `wrong-dimensions` only batchEmbedContents, the other shape faults only generateContent.
   * @default 'generateContent' (so a fault meant for an extraction is never spent on the embedding call before it)
   */
  endpoint?: FaultEndpoint;
}

/** The model endpoints faults can be queued for (countTokens spends no quota and takes none). */
export type FaultEndpoint = 'generateContent' | 'batchEmbedContents';

/** A fault as queued with {@link Emulator.inject}. */
export type Fault = FaultSpec & FaultQueueing;

/** The model endpoints the emulator serves. */
export type Endpoint = 'generateContent' | 'countTokens' | 'batchEmbedContents';

/** One request as the emulator saw and answered it. The API key itself is never kept. */
export interface RecordedRequest {
  /** 1, 2, 3... in arrival order; restarts at 1 after `reset()`. */
  seq: number;
  /** Arrival time on the emulator's clock (ms). */
  at: number;
  method: string;
  path: string;
  endpoint: Endpoint | null;
  model: string | null;
  /** First 16 hex digits of sha256(key); `null` when no key was sent. */
  apiKeyHash: string | null;
  /** The parsed JSON body; `null` when it was absent or not JSON. */
  body: unknown;
  /** The HTTP status answered; 0 while the request is still in flight. */
  status: number;
  /** The emulator's estimate, ceil(chars / 4) over text parts and the schema. */
  promptTokens: number;
  /** Property names of `generationConfig.responseJsonSchema`. */
  fieldKeys: string[];
  /** Every text part of `contents`, joined with newlines. */
  promptText: string;
  /** Output tokens of a 200 generateContent answer. */
  outputTokens?: number;
  /** `candidates[0].finishReason` of a 200 generateContent answer. */
  finishReason?: string;
  /** `promptFeedback.blockReason` of a blocked answer (which has no finishReason). */
  blockReason?: BlockReason;
  /** The kinds of the injected faults that answered this request (e.g. `['latency', 'truncate']`). */
  faults?: string[];
  /** The quotas a 429 named, when the emulator's own limits produced it. */
  rateLimited?: QuotaKind[];
  /** The `RetryInfo.retryDelay` a 429 carried (a protobuf duration such as `"2.5s"`), whatever produced it. */
  retryDelay?: string;
  /** When the answer was sent, on the emulator's clock (ms): after any latency, so `answeredAt + retryDelay` is the hint's earliest retry. */
  answeredAt?: number;
  /** Why the request was answered 4xx/5xx by the emulator itself (bad input, unknown path...). */
  error?: string;
}

/**
 * Computes embeddings in place of the emulator's hashed bag of words, e.g. a local sentence-embedding
 * model, so a benchmark can measure retrieval with real semantics. Called once per run of consecutive
 * batchEmbedContents items sharing a task type and size; must return one vector per text, in order.
 */
export type EmbedFunction = (texts: string[], task: string | undefined, dimensions: number | undefined) => Promise<number[][]>;

/** Latency added to every model request: a fixed number of ms, or uniform in `[min, max]` (seeded). */
export type LatencyOption = number | { min: number; max: number };

/**
 * A storm: shares of generateContent requests answered with a fault, drawn per request from the seeded generator.
 * The shares are laid end to end (together at most 1), so `{ rateLimit: 0.5, unavailable: 0.1 }` answers half the
 * requests 429 and a tenth 503. Like `faultRate`, the errors are answered before the quota check and spend no quota;
 * malformed and truncated answers are given to requests the quotas admit. Recorded in `faults` as `mix:<kind>`.
 */
export interface FaultMix {
  /** Share answered with a per-minute 429 whose `RetryInfo.retryDelay` is drawn from `retryDelayMs`. */
  rateLimit?: number;
  /** Share answered 503 UNAVAILABLE ("The model is overloaded"). */
  unavailable?: number;
  /** Share answered 200 with prose where JSON was asked for (the `malformed` fault). */
  malformed?: number;
  /** Share answered 200 with the JSON cut half-way and `finishReason: MAX_TOKENS` (the `truncate` fault). */
  truncated?: number;
  /** The range of the 429s' retry delays, in ms. @default { min: 1000, max: 5000 } */
  retryDelayMs?: { min: number; max: number };
}

/** Options of {@link startEmulator}; every one has a default. */
export interface EmulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default no limits */
  limits?: LimitsConfig;
  /** @default 0 */
  latencyMs?: LatencyOption;
  /**
   * Share of generateContent requests answered 503, in [0, 1], drawn from the seeded generator; like
   * injected errors they are answered before the quota check and spend no quota. @default 0
   */
  faultRate?: number;
  /** A storm of 429s, 503s, malformed and truncated answers by share of requests. @default none */
  faultMix?: FaultMix;
  /** Seeds latency, faultRate, faultMix, detail order and the short per-day retry delays. @default 1 */
  seed?: number;
  /** @default nullAnswers() */
  answer?: AnswerSource;
  /** Answers batchEmbedContents with these vectors. @default hashedEmbedding (plumbing, not semantics) */
  embed?: EmbedFunction;
  /** When set, any other key is answered 400 API_KEY_INVALID. @default any key */
  apiKeys?: string[];
  /** When set, any other model is answered 404 NOT_FOUND. @default any model */
  models?: string[];
  /** The clock for `at`, quota windows and the Pacific day. @default Date.now */
  now?: () => number;
  /** Where the emulator says what it rejected as unexpected input. @default a line on stderr */
  log?: (line: string) => void;
  /**
   * The model's own limit on one answer, in output tokens: a longer answer is cut there with `finishReason:
   * MAX_TOKENS`, whatever larger `maxOutputTokens` the request asked for (a smaller one cuts sooner), as the
   * real API stops at the model's limit. @default no limit but the request's
   */
  outputTokenLimit?: number;
  /**
   * Generation speed: every answer takes its output tokens divided by this many seconds on top of `latencyMs`,
   * so a long answer takes longer, as a real model's does (current Flash models write 150 to 300 a second).
   * @default none: the answer's length costs no time
   */
  outputTokensPerSecond?: number;
  /** Batch Mode: turnaround and per-item faults. @default jobs end at their first `get`, every item answered */
  batch?: BatchModeOptions;
  /** The flex tier: its extra latency, and which requests it sheds. @default none */
  flex?: FlexOptions;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL for `httpOptions.baseUrl`, e.g. `http://127.0.0.1:41234` (no path, no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every model request so far, live (the same array is updated in place). */
  readonly requests: RecordedRequest[];
  /** Batch Mode's jobs and files, and the flex tier's behaviour (batch-mode.ts). */
  readonly batch: BatchControl;
  /** Queues faults for upcoming requests, in order: generateContent ones unless a fault names another `endpoint`. */
  inject(...faults: Fault[]): void;
  /** Faults still queued (with their remaining counts). */
  pendingFaults(): Array<FaultSpec & { count: number }>;
  setLimits(limits: LimitsConfig): void;
  setAnswer(source: AnswerSource): void;
  /** Clears quota windows, queued faults and recorded requests; limits and the answer source stay. */
  reset(): void;
  close(): Promise<void>;
}
