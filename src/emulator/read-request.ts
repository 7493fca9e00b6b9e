/** @module Reads the SDK's REST bodies into what the emulator needs, refusing what the real API refuses. */

/** Why a body was refused; becomes a 400 INVALID_ARGUMENT with this message. */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}

/** A generateContent body, reduced to text. */
export interface GenerateRequestView {
  promptText: string;
  systemText: string;
  schema: unknown;
  generationConfig: Record<string, unknown>;
  fieldKeys: string[];
  /** Characters the token estimate counts: all text parts plus the serialised schema. */
  countedChars: number;
}

/** One batchEmbedContents item. */
export interface EmbedItem {
  text: string;
  outputDimensionality: number | undefined;
  /** `taskType` as sent (RETRIEVAL_DOCUMENT, RETRIEVAL_QUERY...); only a supplied embed function reads it. */
  taskType: string | undefined;
}

// Top-level and generationConfig fields the SDK can send (read from 2.32.0's serialisers). Anything
// else is refused, as the real API does, so a typo in our client fails here rather than silently.
const GENERATE_FIELDS = new Set([
  'contents',
  'systemInstruction',
  'generationConfig',
  'safetySettings',
  'tools',
  'toolConfig',
  'cachedContent',
  'labels',
  'serviceTier',
  'model',
]);

const GENERATION_CONFIG_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'mediaResolution',
  'responseModalities',
  'routingConfig',
  'modelSelectionConfig',
  'imageConfig',
  'audioTimestamp',
  'audioTranscriptionConfig',
  'enableAffectiveDialog',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownField(name: string, at?: string): InvalidRequest {
  const where = at ? ` at '${at}'` : '';
  return new InvalidRequest(`Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`);
}

/** The text parts of one Content (`{ role?, parts: [{ text? }...] }`); other part kinds count as no text. */
function textParts(content: unknown, path: string): string[] {
  if (!isRecord(content)) throw new InvalidRequest(`* ${path}: must be a Content object\n`);
  const parts = content.parts;
  if (parts === undefined) return [];
  if (!Array.isArray(parts)) throw new InvalidRequest(`* ${path}.parts: must be a list\n`);
  return parts.flatMap((p, i) => {
    if (!isRecord(p)) throw new InvalidRequest(`* ${path}.parts[${i}]: must be a Part object\n`);
    return typeof p.text === 'string' ? [p.text] : [];
  });
}

/** The property names of a top-level object schema, in schema order. */
export function schemaFieldKeys(schema: unknown): string[] {
  return isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

/** Reads and checks a generateContent body. */
export function readGenerateRequest(body: unknown): GenerateRequestView {
  if (!isRecord(body)) throw new InvalidRequest('Invalid JSON payload received. Expected an object.');
  for (const key of Object.keys(body)) if (!GENERATE_FIELDS.has(key)) throw unknownField(key);
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    throw new InvalidRequest('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const prompt = body.contents.flatMap((c, i) => textParts(c, `GenerateContentRequest.contents[${i}]`));
  const system =
    body.systemInstruction === undefined ? [] : textParts(body.systemInstruction, 'GenerateContentRequest.system_instruction');
  const config = body.generationConfig ?? {};
  if (!isRecord(config)) throw new InvalidRequest('* GenerateContentRequest.generation_config: must be an object\n');
  for (const key of Object.keys(config)) {
    if (!GENERATION_CONFIG_FIELDS.has(key)) throw unknownField(key, 'generation_config');
  }
  if (config.responseJsonSchema !== undefined && config.responseSchema !== undefined) {
    throw new InvalidRequest('responseJsonSchema and responseSchema cannot both be set; send only responseJsonSchema.');
  }
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (schema !== undefined && config.responseMimeType !== 'application/json') {
    throw new InvalidRequest(
      `* GenerateContentRequest.generation_config.response_mime_type: a response schema needs responseMimeType 'application/json', got ${JSON.stringify(config.responseMimeType ?? null)}\n`,
    );
  }
  const max = config.maxOutputTokens;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new InvalidRequest(`* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer\n`);
  }
  const schemaChars = schema === undefined ? 0 : JSON.stringify(schema).length;
  const countedChars = [...prompt, ...system].reduce((n, t) => n + t.length, 0) + schemaChars;
  return {
    promptText: prompt.join('\n'),
    systemText: system.join('\n'),
    schema,
    generationConfig: config,
    fieldKeys: schemaFieldKeys(schema),
    countedChars,
  };
}

/**
 * Reads a countTokens body: `{ contents }` as the SDK sends it, or `{ generateContentRequest }` as the
 * REST reference also allows. Returns the counted text and its character total.
 */
export function readCountTokensRequest(body: unknown): { promptText: string; countedChars: number } {
  if (!isRecord(body)) throw new InvalidRequest('Invalid JSON payload received. Expected an object.');
  if (isRecord(body.generateContentRequest)) {
    const inner = readGenerateRequest(body.generateContentRequest);
    return { promptText: inner.promptText, countedChars: inner.countedChars };
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    throw new InvalidRequest('* CountTokensRequest.contents: contents is not specified\n');
  }
  const texts = body.contents.flatMap((c, i) => textParts(c, `CountTokensRequest.contents[${i}]`));
  return { promptText: texts.join('\n'), countedChars: texts.reduce((n, t) => n + t.length, 0) };
}

/** Reads a batchEmbedContents body: `{ requests: [{ model, content, taskType?, title?, outputDimensionality? }] }`. */
export function readEmbedRequest(body: unknown): EmbedItem[] {
  if (!isRecord(body) || !Array.isArray(body.requests) || body.requests.length === 0) {
    throw new InvalidRequest('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  }
  return body.requests.map((r, i) => {
    if (!isRecord(r)) throw new InvalidRequest(`* BatchEmbedContentsRequest.requests[${i}]: must be an object\n`);
    const dim = r.outputDimensionality;
    if (dim !== undefined && (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 3072)) {
      throw new InvalidRequest(
        `* BatchEmbedContentsRequest.requests[${i}].output_dimensionality: must be an integer in [1, 3072]\n`,
      );
    }
    const text = textParts(r.content, `BatchEmbedContentsRequest.requests[${i}].content`).join('\n');
    return { text, outputDimensionality: dim, taskType: typeof r.taskType === 'string' ? r.taskType : undefined };
  });
}
