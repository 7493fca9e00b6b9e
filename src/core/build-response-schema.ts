/** @module Builds the JSON schema Gemini must answer in: one property per field, each {value, quote}. */
import type { FieldSpec } from './types.js';

type JsonSchema = Record<string, unknown>;

/** The typed `value` schema of one field; always nullable, since "not in the passages" is an answer. */
export function valueSchema(field: FieldSpec): JsonSchema {
  switch (field.type) {
    case 'number':
      return { type: ['number', 'null'] };
    case 'integer':
      return { type: ['integer', 'null'] };
    case 'boolean':
      return { type: ['boolean', 'null'] };
    case 'enum':
      return { type: ['string', 'null'], enum: [...(field.options ?? []), null] };
    case 'money':
      return {
        type: ['object', 'null'],
        properties: {
          amount: { type: 'number' },
          currency: { type: 'string', description: 'ISO 4217 code, e.g. USD' },
        },
        required: ['amount', 'currency'],
        propertyOrdering: ['amount', 'currency'],
      };
    case 'date':
      return { type: ['string', 'null'], description: 'ISO date YYYY-MM-DD' };
    case 'list':
      return { type: ['array', 'null'], items: { type: 'string' } };
    default:
      return { type: ['string', 'null'] };
  }
}

/**
 * The `responseJsonSchema` for a batch. Keys follow the batch's field order (Gemini answers in schema
 * order), and every field is required so a silent omission cannot pass for "not found".
 */
export function buildResponseSchema(fields: FieldSpec[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) {
    properties[f.key] = {
      type: 'object',
      properties: {
        value: valueSchema(f),
        // What a quote is (the shortest verbatim span of one passage that states the value) is said once, in the
        // system instruction: a description here would be repeated for every field, and on a 200-field form the
        // schema is most of the prompt.
        quote: { type: ['string', 'null'] },
      },
      required: ['value', 'quote'],
      propertyOrdering: ['value', 'quote'],
    };
  }
  const keys = fields.map((f) => f.key);
  return { type: 'object', properties, required: keys, propertyOrdering: keys };
}
