/** GeminiClient.countTokens through the real SDK against the emulator: the request it sends, the count it
 * returns, and a failure read into the same classified error as every other call. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { GeminiCallError, createGeminiClient, type GeminiClient } from '../../src/gemini/gemini-client.js';

let emulator: Emulator;
let client: GeminiClient;

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: ['the-key'], models: ['gemini-3.5-flash'], log: () => undefined });
  client = createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-3.5-flash', timeoutMs: 5_000 });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('GeminiClient.countTokens', () => {
  it('sends the text as the user turn to :countTokens and returns the total', async () => {
    // The emulator counts four characters a token, rounded up.
    expect(await client.countTokens({ userText: 'twelve chars plus four' })).toBe(6);
    const [rec] = emulator.requests;
    expect(rec).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-3.5-flash:countTokens', status: 200 });
    expect(rec!.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'twelve chars plus four' }] }] });
  });

  it('takes no quota: it still answers when the minute is spent', async () => {
    emulator.setLimits({ rpm: 1 });
    for (let i = 0; i < 3; i++) await expect(client.countTokens({ userText: 'abcd' })).resolves.toBe(1);
  });

  it('turns an HTTP error into a GeminiCallError with its status', async () => {
    const wrongModel = createGeminiClient({ apiKey: 'the-key', baseUrl: emulator.url, model: 'gemini-0-retired', timeoutMs: 5_000 });
    const err = await wrongModel.countTokens({ userText: 'abcd' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeminiCallError);
    expect((err as GeminiCallError).record).toMatchObject({ kind: 'http', status: 404 });
  });
});
