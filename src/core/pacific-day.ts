/** @module The America/Los_Angeles calendar day, when Gemini's per-day quotas reset. Pure (Intl only), so
 * the workflow can compute its own reset time deterministically from its own clock. */

const ZONE = 'America/Los_Angeles';

// Built lazily and reused: constructing Intl formatters is far slower than formatting.
let formatter: Intl.DateTimeFormat | undefined;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number): WallClock {
  formatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of formatter.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year ?? 0, month: out.month ?? 0, day: out.day ?? 0, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

/** Los Angeles' offset from UTC at an instant, in ms (-7 h in summer, -8 h in winter). */
function offsetAt(ms: number): number {
  const w = wallClock(ms);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The Pacific calendar day of an instant as `YYYY-MM-DD`: the key of per-day quota counters. */
export function pacificDay(ms: number): string {
  const w = wallClock(ms);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/**
 * The instant (ms) of the first Pacific midnight after `ms`, when a per-day quota resets. Days around the
 * DST changes last 23 h or 25 h; the offset is read from Intl, never assumed.
 */
export function nextPacificMidnight(ms: number): number {
  const w = wallClock(ms);
  const wallMidnight = Date.UTC(w.year, w.month - 1, w.day + 1);
  // First guess with the current offset; a second pass corrects it when DST changed before midnight
  // (US changes happen at 02:00, so midnight itself is never ambiguous).
  const guess = wallMidnight - offsetAt(ms);
  return wallMidnight - offsetAt(guess);
}
