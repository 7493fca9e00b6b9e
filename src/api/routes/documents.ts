/** @module POST /api/documents: one multipart part `file`, streamed to a private temp folder under its own
 * (checked) name, then ingested; the folder is removed whatever happens. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { IngestError, SUPPORTED_EXTENSIONS, ingestFile } from '../../retrieval/ingest.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps, ApiLimits } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';
import { documentSchema } from '../schemas.js';
import { checkUploadName, multipartLimits } from '../uploads.js';

export function documentRoutes(app: FastifyInstance, deps: ApiDeps, limits: ApiLimits, docs: RouteDoc[]): void {
  docs.push({
    method: 'POST',
    url: '/api/documents',
    operationId: 'uploadDocument',
    tag: 'documents',
    summary: `Upload and ingest a document (${Object.keys(SUPPORTED_EXTENSIONS).join(', ')}); multipart part "file"`,
    body: { 'multipart/form-data': { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } },
    responses: { 201: { description: 'the stored document (same text, same id)', schema: documentSchema } },
  });
  app.post('/api/documents', async (req, reply) => {
    if (!req.isMultipart()) {
      throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data with the document in a part named "file"');
    }
    const part = await req.file({ limits: multipartLimits(limits.maxDocumentBytes) });
    if (!part) throw new ApiError(400, 'missing_file', 'no file part in the upload; send the document in a part named "file"', 'file');
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new ApiError(400, 'unexpected_part', `unexpected part "${part.fieldname.slice(0, 64)}"; send the document in a part named "file"`, part.fieldname.slice(0, 64));
    }
    const name = checkUploadName(part.filename);
    const ext = extname(name).toLowerCase();
    if (!(ext in SUPPORTED_EXTENSIONS)) {
      part.file.resume();
      throw new ApiError(415, 'unsupported_type', `unsupported document type "${ext || '(none)'}"; supported: ${Object.keys(SUPPORTED_EXTENSIONS).join(', ')}`, 'file');
    }
    const dir = await mkdtemp(join(tmpdir(), 'fillflow-upload-'));
    try {
      const path = join(dir, name);
      await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(limits);
      // The document guard every way in shares (size, sniffing, the zip guard for a DOCX) runs inside ingestFile,
      // on the bytes the reader then parses, before any reader unpacks them: a zip bomb never expands.
      const doc = await ingestFile(deps.store, path, { limits: { maxBytes: limits.maxDocumentBytes } }).catch((err: unknown) => {
        if (err instanceof IngestError) {
          if (err.code === 'too_large') throw tooLarge(limits);
          const status = err.code === 'unsupported_type' || err.code === 'wrong_type' ? 415 : 422;
          throw new ApiError(status, err.code, err.message.replace(dir, '').replace(/^\/+/, ''), 'file');
        }
        throw err;
      });
      return reply.code(201).send(doc);
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limits);
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

function tooLarge(limits: ApiLimits): ApiError {
  return new ApiError(413, 'file_too_large', `the file is larger than ${limits.maxDocumentBytes} bytes`, 'file');
}
