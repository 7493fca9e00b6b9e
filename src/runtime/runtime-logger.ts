/** @module Routes all of the Temporal SDK's logging, its TypeScript side and its Rust core, through one logger,
 * installed once: warnings and errors on stderr by default. */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

// The Gemini worker runs activities only, by design; the SDK warns about that on every start.
const EXPECTED = [/No workflows registered, not polling for workflow tasks/];

let installed = false;

/**
 * @param level the least severe level logged, for the SDK's TypeScript side and its core alike. @default 'WARN'
 * @param write where each entry goes. @default a line on stderr, in the SDK's format
 */
export function installRuntimeLogger(level: LogLevel = 'WARN', write?: (entry: LogEntry) => void): void {
  if (installed) return;
  installed = true;
  const fallback = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (EXPECTED.some((re) => re.test(entry.message))) return;
    if (write) write(entry);
    else fallback.log(entry.level, entry.message, entry.meta);
  });
  try {
    Runtime.install({
      logger,
      // Core's own lines are forwarded to the logger above instead of going straight to stderr from Rust, so
      // every line the SDK writes passes the same level, filter and destination (a test can read them all).
      telemetryOptions: { logging: { forward: {}, filter: { core: level } } },
    });
  } catch {
    // A runtime already exists (a test or an embedding program installed its own): keep it.
  }
}
