/** @module Reads what a failed @google/genai call says: status, quota violations, retry delay, reasons.
 * The SDK's ApiError carries only `status` and `message`, with the whole error body JSON-encoded in
 * `message`; this is the one place that takes it apart. */
import { ApiError } from '@google/genai';
import type { GeminiErrorRecord } from '../core/classify-gemini-error.js';

interface GoogleErrorBody {
  code?: number;
  status?: string;
  message?: string;
  details?: unknown[];
}

/**
 * Google names the caller's key in some errors ("Permission denied: Consumer 'api_key:AIza…' has been
 * suspended."). What this parser returns goes on into failure messages, logs and workflow history, so a key is
 * masked here, where the message is read: after `api_key:` or a `key=` query parameter whatever the key looks
 * like, and anywhere in the shape of a Google API key ("AIza" and 35 more characters).
 */
export function maskApiKeys(text: string): string {
  return text
    .replace(/(api_key:|[?&]key=)[^\s'",;&)\]}]+/gi, '$1[redacted]')
    .replace(/AIza[0-9A-Za-z_-]{35}/g, '[redacted API key]');
}

export function parseApiError(err: unknown): GeminiErrorRecord {
  if (isAbort(err)) return { kind: 'timeout', message: 'no answer within the request timeout' };
  if (!(err instanceof ApiError)) {
    const message = err instanceof Error ? `${err.message}${causeOf(err)}` : String(err);
    return { kind: 'network', message: maskApiKeys(message) };
  }
  const body = readBody(err.message);
  const details = Array.isArray(body.details) ? body.details : [];
  const ofType = (suffix: string) =>
    details.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && String((d as Record<string, unknown>)['@type'] ?? '').endsWith(suffix));

  const violations = ofType('google.rpc.QuotaFailure').flatMap((d) =>
    (Array.isArray(d.violations) ? d.violations : []).map((v: Record<string, unknown>) => ({
      ...(typeof v.quotaId === 'string' ? { quotaId: v.quotaId } : {}),
      ...(typeof v.quotaMetric === 'string' ? { quotaMetric: v.quotaMetric } : {}),
      ...(v.quotaValue !== undefined ? { quotaValue: String(v.quotaValue) } : {}),
    })),
  );
  const reasons = ofType('google.rpc.ErrorInfo').flatMap((d) => (typeof d.reason === 'string' ? [d.reason] : []));
  const message = maskApiKeys(body.message ?? err.message);
  const retryDelayMs = parseRetryDelay(ofType('google.rpc.RetryInfo')[0]?.retryDelay) ?? parseMessageDelay(message);
  return {
    kind: 'http',
    status: err.status,
    ...(body.status !== undefined ? { apiStatus: body.status } : {}),
    message,
    violations,
    ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
    reasons,
  };
}

/** A protobuf Duration as JSON: "26s", "45.837906927s"; also tolerates {seconds, nanos}. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value);
    return m ? Math.round(parseFloat(m[1]!) * 1000) : undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(v.seconds ?? 0);
    const n = Number(v.nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return Math.round(s * 1000 + n / 1e6);
  }
  return undefined;
}

function parseMessageDelay(message: string): number | undefined {
  const m = /retry in (\d+(?:\.\d+)?)\s*s/i.exec(message);
  return m ? Math.round(parseFloat(m[1]!) * 1000) : undefined;
}

function readBody(message: string): GoogleErrorBody {
  try {
    const parsed = JSON.parse(message) as { error?: GoogleErrorBody };
    if (parsed && typeof parsed.error === 'object' && parsed.error !== null) return parsed.error;
  } catch {
    // Not JSON: the SDK got a non-JSON body; the raw text is all there is.
  }
  return { message };
}

function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'AbortError';
}

function causeOf(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}
