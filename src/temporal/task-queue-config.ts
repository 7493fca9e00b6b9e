/** @module The server-side rate limit of a task queue, read and set at run time through the task-queue
 * configuration API (server ≥ 1.29; tested on 1.32.0). A value set here wins over every worker's
 * `maxTaskQueueActivitiesPerSecond` on every partition, until it is cleared. */
import type { WorkflowService } from '@temporalio/client';
// A CommonJS package: Node's ESM loader sees only its default export (named imports work under vitest, not tsx).
import proto from '@temporalio/proto';

const { temporal } = proto;

const ACTIVITY = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

export interface QueueRateTarget {
  namespace: string;
  taskQueue: string;
}

export interface QueueRate {
  /** The limit in force, per second, and who set it (api, worker or system). */
  effectivePerSecond?: number;
  source?: string;
  /** The API-set value, when there is one. */
  configuredPerSecond?: number;
}

/** Sets (or, with `undefined`, clears) the queue's API rate limit. */
export async function setQueueRate(service: WorkflowService, target: QueueRateTarget, requestsPerSecond: number | undefined, reason: string): Promise<void> {
  await service.updateTaskQueueConfig({
    namespace: target.namespace,
    identity: 'fillflow limits',
    taskQueue: target.taskQueue,
    taskQueueType: ACTIVITY,
    updateQueueRateLimit: requestsPerSecond === undefined ? { reason } : { rateLimit: { requestsPerSecond }, reason },
  });
}

export async function describeQueueRate(service: WorkflowService, target: QueueRateTarget): Promise<QueueRate> {
  const res = await service.describeTaskQueue({
    namespace: target.namespace,
    taskQueue: { name: target.taskQueue },
    taskQueueType: ACTIVITY,
    reportConfig: true,
  });
  const source = res.effectiveRateLimit?.rateLimitSource;
  const configured = res.config?.queueRateLimit?.rateLimit?.requestsPerSecond;
  return {
    ...(res.effectiveRateLimit?.requestsPerSecond != null ? { effectivePerSecond: res.effectiveRateLimit.requestsPerSecond } : {}),
    ...(source != null ? { source: temporal.api.enums.v1.RateLimitSource[source]?.replace('RATE_LIMIT_SOURCE_', '').toLowerCase() ?? String(source) } : {}),
    ...(configured != null ? { configuredPerSecond: configured } : {}),
  };
}
