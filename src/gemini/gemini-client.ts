/** @module The only place that talks to @google/genai: one structured-output call per batch, one
 * batchEmbedContents call per group of texts, countTokens, and which endpoint answers them. SDK retries stay off
 * (Temporal owns retries: two retry loops would stack), every request has a timeout (the SDK has none
 * by default in Node), and the API key lives only inside this client. */
import { GoogleGenAI, ServiceTier, ThinkingLevel, type GenerateContentConfig } from '@google/genai';
import type { GeminiErrorRecord } from '../core/classify-gemini-error.js';
import { endpointIdentity } from '../core/endpoint.js';
import { convertUsage, type CallUsage } from './convert-usage.js';
import { mapFinishReason, type FinishKind } from './map-finish-reason.js';
import { parseApiError } from './parse-api-error.js';

export interface GeminiClientOptions {
  apiKey: string;
  /** Another endpoint than Google's, e.g. the emulator. */
  baseUrl?: string;
  model: string;
  /** Per request. @default 120000 */
  timeoutMs?: number;
  /** @default 'gemini-embedding-001' */
  embeddingModel?: string;
}

export interface GenerateJsonRequest {
  systemInstruction: string;
  userText: string;
  responseJsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  signal?: AbortSignal;
  /** `flex`: the flex service tier (half price, slower, may be shed); absent, the standard tier. */
  serviceTier?: 'flex';
  /** This request's timeout, over the client's (a flex answer may take minutes). */
  timeoutMs?: number;
}

export interface GenerateJsonResult {
  text: string | undefined;
  finish: FinishKind;
  /** Google's own finish or block reason, for messages. */
  reason: string | undefined;
  usage: CallUsage;
  /**
   * The counts `usageMetadata` actually carried (`promptTokenCount`, `candidatesTokenCount`, …): `usage` reads a
   * missing count as 0, so only this tells an endpoint that reports nothing from one that reports zero.
   */
  usageFields: string[];
}

/** A failed call, already read into a record the core can classify. */
export class GeminiCallError extends Error {
  readonly record: GeminiErrorRecord;
  constructor(record: GeminiErrorRecord) {
    super(record.kind === 'http' ? `Gemini HTTP ${record.status}: ${record.message.split('\n')[0]}` : record.message);
    this.name = 'GeminiCallError';
    this.record = record;
  }
}

/** How an embedding will be used: documents are embedded for being found, queries for finding them. */
export type EmbeddingTask = 'RETRIEVAL_DOCUMENT' | 'RETRIEVAL_QUERY';

export interface EmbedRequest {
  texts: string[];
  task: EmbeddingTask;
  /** Matryoshka size; only 3072 comes back normalised, so smaller vectors are L2-normalised here. */
  dimensions: number;
  signal?: AbortSignal;
}

export interface CountTokensRequest {
  /** Counted as the user turn of a request. The Gemini API's countTokens takes no system instruction. */
  userText: string;
  signal?: AbortSignal;
}

export interface GeminiClient {
  /**
   * Who answers: `gemini` for Google's API, else the normalised base URL (see endpointIdentity). Cached
   * answers, vectors, field memory and usage are kept under it, so one endpoint's answers never serve another.
   */
  readonly endpoint: string;
  readonly model: string;
  /** The embedding model (gemini-embedding-001 unless configured otherwise). */
  readonly embeddingModel: string;
  generateJson(req: GenerateJsonRequest): Promise<GenerateJsonResult>;
  /** One batchEmbedContents request; vectors in the order of `texts`, each of length `dimensions`, unit length. */
  embed(req: EmbedRequest): Promise<number[][]>;
  /**
   * The model's own token count for a text (one countTokens request). Google neither bills it nor counts it
   * against the inference quota, so it is not a metered call.
   */
  countTokens(req: CountTokensRequest): Promise<number>;
}

/** Google's embedding model for retrieval; RETRIEVAL_DOCUMENT / RETRIEVAL_QUERY task types. */
export const DEFAULT_EMBEDDING_MODEL = 'gemini-embedding-001';

export function createGeminiClient(opts: GeminiClientOptions): GeminiClient {
  const ai = new GoogleGenAI({
    apiKey: opts.apiKey,
    httpOptions: { timeout: opts.timeoutMs ?? 120_000, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) },
  });
  const thinking = thinkingConfigFor(opts.model);
  const embeddingModel = opts.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
  return {
    endpoint: endpointIdentity(opts.baseUrl),
    model: opts.model,
    embeddingModel,
    async embed(req) {
      if (req.texts.length === 0) return [];
      let response;
      try {
        response = await ai.models.embedContent({
          model: embeddingModel,
          contents: req.texts,
          config: {
            taskType: req.task,
            outputDimensionality: req.dimensions,
            ...(req.signal ? { abortSignal: req.signal } : {}),
          },
        });
      } catch (err) {
        throw new GeminiCallError(parseApiError(err));
      }
      const vectors = (response.embeddings ?? []).map((e) => e.values ?? []);
      const shape = embeddingShapeProblem(vectors, req.texts.length, req.dimensions);
      // A typed error like any failed request, so the activity classifies it (a plain Error would be retried
      // by the default policy, eight times over minutes, for an answer that comes back the same way).
      if (shape) throw new GeminiCallError({ kind: 'malformed', message: shape });
      return vectors.map(unitLength);
    },
    async generateJson(req) {
      const config: GenerateContentConfig = {
        systemInstruction: req.systemInstruction,
        responseMimeType: 'application/json',
        responseJsonSchema: req.responseJsonSchema,
        temperature: 0,
        maxOutputTokens: req.maxOutputTokens,
        ...(thinking ? { thinkingConfig: thinking } : {}),
        ...(req.signal ? { abortSignal: req.signal } : {}),
        ...(req.serviceTier === 'flex' ? { serviceTier: ServiceTier.FLEX } : {}),
        ...(req.timeoutMs !== undefined ? { httpOptions: { timeout: req.timeoutMs } } : {}),
      };
      let response;
      try {
        response = await ai.models.generateContent({
          model: opts.model,
          contents: [{ role: 'user', parts: [{ text: req.userText }] }],
          config,
        });
      } catch (err) {
        throw new GeminiCallError(parseApiError(err));
      }
      const candidate = response.candidates?.[0];
      const blockReason = response.promptFeedback?.blockReason;
      const finishReason = candidate?.finishReason;
      return {
        text: candidate ? response.text : undefined,
        finish: mapFinishReason(finishReason, blockReason),
        reason: blockReason ?? finishReason,
        usage: convertUsage(response.usageMetadata),
        usageFields: reportedCounts(response.usageMetadata),
      };
    },
    async countTokens(req) {
      let response;
      try {
        response = await ai.models.countTokens({
          model: opts.model,
          contents: [{ role: 'user', parts: [{ text: req.userText }] }],
          ...(req.signal ? { config: { abortSignal: req.signal } } : {}),
        });
      } catch (err) {
        throw new GeminiCallError(parseApiError(err));
      }
      const total = response.totalTokens;
      if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
        throw new GeminiCallError({ kind: 'malformed', message: `countTokens answered without a token count (totalTokens: ${JSON.stringify(total)})` });
      }
      return total;
    },
  };
}

/** The names of the numeric counts in a usageMetadata object, sorted. */
function reportedCounts(meta: unknown): string[] {
  if (typeof meta !== 'object' || meta === null) return [];
  return Object.entries(meta)
    .filter(([, v]) => typeof v === 'number')
    .map(([k]) => k)
    .sort();
}

/** What is wrong with an embedding answer's shape, or undefined when it has one vector of the asked size per text. */
export function embeddingShapeProblem(vectors: readonly (readonly number[])[], texts: number, dimensions: number): string | undefined {
  if (vectors.length !== texts) return `embedding answer has ${vectors.length} vectors for ${texts} texts`;
  const wrong = vectors.findIndex((v) => v.length !== dimensions);
  if (wrong >= 0) return `embedding ${wrong} has ${vectors[wrong]!.length} dimensions, not the ${dimensions} asked for`;
  return undefined;
}

function unitLength(v: number[]): number[] {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/**
 * Thinking off where the model allows it: extraction gains nothing from it, and thinking tokens eat the
 * output budget until the JSON is cut. 2.5 Flash takes a budget of 0; Gemini 3 models take a level
 * (minimal is the lowest); 2.5 Pro cannot turn it off, so it is left alone.
 */
export function thinkingConfigFor(model: string): GenerateContentConfig['thinkingConfig'] | undefined {
  const m = model.replace(/^models\//, '');
  if (/^gemini-2\.5-flash/.test(m)) return { thinkingBudget: 0 };
  if (/^gemini-[3-9]/.test(m) && /flash/.test(m)) return { thinkingLevel: ThinkingLevel.MINIMAL };
  return undefined;
}
