/** @module Milliseconds as a protobuf JSON Duration string ("26s", "12.345s"), the form of RetryInfo.retryDelay. */

/**
 * Formats like protobuf's JSON mapping: whole seconds bare, otherwise 3, 6 or 9 fractional digits,
 * whichever is exact. Sub-nanosecond parts are rounded away.
 *
 * @example formatProtoDuration(12_345) === '12.345s'; formatProtoDuration(26_000) === '26s'
 */
export function formatProtoDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`duration must be a finite ms >= 0, got ${ms}`);
  const nanos = Math.round(ms * 1e6);
  const seconds = Math.floor(nanos / 1e9);
  const frac = nanos - seconds * 1e9;
  if (frac === 0) return `${seconds}s`;
  const digits = frac % 1e6 === 0 ? 3 : frac % 1e3 === 0 ? 6 : 9;
  const text = String(frac).padStart(9, '0').slice(0, digits);
  return `${seconds}.${text}s`;
}

/** Parses "12.345s" back to ms; `undefined` when the text is not a duration. */
export function parseProtoDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return m ? Number(m[1]) * 1000 : undefined;
}
