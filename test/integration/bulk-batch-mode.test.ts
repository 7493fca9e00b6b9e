/** Gemini Batch Mode and the flex tier through the real @google/genai against the emulator: inline and file jobs,
 * per-item errors and truncation, expiry, cancel, and a flex request shed. (No Temporal here: the bulk's batch
 * route is tested in bulk-routes.test.ts.) */
import { afterEach, describe, expect, it } from 'vitest';
import { createGeminiBatchClient, type BatchItem } from '../../src/gemini/batch-client.js';
import { createGeminiClient, GeminiCallError } from '../../src/gemini/gemini-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { registerAnswers, rowDocument } from './bulk-fixture.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const schema = {
  type: 'object',
  properties: { legal_name: { type: 'object', properties: { value: { type: ['string', 'null'] }, quote: { type: ['string', 'null'] } } } },
  required: ['legal_name'],
};
const item = (i: number): BatchItem => ({ key: `k${i}`, systemInstruction: 'Fill the fields.', userText: rowDocument(i), responseJsonSchema: schema, maxOutputTokens: 1_000 });

describe('Batch Mode', () => {
  it('answers an inline job by key after its turnaround, with one item failed and one cut', async () => {
    emulator = await startEmulator({
      answer: registerAnswers,
      batch: { turnaroundMs: 300, itemFault: ({ index }) => (index === 1 ? 'error' : index === 2 ? 'truncate' : undefined) },
    });
    const client = createGeminiBatchClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    const job = await client.create([item(1), item(2), item(3), item(4)]);
    expect(job).toMatchObject({ input: 'inline', state: 'pending' });
    expect(job.name).toMatch(/^batches\//);
    expect((await client.get(job.name)).state).toBe('running');
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.get(job.name)).state).toBe('succeeded');
    const answers = await client.answers(job.name);
    expect(answers.map((a) => [a.key, a.error ? 'error' : a.finish])).toEqual([
      ['k1', 'stop'],
      ['k2', 'error'],
      ['k3', 'truncated'],
      ['k4', 'stop'],
    ]);
    expect(JSON.parse(answers[0]!.text!)).toEqual({ legal_name: { value: 'Harbour Lane 1 Limited', quote: 'Legal name: Harbour Lane 1 Limited' } });
    expect(answers[0]!.usage.promptTokens).toBeGreaterThan(0);
    // Batch requests are not generateContent requests: they spend no per-minute quota.
    expect(emulator.requests).toEqual([]);
    expect(emulator.batch.jobs()[0]!.items.map((i) => i.outcome)).toEqual(['answered', 'error', 'truncated', 'answered']);
  });

  it('uploads the requests as a JSONL file above the inline limit and reads the answers from the result file', async () => {
    emulator = await startEmulator({ answer: registerAnswers });
    const client = createGeminiBatchClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    const job = await client.create([item(5), item(6)], { inlineLimitBytes: 10 });
    expect(job.input).toBe('file');
    expect((await client.get(job.name)).state).toBe('succeeded');
    const answers = await client.answers(job.name);
    expect(answers.map((a) => [a.key, JSON.parse(a.text!).legal_name.value])).toEqual([
      ['k5', 'Harbour Lane 5 Limited'],
      ['k6', 'Harbour Lane 6 Limited'],
    ]);
    expect(emulator.batch.files()).toHaveLength(2);
  });

  it('expires a job on demand, with no answers, and cancels one', async () => {
    emulator = await startEmulator({ answer: registerAnswers, batch: { turnaroundMs: 60_000 } });
    const client = createGeminiBatchClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    emulator.batch.setOptions({ turnaroundMs: 0 });
    emulator.batch.expireNext();
    const expired = await client.create([item(7)]);
    expect((await client.get(expired.name)).state).toBe('expired');
    emulator.batch.setOptions({ turnaroundMs: 60_000 });
    const running = await client.create([item(8)]);
    await client.cancel(running.name);
    expect((await client.get(running.name)).state).toBe('cancelled');
  });

  it('refuses a job with a malformed request, naming it', async () => {
    emulator = await startEmulator({ answer: registerAnswers, log: () => undefined });
    const client = createGeminiBatchClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    const err = await client.create([{ ...item(1), maxOutputTokens: 0 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeminiCallError);
    expect((err as GeminiCallError).record).toMatchObject({ kind: 'http', status: 400 });
  });
});

describe('flex tier', () => {
  it('sends serviceTier flex, waits the flex latency, and is shed with a 503 when the emulator sheds it', async () => {
    emulator = await startEmulator({ answer: registerAnswers, flex: { latencyMs: 200 } });
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-2.5-flash' });
    const started = Date.now();
    const answer = await gemini.generateJson({ ...item(9), serviceTier: 'flex' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(JSON.parse(answer.text!).legal_name.value).toBe('Harbour Lane 9 Limited');
    expect(emulator.requests[0]!.body).toMatchObject({ serviceTier: 'flex' });
    emulator.batch.setFlex({ shed: () => true });
    const shed = await gemini.generateJson({ ...item(9), serviceTier: 'flex' }).catch((e: unknown) => e);
    expect((shed as GeminiCallError).record).toMatchObject({ kind: 'http', status: 503 });
    // The standard tier is not shed.
    expect((await gemini.generateJson(item(9))).finish).toBe('stop');
  });
});
