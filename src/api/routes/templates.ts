/** @module Templates: create (a JSON spec, or a Markdown, DOCX or PDF-form file as multipart), get, list. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TemplateError, validateTemplate } from '../../core/validate-template.js';
import { parseTemplateFile, TEMPLATE_EXTENSIONS } from '../../templates/parse-template.js';
import { saveTemplate, TemplateConflictError } from '../../templates/save-template.js';
import { TemplateFileError } from '../../templates/template-file-error.js';
import { MEDIA_TYPES, type ParsedTemplate } from '../../templates/template-source.js';
import { ApiError, joinPath } from '../api-error.js';
import type { ApiDeps, ApiLimits } from '../api-deps.js';
import type { RouteDoc } from '../openapi.js';
import { idParams, ID_PATTERN, templateSchema } from '../schemas.js';
import { checkUploadName, multipartLimits } from '../uploads.js';
import { validationError } from '../validation-error.js';
import { parseStrictJson } from '../strict-json.js';

const templateOut = {
  type: 'object',
  required: ['id', 'fields', 'format'],
  properties: {
    ...templateSchema.properties,
    format: { type: 'string', enum: Object.keys(MEDIA_TYPES) },
    source: { type: 'object', description: 'the uploaded template file, for document templates', properties: { fileName: { type: 'string' }, mediaType: { type: 'string' } } },
  },
};
const createdTemplate = {
  type: 'object',
  required: ['id', 'format', 'template', 'warnings'],
  properties: {
    id: { type: 'string' },
    format: { type: 'string', enum: Object.keys(MEDIA_TYPES) },
    template: templateSchema,
    warnings: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

export function templateRoutes(app: FastifyInstance, deps: ApiDeps, limits: ApiLimits, docs: RouteDoc[]): void {
  docs.push(
    {
      method: 'POST',
      url: '/api/templates',
      operationId: 'createTemplate',
      tag: 'templates',
      summary: `Create a template: a JSON spec, or a file (${Object.keys(TEMPLATE_EXTENSIONS).join(', ')}) in multipart part "file", with optional parts "spec" (JSON), "id", "name"`,
      body: {
        'application/json': templateSchema,
        'multipart/form-data': {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', format: 'binary' }, spec: { type: 'string', description: 'a JSON template whose fields give types and labels' }, id: { type: 'string', pattern: ID_PATTERN }, name: { type: 'string' } },
        },
      },
      responses: {
        201: { description: 'created; `warnings` lists fields in the document but not the spec, and the reverse', schema: createdTemplate },
        200: { description: 'the same template was already stored', schema: createdTemplate },
        409: { description: 'a different template has this id (`template_conflict`)' },
      },
    },
    {
      method: 'GET',
      url: '/api/templates',
      operationId: 'listTemplates',
      tag: 'templates',
      summary: 'List templates',
      responses: { 200: { description: 'templates', schema: { type: 'object', required: ['templates'], properties: { templates: { type: 'array', items: { type: 'object' } } } } } },
    },
    {
      method: 'GET',
      url: '/api/templates/:id',
      operationId: 'getTemplate',
      tag: 'templates',
      summary: 'A template (its spec and format)',
      params: idParams,
      responses: { 200: { description: 'the template', schema: templateOut }, 404: { description: 'no such template (`template_not_found`)' } },
    },
  );

  app.post('/api/templates', async (req, reply) => {
    const parsed = req.isMultipart() ? await fromUpload(req, limits) : fromJson(req);
    let outcome;
    try {
      outcome = await saveTemplate(deps.store, parsed, { ifExists: 'reject' });
    } catch (err) {
      if (err instanceof TemplateConflictError) throw new ApiError(409, 'template_conflict', err.message, 'id');
      throw err;
    }
    return reply.code(outcome === 'unchanged' ? 200 : 201).send({ id: parsed.spec.id, format: parsed.format, template: parsed.spec, warnings: parsed.warnings });
  });

  app.get('/api/templates', async () => ({ templates: await deps.store.listTemplates() }));

  app.get('/api/templates/:id', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params as { id: string };
    const spec = await deps.store.getTemplate(id);
    if (!spec) throw new ApiError(404, 'template_not_found', `no template "${id}"`, 'id');
    const source = await deps.store.getTemplateSource(id);
    return { ...spec, format: source?.format ?? 'json', ...(source ? { source: { fileName: source.fileName, mediaType: source.mediaType } } : {}) };
  });
}

/** A JSON body: schema first (types, sizes), then the template rules (enum options, unique keys, patterns). */
function fromJson(req: FastifyRequest): ParsedTemplate {
  const validate = req.compileValidationSchema(templateSchema);
  if (!validate(req.body)) throw validationError(validate.errors ?? [], '');
  return { format: 'json', spec: checkTemplate(req.body, ''), warnings: [] };
}

/** Runs the template rules and turns a TemplateError into a 400 naming the first problem's path under `at`. */
export function checkTemplate(body: unknown, at: string) {
  try {
    return validateTemplate(body);
  } catch (err) {
    if (err instanceof TemplateError) {
      const issues = err.issues.map((i) => ({ path: joinPath(at, i.path), message: i.message }));
      throw new ApiError(400, 'invalid_template', `${issues[0]!.path}: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, issues[0]!.path, issues);
    }
    throw err;
  }
}

async function fromUpload(req: FastifyRequest, limits: ApiLimits): Promise<ParsedTemplate> {
  let file: { name: string; bytes: Buffer } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: multipartLimits(limits.maxTemplateBytes) })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          throw new ApiError(400, 'unexpected_part', `unexpected file part "${part.fieldname.slice(0, 64)}"; send one template in a part named "file"`, part.fieldname.slice(0, 64));
        }
        const name = checkUploadName(part.filename);
        if (!(Object.keys(TEMPLATE_EXTENSIONS) as string[]).some((ext) => name.toLowerCase().endsWith(ext))) {
          part.file.resume();
          throw new ApiError(415, 'unsupported_type', `unsupported template type for "${name}"; use ${Object.keys(TEMPLATE_EXTENSIONS).join(', ')}`, 'file');
        }
        file = { name, bytes: await part.toBuffer() };
      } else {
        if (!['spec', 'id', 'name'].includes(part.fieldname)) {
          throw new ApiError(400, 'unexpected_part', `unexpected part "${part.fieldname.slice(0, 64)}"; allowed: file, spec, id, name`, part.fieldname.slice(0, 64));
        }
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new ApiError(413, 'file_too_large', `the template file is larger than ${limits.maxTemplateBytes} bytes`, 'file');
    }
    throw err;
  }
  if (!file) throw new ApiError(400, 'missing_file', 'no file part in the upload; send the template in a part named "file"', 'file');
  if (fields.id !== undefined && !new RegExp(ID_PATTERN).test(fields.id)) {
    throw new ApiError(400, 'invalid_request', 'id must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit', 'id');
  }
  let spec: Record<string, unknown> | undefined;
  if (fields.spec !== undefined) {
    const value = parseStrictJson(fields.spec);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'invalid_request', 'spec must be a JSON object', 'spec');
    const validate = req.compileValidationSchema({ ...templateSchema, required: ['fields'] });
    if (!validate(value)) throw validationError(validate.errors ?? [], 'spec');
    spec = value as Record<string, unknown>;
  }
  try {
    return await parseTemplateFile({ fileName: file.name, bytes: file.bytes, ...(spec ? { spec } : {}), ...(fields.id ? { id: fields.id } : {}), ...(fields.name ? { name: fields.name } : {}) });
  } catch (err) {
    if (err instanceof TemplateFileError) {
      const status = err.code === 'unsupported_format' || err.code === 'not_docx' || err.code === 'not_pdf' ? 415 : 422;
      throw new ApiError(status, err.code, err.message, err.path === 'file' ? 'file' : `file: ${err.path}`);
    }
    if (err instanceof TemplateError) {
      const issues = err.issues.map((i) => ({ path: spec ? joinPath('spec', i.path) : `file: ${i.path}`, message: i.message }));
      throw new ApiError(400, 'invalid_template', `${issues[0]!.path}: ${issues[0]!.message}`, issues[0]!.path, issues);
    }
    throw err;
  }
}
