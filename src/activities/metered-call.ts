/** @module The one metered Gemini call. Every request a Gemini activity sends, for answers or for vectors, goes
 * through here: the attempt's retry count, the shared ledger's permit (run-time limits included), the request
 * with heartbeats, usage named by endpoint and model, 429s booked in the ledger, the reservation reconciled,
 * every failure mapped by toFailure, and the same facts counted in Fillflow's metrics. Extraction and embedding
 * differ only in what they send. */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { classifyGeminiError, type GeminiErrorClass } from '../core/classify-gemini-error.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import { GeminiCallError, type GeminiClient } from '../gemini/gemini-client.js';
import { activityMetrics } from '../metrics/activity-metrics.js';
import type { FillflowMetrics, Gemini429Kind, GeminiCallTags, GeminiOutcome } from '../metrics/fillflow-metrics.js';
import type { QuotaBucket } from '../store/quota-ledger-store.js';
import type { UsageEvent } from '../store/store.js';
import type { GeminiActivityDeps } from './deps.js';
import { acquirePermit } from './quota-gate.js';
import { toFailure } from './to-failure.js';

/** Must stay well under the heartbeat timeout the workflow sets on Gemini activities. */
const HEARTBEAT_MS = 5_000;
/** Shorter waits are the ledger's own round trip, not time spent waiting for room. */
const COUNTED_WAIT_MS = 50;

/** Where a Gemini activity's usage events are filed. */
export interface UsageKey {
  fillId: string;
  batchId: string;
}

/** What an activity's usage events say besides where they are filed and who answered. */
export type UsageFacts = Omit<UsageEvent, 'fillId' | 'batchId' | 'endpoint' | 'model'>;

export interface MeteredRequest<T> {
  /** Estimated input tokens: reserved in the ledger's token window before the request goes. */
  estimatedTokens: number;
  /** Fields the request asks (for fields per call); 0 for embeddings. */
  fields: number;
  /** Names the kind of request in its usage events (`embed`); absent for extraction. */
  detail?: string;
  /** The workflow waited out a closed day (or was resumed): reopen it in the ledger before asking. */
  reopenQuota?: boolean;
  /** Sends the one request; `signal` is the activity's cancellation. */
  send(signal: AbortSignal): Promise<T>;
  /** Gemini's own token counts, when its answer carries them (embedding answers do not). */
  tokensOf?: (answer: T) => { promptTokens: number; outputTokens: number };
}

/** One attempt of a Gemini activity, bound to the endpoint and model it asks. */
export interface MeteredAttempt {
  readonly gemini: GeminiClient;
  /** The endpoint's identity (`gemini` or a base URL): every usage event names it. */
  readonly endpoint: string;
  /** The model this activity asks: the ledger bucket's and every usage event's. */
  readonly model: string;
  /** Temporal's attempt number, 1 for the first. */
  readonly attempt: number;
  /** Records a usage event of this attempt (a cache hit, say), named by endpoint and model. */
  record(facts: UsageFacts): Promise<void>;
  /** Sends one request through the ledger; throws only failures built by toFailure (or a cancellation). */
  call<T>(req: MeteredRequest<T>): Promise<T>;
}

export interface MeterOptions {
  /** Jitter of retry delays. @default Math.random */
  random?: () => number;
}

/**
 * Starts an attempt: fails at once (not retried) without a client, and counts a retry when this is not the
 * first attempt. `modelOf` picks which of the client's models the activity asks.
 */
export async function beginMeteredAttempt(
  deps: GeminiActivityDeps,
  usage: UsageKey,
  modelOf: (gemini: GeminiClient) => string,
  opts: MeterOptions = {},
): Promise<MeteredAttempt> {
  const { gemini, store } = deps;
  if (!gemini) throw toFailure({ kind: 'not-configured' });
  const attempt = activityInfo().attempt;
  const model = modelOf(gemini);
  const record = (facts: UsageFacts) => store.recordUsage({ ...usage, ...facts, endpoint: gemini.endpoint, model });
  if (attempt > 1) await record({ kind: 'retry' });
  const meter: Meter = {
    deps,
    bucket: { keyId: deps.keyId ?? 'no-key', model },
    model,
    attempt,
    record,
    metrics: activityMetrics(),
    random: opts.random ?? Math.random,
  };
  return { gemini, endpoint: gemini.endpoint, model, attempt, record, call: (req) => meteredCall(meter, req) };
}

/** What one attempt's calls share. */
interface Meter {
  deps: GeminiActivityDeps;
  bucket: QuotaBucket;
  model: string;
  attempt: number;
  record(facts: UsageFacts): Promise<void>;
  metrics: FillflowMetrics;
  random: () => number;
}

async function meteredCall<T>(m: Meter, req: MeteredRequest<T>): Promise<T> {
  const { store, config } = m.deps;
  if (req.reopenQuota) await store.quotaReopen(m.bucket);
  // Limits applied at run time (`fillflow limits apply`) win over this worker's configured ones.
  const limits = { ...quotaLimitsOf(config.limits), ...(await store.quotaLimitOverrides()) };
  // The shared ledger grants the call first: a call waits for room in the minute instead of meeting a 429.
  const permit = await acquirePermit(store, m.bucket, limits, req.estimatedTokens);
  m.metrics.ledgerWait(permit.waitedMs, permit.ok ? 'granted' : 'day_closed');
  if (permit.waitedMs >= COUNTED_WAIT_MS) await m.record({ kind: 'quota_wait', detail: String(permit.waitedMs) });
  if (!permit.ok) {
    throw toFailure({ kind: 'day-closed', model: m.model, resetAt: permit.resetAt, requestsPerDay: limits.requestsPerDay });
  }

  let answer: T;
  try {
    answer = await sendWithHeartbeat(req.send);
  } catch (err) {
    throw await failedCall(m, permit.reservationId, req, err);
  }
  const counted = req.tokensOf?.(answer);
  // The estimate made room in the token window; Gemini's own count replaces it when the answer has one.
  if (counted && counted.promptTokens > 0) await store.quotaReconcile(permit.reservationId, counted.promptTokens);
  const tokens = counted ?? { promptTokens: req.estimatedTokens, outputTokens: 0 };
  await m.record({ kind: 'api_call', ...detailOf(req), ...tokens, fields: req.fields });
  m.metrics.geminiCall(callTags(req), 'ok', tokens);
  return answer;
}

/**
 * A long call keeps telling the server this worker is alive, so a crashed worker's request is retried after
 * the heartbeat timeout rather than the whole start-to-close timeout.
 */
async function sendWithHeartbeat<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const beat = setInterval(() => heartbeat(), HEARTBEAT_MS);
  try {
    return await send(cancellationSignal());
  } finally {
    clearInterval(beat);
  }
}

/** Counts and books a failed request, and returns what to throw: the mapped failure for anything Gemini said. */
async function failedCall<T>(m: Meter, reservationId: number, req: MeteredRequest<T>, err: unknown): Promise<unknown> {
  // Not an answer from Gemini (a cancellation, a bug): nothing to classify or count.
  if (!(err instanceof GeminiCallError)) return err;
  const { store } = m.deps;
  const cls = classifyGeminiError(err.record);
  // Sent, so counted: usage.apiCalls counts every request, those answered 429 included. No fields: none were answered.
  await m.record({ kind: 'api_call', ...detailOf(req) });
  m.metrics.geminiCall(callTags(req), outcomeOf(cls));
  if (cls.kind === 'rate-limited' || cls.kind === 'daily-quota') {
    m.metrics.gemini429(quotaKindOf(cls));
    await m.record({ kind: 'rate_limited', detail: cls.kind === 'daily-quota' ? 'per-day' : cls.quota });
    // Per-minute 429s slow the bucket for every worker; a per-day one closes it until the Pacific midnight.
    await store.quotaRecord429(m.bucket, cls.kind === 'daily-quota' ? 'per-day' : cls.quota === 'tokens-per-minute' ? 'tokens-per-minute' : 'per-minute');
    // A refused request used no input tokens; it still counts as a request (Google counts failed ones).
    await store.quotaReconcile(reservationId, 0);
  } else {
    await m.record({ kind: 'error', detail: cls.kind });
  }
  return toFailure(cls, m.random, m.attempt);
}

function detailOf<T>(req: MeteredRequest<T>): { detail?: string } {
  return req.detail !== undefined ? { detail: req.detail } : {};
}

/** The request's route and kind, from the detail its usage events carry: embeddings always go at the standard tier. */
function callTags<T>(req: MeteredRequest<T>): GeminiCallTags {
  return { route: req.detail === 'flex' ? 'flex' : 'standard', request: req.detail === 'embed' ? 'embed' : 'generate' };
}

function outcomeOf(cls: GeminiErrorClass): GeminiOutcome {
  switch (cls.kind) {
    case 'rate-limited':
    case 'daily-quota':
      return 'rate_limited';
    case 'too-large':
      return 'too_large';
    case 'bad-request':
      return 'bad_request';
    default:
      return cls.kind;
  }
}

function quotaKindOf(cls: Extract<GeminiErrorClass, { kind: 'rate-limited' | 'daily-quota' }>): Gemini429Kind {
  if (cls.kind === 'daily-quota') return 'per_day';
  return cls.quota === 'requests-per-minute' ? 'requests_per_minute' : cls.quota === 'tokens-per-minute' ? 'tokens_per_minute' : 'unknown';
}
