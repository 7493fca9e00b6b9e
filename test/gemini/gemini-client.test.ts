/** The Gemini adapter through the real @google/genai SDK over HTTP against the emulator: the request it
 * sends, the answers it reads, and how each failure comes back classified. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyGeminiError } from '../../src/core/classify-gemini-error.js';
import { goldAnswers, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { GeminiCallError, createGeminiClient, thinkingConfigFor, type GeminiClient } from '../../src/gemini/gemini-client.js';

let emulator: Emulator;
let client: GeminiClient;
const schema = {
  type: 'object',
  properties: { party: { type: 'object', properties: { value: { type: ['string', 'null'] }, quote: { type: ['string', 'null'] } }, required: ['value', 'quote'] } },
  required: ['party'],
};
const request = { systemInstruction: 'Fill the fields.', userText: 'The party is Acme Widgets Inc.', responseJsonSchema: schema, maxOutputTokens: 512 };

beforeAll(async () => {
  emulator = await startEmulator({
    apiKeys: ['the-key'],
    models: ['gemini-3.5-flash', 'gemini-2.5-flash'],
    answer: goldAnswers({ party: { value: 'Acme Widgets Inc.', quote: 'Acme Widgets Inc.' } }),
    log: () => undefined,
  });
  client = createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-3.5-flash', timeoutMs: 5_000 });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

async function failure(c: GeminiClient = client): Promise<GeminiCallError> {
  try {
    await c.generateJson(request);
  } catch (err) {
    expect(err).toBeInstanceOf(GeminiCallError);
    return err as GeminiCallError;
  }
  throw new Error('expected the call to fail');
}

describe('createGeminiClient', () => {
  it('sends one structured-output request: JSON schema, temperature 0, thinking at its lowest, a timeout', async () => {
    const answer = await client.generateJson(request);
    expect(answer.finish).toBe('stop');
    expect(JSON.parse(answer.text!)).toEqual({ party: { value: 'Acme Widgets Inc.', quote: 'Acme Widgets Inc.' } });
    expect(answer.usage.promptTokens).toBeGreaterThan(0);

    expect(emulator.requests).toHaveLength(1);
    const body = emulator.requests[0]!.body as Record<string, any>;
    expect(emulator.requests[0]!.path).toBe('/v1beta/models/gemini-3.5-flash:generateContent');
    expect(body.generationConfig).toMatchObject({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
      temperature: 0,
      maxOutputTokens: 512,
      thinkingConfig: { thinkingLevel: 'MINIMAL' },
    });
    expect(body.generationConfig.responseSchema).toBeUndefined();
    expect(body.systemInstruction.parts[0].text).toBe('Fill the fields.');
  });

  it('turns thinking off with a zero budget on 2.5 Flash and leaves models that cannot turn it off alone', async () => {
    expect(thinkingConfigFor('gemini-2.5-flash')).toEqual({ thinkingBudget: 0 });
    expect(thinkingConfigFor('gemini-2.5-pro')).toBeUndefined();
    const flash25 = createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    await flash25.generateJson(request);
    expect((emulator.requests[0]!.body as any).generationConfig.thinkingConfig).toEqual({ thinkingBudget: 0 });
  });

  it('makes exactly one attempt on a 429 or a 503: Temporal owns retries', async () => {
    emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '7.25s' });
    const limited = await failure();
    expect(classifyGeminiError(limited.record)).toMatchObject({ kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 7_250 });

    emulator.inject({ kind: 'status', status: 503 });
    expect(classifyGeminiError((await failure()).record).kind).toBe('transient');
    expect(emulator.requests).toHaveLength(2);
  });

  it('tells a daily quota from a per-minute one, whatever its short retryDelay says', async () => {
    emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    expect(classifyGeminiError((await failure()).record).kind).toBe('daily-quota');
  });

  it.each([
    ['limit: 0', () => emulator.inject({ kind: 'limit-zero' }), /limit: 0/],
    ['a bad key', () => undefined, /GEMINI_API_KEY/],
    ['an unknown model', () => undefined, /GEMINI_MODEL/],
  ])('reports %s as a configuration error that says what to change', async (name, arrange, message) => {
    arrange();
    const c =
      name === 'a bad key'
        ? createGeminiClient({ apiKey: 'wrong', baseUrl: emulator.url, model: 'gemini-3.5-flash' })
        : name === 'an unknown model'
          ? createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-0-retired' })
          : client;
    const cls = classifyGeminiError((await failure(c)).record);
    expect(cls.kind).toBe('config');
    expect(cls.kind === 'config' && cls.message).toMatch(message);
  });

  it('reads a cut answer as truncated and a blocked prompt as blocked, without throwing', async () => {
    emulator.inject({ kind: 'truncate' }, { kind: 'blocked', reason: 'SAFETY' });
    const cut = await client.generateJson(request);
    expect(cut.finish).toBe('truncated');
    expect(() => JSON.parse(cut.text ?? '')).toThrow();
    const blocked = await client.generateJson(request);
    expect(blocked).toMatchObject({ finish: 'blocked', reason: 'SAFETY', text: undefined });
  });

  it('gives up at its timeout and reports it as transient', async () => {
    const impatient = createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-3.5-flash', timeoutMs: 200 });
    emulator.inject({ kind: 'latency', ms: 1_500 });
    const err = await failure(impatient);
    expect(err.record.kind).toBe('timeout');
    expect(classifyGeminiError(err.record).kind).toBe('transient');
  });

  it('never lets the API key reach what the emulator records', async () => {
    await client.generateJson(request);
    expect(JSON.stringify(emulator.requests)).not.toContain('the-key');
  });
});
