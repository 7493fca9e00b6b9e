/** @module Google's error bodies, word for word where real ones were recorded: test/fixtures/gemini/*.json holds them,
 * and test/gemini/emulator-fixtures.test.ts checks these against them (structure, codes, detail types, quota ids). */
import type { QuotaKind } from './types.js';

/** `{ error: { code, message, status, details? } }`, the google.rpc.Status JSON every error uses. */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
}

/** One HTTP reply, built before anything is written to the socket. */
export interface Reply {
  status: number;
  body: unknown;
}

const RATE_LIMIT_DOC = 'https://ai.google.dev/gemini-api/docs/rate-limits';

const QUOTA_IDS: Record<QuotaKind, { quotaId: string; quotaMetric: string }> = {
  'per-minute': {
    quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
  },
  'per-day': {
    quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
  },
  'tokens-per-minute': {
    quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
    quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
  },
};

/** Canonical google.rpc codes and the messages Google sends with them when it says nothing more. */
const STATUS_TEXT: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  499: { status: 'CANCELLED', message: 'The operation was cancelled.' },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  501: { status: 'UNIMPLEMENTED', message: 'Operation is not implemented, or supported, or enabled.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/** The google.rpc status name for an HTTP status. */
export function rpcStatusName(status: number): string {
  return STATUS_TEXT[status]?.status ?? (status >= 500 ? 'UNAVAILABLE' : 'FAILED_PRECONDITION');
}

/** A plain error body for any status 400–599, with Google's default message unless one is given. */
export function statusError(status: number, message?: string): Reply {
  const known = STATUS_TEXT[status];
  const body: GoogleErrorBody = {
    error: {
      code: status,
      message: message ?? known?.message ?? 'Unknown error.',
      status: rpcStatusName(status),
    },
  };
  return { status, body };
}

/** 400 INVALID_ARGUMENT, the answer to a request the real API would refuse as malformed. */
export function invalidArgument(message: string): Reply {
  return statusError(400, message);
}

/** 403 for a request without `x-goog-api-key`, as Google words it. */
export function missingApiKey(): Reply {
  return statusError(
    403,
    'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.',
  );
}

/**
 * 400 API_KEY_INVALID with its google.rpc.ErrorInfo (test/fixtures/gemini/400-api-key-invalid.json), for a key the
 * emulator was not given.
 */
export function invalidApiKey(): Reply {
  const message = 'API key not valid. Please pass a valid API key.';
  return {
    status: 400,
    body: {
      error: {
        code: 400,
        message,
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
        ],
      },
    },
  };
}

/** 404 for a model the emulator does not serve, worded as for a retired model. */
export function unknownModel(model: string, apiVersion: string, method: string): Reply {
  return statusError(
    404,
    `models/${model} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

/** One violated quota as the 429 reports it. */
export interface ReportedViolation {
  quota: QuotaKind;
  limit: number;
}

/** Options of {@link quotaExceeded}. */
export interface QuotaExceededOptions {
  model: string;
  violations: ReportedViolation[];
  /** Protobuf duration, e.g. "12.345s"; goes in RetryInfo and, as "Please retry in ...", in the message. */
  retryDelay: string;
  /** Real bodies come both ways; clients must find details by `@type`, never by index. */
  helpFirst?: boolean;
}

/**
 * The real 429 RESOURCE_EXHAUSTED (test/fixtures/gemini/429-per-minute.json, 429-per-day.json,
 * 429-multi-violation.json): one message line per violation, then QuotaFailure (`quotaValue` a string), Help and
 * RetryInfo in `details`.
 */
export function quotaExceeded(opts: QuotaExceededOptions): Reply {
  const lines = opts.violations.map(
    (v) => `* Quota exceeded for metric: ${QUOTA_IDS[v.quota].quotaMetric}, limit: ${v.limit}, model: ${opts.model}\n`,
  );
  const message =
    `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: ${RATE_LIMIT_DOC}. To monitor your current usage, head to: https://ai.dev/rate-limit. \n` +
    lines.join('') +
    `Please retry in ${opts.retryDelay}.`;
  const quotaFailure = {
    '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
    violations: opts.violations.map((v) => ({
      quotaMetric: QUOTA_IDS[v.quota].quotaMetric,
      quotaId: QUOTA_IDS[v.quota].quotaId,
      quotaDimensions: { location: 'global', model: opts.model },
      quotaValue: String(v.limit),
    })),
  };
  const help = {
    '@type': 'type.googleapis.com/google.rpc.Help',
    links: [{ description: 'Learn more about Gemini API quotas', url: RATE_LIMIT_DOC }],
  };
  const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: opts.retryDelay };
  const details = opts.helpFirst ? [help, quotaFailure, retryInfo] : [quotaFailure, help, retryInfo];
  return { status: 429, body: { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details } } };
}

/** The bare 429 some real responses are: no QuotaFailure, no RetryInfo. */
export function quotaExceededWithoutDetails(): Reply {
  return statusError(429);
}
