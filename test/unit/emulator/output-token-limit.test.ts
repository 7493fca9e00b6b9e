/** @module Unit tests of the emulator's answer cut: the model's own output limit and the `truncate` fault's
 * `atTokens`, each a realistic MAX_TOKENS finish that keeps the fields closed before the cut. */
import { describe, expect, it } from 'vitest';
import { createState, type EmulatorState } from '../../../src/emulator/emulator-state.js';
import { goldAnswers } from '../../../src/emulator/gold-answers.js';
import { handleModelRequest } from '../../../src/emulator/model-endpoints.js';
import { CHARS_PER_TOKEN } from '../../../src/emulator/token-estimate.js';
import type { EmulatorOptions } from '../../../src/emulator/types.js';

const GENERATE = '/v1beta/models/m:generateContent';
const KEYS = Array.from({ length: 20 }, (_, i) => `field_${i}`);
const gold = Object.fromEntries(KEYS.map((k, i) => [k, { value: `value number ${i}`, quote: `quote ${i}` }]));

function generateBody(maxOutputTokens?: number) {
  const field = { type: 'object', properties: { value: { type: ['string', 'null'] }, quote: { type: ['string', 'null'] } } };
  return JSON.stringify({
    contents: [{ role: 'user', parts: [{ text: KEYS.map((_, i) => `quote ${i}`).join('\n') }] }],
    generationConfig: {
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: Object.fromEntries(KEYS.map((k) => [k, field])) },
      ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    },
  });
}

const newState = (o: EmulatorOptions = {}) => createState({ log: () => undefined, answer: goldAnswers(gold), ...o });

async function ask(state: EmulatorState, maxOutputTokens?: number) {
  const reply = await handleModelRequest(state, { method: 'POST', path: GENERATE, apiKey: 'k', rawBody: generateBody(maxOutputTokens) });
  expect(reply.status).toBe(200);
  const body = reply.body as { candidates: { content: { parts: { text: string }[] }; finishReason: string }[]; usageMetadata: { candidatesTokenCount: number } };
  return { text: body.candidates[0]!.content.parts[0]!.text, finish: body.candidates[0]!.finishReason, outputTokens: body.usageMetadata.candidatesTokenCount };
}

/** The keys of the members that closed before a cut, as a salvaging reader would keep them. */
const closedKeys = (text: string) => [...text.matchAll(/"(field_\d+)":\{"value":"[^"]*","quote":"[^"]*"\}/g)].map((m) => m[1]);

describe('the model output limit (outputTokenLimit)', () => {
  it('cuts a longer answer at the limit with MAX_TOKENS, even when the request allows more', async () => {
    const whole = await ask(newState());
    expect(whole.finish).toBe('STOP');
    const cut = await ask(newState({ outputTokenLimit: 100 }), 65_536);
    expect(cut).toMatchObject({ finish: 'MAX_TOKENS', outputTokens: 100 });
    expect(cut.text).toBe(whole.text.slice(0, 100 * CHARS_PER_TOKEN));
    // The fields that closed before the cut are whole, in schema order; the rest are lost to it.
    const closed = closedKeys(cut.text);
    expect(closed.length).toBeGreaterThan(0);
    expect(closed).toEqual(KEYS.slice(0, closed.length));
    expect(closed.length).toBeLessThan(KEYS.length);
  });

  it('lets a request ask for less than the limit, and answers within it whole', async () => {
    expect((await ask(newState({ outputTokenLimit: 100 }), 40)).outputTokens).toBe(40);
    expect((await ask(newState({ outputTokenLimit: 100_000 }), 65_536)).finish).toBe('STOP');
  });

  it('refuses a limit that is not a whole number of tokens', () => {
    expect(() => newState({ outputTokenLimit: 0 })).toThrow(/outputTokenLimit/);
    expect(() => newState({ outputTokenLimit: 12.5 })).toThrow(/outputTokenLimit/);
  });
});

describe('the truncate fault with atTokens', () => {
  it('cuts the next answer after that many tokens, then answers whole again', async () => {
    const state = newState();
    state.faults.push({ kind: 'truncate', atTokens: 60 });
    const cut = await ask(state, 8_192);
    expect(cut).toMatchObject({ finish: 'MAX_TOKENS', outputTokens: 60 });
    expect(closedKeys(cut.text).length).toBeGreaterThan(0);
    expect((await ask(state, 8_192)).finish).toBe('STOP');
  });

  it('without atTokens still cuts half-way', async () => {
    const state = newState();
    const whole = await ask(state);
    state.faults.push({ kind: 'truncate' });
    const cut = await ask(state);
    expect(cut.finish).toBe('MAX_TOKENS');
    expect(cut.text).toBe(whole.text.slice(0, Math.floor(whole.text.length / 2)));
  });

  it('refuses an atTokens that is not a whole number of at least 1', () => {
    expect(() => newState().faults.push({ kind: 'truncate', atTokens: 0 })).toThrow(/atTokens/);
  });
});

describe('the generation speed (outputTokensPerSecond)', () => {
  it('makes a longer answer take longer', async () => {
    const state = newState({ outputTokensPerSecond: 2_000 });
    const started = performance.now();
    const { outputTokens } = await ask(state);
    expect(performance.now() - started).toBeGreaterThanOrEqual((outputTokens * 1_000) / 2_000 - 5);
  });

  it('refuses a speed that is not above zero', () => {
    expect(() => newState({ outputTokensPerSecond: 0 })).toThrow(/outputTokensPerSecond/);
  });
});
