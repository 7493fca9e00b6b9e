/** @module Reads what a truncated JSON answer finished: the fields whose entries closed before the cut. */

/**
 * The complete top-level members of a JSON object cut short (a MAX_TOKENS answer), as a parseable object
 * text, or undefined when not one member closed. Strings and escapes are tracked, so a brace inside a
 * quoted value never counts; nothing after the last complete member is guessed at.
 *
 * @example salvageTruncatedObject('{"a":{"value":1,"quote":"x"},"b":{"val') // '{"a":{"value":1,"quote":"x"}}'
 */
export function salvageTruncatedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let lastMemberEnd = -1;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1); // it was complete after all
      if (depth === 1) lastMemberEnd = i + 1;
    } else if (ch === ',' && depth === 1) {
      // A scalar member (`"k": null`) ends at the comma that follows it.
      lastMemberEnd = i;
    }
  }
  if (lastMemberEnd < 0) return undefined;
  const body = text.slice(start, lastMemberEnd).replace(/,\s*$/, '');
  return `${body}}`;
}
