/** @module The REST surface /v1beta/models/{model}:{method}: recording, API key, model check, JSON, then dispatch. */
import { createHash } from 'node:crypto';
import type { EmulatorState } from './emulator-state.js';
import { generateContent } from './generate-content.js';
import {
  invalidApiKey,
  invalidArgument,
  missingApiKey,
  statusError,
  unknownModel,
  type Reply,
} from './google-errors.js';
import { batchEmbedContents } from './embed-contents.js';
import { flexRequest } from './batch-mode.js';
import { InvalidRequest, readCountTokensRequest } from './read-request.js';
import { tokensForChars } from './token-estimate.js';
import type { Endpoint, RecordedRequest } from './types.js';

/** What the server passes in for one request. */
export interface IncomingModelRequest {
  method: string;
  path: string;
  /** The `x-goog-api-key` header, or the `key` query parameter that REST clients such as curl use. */
  apiKey: string | undefined;
  rawBody: string;
}

const ROUTE = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|countTokens|batchEmbedContents)$/;

/** First 16 hex digits of sha256: enough to tell keys apart in a recording, useless to call the API with. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function parseBody(raw: string): { ok: true; body: unknown } | { ok: false; message: string } {
  if (raw.trim() === '') return { ok: false, message: 'Invalid JSON payload received. Expected a request body.' };
  try {
    return { ok: true, body: JSON.parse(raw) };
  } catch (e) {
    return { ok: false, message: `Invalid JSON payload received. ${(e as Error).message}` };
  }
}

/** Refuses with 400 and says so loudly: the caller sent what no real client should. */
function refuse(state: EmulatorState, rec: RecordedRequest, reply: Reply, reason: string): Reply {
  rec.error = reason;
  state.log(`[gemini emulator] #${rec.seq} ${rec.method} ${rec.path} answered ${reply.status}: ${reason}`);
  return reply;
}

function countTokens(rec: RecordedRequest, body: unknown): Reply {
  const { promptText, countedChars } = readCountTokensRequest(body);
  rec.promptText = promptText;
  rec.promptTokens = tokensForChars(countedChars);
  // Not entered in the quota windows: Google does not count countTokens against inference quota.
  return { status: 200, body: { totalTokens: rec.promptTokens } };
}

/** Records and answers one request that is not for the control API. */
export async function handleModelRequest(state: EmulatorState, req: IncomingModelRequest): Promise<Reply> {
  const route = ROUTE.exec(req.path);
  const parsed = parseBody(req.rawBody);
  const rec: RecordedRequest = {
    seq: ++state.seq,
    at: state.now(),
    method: req.method,
    path: req.path,
    endpoint: route ? (route[3] as Endpoint) : null,
    model: route?.[2] ?? null,
    apiKeyHash: req.apiKey ? hashApiKey(req.apiKey) : null,
    body: parsed.ok ? parsed.body : null,
    status: 0,
    promptTokens: 0,
    fieldKeys: [],
    promptText: '',
  };
  state.requests.push(rec);
  const reply = await answer(state, rec, req, route, parsed).catch((e: unknown) => {
    const reason = `emulator failure: ${e instanceof Error ? e.message : String(e)}`;
    return refuse(state, rec, statusError(500, reason), reason);
  });
  rec.status = reply.status;
  rec.answeredAt = state.now();
  const retryDelay = retryDelayOf(reply);
  if (retryDelay !== undefined) rec.retryDelay = retryDelay;
  return reply;
}

/** The `RetryInfo.retryDelay` of an error reply, so the recording shows what each 429 told the client to wait. */
function retryDelayOf(reply: Reply): string | undefined {
  const details = (reply.body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  const info = details.find((d: { '@type'?: unknown }) => d?.['@type'] === 'type.googleapis.com/google.rpc.RetryInfo') as { retryDelay?: unknown } | undefined;
  return typeof info?.retryDelay === 'string' ? info.retryDelay : undefined;
}

async function answer(
  state: EmulatorState,
  rec: RecordedRequest,
  req: IncomingModelRequest,
  route: RegExpExecArray | null,
  parsed: ReturnType<typeof parseBody>,
): Promise<Reply> {
  if (!route || req.method !== 'POST') {
    const reason = `no such endpoint: ${req.method} ${req.path} (the emulator serves POST /v1beta/models/{model}:generateContent, :countTokens and :batchEmbedContents)`;
    return refuse(state, rec, statusError(404, 'Method not found.'), reason);
  }
  const [, version = 'v1beta', model = '', method = 'generateContent'] = route;
  if (!req.apiKey) return missingApiKey();
  if (state.apiKeys && !state.apiKeys.has(req.apiKey)) return invalidApiKey();
  if (state.models && !state.models.has(model)) return unknownModel(model, version, method);
  if (!parsed.ok) return refuse(state, rec, invalidArgument(parsed.message), parsed.message);

  try {
    if (method === 'generateContent') {
      // The flex tier is the same request with `serviceTier: 'flex'`: slower, and shed under load.
      const flex = await flexRequest(state, rec, parsed.body);
      if (flex.shed) return statusError(503, 'The model is overloaded at the flex tier. Please retry later, or use the standard tier.');
      const reply = await generateContent(state, rec, model, flex.body);
      if (rec.error) state.log(`[gemini emulator] #${rec.seq} ${req.path} answered ${reply.status}: ${rec.error}`);
      return reply;
    }
    if (method === 'batchEmbedContents') return await batchEmbedContents(state, rec, model, parsed.body);
    await state.sleep(state.nextLatencyMs());
    return countTokens(rec, parsed.body);
  } catch (e) {
    if (e instanceof InvalidRequest) return refuse(state, rec, invalidArgument(e.message), e.message);
    throw e;
  }
}
