/** @module Gemini Batch Mode and the Files API as @google/genai speaks them, and the flex service tier: jobs of
 * inline requests or of an uploaded JSONL file, answered by the same answer source as generateContent after a
 * configurable turnaround, with per-item errors, truncated items and expiry on demand; resumable uploads and
 * `:download?alt=media`. Batch requests spend no per-minute quota (Batch Mode has its own limits). */
import type { EmulatorState } from './emulator-state.js';
import { rpcStatusName } from './google-errors.js';
import { answerResponse, truncatedResponse, type ModelAnswer } from './model-responses.js';
import { InvalidRequest, readGenerateRequest } from './read-request.js';
import { tokensForChars } from './token-estimate.js';
import type { RecordedRequest } from './types.js';

/** What happens to one item of a job. */
export type BatchItemFault = 'error' | 'truncate';

export interface BatchModeOptions {
  /** Time from a job's creation until it ends (ms of the emulator's clock). @default 0: it ends at the first `get` */
  turnaroundMs?: number;
  /** Decides each item's fate; `undefined` answers it normally. @default every item answered */
  itemFault?: (item: { key: string; index: number; promptText: string }) => BatchItemFault | undefined;
}

export interface FlexOptions {
  /** Extra time a flex request takes (ms). @default 0 */
  latencyMs?: number;
  /** Flex requests this accepts are shed: answered 503 UNAVAILABLE, as Google sheds flex load. @default none */
  shed?: (req: RecordedRequest) => boolean;
}

/** A job as the emulator keeps it (tests read these through `Emulator.batch.jobs()`). */
export interface BatchJobRecord {
  name: string;
  model: string;
  displayName: string;
  input: 'inline' | 'file';
  createdAt: number;
  state: 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING' | 'BATCH_STATE_SUCCEEDED' | 'BATCH_STATE_FAILED' | 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED';
  /** Each item's key and what became of it, once the job has ended. */
  items: { key: string; promptText: string; outcome?: 'answered' | 'error' | 'truncated' }[];
  expire: boolean;
  /** The answers, computed when the job ends. */
  output?: { inline?: unknown[]; file?: string };
}

/** What tests and the CLI control at run time. */
export interface BatchControl {
  setOptions(options: BatchModeOptions): void;
  setFlex(options: FlexOptions): void;
  /** The next `count` jobs created end EXPIRED, with no answers. */
  expireNext(count?: number): void;
  jobs(): readonly BatchJobRecord[];
  /** Names of uploaded files (requests and results). */
  files(): string[];
}

/** One raw HTTP reply: the Files API needs headers and non-JSON bodies. */
export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface StoredFile {
  name: string;
  mimeType: string;
  displayName?: string;
  text: string;
  createTime: string;
}

interface PendingUpload {
  mimeType: string;
  displayName?: string;
}

const flexByState = new WeakMap<EmulatorState, FlexOptions>();

/** The batch and file routes of one emulator, sharing its state (answer source, clock, API keys, log). */
export class BatchMode implements BatchControl {
  private options: BatchModeOptions;
  private expiring = 0;
  private readonly jobList: BatchJobRecord[] = [];
  private readonly fileStore = new Map<string, StoredFile>();
  private readonly uploads = new Map<string, PendingUpload>();
  private seq = 0;

  constructor(
    private readonly state: EmulatorState,
    options: { batch?: BatchModeOptions; flex?: FlexOptions } = {},
  ) {
    this.options = options.batch ?? {};
    flexByState.set(state, options.flex ?? {});
  }

  setOptions(options: BatchModeOptions): void {
    this.options = options;
  }

  setFlex(options: FlexOptions): void {
    flexByState.set(this.state, options);
  }

  expireNext(count = 1): void {
    this.expiring += count;
  }

  jobs(): readonly BatchJobRecord[] {
    return this.jobList;
  }

  files(): string[] {
    return [...this.fileStore.keys()];
  }

  /**
   * Answers the request when it is one of Batch Mode's or the Files API's; `undefined` otherwise.
   * @param origin the emulator's own URL, for the upload URL it hands out
   */
  async handle(req: { method: string; url: URL; headers: Record<string, string | undefined>; rawBody: string; apiKey: string | undefined; origin: string }): Promise<RawReply | undefined> {
    const path = req.url.pathname;
    const create = /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/.exec(path);
    const job = /^\/v1beta\/batches\/([^/:]+)(:cancel)?$/.exec(path);
    const download = /^\/v1beta\/files\/([^/:]+):download$/.exec(path);
    const file = /^\/v1beta\/files\/([^/:]+)$/.exec(path);
    const upload = path === '/upload/v1beta/files';
    if (!create && !job && !download && !file && !upload) return undefined;
    if (!req.apiKey) return json(401, errorBody(401, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'));
    if (this.state.apiKeys && !this.state.apiKeys.has(req.apiKey)) return json(400, errorBody(400, 'API key not valid. Please pass a valid API key.'));
    try {
      if (create && req.method === 'POST') return json(200, this.createJob(create[1]!, req.rawBody));
      if (job && req.method === 'GET' && !job[2]) return this.getJob(job[1]!);
      if (job && req.method === 'POST' && job[2]) return this.cancelJob(job[1]!);
      if (download && req.method === 'GET') return this.downloadFile(download[1]!);
      if (file && req.method === 'GET') return this.fileInfo(file[1]!);
      if (upload && req.method === 'POST') return this.upload(req);
    } catch (e) {
      if (e instanceof InvalidRequest) {
        this.state.log(`[gemini emulator] ${req.method} ${path} answered 400: ${e.message}`);
        return json(400, errorBody(400, e.message));
      }
      throw e;
    }
    return json(404, errorBody(404, 'Method not found.'));
  }

  private createJob(model: string, raw: string): unknown {
    const body = parse(raw) as { batch?: { displayName?: string; inputConfig?: { requests?: { requests?: unknown[] }; fileName?: string } } };
    const input = body.batch?.inputConfig;
    let items: { key: string; request: unknown }[];
    let kind: 'inline' | 'file';
    if (input?.fileName) {
      const stored = this.fileStore.get(input.fileName);
      if (!stored) throw new InvalidRequest(`* BatchGenerateContentRequest.batch.input_config.file_name: file ${input.fileName} not found\n`);
      items = stored.text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l, i) => {
          const line = parse(l) as { key?: string; request?: unknown };
          return { key: line.key ?? String(i), request: line.request };
        });
      kind = 'file';
    } else if (Array.isArray(input?.requests?.requests)) {
      items = input.requests.requests.map((r, i) => {
        const item = r as { request?: unknown; metadata?: { key?: string } };
        return { key: item.metadata?.key ?? String(i), request: item.request };
      });
      kind = 'inline';
    } else {
      throw new InvalidRequest('* BatchGenerateContentRequest.batch.input_config: give requests or a file_name\n');
    }
    // Every request is read now, as Google validates them at creation: a malformed one refuses the job.
    const views = items.map((it, i) => {
      const { model: _ignored, ...request } = (it.request ?? {}) as Record<string, unknown>;
      try {
        return readGenerateRequest(request);
      } catch (e) {
        if (e instanceof InvalidRequest) throw new InvalidRequest(`request ${i} (key ${it.key}): ${e.message}`);
        throw e;
      }
    });
    const record: BatchJobRecord = {
      name: `batches/emulator-${++this.seq}`,
      model,
      displayName: body.batch?.displayName ?? '',
      input: kind,
      createdAt: this.state.now(),
      state: 'BATCH_STATE_PENDING',
      items: items.map((it, i) => ({ key: it.key, promptText: views[i]!.promptText })),
      expire: this.expiring > 0,
    };
    if (this.expiring > 0) this.expiring--;
    this.jobList.push(record);
    pendingViews.set(record, views);
    return operation(record);
  }

  private async getJob(id: string): Promise<RawReply> {
    const record = this.jobList.find((j) => j.name === `batches/${id}`);
    if (!record) return json(404, errorBody(404, `Batch batches/${id} not found.`));
    if (record.state === 'BATCH_STATE_PENDING' || record.state === 'BATCH_STATE_RUNNING') {
      if (this.state.now() - record.createdAt >= (this.options.turnaroundMs ?? 0)) await this.finish(record);
      else record.state = 'BATCH_STATE_RUNNING';
    }
    return json(200, operation(record));
  }

  private cancelJob(id: string): RawReply {
    const record = this.jobList.find((j) => j.name === `batches/${id}`);
    if (!record) return json(404, errorBody(404, `Batch batches/${id} not found.`));
    if (record.state === 'BATCH_STATE_PENDING' || record.state === 'BATCH_STATE_RUNNING') record.state = 'BATCH_STATE_CANCELLED';
    return json(200, {});
  }

  /** Ends a job: every item answered (or failed, or cut) by the answer source, or none when it expires. */
  private async finish(record: BatchJobRecord): Promise<void> {
    if (record.expire) {
      record.state = 'BATCH_STATE_EXPIRED';
      return;
    }
    const views = pendingViews.get(record) ?? [];
    const answers: { key: string; answer?: ModelAnswer; error?: unknown }[] = [];
    for (const [index, view] of views.entries()) {
      const item = record.items[index]!;
      const fault = this.options.itemFault?.({ key: item.key, index, promptText: view.promptText });
      if (fault === 'error') {
        item.outcome = 'error';
        answers.push({ key: item.key, error: { code: 13, message: 'Internal error encountered.', status: 'INTERNAL' } });
        continue;
      }
      const text = await this.answerText(record.model, view);
      const ctx = { model: record.model, responseId: `${record.name}-${index}`, promptTokens: tokensForChars(view.countedChars) };
      const answer = fault === 'truncate' ? truncatedResponse(ctx, text) : answerResponse(ctx, text, view.generationConfig.maxOutputTokens as number | undefined);
      item.outcome = answer.finishReason === 'MAX_TOKENS' ? 'truncated' : 'answered';
      answers.push({ key: item.key, answer });
    }
    if (record.input === 'inline') {
      record.output = {
        inline: answers.map((a) => (a.error ? { error: a.error, metadata: { key: a.key } } : { response: a.answer!.body, metadata: { key: a.key } })),
      };
    } else {
      const name = `files/emulator-results-${++this.seq}`;
      const lines = answers.map((a) => JSON.stringify(a.error ? { key: a.key, error: a.error } : { key: a.key, response: a.answer!.body }));
      this.fileStore.set(name, { name, mimeType: 'application/jsonl', text: `${lines.join('\n')}\n`, createTime: new Date(this.state.now()).toISOString() });
      record.output = { file: name };
    }
    pendingViews.delete(record);
    record.state = 'BATCH_STATE_SUCCEEDED';
  }

  private async answerText(model: string, view: ReturnType<typeof readGenerateRequest>): Promise<string> {
    const answer = await this.state.answer({ model, promptText: view.promptText, systemText: view.systemText, schema: view.schema, generationConfig: view.generationConfig });
    return typeof answer === 'string' ? answer : JSON.stringify(answer);
  }

  /** The resumable upload's two steps: `start` hands out an upload URL, `upload, finalize` stores the bytes. */
  private upload(req: { url: URL; headers: Record<string, string | undefined>; rawBody: string; origin: string }): RawReply {
    const command = (req.headers['x-goog-upload-command'] ?? '').toLowerCase();
    const uploadId = req.url.searchParams.get('upload_id');
    if (command === 'start') {
      const id = `upload-${++this.seq}`;
      const meta = (req.rawBody.trim() === '' ? {} : parse(req.rawBody)) as { file?: { displayName?: string } };
      this.uploads.set(id, {
        mimeType: req.headers['x-goog-upload-header-content-type'] ?? 'application/octet-stream',
        ...(meta.file?.displayName ? { displayName: meta.file.displayName } : {}),
      });
      return { status: 200, headers: { 'x-goog-upload-url': `${req.origin}/upload/v1beta/files?upload_id=${id}`, 'x-goog-upload-status': 'active', 'content-type': 'application/json' }, body: '{}' };
    }
    const pending = uploadId ? this.uploads.get(uploadId) : undefined;
    if (!pending || !command.includes('upload')) return json(400, errorBody(400, `bad upload: command "${command}", upload_id ${uploadId ?? 'missing'}`));
    this.uploads.delete(uploadId!);
    const name = `files/emulator-upload-${++this.seq}`;
    const stored: StoredFile = { name, mimeType: pending.mimeType, text: req.rawBody, createTime: new Date(this.state.now()).toISOString(), ...(pending.displayName ? { displayName: pending.displayName } : {}) };
    this.fileStore.set(name, stored);
    return { status: 200, headers: { 'x-goog-upload-status': 'final', 'content-type': 'application/json' }, body: JSON.stringify({ file: fileResource(stored) }) };
  }

  private downloadFile(id: string): RawReply {
    const stored = this.fileStore.get(`files/${id}`);
    if (!stored) return json(404, errorBody(404, `File files/${id} not found.`));
    return { status: 200, headers: { 'content-type': stored.mimeType }, body: stored.text };
  }

  private fileInfo(id: string): RawReply {
    const stored = this.fileStore.get(`files/${id}`);
    if (!stored) return json(404, errorBody(404, `File files/${id} not found.`));
    return json(200, fileResource(stored));
  }
}

const pendingViews = new WeakMap<BatchJobRecord, ReturnType<typeof readGenerateRequest>[]>();

/**
 * A generateContent request at the flex tier: its `serviceTier` taken off the body (so the rest reads as any
 * request), the flex latency waited, and a shed request answered 503. Returns the body to answer normally.
 */
export async function flexRequest(state: EmulatorState, rec: RecordedRequest, body: unknown): Promise<{ body: unknown; shed: boolean }> {
  if (typeof body !== 'object' || body === null || !('serviceTier' in body)) return { body, shed: false };
  const { serviceTier, ...rest } = body as Record<string, unknown>;
  if (serviceTier !== 'flex' && serviceTier !== 'FLEX') return { body: rest, shed: false };
  (rec.faults ??= []).push('flex');
  const flex = flexByState.get(state) ?? {};
  await state.sleep(flex.latencyMs ?? 0);
  if (!flex.shed) return { body: rest, shed: false };
  // The predicate sees the request as read (its text, its fields); a malformed one is not shed, but refused after.
  try {
    const view = readGenerateRequest(rest);
    rec.promptText = view.promptText;
    rec.fieldKeys = view.fieldKeys;
  } catch (e) {
    if (!(e instanceof InvalidRequest)) throw e;
    return { body: rest, shed: false };
  }
  return { body: rest, shed: flex.shed(rec) };
}

function operation(record: BatchJobRecord): unknown {
  const output = record.output?.inline
    ? { inlinedResponses: { inlinedResponses: record.output.inline } }
    : record.output?.file
      ? { responsesFile: record.output.file }
      : undefined;
  const done = !['BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING'].includes(record.state);
  return {
    name: record.name,
    metadata: {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
      name: record.name,
      model: `models/${record.model}`,
      displayName: record.displayName,
      state: record.state,
      createTime: new Date(record.createdAt).toISOString(),
      updateTime: new Date().toISOString(),
      batchStats: { requestCount: String(record.items.length) },
      ...(output ? { output } : {}),
    },
    ...(done ? { done: true } : {}),
  };
}

function fileResource(f: StoredFile): Record<string, unknown> {
  return {
    name: f.name,
    ...(f.displayName ? { displayName: f.displayName } : {}),
    mimeType: f.mimeType,
    sizeBytes: String(Buffer.byteLength(f.text)),
    createTime: f.createTime,
    state: 'ACTIVE',
    source: 'UPLOADED',
  };
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new InvalidRequest(`Invalid JSON payload received. ${(e as Error).message}`);
  }
}

function errorBody(status: number, message: string): unknown {
  return { error: { code: status, message, status: rpcStatusName(status) } };
}

function json(status: number, body: unknown): RawReply {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body) };
}
