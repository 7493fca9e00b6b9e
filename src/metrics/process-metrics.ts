/** @module What a process that serves metrics offers the rest of it (src/runtime/runtime.ts makes it): the meter
 * whose instruments its Prometheus exporter serves, and what that exporter would answer a scrape now. */
import type { MetricMeter } from '@temporalio/common';

export interface ProcessMetrics {
  /** The address the exporter listens on (`IP:port`, FILLFLOW_METRICS_ADDRESS). */
  address: string;
  /** The meter: what is recorded on it is served with the Temporal SDK's metrics. */
  meter(): MetricMeter;
  /** A scrape of the exporter, in Prometheus' text format. */
  exposition(): Promise<string>;
}
