/** `npm run smoke:live`: the three kinds of request Fillflow sends to Gemini, sent once each to Google's real API
 * and once each to the project's emulator, side by side, so what the emulator gets wrong shows up as a difference.
 *
 * With GEMINI_API_KEY set it fills the example template (examples/supplier-onboarding: 30 fields, 3 documents)
 * in one structured-output call with the response schema a fill would send, makes one embedding call for the
 * documents and one countTokens call for the prompt, all through the project's own GeminiClient, and reports:
 * whether the schema was accepted (no 400), which usage counts came back, the finish reason, how many fields the
 * answer held and got right (against examples/supplier-onboarding/expected.json), whether the quotes are found in
 * the documents, the token counts and the embedding's size. It exits 1 when Google refused or answered in a shape
 * Fillflow cannot use, 0 otherwise (differences in counts are reported, not failed). Without a key it says so and
 * exits 0. It spends one request of the day's quota, one embedding request, and one countTokens (which Google does
 * not count against the quota). Not part of `npm test`: tests never reach Google. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { EMBEDDING_DIMENSIONS } from '../src/activities/embed-context.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { buildPrompt } from '../src/core/build-prompt.js';
import { buildResponseSchema } from '../src/core/build-response-schema.js';
import { describeEndpoint } from '../src/core/endpoint.js';
import type { GroundingPassage } from '../src/core/ground-quote.js';
import { parseAnswer, resolveAnswers } from '../src/core/resolve-answer.js';
import type { FieldValue, TemplateSpec } from '../src/core/types.js';
import { validateTemplate } from '../src/core/validate-template.js';
import { goldAnswers, loadGoldTable, startEmulator } from '../src/emulator/index.js';
import { createGeminiClient, GeminiCallError, type GeminiClient } from '../src/gemini/gemini-client.js';

export const EXAMPLE_DIR = resolve(import.meta.dirname, '..', 'examples', 'supplier-onboarding');

/** The usage counts Fillflow books: a response without them is counted as zero tokens. */
export const REQUIRED_USAGE_FIELDS = ['candidatesTokenCount', 'promptTokenCount'] as const;

export interface SmokeExample {
  template: TemplateSpec;
  documents: { name: string; text: string }[];
  /** The value each field should get (expected.json). */
  expected: Record<string, FieldValue>;
}

export function loadExample(dir = EXAMPLE_DIR): SmokeExample {
  const template = validateTemplate(JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8')));
  const docsDir = join(dir, 'docs');
  const documents = readdirSync(docsDir)
    .sort()
    .map((name) => ({ name, text: readFileSync(join(docsDir, name), 'utf8') }));
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, FieldValue>;
  return { template, documents, expected };
}

/** One call's outcome: its reading, or the error it met (with the HTTP status when there was one). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string; status?: number };

export interface ExtractionReading {
  /** Google's finishReason (or blockReason), as sent. */
  finishReason: string | undefined;
  usageFields: string[];
  promptTokens: number;
  outputTokens: number;
  /** Fields present in the answer, of the template's. */
  answered: number;
  /** Fields whose value equals expected.json's. */
  asExpected: number;
  /** Values whose quote was found in the documents. */
  grounded: number;
  /** Why the answer could not be read as JSON, when it could not. */
  unreadable?: string;
}

/** What one endpoint answered to the three requests. */
export interface SmokeSide {
  endpoint: string;
  model: string;
  embeddingModel: string;
  extraction: Outcome<ExtractionReading>;
  embedding: Outcome<{ vectors: number; dimensions: number }>;
  countTokens: Outcome<{ totalTokens: number }>;
}

async function outcome<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (err instanceof GeminiCallError) {
      const r = err.record;
      return { ok: false, error: err.message, ...(r.kind === 'http' ? { status: r.status } : {}) };
    }
    return { ok: false, error: (err as Error).message ?? String(err) };
  }
}

/** Sends the three requests to the endpoint `client` talks to and reads what came back. */
export async function smokeSide(client: GeminiClient, example: SmokeExample): Promise<SmokeSide> {
  const fields = example.template.fields;
  // The whole example rides along in one call, as it does in a fill whose documents fit the input budget.
  const prompt = buildPrompt(fields, example.documents.map((d) => ({ documentName: d.name, text: d.text })));
  const passages: GroundingPassage[] = example.documents.map((d) => ({ documentId: d.name, start: 0, text: d.text }));
  const extraction = await outcome(async (): Promise<ExtractionReading> => {
    const answer = await client.generateJson({
      systemInstruction: prompt.systemInstruction,
      userText: prompt.userText,
      responseJsonSchema: buildResponseSchema(fields),
      maxOutputTokens: 8_192,
    });
    const reading = {
      finishReason: answer.reason,
      usageFields: answer.usageFields,
      promptTokens: answer.usage.promptTokens,
      outputTokens: answer.usage.outputTokens,
    };
    const parsed = parseAnswer(answer.text, fields.map((f) => f.key));
    if (!parsed.ok) return { ...reading, answered: 0, asExpected: 0, grounded: 0, unreadable: parsed.reason };
    const results = resolveAnswers(fields, parsed.answers, passages, 'gemini');
    return {
      ...reading,
      answered: parsed.answers.size,
      asExpected: results.filter((r) => isDeepStrictEqual(r.value, example.expected[r.key] ?? null)).length,
      grounded: results.filter((r) => r.value !== null && r.grounding !== undefined && r.grounding !== 'none').length,
    };
  });
  const embedding = await outcome(async () => {
    const vectors = await client.embed({ texts: example.documents.map((d) => d.text), task: 'RETRIEVAL_DOCUMENT', dimensions: EMBEDDING_DIMENSIONS });
    return { vectors: vectors.length, dimensions: vectors[0]?.length ?? 0 };
  });
  const countTokens = await outcome(async () => ({ totalTokens: await client.countTokens({ userText: prompt.userText }) }));
  return { endpoint: client.endpoint, model: client.model, embeddingModel: client.embeddingModel, extraction, embedding, countTokens };
}

/** One line of the comparison. `problem` is set when the live side answered in a way Fillflow cannot use. */
export interface Check {
  name: string;
  live: string;
  emulator: string;
  /** What differs, in words; undefined when both sides agree. */
  difference?: string;
  problem?: string;
}

const failed = (o: { ok: false; error: string; status?: number }) => `failed: ${o.error.split('\n')[0]!.slice(0, 120)}`;

function show<T>(o: Outcome<T>, read: (v: T) => string): string {
  return o.ok ? read(o.value) : failed(o);
}

/** Compares what the live endpoint and the emulator answered, check by check. */
export function compareSides(live: SmokeSide, emulator: SmokeSide, fieldCount: number): Check[] {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const le = live.extraction;
  const ee = emulator.extraction;

  const accepted = (o: Outcome<ExtractionReading>) => (o.ok ? 'yes' : o.status === 400 ? `no (HTTP 400)` : `unknown (${failed(o)})`);
  add({
    name: 'response schema accepted',
    live: accepted(le),
    emulator: accepted(ee),
    ...(accepted(le) !== accepted(ee) ? { difference: 'one side refused the request' } : {}),
    ...(!le.ok ? { problem: le.status === 400 ? `the extraction request was refused: ${le.error}` : `the extraction call failed: ${le.error}` } : {}),
  });
  if (!le.ok || !ee.ok) {
    // Without both answers there is nothing further to compare about extraction.
  } else {
    const l = le.value;
    const e = ee.value;
    add({
      name: 'finish reason',
      live: l.finishReason ?? '(none)',
      emulator: e.finishReason ?? '(none)',
      ...(l.finishReason !== e.finishReason ? { difference: `finish reason ${l.finishReason} against ${e.finishReason}` } : {}),
      ...(l.finishReason !== 'STOP' ? { problem: `the answer finished with ${l.finishReason ?? 'no reason'}, not STOP` } : {}),
    });
    const onlyLive = l.usageFields.filter((f) => !e.usageFields.includes(f));
    const onlyEmulator = e.usageFields.filter((f) => !l.usageFields.includes(f));
    const missing = REQUIRED_USAGE_FIELDS.filter((f) => !l.usageFields.includes(f));
    add({
      name: 'usage counts reported',
      live: l.usageFields.join(', ') || '(none)',
      emulator: e.usageFields.join(', ') || '(none)',
      ...(onlyLive.length + onlyEmulator.length > 0
        ? { difference: [onlyLive.length ? `only live: ${onlyLive.join(', ')}` : '', onlyEmulator.length ? `only the emulator: ${onlyEmulator.join(', ')}` : ''].filter(Boolean).join('; ') }
        : {}),
      ...(missing.length > 0 ? { problem: `usageMetadata lacks ${missing.join(', ')}: those tokens would be booked as 0` } : {}),
    });
    const keys = (r: ExtractionReading) => (r.unreadable ? `unreadable (${r.unreadable})` : `${r.answered}/${fieldCount}`);
    add({
      name: 'fields in the answer',
      live: keys(l),
      emulator: keys(e),
      ...(keys(l) !== keys(e) ? { difference: 'the answers hold different fields' } : {}),
      ...(l.unreadable ? { problem: `the answer is not the JSON the schema asks for: ${l.unreadable}` } : l.answered < fieldCount ? { problem: `the answer left out ${fieldCount - l.answered} field(s) the schema requires` } : {}),
    });
    add({
      name: 'values as expected.json',
      live: `${l.asExpected}/${fieldCount}`,
      emulator: `${e.asExpected}/${fieldCount}`,
      ...(l.asExpected !== e.asExpected ? { difference: 'a model reads the documents; the emulator answers from the gold table' } : {}),
    });
    add({
      name: 'quotes found in the documents',
      live: `${l.grounded}`,
      emulator: `${e.grounded}`,
      ...(l.grounded !== e.grounded ? { difference: 'the two sides quoted differently' } : {}),
    });
    add({
      name: 'prompt tokens (usageMetadata)',
      live: String(l.promptTokens),
      emulator: String(e.promptTokens),
      ...(l.promptTokens !== e.promptTokens ? { difference: `${ratio(l.promptTokens, e.promptTokens)} the emulator's estimate (4 characters a token)` } : {}),
    });
    add({
      name: 'output tokens (usageMetadata)',
      live: String(l.outputTokens),
      emulator: String(e.outputTokens),
      ...(l.outputTokens !== e.outputTokens ? { difference: `${ratio(l.outputTokens, e.outputTokens)} the emulator's` } : {}),
    });
  }

  const ct = (o: Outcome<{ totalTokens: number }>) => show(o, (v) => String(v.totalTokens));
  add({
    name: 'countTokens total',
    live: ct(live.countTokens),
    emulator: ct(emulator.countTokens),
    ...(ct(live.countTokens) !== ct(emulator.countTokens)
      ? { difference: live.countTokens.ok && emulator.countTokens.ok ? `${ratio(live.countTokens.value.totalTokens, emulator.countTokens.value.totalTokens)} the emulator's count` : 'one side failed' }
      : {}),
    ...(!live.countTokens.ok ? { problem: `countTokens failed: ${live.countTokens.error}` } : {}),
  });

  const emb = (o: SmokeSide['embedding']) => show(o, (v) => `${v.vectors} vectors × ${v.dimensions}`);
  add({
    name: `embedding (${live.embeddingModel})`,
    live: emb(live.embedding),
    emulator: emb(emulator.embedding),
    ...(emb(live.embedding) !== emb(emulator.embedding) ? { difference: 'the embedding answers differ in shape' } : {}),
    ...(!live.embedding.ok ? { problem: `the embedding call failed: ${live.embedding.error}` } : {}),
  });
  return checks;
}

function ratio(a: number, b: number): string {
  if (b === 0) return a === 0 ? 'the same as' : 'more than';
  return `${(a / b).toFixed(2)}×`;
}

/** The report as lines: a table of every check, then the differences, then the problems. */
export function formatChecks(checks: readonly Check[], liveName: string): string[] {
  const width = Math.max(...checks.map((c) => c.name.length), 5) + 2;
  const liveWidth = Math.max(...checks.map((c) => c.live.length), liveName.length) + 2;
  const lines = [`${'check'.padEnd(width)}${liveName.padEnd(liveWidth)}emulator`];
  for (const c of checks) lines.push(`${c.name.padEnd(width)}${c.live.padEnd(liveWidth)}${c.emulator}`);
  const differences = checks.filter((c) => c.difference !== undefined);
  lines.push('', differences.length === 0 ? 'differences: none' : 'differences:');
  for (const c of differences) lines.push(`  ${c.name}: ${c.difference}`);
  const problems = checks.filter((c) => c.problem !== undefined);
  lines.push('', problems.length === 0 ? `problems: none (${liveName} took every request as Fillflow sends it)` : 'problems:');
  for (const c of problems) lines.push(`  ${c.name}: ${c.problem}`);
  return lines;
}

/**
 * The whole check: the configured endpoint (Google's API unless GEMINI_BASE_URL says otherwise) against an
 * emulator started in this process. Returns the exit code: 0 without a key or without problems, 1 with a problem,
 * 2 for a configuration error.
 */
export async function runSmoke(env: Record<string, string | undefined>, print: (line: string) => void, example = loadExample()): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      print(`smoke:live: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const { apiKey, baseUrl, model, timeoutMs } = config.gemini;
  if (apiKey === undefined) {
    print('smoke:live needs GEMINI_API_KEY: it sends one extraction, one embedding and one countTokens request to Google');
    print("and compares the answers with the emulator's. No key is set, so nothing was sent.");
    return 0;
  }
  const live = createGeminiClient({ apiKey, model, timeoutMs, ...(baseUrl !== undefined ? { baseUrl } : {}) });
  const liveName = baseUrl === undefined ? 'live' : 'configured';
  print(`smoke:live: ${model} at ${describeEndpoint(live.endpoint)}, against the emulator`);
  print(`  ${example.template.id}: ${example.template.fields.length} fields, ${example.documents.length} documents, one call each for extraction, embedding and countTokens`);
  const emulator = await startEmulator({ answer: goldAnswers(loadGoldTable(join(EXAMPLE_DIR, 'gold.json'))), log: () => undefined });
  try {
    const fake = createGeminiClient({ apiKey: 'smoke-key', model, baseUrl: emulator.url, timeoutMs });
    const [liveSide, emulatorSide] = await Promise.all([smokeSide(live, example), smokeSide(fake, example)]);
    const checks = compareSides(liveSide, emulatorSide, example.template.fields.length);
    print('');
    for (const line of formatChecks(checks, liveName)) print(line);
    return checks.some((c) => c.problem !== undefined) ? 1 : 0;
  } finally {
    await emulator.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runSmoke(process.env, (line) => console.log(line));
}
