/** @module Decides what a failed Gemini request means for the fill: retry when, split, fall back or stop.
 * Pure and table-tested; the Gemini adapter turns SDK errors into a {@link GeminiErrorRecord} first. */

/** What the adapter could read from a failed request (see src/gemini/parse-api-error.ts). */
export type GeminiErrorRecord =
  | {
      kind: 'http';
      status: number;
      /** Google's status string, e.g. RESOURCE_EXHAUSTED, INVALID_ARGUMENT. */
      apiStatus?: string;
      message: string;
      /** QuotaFailure violations, in the order given. */
      violations: { quotaId?: string; quotaMetric?: string; quotaValue?: string }[];
      /** RetryInfo.retryDelay in milliseconds (fractional seconds kept), or the message's "retry in Xs". */
      retryDelayMs?: number;
      /** ErrorInfo reasons, e.g. API_KEY_INVALID. */
      reasons: string[];
    }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; message: string }
  /** A 200 whose content is not what was asked for (e.g. vectors of another size than requested). */
  | { kind: 'malformed'; message: string };

export type GeminiErrorClass =
  | { kind: 'rate-limited'; quota: 'requests-per-minute' | 'tokens-per-minute' | 'unspecified'; delayMs?: number; quotaId?: string }
  | { kind: 'daily-quota'; quotaId: string; limit?: number }
  | { kind: 'config'; message: string }
  | { kind: 'bad-request'; message: string }
  | { kind: 'too-large'; message: string }
  | { kind: 'transient'; status?: number; delayMs?: number; message: string }
  | { kind: 'malformed'; message: string };

const PER_DAY = /PerDay/i;
const TOKENS = /Token/i;
const LIMIT_ZERO = /\blimit:\s*0\b/;
// Google words an over-long prompt several ways; only these phrases are specific to size.
const TOO_LARGE = /(exceeds the maximum number of tokens|input token count .* exceeds|request payload size exceeds|context (length|window) exceeded)/i;

export function classifyGeminiError(err: GeminiErrorRecord): GeminiErrorClass {
  if (err.kind === 'timeout') return { kind: 'transient', message: `request timed out: ${err.message}` };
  if (err.kind === 'network') return { kind: 'transient', message: `network error: ${err.message}` };
  if (err.kind === 'malformed') return { kind: 'malformed', message: `wrong-shaped answer: ${err.message}` };

  const { status, message } = err;
  if (status === 429) return classifyQuota(err);
  if (status === 401 || status === 403 || err.reasons.includes('API_KEY_INVALID')) {
    return {
      kind: 'config',
      message: `Gemini rejected the API key (HTTP ${status}): check GEMINI_API_KEY. ${firstLine(message)}`,
    };
  }
  if (status === 404) {
    return {
      kind: 'config',
      message: `Gemini does not know this model or endpoint (HTTP 404): set GEMINI_MODEL to an available model. ${firstLine(message)}`,
    };
  }
  if (status === 400 && err.apiStatus === 'FAILED_PRECONDITION') {
    return { kind: 'config', message: `Gemini refused the project (${firstLine(message)}): enable billing or use a supported region.` };
  }
  if ((status === 400 || status === 413 || status === 500) && TOO_LARGE.test(message)) {
    return { kind: 'too-large', message: firstLine(message) };
  }
  if (status >= 500 || status === 408 || status === 499) {
    return { kind: 'transient', status, message: firstLine(message), ...(err.retryDelayMs !== undefined ? { delayMs: err.retryDelayMs } : {}) };
  }
  return { kind: 'bad-request', message: `Gemini rejected the request (HTTP ${status}): ${firstLine(message)}` };
}

function classifyQuota(err: Extract<GeminiErrorRecord, { kind: 'http' }>): GeminiErrorClass {
  const { violations, message } = err;
  if (LIMIT_ZERO.test(message) || violations.some((v) => v.quotaValue === '0')) {
    return {
      kind: 'config',
      message:
        'Gemini reports a quota of 0 for this model (limit: 0): the model is not available on this tier. ' +
        'Choose another GEMINI_MODEL or enable billing.',
    };
  }
  // A per-day violation wins over any per-minute one in the same answer: its short retryDelay is a trap.
  const daily = violations.find((v) => PER_DAY.test(v.quotaId ?? ''));
  if (daily) {
    const limit = daily.quotaValue !== undefined ? Number(daily.quotaValue) : undefined;
    return { kind: 'daily-quota', quotaId: daily.quotaId ?? 'PerDay', ...(limit !== undefined && Number.isFinite(limit) ? { limit } : {}) };
  }
  const first = violations[0];
  const quota = first === undefined ? 'unspecified' : TOKENS.test(first.quotaId ?? '') ? 'tokens-per-minute' : 'requests-per-minute';
  return {
    kind: 'rate-limited',
    quota,
    ...(err.retryDelayMs !== undefined ? { delayMs: err.retryDelayMs } : {}),
    ...(first?.quotaId !== undefined ? { quotaId: first.quotaId } : {}),
  };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
