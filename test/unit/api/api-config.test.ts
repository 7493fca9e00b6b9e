/** The API's address settings: FILLFLOW_API_HOST, FILLFLOW_API_ALLOWED_HOSTS and FILLFLOW_API_CORS_ORIGINS as
 * loadConfig reads them, which binds count as loopback, and how a Host header is read. */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseHostHeader } from '../../../src/api/cross-site.js';
import { requireTokenBeyondLoopback } from '../../../src/api/start-api.js';
import { ConfigError, loadConfig } from '../../../src/config.js';

const load = (env: Record<string, string>) => loadConfig({ FILLFLOW_DB: '/nonexistent/fillflow.db', ...env }, {}, '/nonexistent');

describe('API address settings', () => {
  it('default to loopback with no extra hosts and CORS off', () => {
    const c = load({});
    expect([c.apiHost, c.apiAllowedHosts, c.apiCorsOrigins]).toEqual(['127.0.0.1', [], []]);
    expect(Object.isFrozen(c.apiCorsOrigins)).toBe(true);
  });

  it.each([
    ['an IPv4 address', '10.0.0.5', '10.0.0.5'],
    ['IPv6 in brackets, kept without', '[::1]', '::1'],
    ['IPv6 bare', '::', '::'],
    ['a host name, in lower case', 'Fillflow.Internal', 'fillflow.internal'],
    ['surrounding spaces', ' 0.0.0.0 ', '0.0.0.0'],
  ])('FILLFLOW_API_HOST: %s', (_name, value, expected) => {
    expect(load({ FILLFLOW_API_HOST: value }).apiHost).toBe(expected);
  });

  it('reads origins as browsers send them and hosts as Host headers spell them', () => {
    const c = load({ FILLFLOW_API_CORS_ORIGINS: 'HTTPS://App.Example.com:443/, http://localhost:3000', FILLFLOW_API_ALLOWED_HOSTS: 'Proxy.Example [FD00::1]:8080,10.0.0.5:80' });
    expect(c.apiCorsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(c.apiAllowedHosts).toEqual(['proxy.example', '[fd00::1]:8080', '10.0.0.5:80']);
  });

  it.each([
    ['FILLFLOW_API_HOST', 'http://0.0.0.0', /without a scheme/],
    ['FILLFLOW_API_HOST', '0.0.0.0:8080', /port in FILLFLOW_API_PORT/],
    ['FILLFLOW_API_HOST', 'not a host', /IP address .* or a host name/],
    ['FILLFLOW_API_CORS_ORIGINS', '*', /every web site/],
    ['FILLFLOW_API_CORS_ORIGINS', 'null', /sandboxed frame/],
    ['FILLFLOW_API_CORS_ORIGINS', 'app.example.com', /is not an origin/],
    ['FILLFLOW_API_CORS_ORIGINS', 'https://app.example.com/ui', /no path/],
    ['FILLFLOW_API_CORS_ORIGINS', 'ftp://app.example.com', /http or https/],
    ['FILLFLOW_API_ALLOWED_HOSTS', '*', /DNS-rebinding check/],
    ['FILLFLOW_API_ALLOWED_HOSTS', 'fd00::1', /not a host name.*\[fd00::5\]/],
    ['FILLFLOW_API_ALLOWED_HOSTS', 'proxy.example:70000', /port outside/],
    ['FILLFLOW_API_ALLOWED_HOSTS', 'https://proxy.example', /not a host name/],
  ])('%s=%s is refused, naming the setting', (name, value, message) => {
    let err: unknown;
    try {
      load({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toMatch(message);
  });
});

describe('binding beyond loopback needs a token', () => {
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(() => requireTokenBeyondLoopback(load({ FILLFLOW_API_HOST: host }))).not.toThrow();
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.20', 'fillflow.internal', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(() => requireTokenBeyondLoopback(load({ FILLFLOW_API_HOST: host }))).toThrow(/FILLFLOW_API_TOKEN is not set/);
    expect(() => requireTokenBeyondLoopback(load({ FILLFLOW_API_HOST: host, FILLFLOW_API_TOKEN: 't' }))).not.toThrow();
  });
});

describe('Host headers', () => {
  it.each([
    ['127.0.0.1:8080', { name: '127.0.0.1', port: 8080 }],
    ['LocalHost', { name: 'localhost' }],
    ['[::1]:8080', { name: '[::1]', port: 8080 }],
    ['proxy.example', { name: 'proxy.example' }],
  ])('%s', (header, expected) => {
    expect(parseHostHeader(header)).toEqual(expected);
  });

  it.each(['', 'a b', '127.0.0.1:80@evil.example', '::1', '[::1', 'host:port', 'host:123456'])('%j is not a Host', (header) => {
    expect(parseHostHeader(header)).toBeUndefined();
  });
});
