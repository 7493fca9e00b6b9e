/** @module The usage report's shape: the old system's blocks by their old names, ours beside them (per endpoint
 * too), no secret. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { apiKeyIdentity } from '../../../src/gemini/key-identity.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { apiUsage } from '../../../src/usage/api-usage.js';

describe('apiUsage', () => {
  it('reports calls, 429s by kind, waits, parked time, limits and the daily quota left', async () => {
    const d = mkdtempSync(join(tmpdir(), 'fillflow-usage-'));
    const config = loadConfig({ GEMINI_API_KEY: 'AIza-secret-usage', FILLFLOW_DB: join(d, 'db.sqlite'), FILLFLOW_PROFILE: 'conservative' }, {}, d);
    const store = openSqliteStore(config.dbPath);
    try {
      const bucket = { keyId: apiKeyIdentity(config.gemini.apiKey), model: config.gemini.model };
      const limits = { requestsPerMinute: 10, tokensPerMinute: 250_000, requestsPerDay: 250, minIntervalMs: 0 };
      const now = Date.now();
      await store.quotaReserve(bucket, limits, 100, now);
      await store.quotaReserve(bucket, limits, 100, now);
      const ev = { fillId: 'f1', batchId: 'b1', endpoint: 'gemini', model: config.gemini.model };
      await store.recordUsage({ ...ev, kind: 'api_call', promptTokens: 100, outputTokens: 20, fields: 15 });
      await store.recordUsage({ ...ev, kind: 'api_call' });
      await store.recordUsage({ ...ev, kind: 'rate_limited', detail: 'requests-per-minute' });
      await store.recordUsage({ ...ev, kind: 'retry' });
      await store.recordUsage({ ...ev, kind: 'quota_wait', detail: '1500' });
      await store.recordUsage({ fillId: 'f1', batchId: '-', kind: 'parked', detail: '60000' });
      const emulator = { endpoint: 'http://127.0.0.1:4010', model: config.gemini.model };
      await store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'cache_hit', ...emulator, fields: 15 });

      const report = await apiUsage(store, config, { now });
      expect(report.gemini_api_stats).toEqual({ total_api_calls: 2, cache_size: 0, service_available: true });
      expect(report.optimization_info).toEqual({ parallel_processing_enabled: false, max_concurrent_batches: 1, fields_per_api_call_efficiency: 15 });
      expect(report.usage).toMatchObject({ apiCalls: 2, rateLimited: 1, rateLimitedByKind: { 'requests-per-minute': 1 }, retries: 1, cacheHits: 1, quotaWaitMs: 1500, parkedMs: 60_000 });
      expect(report.limits).toMatchObject({ profile: 'conservative', requestsPerMinute: 10, requestsPerDay: 250, minIntervalMs: 2_000, concurrency: 1, queueRate: 'ledger' });
      expect(report.quota).toEqual([expect.objectContaining({ ...bucket, requestsToday: 2, dailyQuotaLeft: 248, requestsInWindow: 2, tokensInWindow: 200 })]);
      expect(report.byEndpoint).toEqual([
        { endpoint: 'gemini', model: config.gemini.model, apiCalls: 2, cacheHits: 0, promptTokens: 100, outputTokens: 20 },
        { ...emulator, apiCalls: 0, cacheHits: 1, promptTokens: 0, outputTokens: 0 },
      ]);
      expect(JSON.stringify(report)).not.toContain('AIza-secret-usage');
      const f2 = await apiUsage(store, config, { fillId: 'f2' });
      expect(f2.usage).toMatchObject({ fillId: 'f2', apiCalls: 0, cacheHits: 1 });
      expect(f2.byEndpoint).toEqual([{ ...emulator, apiCalls: 0, cacheHits: 1, promptTokens: 0, outputTokens: 0 }]);
    } finally {
      await store.close();
    }
  });
});
