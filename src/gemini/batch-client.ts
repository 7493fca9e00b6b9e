/** @module Gemini Batch Mode through @google/genai: create a job of many structured-output requests (inline under
 * 20 MB, else a JSONL file uploaded first), read its state, cancel it, and read its answers back by key. The
 * requests are built as generateJson builds its one (same instructions, schema, temperature, thinking), so a
 * batch answer is the answer a synchronous call would have had. Errors are read by parseApiError, as for every
 * other request. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI, type GenerateContentConfig, type GenerateContentResponse, type InlinedRequest } from '@google/genai';
import { endpointIdentity } from '../core/endpoint.js';
import { convertUsage, type CallUsage } from './convert-usage.js';
import { GeminiCallError, thinkingConfigFor, type GeminiClientOptions, type GenerateJsonRequest } from './gemini-client.js';
import { mapFinishReason, type FinishKind } from './map-finish-reason.js';
import { parseApiError } from './parse-api-error.js';

/** Inline requests above this many bytes go as an uploaded JSONL file instead (Google's limit for inline is 20 MB). */
export const INLINE_LIMIT_BYTES = 20 * 1024 * 1024;

/** One request of a job, named by a key its answer comes back with. */
export interface BatchItem extends Omit<GenerateJsonRequest, 'signal' | 'serviceTier' | 'timeoutMs'> {
  key: string;
}

export type BatchState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired' | 'unknown';

export const TERMINAL_BATCH_STATES: readonly BatchState[] = ['succeeded', 'failed', 'cancelled', 'expired'];

export interface BatchJobInfo {
  /** `batches/…`: what `get` and `cancel` take; persist it the moment it exists (creation is not idempotent). */
  name: string;
  state: BatchState;
}

/** One answer of a finished job. */
export interface BatchAnswer {
  key: string;
  /** Set when the item failed (Google's message); there is then no text. */
  error?: string;
  text?: string;
  finish?: FinishKind;
  reason?: string;
  usage: CallUsage;
}

export interface GeminiBatchClient {
  readonly endpoint: string;
  readonly model: string;
  /** @param opts.inlineLimitBytes above it the requests are uploaded as a file. @default INLINE_LIMIT_BYTES */
  create(items: BatchItem[], opts?: { displayName?: string; inlineLimitBytes?: number }): Promise<BatchJobInfo & { input: 'inline' | 'file' }>;
  get(name: string): Promise<BatchJobInfo>;
  cancel(name: string): Promise<void>;
  /** The answers of a succeeded job (inline, or read from its result file), by key. */
  answers(name: string): Promise<BatchAnswer[]>;
}

export function createGeminiBatchClient(opts: GeminiClientOptions): GeminiBatchClient {
  const ai = new GoogleGenAI({
    apiKey: opts.apiKey,
    httpOptions: { timeout: opts.timeoutMs ?? 120_000, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) },
  });
  const thinking = thinkingConfigFor(opts.model);
  const configOf = (item: BatchItem): GenerateContentConfig => ({
    systemInstruction: item.systemInstruction,
    responseMimeType: 'application/json',
    responseJsonSchema: item.responseJsonSchema,
    temperature: 0,
    maxOutputTokens: item.maxOutputTokens,
    ...(thinking ? { thinkingConfig: thinking } : {}),
  });
  const call = async <T>(send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (err) {
      throw new GeminiCallError(parseApiError(err));
    }
  };

  return {
    endpoint: endpointIdentity(opts.baseUrl),
    model: opts.model,
    async create(items, o = {}) {
      const inline: InlinedRequest[] = items.map((item) => ({
        contents: [{ role: 'user', parts: [{ text: item.userText }] }],
        metadata: { key: item.key },
        config: configOf(item),
      }));
      const config = { displayName: o.displayName ?? `fillflow-${items.length}` };
      if (Buffer.byteLength(JSON.stringify(inline)) <= (o.inlineLimitBytes ?? INLINE_LIMIT_BYTES)) {
        const job = await call(() => ai.batches.create({ model: opts.model, src: inline, config }));
        return { ...info(job), input: 'inline' };
      }
      const file = await call(() => uploadJsonl(ai, items, configOf));
      const job = await call(() => ai.batches.create({ model: opts.model, src: file, config }));
      return { ...info(job), input: 'file' };
    },
    async get(name) {
      return info(await call(() => ai.batches.get({ name })));
    },
    async cancel(name) {
      await call(() => ai.batches.cancel({ name }));
    },
    async answers(name) {
      const job = await call(() => ai.batches.get({ name }));
      const inlined = job.dest?.inlinedResponses;
      if (inlined) {
        return inlined.map((r, i) => {
          const key = r.metadata?.key ?? String(i);
          return r.error ? { key, error: r.error.message ?? JSON.stringify(r.error), usage: convertUsage(undefined) } : answerOf(key, r.response);
        });
      }
      const fileName = job.dest?.fileName;
      if (!fileName) throw new GeminiCallError({ kind: 'malformed', message: `batch job ${name} finished without answers (no inlined responses and no result file)` });
      const text = await call(() => downloadText(ai, fileName));
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((line, i) => {
          const row = JSON.parse(line) as { key?: string; response?: GenerateContentResponse; error?: { message?: string } };
          const key = row.key ?? String(i);
          return row.error ? { key, error: row.error.message ?? JSON.stringify(row.error), usage: convertUsage(undefined) } : answerOf(key, row.response);
        });
    },
  };
}

function info(job: { name?: string; state?: string }): BatchJobInfo {
  if (!job.name) throw new GeminiCallError({ kind: 'malformed', message: 'the batch job came back without a name' });
  return { name: job.name, state: batchState(job.state) };
}

/** The SDK's JOB_STATE_* (mapped from the REST API's BATCH_STATE_*) as a word. */
export function batchState(state: string | undefined): BatchState {
  const s = (state ?? '').replace(/^(JOB|BATCH)_STATE_/, '').toLowerCase();
  return (['pending', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const).find((x) => x === s) ?? (s === 'queued' ? 'pending' : 'unknown');
}

function answerOf(key: string, response: GenerateContentResponse | undefined): BatchAnswer {
  const candidate = response?.candidates?.[0];
  const blockReason = response?.promptFeedback?.blockReason;
  const text = candidate?.content?.parts?.map((p) => p.text ?? '').join('');
  return {
    key,
    ...(text !== undefined ? { text } : {}),
    finish: mapFinishReason(candidate?.finishReason, blockReason),
    ...((blockReason ?? candidate?.finishReason) ? { reason: (blockReason ?? candidate?.finishReason) as string } : {}),
    usage: convertUsage(response?.usageMetadata),
  };
}

/** Writes the requests as Batch Mode's JSONL (`{"key", "request"}` a line) and uploads it; returns the file's name. */
async function uploadJsonl(ai: GoogleGenAI, items: BatchItem[], configOf: (item: BatchItem) => GenerateContentConfig): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fillflow-batch-'));
  try {
    const path = join(dir, 'requests.jsonl');
    const lines = items.map((item) => {
      const { systemInstruction, ...generationConfig } = configOf(item);
      return JSON.stringify({
        key: item.key,
        request: {
          contents: [{ role: 'user', parts: [{ text: item.userText }] }],
          systemInstruction: { parts: [{ text: systemInstruction as string }] },
          generationConfig,
        },
      });
    });
    await writeFile(path, `${lines.join('\n')}\n`);
    const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl', displayName: 'fillflow-batch-requests' } });
    if (!file.name) throw new GeminiCallError({ kind: 'malformed', message: 'the uploaded file came back without a name' });
    return file.name;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function downloadText(ai: GoogleGenAI, fileName: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fillflow-batch-'));
  try {
    const path = join(dir, 'answers.jsonl');
    await ai.files.download({ file: fileName, downloadPath: path });
    return await readFile(path, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
