/** @module The quota parts of the configuration: profiles' spacing, overrides from file, flags and per fill. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limitOverrides } from '../../src/cli/limit-flags.js';
import { loadConfig } from '../../src/config.js';
import { geminiQueueRate } from '../../src/core/task-queue-rate.js';
import { resolveFillOptions } from '../../src/fill-start.js';
import { apiKeyIdentity } from '../../src/gemini/key-identity.js';

const dir = () => mkdtempSync(join(tmpdir(), 'fillflow-cfg-'));

describe('quota configuration', () => {
  it('conservative spaces calls 2 s apart and runs one at a time; the others do not space', () => {
    expect(loadConfig({ FILLFLOW_PROFILE: 'conservative' }, {}, dir()).limits).toMatchObject({ concurrency: 1, minIntervalMs: 2_000 });
    expect(loadConfig({}, {}, dir()).limits.minIntervalMs).toBe(0);
  });

  it('takes every limit from the config file, then the flags, which win', () => {
    const d = dir();
    writeFileSync(join(d, 'fillflow.config.json'), JSON.stringify({ profile: 'aggressive', limits: { requestsPerMinute: 100, minIntervalMs: 500 }, queueRate: 'server', fill: { priority: 'bulk' } }));
    const fromFile = loadConfig({}, {}, d);
    expect(fromFile).toMatchObject({ profile: 'aggressive', queueRate: 'server', fill: { priority: 'bulk' }, limits: { requestsPerMinute: 100, minIntervalMs: 500, concurrency: 8 } });
    const flags = limitOverrides({ profile: 'conservative', rpm: '7', tpm: '9000', rpd: '20', minIntervalMs: '0', concurrency: '2', maxOutputTokens: '1000', queueRate: 'ledger' });
    expect(loadConfig({}, flags, d)).toMatchObject({
      profile: 'conservative',
      queueRate: 'ledger',
      limits: { requestsPerMinute: 7, tokensPerMinute: 9_000, requestsPerDay: 20, minIntervalMs: 0, concurrency: 2, maxOutputTokens: 1_000 },
    });
  });

  it('keeps 16 remembered quotes per field unless FILLFLOW_FIELD_MEMORY says otherwise; 0 turns field memory off', () => {
    expect(loadConfig({}, {}, dir()).fieldMemory).toBe(16);
    expect(loadConfig({ FILLFLOW_FIELD_MEMORY: '0' }, {}, dir()).fieldMemory).toBe(0);
    expect(loadConfig({ FILLFLOW_FIELD_MEMORY: '4' }, {}, dir()).fieldMemory).toBe(4);
    expect(() => loadConfig({ FILLFLOW_FIELD_MEMORY: 'lots' }, {}, dir())).toThrow(/FILLFLOW_FIELD_MEMORY must be a whole number \(0 or more\), got "lots"/);
  });

  it('names the bad value and where it came from', () => {
    expect(() => loadConfig({}, limitOverrides({ rpm: '0' }), dir())).toThrow(/requestsPerMinute must be a whole number of at least 1/);
    expect(() => loadConfig({}, { queueRate: 'fast' }, dir())).toThrow(/queueRate .* must be "ledger" or "server"/);
    expect(() => loadConfig({}, { fill: { priority: 'urgent' } }, dir())).toThrow(/fill.priority \(--priority\)/);
    expect(() => limitOverrides({ rpd: 'many' })).toThrow(/--rpd must be a whole number/);
  });

  it('builds per-fill options with config defaults, overrides, and the fairness key as the key hash, never the key', () => {
    const config = loadConfig({ GEMINI_API_KEY: 'AIza-secret' }, { fill: { onQuotaExhausted: 'fallback' } }, dir());
    const options = resolveFillOptions(config, { priority: 'bulk', maxBatchSize: 5 });
    expect(options).toMatchObject({ priority: 'bulk', maxBatchSize: 5, onQuotaExhausted: 'fallback', fairnessKey: apiKeyIdentity('AIza-secret') });
    expect(JSON.stringify(options)).not.toContain('AIza-secret');
    expect(options.fairnessKey).toMatch(/^[0-9a-f]{16}$/);
  });

  it('sets the Gemini queue rate by mode: the safe steady rate, or a burst-permitting backstop', () => {
    expect(geminiQueueRate('server', 60, 1)).toBeCloseTo(59 / 61);
    expect(geminiQueueRate('server', 60, 4)).toBeCloseTo(56 / 61);
    expect(geminiQueueRate('ledger', 15)).toBe(2.5);
  });
});
