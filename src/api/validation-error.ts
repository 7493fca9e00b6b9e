/** @module Turns Ajv's errors into the API's error, with the path of the problem. */
import { ApiError, joinPath, pointerToPath } from './api-error.js';

export interface AjvErrorLike {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The first Ajv error as a 400 whose `path` points at the value (or the missing/unknown property). */
export function validationError(errors: readonly AjvErrorLike[], prefix: string): ApiError {
  const e = errors[0];
  if (!e) return new ApiError(400, 'invalid_request', 'the request is not valid');
  let path = pointerToPath(e.instancePath, prefix);
  let message: string;
  if (e.keyword === 'required') {
    path = joinPath(path, String(e.params.missingProperty));
    message = 'is required';
  } else if (e.keyword === 'additionalProperties') {
    path = joinPath(path, String(e.params.additionalProperty));
    message = 'is not a known property';
  } else if (e.keyword === 'enum') {
    message = `must be one of: ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
  } else {
    message = e.message ?? 'is not valid';
  }
  return new ApiError(400, 'invalid_request', `${path || 'body'} ${message}`, path || 'body');
}
