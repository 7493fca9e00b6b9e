/** @module Which Gemini endpoint answers: Google's API, or another server speaking its protocol (the
 * emulator, a proxy). Answers, vectors, field memory and usage are kept per endpoint and model, so one
 * endpoint's answers never serve a request meant for another. Pure. */

/** The identity of Google's own Gemini API. */
export const GOOGLE_ENDPOINT = 'gemini';

/** Google's API host: a base URL naming it is Google's API, not another endpoint. */
const GOOGLE_HOST = 'generativelanguage.googleapis.com';

/** The endpoint and model whose answers a fill holds (FillResult.answeredBy). */
export interface AnsweredBy {
  model: string;
  /** `gemini` for Google's API, else the base URL the SDK was sent to; `offline` when no answer came from any endpoint. */
  endpoint: string;
}

/** A fill none of whose values came from an endpoint (no key, or every field filled offline). */
export const OFFLINE_ANSWERED_BY: AnsweredBy = { model: 'none', endpoint: 'offline' };

/**
 * `gemini` when no base URL is set or it names Google's API; otherwise the base URL itself, normalised
 * (scheme and host lower case, no trailing slash), so two spellings of one server share a cache.
 * @example endpointIdentity(undefined) // 'gemini'
 * @example endpointIdentity('http://127.0.0.1:4010/') // 'http://127.0.0.1:4010'
 */
export function endpointIdentity(baseUrl: string | undefined): string {
  if (baseUrl === undefined || baseUrl.trim() === '') return GOOGLE_ENDPOINT;
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    return baseUrl.trim().replace(/\/+$/, '');
  }
  if (url.hostname.toLowerCase() === GOOGLE_HOST) return GOOGLE_ENDPOINT;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`.toLowerCase().replace(/\/+$/, '');
}

/** How a result names its endpoint to a person: `Google's Gemini API`, or the base URL with a warning. */
export function describeEndpoint(endpoint: string): string {
  if (endpoint === GOOGLE_ENDPOINT) return "Google's Gemini API";
  if (endpoint === OFFLINE_ANSWERED_BY.endpoint) return 'no Gemini endpoint (offline extractor only)';
  return `${endpoint} (not Google's API: an emulator or another Gemini-compatible server)`;
}
