/** @module Shared checks for multipart uploads: part limits and file names that can never become paths. */
import { ApiError } from './api-error.js';

export function multipartLimits(fileSize: number) {
  return { fileSize, files: 1, fields: 8, parts: 10, fieldSize: 4 * 1024 * 1024, headerPairs: 50 };
}

/**
 * The upload's file name, refused (not cleaned) when it carries a directory, `..`, control characters or
 * a leading dot: a client that sends `../../etc/passwd` should hear why, not get a silently renamed file.
 */
export function checkUploadName(filename: string | undefined): string {
  const name = (filename ?? '').normalize('NFC');
  const bad = (why: string) => new ApiError(400, 'invalid_file_name', `file name ${JSON.stringify(name.slice(0, 100))} ${why}`, 'file');
  if (name.trim() === '') throw new ApiError(400, 'invalid_file_name', 'the file part has no file name', 'file');
  if (name.length > 200) throw bad('is longer than 200 characters');
  if (/[/\\]/.test(name) || name.split(/[/\\]/).includes('..')) throw bad('contains a path; send a bare file name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw bad('contains control characters');
  if (name.startsWith('.')) throw bad('starts with "."');
  return name;
}
