/** The options every start path and the workflow resolve alike, and the check of inputs from other clients. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { checkFillInput, DEFAULT_FILL_OPTIONS, FillOptionsError, withFillDefaults } from '../../../src/core/fill-options.js';
import { resolveFillOptions } from '../../../src/fill-start.js';

const input = { fillId: 'fill-1', templateId: 'nda', documentIds: ['d1'] };

describe('fill options', () => {
  it('fills every default for an input that gives none, as a start from another language may', () => {
    expect(checkFillInput({ ...input, options: {} }).options).toEqual(DEFAULT_FILL_OPTIONS);
    expect(checkFillInput(input).options).toEqual(DEFAULT_FILL_OPTIONS);
    expect(withFillDefaults({ maxBatchSize: 4 })).toEqual({ ...DEFAULT_FILL_OPTIONS, maxBatchSize: 4 });
  });

  it('gives the workflow the same defaults an edge resolves from the default configuration', () => {
    const config = loadConfig({}, {}, '/nonexistent-dir-for-config');
    const { fairnessKey: _none, ...edge } = resolveFillOptions(config);
    expect(edge).toEqual(withFillDefaults({}));
  });

  it.each([
    [{ ...input, options: { maxBatchSize: 0 } }, /options\.maxBatchSize must be a whole number of at least 1, got 0/],
    [{ ...input, options: { maxBatchSize: '5' } }, /options\.maxBatchSize must be a whole number/],
    [{ ...input, options: { priority: 'urgent' } }, /options\.priority must be "interactive" or "bulk", got "urgent"/],
    [{ ...input, options: { onQuotaExhausted: 'retry' } }, /options\.onQuotaExhausted must be "wait" or "fallback"/],
    [{ ...input, options: { batchSize: 5 } }, /options\.batchSize is not an option/],
    [{ ...input, options: [] }, /options must be an object/],
    [{ ...input, documentIds: [] }, /documentIds must be a non-empty array/],
    [{ ...input, documentIds: 'd1' }, /documentIds must be a non-empty array/],
    [{ ...input, templateId: '' }, /templateId must be a non-empty string/],
    [{ templateId: 'nda', documentIds: ['d1'] }, /fillId must be a non-empty string/],
    ['{"fillId":"x"}', /the input must be an object/],
  ])('refuses %j, naming what is wrong', (bad, message) => {
    expect(() => checkFillInput(bad)).toThrow(FillOptionsError);
    expect(() => checkFillInput(bad)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() => checkFillInput({ fillId: 'f', templateId: 't', documentIds: [], options: { priority: 'x', maxBatchSize: -1 } })).toThrow(
      /documentIds .*; options\.maxBatchSize .*; options\.priority/,
    );
  });

  it('lets the fill own options win over the configuration, and never carries the key itself', () => {
    const config = loadConfig({ GEMINI_API_KEY: 'AIza-secret', FILLFLOW_PROFILE: 'aggressive' }, { fill: { priority: 'bulk' } }, '/nonexistent-dir-for-config');
    const options = resolveFillOptions(config, { priority: 'interactive', maxBatchSize: undefined });
    expect(options).toMatchObject({ priority: 'interactive', maxBatchSize: 100, maxInputTokens: 16_000 });
    expect(JSON.stringify(options)).not.toContain('AIza-secret');
  });
});
