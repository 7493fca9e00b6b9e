/** @module Task queue names shared by workers, clients and workflows. */

/** Workflows and light activities (retrieval, offline extraction, finalising). */
export const TASK_QUEUE = 'fillflow';
/** Gemini calls only, so the queue's rate limit is the API's rate limit. */
export const GEMINI_TASK_QUEUE = 'fillflow-gemini';
