/** @module Unit tests of how the emulator reads REST bodies and what it refuses. */
import { describe, expect, it } from 'vitest';
import { readCountTokensRequest, readEmbedRequest, readGenerateRequest } from '../../../src/emulator/read-request.js';
import { tokensForChars } from '../../../src/emulator/token-estimate.js';

const schema = { type: 'object', properties: { tenant: {}, rent: {} } };

describe('readGenerateRequest', () => {
  it('joins text parts, finds the schema and its field keys, and counts chars for the estimate', () => {
    const view = readGenerateRequest({
      contents: [{ role: 'user', parts: [{ text: 'abcd' }, { inlineData: { data: '' } }, { text: 'efg' }] }],
      systemInstruction: { role: 'user', parts: [{ text: 'sys' }] },
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema, temperature: 0 },
    });
    expect(view.promptText).toBe('abcd\nefg');
    expect(view.systemText).toBe('sys');
    expect(view.fieldKeys).toEqual(['tenant', 'rent']);
    expect(view.countedChars).toBe(4 + 3 + 3 + JSON.stringify(schema).length);
    expect(tokensForChars(view.countedChars)).toBe(Math.ceil(view.countedChars / 4));
  });

  const refused: Array<{ name: string; body: unknown; error: RegExp }> = [
    { name: 'no contents', body: { generationConfig: {} }, error: /contents is not specified/ },
    { name: 'empty contents', body: { contents: [] }, error: /contents is not specified/ },
    { name: 'a body that is a list', body: [], error: /Expected an object/ },
    { name: 'an unknown top-level field', body: { contents: [{ parts: [] }], config: {} }, error: /Unknown name "config"/ },
    {
      name: 'an unknown generationConfig field',
      body: { contents: [{ parts: [] }], generationConfig: { jsonSchema: {} } },
      error: /Unknown name "jsonSchema" at 'generation_config'/,
    },
    {
      name: 'both schema kinds',
      body: { contents: [{ parts: [] }], generationConfig: { responseMimeType: 'application/json', responseSchema: {}, responseJsonSchema: {} } },
      error: /cannot both be set/,
    },
    {
      name: 'a schema without the JSON mime type',
      body: { contents: [{ parts: [] }], generationConfig: { responseJsonSchema: schema } },
      error: /response_mime_type/,
    },
    {
      name: 'a zero maxOutputTokens',
      body: { contents: [{ parts: [] }], generationConfig: { maxOutputTokens: 0 } },
      error: /max_output_tokens/,
    },
    { name: 'parts that are not a list', body: { contents: [{ parts: 'hi' }] }, error: /parts: must be a list/ },
  ];
  for (const c of refused) it(`refuses ${c.name}`, () => expect(() => readGenerateRequest(c.body)).toThrow(c.error));
});

describe('readCountTokensRequest', () => {
  it('reads contents as the SDK sends them', () => {
    expect(readCountTokensRequest({ contents: [{ parts: [{ text: 'hello' }] }] })).toEqual({ promptText: 'hello', countedChars: 5 });
  });
  it('reads a wrapped generateContentRequest', () => {
    const out = readCountTokensRequest({ generateContentRequest: { model: 'models/m', contents: [{ parts: [{ text: 'hi' }] }] } });
    expect(out).toEqual({ promptText: 'hi', countedChars: 2 });
  });
  it('refuses a body without contents', () => {
    expect(() => readCountTokensRequest({})).toThrow(/contents is not specified/);
  });
});

describe('readEmbedRequest', () => {
  it('reads each request, its dimensionality and its task type', () => {
    const items = readEmbedRequest({
      requests: [
        { model: 'models/e', content: { parts: [{ text: 'a' }] }, outputDimensionality: 8, taskType: 'RETRIEVAL_QUERY' },
        { model: 'models/e', content: { parts: [{ text: 'b' }] } },
      ],
    });
    expect(items).toStrictEqual([
      { text: 'a', outputDimensionality: 8, taskType: 'RETRIEVAL_QUERY' },
      { text: 'b', outputDimensionality: undefined, taskType: undefined },
    ]);
  });
  it('refuses a dimensionality out of range', () => {
    expect(() => readEmbedRequest({ requests: [{ content: { parts: [] }, outputDimensionality: 5000 }] })).toThrow(
      /output_dimensionality/,
    );
  });
  it('refuses an empty batch', () => {
    expect(() => readEmbedRequest({ requests: [] })).toThrow(/requests is not specified/);
  });
});
