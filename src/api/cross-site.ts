/** @module Keeps web pages the user visits from using the API. Two checks run before anything else:
 * - Host: a request must name an address the API serves. A DNS-rebinding page reaches 127.0.0.1 under its
 *   own name (`Host: rebind.attacker.example:8080`), so refusing unknown names keeps it from reading the API.
 * - Origin: a browser names the page behind a request in `Origin` (and `Sec-Fetch-Site`). A multipart POST
 *   is a "simple" request that any page may send without asking first, so the answer must be a refusal before
 *   the body is read, not only a missing CORS header.
 * CORS is answered here too, for the origins the operator listed and no others: one list decides both
 * whether a browser request is refused and whether the browser may read the answer. */
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FillflowConfig } from '../config.js';
import { ApiError } from './api-error.js';

type SiteConfig = Pick<FillflowConfig, 'apiHost' | 'apiAllowedHosts' | 'apiCorsOrigins'>;

/** 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host.toLowerCase());
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `0.0.0.0` and `::`: every interface of the machine. */
export function isWildcardHost(host: string): boolean {
  const h = unbracket(host);
  return h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

/** The form a host takes in a Host header or a URL: IPv6 in brackets, names in lower case. */
export function hostForUrl(host: string): string {
  const h = unbracket(host.toLowerCase());
  return isIP(h) === 6 ? `[${h}]` : h;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export interface SiteRules {
  /** Names the API answers under on the port it listens on. */
  servedNames: ReadonlySet<string>;
  /** FILLFLOW_API_ALLOWED_HOSTS: a name alone allows any port (a reverse proxy's public name), name:port that port only. */
  extraHosts: ReadonlySet<string>;
  corsOrigins: ReadonlySet<string>;
}

export function siteRules(config: SiteConfig): SiteRules {
  const served = new Set<string>();
  // A wildcard bind serves loopback too; a loopback bind answers to every loopback name, since a browser on
  // this machine may say `localhost` or `[::1]` for 127.0.0.1. Other interfaces' addresses are not guessed:
  // the operator lists the names clients use in FILLFLOW_API_ALLOWED_HOSTS.
  if (isLoopbackHost(config.apiHost) || isWildcardHost(config.apiHost)) for (const n of LOOPBACK_NAMES) served.add(n);
  if (!isWildcardHost(config.apiHost)) served.add(hostForUrl(config.apiHost));
  return { servedNames: served, extraHosts: new Set(config.apiAllowedHosts), corsOrigins: new Set(config.apiCorsOrigins) };
}

/** `name` and `port` of a Host header (`[::1]:8080`, `localhost`), or undefined when it is not one. */
export function parseHostHeader(header: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), ...(m[2] !== undefined ? { port: Number(m[2]) } : {}) };
}

/**
 * Refuses a request whose Host is not an address the API serves.
 * @param localPort the port the request arrived on; undefined for `inject()`, which has no socket, so only
 *   the name is checked there
 * @throws ApiError 403 `forbidden_host`
 */
export function checkHost(rules: SiteRules, header: string | undefined, localPort: number | undefined): void {
  if (header === undefined || header.trim() === '') {
    throw new ApiError(403, 'forbidden_host', 'the request has no Host header; send the address of this server (e.g. Host: 127.0.0.1:8080)');
  }
  const host = parseHostHeader(header);
  const shown = JSON.stringify(header.slice(0, 100));
  const howToAllow = 'if clients reach this server under that name, add it to FILLFLOW_API_ALLOWED_HOSTS (comma-separated, name or name:port)';
  if (!host) throw new ApiError(403, 'forbidden_host', `Host ${shown} is not a host name; ${howToAllow}`);
  // An absent port is the scheme's default; the API itself speaks plain HTTP.
  const port = host.port ?? 80;
  if (rules.extraHosts.has(host.name) || rules.extraHosts.has(`${host.name}:${port}`)) return;
  if (rules.servedNames.has(host.name) && (localPort === undefined || port === localPort)) return;
  const why = rules.servedNames.has(host.name)
    ? `this server listens on port ${localPort}, not ${port}`
    : `this server answers only to ${[...rules.servedNames, ...rules.extraHosts].join(', ')} (a page that rebinds its own name to this machine's address is refused here)`;
  throw new ApiError(403, 'forbidden_host', `Host ${shown} is refused: ${why}; ${howToAllow}`);
}

export type SiteVerdict = { origin?: string; preflight: boolean };

/**
 * Refuses a browser request made by a page of another origin, unless FILLFLOW_API_CORS_ORIGINS lists it.
 * Requests without `Origin` and `Sec-Fetch-Site` (curl, SDKs, services) are not browser requests from a page
 * and pass. Call after checkHost: the same-origin comparison trusts the Host.
 * @returns the allowed cross-origin `origin`, if any, and whether the request is a CORS preflight
 * @throws ApiError 403 `forbidden_origin`
 */
export function checkOrigin(rules: SiteRules, req: Pick<FastifyRequest, 'headers' | 'method'>): SiteVerdict {
  const origin = single(req.headers.origin);
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  const howToAllow = 'to let a web application use this API, add its origin to FILLFLOW_API_CORS_ORIGINS (comma-separated, e.g. https://app.example.com)';
  if (origin !== undefined) {
    const normalised = origin.toLowerCase();
    if (rules.corsOrigins.has(normalised)) return { origin, preflight };
    // The API's own origin: a page served under the very Host just accepted (over https when a proxy adds TLS).
    const host = (single(req.headers.host) ?? '').toLowerCase();
    if (normalised === `http://${host}` || normalised === `https://${host}`) return { preflight };
    const what = normalised === 'null' ? 'an opaque origin ("null": a sandboxed frame or a local file)' : `origin ${JSON.stringify(origin.slice(0, 200))}`;
    throw new ApiError(403, 'forbidden_origin', `a browser request from ${what} is refused: pages of other sites may not use this API; ${howToAllow}`);
  }
  const site = single(req.headers['sec-fetch-site']);
  if (site === 'cross-site' || site === 'same-site') {
    throw new ApiError(403, 'forbidden_origin', `a browser request made by another site's page (Sec-Fetch-Site: ${site}) is refused; ${howToAllow}`);
  }
  return { preflight };
}

/** What a browser may send and read cross-origin: the API's two methods, bearer auth, JSON bodies, and the
 * file name of a download. No credentials: the API uses no cookies. */
const CORS_HEADERS = {
  methods: 'GET, POST',
  requestHeaders: 'authorization, content-type',
  exposedHeaders: 'content-disposition, www-authenticate',
  maxAgeSeconds: '600',
};

/**
 * Adds CORS headers for an allowed origin, and answers its preflight. @returns true when the reply is sent
 * (a preflight), so the request goes no further.
 */
export function answerCors(verdict: SiteVerdict, req: Pick<FastifyRequest, 'headers'>, reply: FastifyReply): boolean {
  if (verdict.origin === undefined) return false;
  reply.header('access-control-allow-origin', verdict.origin).header('vary', 'Origin').header('access-control-expose-headers', CORS_HEADERS.exposedHeaders);
  if (!verdict.preflight) return false;
  reply
    .header('access-control-allow-methods', CORS_HEADERS.methods)
    .header('access-control-allow-headers', CORS_HEADERS.requestHeaders)
    .header('access-control-max-age', CORS_HEADERS.maxAgeSeconds);
  // Chrome asks before a public page may reach a private address; a listed origin was allowed on purpose.
  if (single(req.headers['access-control-request-private-network']) === 'true') reply.header('access-control-allow-private-network', 'true');
  reply.code(204).send();
  return true;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}
