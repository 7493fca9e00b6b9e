/** @module A fill service for API tests that knows no fills and records every start: a hostile request must
 * never start one, and the tests read `started` to prove it. */
import type { FillService } from '../../../src/api/api-deps.js';
import { resolveFillOptions } from '../../../src/fill-start.js';

export function emptyFillService(): { service: FillService; started: unknown[] } {
  const started: unknown[] = [];
  const notFound = async (): Promise<never> => {
    const err = new Error('workflow not found');
    err.name = 'WorkflowNotFoundError';
    throw err;
  };
  const service: FillService = {
    startFill: async (req) => {
      started.push(req);
      const fillId = req.fillId ?? 'x';
      return { fillId, input: { fillId, templateId: req.templateId, documentIds: req.documentIds, options: resolveFillOptions(undefined, req.options) } };
    },
    getFill: notFound,
    resume: notFound,
    cancel: notFound,
  };
  return { service, started };
}
