import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { classifyGeminiError } from '../../../src/core/classify-gemini-error.js';
import { parseApiError, parseRetryDelay } from '../../../src/gemini/parse-api-error.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/gemini', name), 'utf8');
// The SDK puts the JSON-encoded error body in ApiError.message; build the error as it does.
const apiError = (status: number, body: string) => new ApiError({ status, message: JSON.stringify(JSON.parse(body)) });

describe('parseApiError on recorded bodies', () => {
  it.each([
    ['429-per-minute.json', 429, 'rate-limited'],
    ['429-per-day.json', 429, 'daily-quota'],
    ['429-multi-violation.json', 429, 'daily-quota'],
    ['429-limit-zero.json', 429, 'config'],
    ['429-no-details.json', 429, 'rate-limited'],
    ['503.json', 503, 'transient'],
    ['500.json', 500, 'transient'],
    ['400-api-key-invalid.json', 400, 'config'],
    ['404-model.json', 404, 'config'],
  ])('%s reads as %s', (file, status, kind) => {
    const record = parseApiError(apiError(status, fixture(file)));
    expect(record.kind).toBe('http');
    expect(classifyGeminiError(record).kind).toBe(kind);
  });

  it('keeps the per-minute delay, quota id and value', () => {
    const record = parseApiError(apiError(429, fixture('429-per-minute.json')));
    if (record.kind !== 'http') throw new Error('expected http');
    expect(record.retryDelayMs).toBeGreaterThan(0);
    expect(record.violations[0]?.quotaId).toMatch(/PerMinute/);
    expect(typeof record.violations[0]?.quotaValue).toBe('string');
  });

  it('reads an abort as a timeout and anything else as a network failure', () => {
    expect(parseApiError(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })).kind).toBe('timeout');
    expect(parseApiError(new TypeError('fetch failed')).kind).toBe('network');
  });

  it('survives a non-JSON message', () => {
    const record = parseApiError(new ApiError({ status: 502, message: '<html>Bad gateway</html>' }));
    expect(record).toMatchObject({ kind: 'http', status: 502, violations: [] });
  });
});

describe('parseRetryDelay', () => {
  it.each([
    ['26s', 26_000],
    ['45.837906927s', 45_838],
    ['0.5s', 500],
    [{ seconds: 3, nanos: 500_000_000 }, 3_500],
  ])('%j → %d ms', (input, ms) => expect(parseRetryDelay(input)).toBe(ms));

  it.each([['26'], ['s'], ['-1s'], [''], [null], [42]])('%j → undefined', (input) => expect(parseRetryDelay(input)).toBeUndefined());
});

describe('API keys in error messages', () => {
  const key = 'AIzaSyD3fake-key_for-tests0123456789abc';
  it.each([
    ['a 403 naming the consumer key', 403, `Permission denied: Consumer 'api_key:${key}' has been suspended.`, "Consumer 'api_key:[redacted]' has been suspended"],
    ['a key of another shape after api_key:', 403, "Consumer 'api_key:proxy-key-42' has been suspended.", "'api_key:[redacted]'"],
    ['a bare Google-shaped key', 400, `API key ${key} expired.`, 'API key [redacted API key] expired.'],
  ])('masks %s', (_name, status, message, masked) => {
    const record = parseApiError(new ApiError({ status, message: JSON.stringify({ error: { code: status, message, status: 'PERMISSION_DENIED' } }) }));
    expect(record.message).toContain(masked);
    expect(record.message).not.toContain(key);
  });

  it('masks a key in a network failure and in a body that is not JSON', () => {
    expect(parseApiError(new TypeError(`fetch failed for https://x/?key=${key}`)).message).not.toContain(key);
    expect(parseApiError(new ApiError({ status: 502, message: `<html>${key}</html>` })).message).toBe('<html>[redacted API key]</html>');
  });

  it('leaves messages without a key as they are', () => {
    const record = parseApiError(new ApiError({ status: 400, message: JSON.stringify({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.' } }) }));
    expect(record.message).toBe('API key not valid. Please pass a valid API key.');
  });
});
