/** @module JSON Schemas of the API: Fastify validates requests with them and openapi.ts publishes them,
 * so the document and the checks cannot drift apart. They mirror the user-facing contract in docs/formats.md and docs/http-api.md. */
import { FIELD_TYPES } from '../core/types.js';
import { FIELD_KEY_PATTERN, MAX_FIELDS, TEMPLATE_ID_PATTERN } from '../core/validate-template.js';

// The same rules as the template validator's, from the same source, so the API and the CLI cannot disagree.
export const ID_PATTERN = TEMPLATE_ID_PATTERN;
const KEY_PATTERN = FIELD_KEY_PATTERN;
/** Document IDs are content hashes today; the pattern only keeps IDs path-safe. */
const DOC_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: ID_PATTERN, description: 'letters, digits, ".", "_" or "-"; never a path' } },
} as const;

export const fieldSchema = {
  type: 'object',
  required: ['key', 'type'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: KEY_PATTERN },
    label: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    type: { type: 'string', enum: [...FIELD_TYPES] },
    required: { type: 'boolean' },
    options: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 500 } },
    pattern: { type: 'string', minLength: 1, maxLength: 1000 },
    examples: { type: 'array', maxItems: 20, items: { type: ['string', 'number'] } },
  },
} as const;

export const templateSchema = {
  type: 'object',
  required: ['id', 'fields'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    fields: { type: 'array', minItems: 1, maxItems: MAX_FIELDS, items: fieldSchema },
    locale: { type: 'string', maxLength: 35, description: 'BCP 47 tag of the documents\' language and region ("en-GB"): the date order and phone region when not set' },
    dateOrder: { type: 'string', enum: ['DMY', 'MDY', 'YMD'], description: 'how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read' },
    unproven: { type: 'string', enum: ['keep', 'invalid'], description: 'what a value no passage proves becomes: kept and counted as unproven, or invalid' },
  },
} as const;

export const fillOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxBatchSize: { type: 'integer', minimum: 1, maximum: 200 },
    maxInputTokens: { type: 'integer', minimum: 1000, maximum: 2_000_000 },
    maxOutputTokens: { type: 'integer', minimum: 256, maximum: 65_536 },
    maxConcurrentBatches: { type: 'integer', minimum: 1, maximum: 1_000 },
    priority: { type: 'string', enum: ['interactive', 'bulk'], description: 'interactive fills run ahead of bulk ones on the Gemini queue' },
    onQuotaExhausted: { type: 'string', enum: ['wait', 'fallback'], description: 'when the daily quota runs out: park until the reset, or also fill offline at once' },
    unproven: { type: 'string', enum: ['keep', 'invalid'], description: 'what a value no passage proves becomes; wins over the template\'s setting' },
  },
  description: 'Unset options take the server\'s configuration (profile, config file, environment), then the workflow\'s defaults: the same as a CLI fill.',
} as const;

export const startFillSchema = {
  type: 'object',
  required: ['documentIds'],
  additionalProperties: false,
  properties: {
    templateId: { type: 'string', pattern: ID_PATTERN },
    template: templateSchema,
    documentIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: DOC_ID_PATTERN } },
    options: fillOptionsSchema,
    dryRun: { type: 'boolean', description: 'answer 200 with the calls and tokens the fill would spend under the limits in force, and start nothing' },
  },
} as const;

export const outputQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { flatten: { type: 'string', enum: ['true', 'false'], description: 'PDF forms: flatten the filled fields into the page' } },
} as const;

// Response shapes, for the OpenAPI document only (not used to serialise, so nothing is dropped).
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        path: { type: 'string' },
        issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
} as const;

export const documentSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, mimeType: { type: 'string' }, length: { type: 'integer' }, createdAt: { type: 'string' } },
} as const;

const sourceSchema = {
  type: 'object',
  properties: { documentId: { type: 'string' }, quote: { type: 'string' }, start: { type: 'integer' }, end: { type: 'integer' }, page: { type: 'integer' } },
} as const;

export const fillResultSchema = {
  type: 'object',
  properties: {
    fillId: { type: 'string' },
    templateId: { type: 'string' },
    status: { type: 'string' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          value: {},
          status: { type: 'string', enum: ['filled', 'not_found', 'fallback', 'invalid'] },
          method: { type: 'string', enum: ['gemini', 'cache', 'offline'] },
          sources: { type: 'array', items: sourceSchema },
          reason: { type: 'string' },
          grounding: { type: 'string', enum: ['exact', 'normalized', 'fuzzy', 'none'] },
        },
      },
    },
    answeredBy: {
      type: 'object',
      description: 'the endpoint and model whose answers these are: endpoint "gemini" is Google\'s API, a URL is another server (an emulator or proxy), "offline" means no endpoint answered',
      properties: { model: { type: 'string' }, endpoint: { type: 'string' } },
    },
    usage: {
      type: 'object',
      properties: Object.fromEntries(
        ['apiCalls', 'cacheHits', 'promptTokens', 'outputTokens', 'rateLimited', 'retries', 'fieldsPerCall', 'batches', 'durationMs'].map((k) => [k, { type: 'number' }]),
      ),
    },
    notices: { type: 'array', items: { type: 'string' } },
    outputRef: { type: 'string' },
  },
} as const;

export const fillStateSchema = {
  type: 'object',
  required: ['fillId', 'status'],
  properties: {
    fillId: { type: 'string' },
    status: { type: 'string', description: 'running | completed | failed | cancelled | terminated | timed_out (and any status the workflow reports)' },
    progress: {
      type: 'object',
      properties: {
        phase: { type: 'string' },
        fieldsTotal: { type: 'integer' },
        fieldsDone: { type: 'integer' },
        batchesTotal: { type: 'integer' },
        batchesDone: { type: 'integer' },
      },
    },
    result: fillResultSchema,
    error: { type: 'string' },
    outputUrl: { type: 'string' },
  },
} as const;
