/** @module The process's one Temporal runtime, installed once before any worker or connection: all of the SDK's
 * logging (its TypeScript side and its Rust core) through one logger, warnings and errors on stderr by default, and,
 * with FILLFLOW_METRICS_ADDRESS, one Prometheus exporter for the SDK's metrics and Fillflow's own (src/metrics/). */
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { histogramBuckets, SDK_METRIC_PREFIX } from '../metrics/fillflow-metrics.js';
import type { ProcessMetrics } from '../metrics/process-metrics.js';

// The Gemini worker runs activities only, by design; the SDK warns about that on every start.
const EXPECTED = [/No workflows registered, not polling for workflow tasks/];

export interface RuntimeSettings {
  /** The least severe level logged, for the SDK's TypeScript side and its core alike. @default 'WARN' */
  level?: LogLevel;
  /** Where each log entry goes. @default a line on stderr, in the SDK's format */
  write?: (entry: LogEntry) => void;
  /** `IP:port` to serve Prometheus metrics on at `/metrics` (FILLFLOW_METRICS_ADDRESS). @default none: no metrics */
  metricsAddress?: string;
}

/** Cannot serve metrics: the address is taken or not an address, or a runtime without metrics came first. */
export class MetricsStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsStartError';
  }
}

let installed: { metrics?: ProcessMetrics } | undefined;

/**
 * Installs the runtime, once per process; later calls return what the first installed. Asking for metrics is an
 * error when they cannot be served as asked: the first call installed a runtime without them or on another address,
 * another part of the process created the runtime first, or the exporter cannot listen.
 * @throws MetricsStartError naming FILLFLOW_METRICS_ADDRESS and the address
 */
export function installRuntime(settings: RuntimeSettings = {}): { metrics?: ProcessMetrics } {
  const address = settings.metricsAddress;
  if (installed) {
    if (address !== undefined && installed.metrics?.address !== address) {
      throw new MetricsStartError(
        `FILLFLOW_METRICS_ADDRESS ${address}: this process's Temporal runtime was installed ${installed.metrics ? `with metrics on ${installed.metrics.address}` : 'without metrics'}`,
      );
    }
    return installed;
  }
  const level = settings.level ?? 'WARN';
  const fallback = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (EXPECTED.some((re) => re.test(entry.message))) return;
    if (settings.write) settings.write(entry);
    else fallback.log(entry.level, entry.message, entry.meta);
  });
  try {
    Runtime.install({
      logger,
      telemetryOptions: {
        // Core's own lines are forwarded to the logger above instead of going straight to stderr from Rust, so
        // every line the SDK writes passes the same level, filter and destination (a test can read them all).
        logging: { forward: {}, filter: { core: level } },
        ...(address !== undefined
          ? {
              metrics: {
                metricPrefix: SDK_METRIC_PREFIX,
                // Seconds, as Prometheus expects, for the SDK's latencies as for Fillflow's own.
                prometheus: { bindAddress: address, useSecondsForDurations: true, histogramBucketOverrides: histogramBuckets() },
              },
            }
          : {}),
      },
    });
  } catch (err) {
    // A runtime already exists (a test or an embedding program created its own): keep it, unless metrics were asked for.
    if (err instanceof IllegalStateError) {
      if (address !== undefined) throw new MetricsStartError(`FILLFLOW_METRICS_ADDRESS ${address}: the Temporal runtime was created before metrics could be turned on`);
      installed = {};
      return installed;
    }
    // The exporter could not listen: the core's message ends with the reason ("Address already in use (os error 98)").
    const reason = (err as Error).message.replace(/^.*?: /, '');
    if (address !== undefined) throw new MetricsStartError(`FILLFLOW_METRICS_ADDRESS ${address}: cannot serve metrics there (${reason})`);
    throw err;
  }
  installed = address !== undefined ? { metrics: processMetrics(address) } : {};
  return installed;
}

function processMetrics(address: string): ProcessMetrics {
  const url = `http://${reachable(address)}/metrics`;
  return {
    address,
    // Read on each use: the SDK shuts an idle runtime down (its meter then records nothing) and makes a new one, with
    // the same exporter, when a worker or connection needs it again.
    meter: () => Runtime.instance().metricMeter,
    async exposition() {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`the metrics exporter at ${url} answered ${res.status}`);
      return res.text();
    },
  };
}

/** Where this process reaches its own exporter: a wildcard bind through loopback. */
function reachable(address: string): string {
  if (address.startsWith('0.0.0.0:')) return `127.0.0.1:${address.slice('0.0.0.0:'.length)}`;
  if (address.startsWith('[::]:')) return `[::1]:${address.slice('[::]:'.length)}`;
  return address;
}
