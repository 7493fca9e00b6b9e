/** @module The workflowsPath entry: every workflow the `fillflow` task queue runs. */
export { fillTemplate } from './fill-template.js';
export { bulkFill } from './bulk-fill.js';
