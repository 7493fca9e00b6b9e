/** @module The one error ingestion raises for a path the user gave, as opposed to a failure of the store. */
import type { GuardProblem } from './document-guard.js';
import type { FormatProblem } from './formats/extracted-text.js';

/** Why a path could not be ingested; each asks for a different fix from the user. */
export type IngestErrorCode = 'not_found' | 'unsupported_type' | 'not_a_file' | 'no_documents' | GuardProblem | FormatProblem;

/**
 * The message names the path, so an edge (CLI, HTTP) can show it as it is; `code` lets it choose a status
 * without parsing the message.
 */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
