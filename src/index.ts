/** @module The package entry (`import … from 'fillflow'`): the client, the HTTP API factory, template
 * formats and the domain types. Workers and the CLI are started through `fillflow` itself. */
export * from './client.js';
export { buildApi } from './api/build-api.js';
export { startApi, type RunningApi } from './api/start-api.js';
export type { ApiDeps, ApiLimits, FillService } from './api/api-deps.js';
export { loadConfig, type FillflowConfig } from './config.js';
export { validateTemplate, TemplateError } from './core/validate-template.js';
export { parseTemplateFile, TEMPLATE_EXTENSIONS } from './templates/parse-template.js';
export { renderOutput } from './templates/render-output.js';
export { TemplateFileError } from './templates/template-file-error.js';
export type { ParsedTemplate, TemplateFormat } from './templates/template-source.js';
export { openStore } from './store/open-store.js';
