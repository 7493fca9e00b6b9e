/** @module Email addresses, with the domain lower-cased. */
import { execAll, parseWhole, trimEdges, type TextMatch } from './text-match.js';

// Practical rather than RFC 5322: quoted local parts and IP-literal domains do not occur in the documents
// we read, while a permissive pattern would swallow the quotes and brackets around ordinary addresses.
const EMAIL =
  /(?<![\w.%+-])([A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(?![\w-]|\.[A-Za-z0-9])/dg;

/** Every email address in `text`; the value keeps the local part as written and lower-cases the domain. */
export function findEmails(text: string): TextMatch<string>[] {
  return execAll(EMAIL, text).map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    value: `${m[1]}@${m[2]!.toLowerCase()}`,
  }));
}

/**
 * Reads a string that is one email address; null otherwise. A `mailto:` prefix and the display-name form
 * `Jane Doe <jane@example.com>` are accepted.
 */
export function parseEmail(s: string): string | null {
  let t = trimEdges(s);
  const named = /^[^<>@]*<([^<>]+)>$/.exec(t);
  if (named) t = named[1]!;
  return parseWhole(t.replace(/^mailto:/i, ''), findEmails);
}
