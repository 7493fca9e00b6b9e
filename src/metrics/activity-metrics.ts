/** @module Fillflow's metrics from inside an activity, on its context's meter: the worker's exporter serves them
 * tagged with the namespace, task queue and activity type, and a test's mock context (a no-op meter unless the test
 * gives one) records them wherever the test says. */
import { Context } from '@temporalio/activity';
import { fillflowMetrics, type FillflowMetrics } from './fillflow-metrics.js';

/** @throws outside an activity */
export function activityMetrics(): FillflowMetrics {
  return fillflowMetrics(Context.current().metricMeter);
}
