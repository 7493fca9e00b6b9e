/** @module Web addresses: http(s) URLs, and bare `www.` forms normalised to https. */
import { execAll, trimEdges, type TextMatch } from './text-match.js';

const URL_START = /(?<![\w@/.-])(?:(https?):\/\/|(?=www\.))[^\s<>"'`]+/dgi;
const HOST = /^(?:localhost|(?:\d{1,3}\.){3}\d{1,3}|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/i;
const BARE_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:[/?#]\S*)?$/i;

/**
 * Drops what trails a URL in prose: sentence marks and closing brackets, unless the bracket closes one
 * opened inside the URL (as in Wikipedia addresses).
 */
function trimTrailing(url: string): string {
  let u = url;
  for (;;) {
    const last = u.at(-1);
    if (last === undefined) return u;
    if ('.,;:!?\'"'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && count(u, '(') < count(u, ')')) u = u.slice(0, -1);
    else if (last === ']' && count(u, '[') < count(u, ']')) u = u.slice(0, -1);
    else return u;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/** Scheme and host lower-cased, `www.` given https; null when the host is not a plausible host name. */
function normalise(url: string, scheme: string | undefined): string | null {
  const rest = scheme === undefined ? url : url.slice(scheme.length + 3);
  const hostEnd = rest.search(/[/?#]/);
  const authority = hostEnd === -1 ? rest : rest.slice(0, hostEnd);
  const host = authority.replace(/^[^@]*@/, '').replace(/:\d{1,5}$/, '');
  if (!HOST.test(host)) return null;
  const tail = hostEnd === -1 ? '' : rest.slice(hostEnd);
  return `${(scheme ?? 'https').toLowerCase()}://${authority.toLowerCase()}${tail}`;
}

/** Every http(s) URL and bare `www.` address in `text`, normalised (`www.x.com` → `https://www.x.com`). */
export function findUrls(text: string): TextMatch<string>[] {
  const found: TextMatch<string>[] = [];
  for (const m of execAll(URL_START, text)) {
    const written = trimTrailing(m[0]);
    const value = normalise(written, m[1]);
    if (value !== null) found.push({ start: m.index, end: m.index + written.length, value });
  }
  return found;
}

/**
 * Reads a string that is one URL; null otherwise. A bare domain ("example.com/terms") is taken as https
 * here, where the whole string is known to be an address, though never in running text.
 */
export function parseUrl(s: string): string | null {
  const t = trimEdges(s).replace(/^<(.*)>$/, '$1');
  if (/\s/.test(t) || t === '') return null;
  const found = findUrls(t);
  if (found.length === 1 && found[0]!.start === 0 && found[0]!.end === t.length) return found[0]!.value;
  if (found.length === 0 && !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.includes('@') && BARE_DOMAIN.test(t)) {
    return normalise(t, undefined);
  }
  return null;
}
