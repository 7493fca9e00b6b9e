/** @module Payloads in the JSON form codec servers speak (the proto3 JSON mapping: bytes as base64), as the
 * Temporal UI and `temporal --codec-endpoint` send them: `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`. */
import type { Payload } from '@temporalio/common';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** A body that is not payloads in that form; the message names the place. */
export class PayloadJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadJsonError';
  }
}

// Standard or URL-safe alphabet, padded or not: the proto3 JSON mapping accepts both.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function payloadFromJson(json: JsonPayload, where: string): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(json.metadata ?? {})) metadata[key] = bytes(value, `${where}.metadata.${key}`);
  return { metadata, data: bytes(json.data ?? '', `${where}.data`) };
}

export function payloadToJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = base64(value);
  return { metadata, data: base64(payload.data ?? new Uint8Array()) };
}

function bytes(text: string, where: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text)) throw new PayloadJsonError(`${where} must be base64`);
  return new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

function base64(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}
