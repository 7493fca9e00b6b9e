/** @module The only place that talks to @google/genai: one structured-output call per batch.
 * SDK retries stay off (Temporal owns retries: two retry loops would stack), every request has a
 * timeout (the SDK has none by default in Node), and the API key lives only inside this client. */
import { GoogleGenAI, ThinkingLevel, type GenerateContentConfig } from '@google/genai';
import type { GeminiErrorRecord } from '../core/classify-gemini-error.js';
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
}

export interface GenerateJsonRequest {
  systemInstruction: string;
  userText: string;
  responseJsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  signal?: AbortSignal;
}

export interface GenerateJsonResult {
  text: string | undefined;
  finish: FinishKind;
  /** Google's own finish or block reason, for messages. */
  reason: string | undefined;
  usage: CallUsage;
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

export interface GeminiClient {
  readonly model: string;
  generateJson(req: GenerateJsonRequest): Promise<GenerateJsonResult>;
}

export function createGeminiClient(opts: GeminiClientOptions): GeminiClient {
  const ai = new GoogleGenAI({
    apiKey: opts.apiKey,
    httpOptions: { timeout: opts.timeoutMs ?? 120_000, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) },
  });
  const thinking = thinkingConfigFor(opts.model);
  return {
    model: opts.model,
    async generateJson(req) {
      const config: GenerateContentConfig = {
        systemInstruction: req.systemInstruction,
        responseMimeType: 'application/json',
        responseJsonSchema: req.responseJsonSchema,
        temperature: 0,
        maxOutputTokens: req.maxOutputTokens,
        ...(thinking ? { thinkingConfig: thinking } : {}),
        ...(req.signal ? { abortSignal: req.signal } : {}),
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
      };
    },
  };
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
