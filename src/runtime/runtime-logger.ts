/** @module Keeps the Temporal SDK's own logging to warnings and errors on stderr, installed once. */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

// The Gemini worker runs activities only, by design; the SDK warns about that on every start.
const EXPECTED = [/No workflows registered, not polling for workflow tasks/];

let installed = false;

export function installRuntimeLogger(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN'): void {
  if (installed) return;
  installed = true;
  const fallback = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (EXPECTED.some((re) => re.test(entry.message))) return;
    fallback.log(entry.level, entry.message, entry.meta);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // A runtime already exists (a test or an embedding program installed its own): keep it.
  }
}
