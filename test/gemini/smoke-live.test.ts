/** The comparison `npm run smoke:live` makes, run with an emulator standing in for Google: the same three requests,
 * the checks read from their answers, and the problems flagged when the "live" side answers as Fillflow cannot use.
 * The live run itself reaches Google and is never part of `npm test`. */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, compareSides, formatChecks, loadExample, runSmoke, smokeSide, type Check } from '../../scripts/smoke-live.js';
import { goldAnswers, loadGoldTable, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createGeminiClient, type GeminiClient } from '../../src/gemini/gemini-client.js';

const MODEL = 'gemini-3.5-flash';
const example = loadExample();
const fieldCount = example.template.fields.length;

let stand: Emulator;
let reference: Emulator;
let live: GeminiClient;
let fake: GeminiClient;

beforeAll(async () => {
  const answer = goldAnswers(loadGoldTable(join(EXAMPLE_DIR, 'gold.json')));
  stand = await startEmulator({ answer, log: () => undefined });
  reference = await startEmulator({ answer, log: () => undefined });
  live = createGeminiClient({ apiKey: 'stand-in', baseUrl: stand.url, model: MODEL, timeoutMs: 5_000 });
  fake = createGeminiClient({ apiKey: 'smoke-key', baseUrl: reference.url, model: MODEL, timeoutMs: 5_000 });
});
afterAll(async () => {
  await stand.close();
  await reference.close();
});
beforeEach(() => {
  stand.reset();
  reference.reset();
});

const byName = (checks: Check[], name: string) => checks.find((c) => c.name.startsWith(name))!;

describe('smoke:live comparison', () => {
  it('sends one extraction, one embedding and one countTokens request, with the schema a fill sends', async () => {
    const side = await smokeSide(live, example);
    expect(stand.requests.map((r) => r.endpoint)).toEqual(['generateContent', 'batchEmbedContents', 'countTokens']);
    const extraction = stand.requests[0]!;
    expect(extraction.fieldKeys).toEqual(example.template.fields.map((f) => f.key));
    const config = (extraction.body as { generationConfig: Record<string, unknown> }).generationConfig;
    expect(config.responseMimeType).toBe('application/json');
    expect(side.extraction).toMatchObject({ ok: true, value: { finishReason: 'STOP', answered: fieldCount, asExpected: fieldCount } });
    expect(side.embedding).toEqual({ ok: true, value: { vectors: example.documents.length, dimensions: 768 } });
    expect(side.countTokens.ok && side.countTokens.value.totalTokens).toBeGreaterThan(100);
  });

  it('finds no difference and no problem between two emulators', async () => {
    const checks = compareSides(await smokeSide(live, example), await smokeSide(fake, example), fieldCount);
    expect(checks.filter((c) => c.difference !== undefined || c.problem !== undefined)).toEqual([]);
    expect(byName(checks, 'usage counts').live).toBe('candidatesTokenCount, promptTokenCount, totalTokenCount');
    const lines = formatChecks(checks, 'live');
    expect(lines).toContain('differences: none');
    expect(lines.at(-1)).toMatch(/^problems: none/);
  });

  it('flags a refused schema (400) as a problem', async () => {
    stand.inject({ kind: 'status', status: 400, message: 'Invalid JSON payload received. Unknown name "propertyOrdering"' });
    const checks = compareSides(await smokeSide(live, example), await smokeSide(fake, example), fieldCount);
    const schema = byName(checks, 'response schema accepted');
    expect(schema).toMatchObject({ live: 'no (HTTP 400)', emulator: 'yes' });
    expect(schema.problem).toMatch(/refused.*propertyOrdering/);
    expect(checks.find((c) => c.name === 'finish reason')).toBeUndefined();
  });

  it('flags a cut answer by its finish reason, and names the fields it lost', async () => {
    stand.inject({ kind: 'truncate' });
    const checks = compareSides(await smokeSide(live, example), await smokeSide(fake, example), fieldCount);
    expect(byName(checks, 'finish reason')).toMatchObject({ live: 'MAX_TOKENS', emulator: 'STOP', problem: expect.stringMatching(/MAX_TOKENS/) });
    expect(byName(checks, 'fields in the answer').problem).toMatch(/not the JSON/);
  });

  it('flags embeddings of the wrong size', async () => {
    stand.inject({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents' });
    const checks = compareSides(await smokeSide(live, example), await smokeSide(fake, example), fieldCount);
    const embedding = byName(checks, 'embedding');
    expect(embedding.live).toMatch(/^failed: .*3072/);
    expect(embedding.emulator).toBe('3 vectors × 768');
    expect(embedding.problem).toBeDefined();
  });

  it('without GEMINI_API_KEY says what it needs and exits 0, sending nothing', async () => {
    const lines: string[] = [];
    expect(await runSmoke({}, (l) => lines.push(l), example)).toBe(0);
    expect(lines[0]).toMatch(/needs GEMINI_API_KEY/);
    expect(stand.requests).toEqual([]);
  });

  it('runs end to end against the endpoint GEMINI_BASE_URL names, and exits 0 when nothing is wrong', async () => {
    const lines: string[] = [];
    const code = await runSmoke({ GEMINI_API_KEY: 'stand-in', GEMINI_BASE_URL: stand.url, GEMINI_MODEL: MODEL }, (l) => lines.push(l), example);
    expect(lines.join('\n')).toMatch(/not Google's API/);
    expect(code).toBe(0);
    expect(stand.requests).toHaveLength(3);
  });

  it('exits 1 when the endpoint refuses', async () => {
    stand.inject({ kind: 'status', status: 400 });
    const lines: string[] = [];
    const code = await runSmoke({ GEMINI_API_KEY: 'stand-in', GEMINI_BASE_URL: stand.url }, (l) => lines.push(l), example);
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/problems:\n {2}response schema accepted: the extraction request was refused/);
  });
});
