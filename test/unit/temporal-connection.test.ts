/** The Temporal connection options every process builds from Temporal's environment configuration. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  clientConnectionOptions,
  connectNative,
  describeTemporal,
  nativeConnectionOptions,
  redactSecrets,
  temporalConnectionSettings,
} from '../../src/temporal-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'fillflow-tconn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CERT = '-----BEGIN CERTIFICATE-----\nclient-cert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nclient-secret-key-material\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nca-cert\n-----END CERTIFICATE-----\n';
const certPath = join(dir, 'client.pem');
const keyPath = join(dir, 'client.key');
const caPath = join(dir, 'ca.pem');
writeFileSync(certPath, CERT);
writeFileSync(keyPath, KEY);
writeFileSync(caPath, CA);

const tomlPath = join(dir, 'temporal.toml');
writeFileSync(
  tomlPath,
  [
    '[profile.default]',
    'address = "default.example:7233"',
    '',
    '[profile.cloud]',
    'address = "ns.acct.tmprl.cloud:7233"',
    'namespace = "ns.acct"',
    'api_key = "profile-api-key-123"',
    '',
    '[profile.mtls]',
    'address = "temporal.internal:7233"',
    'namespace = "fills"',
    '[profile.mtls.tls]',
    `client_cert_path = "${certPath}"`,
    `client_key_path = "${keyPath}"`,
    `server_ca_cert_path = "${caPath}"`,
    'server_name = "temporal.internal"',
    '',
  ].join('\n'),
);

describe('temporalConnectionSettings', () => {
  it('defaults to the local dev server, plain, in the default namespace', () => {
    const s = temporalConnectionSettings({}, {});
    expect(s).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(clientConnectionOptions(s)).toEqual({ address: '127.0.0.1:7233' });
    expect(describeTemporal(s)).toBe('127.0.0.1:7233');
  });

  it('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; an empty variable counts as unset', () => {
    expect(temporalConnectionSettings({}, { TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'fills' })).toEqual({
      address: 'temporal.example:7233',
      namespace: 'fills',
    });
    expect(temporalConnectionSettings({}, { TEMPORAL_ADDRESS: '  ', TEMPORAL_NAMESPACE: '' })).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
  });

  it("lets the caller's address and namespace win over the environment", () => {
    const s = temporalConnectionSettings({ address: 'a:1', namespace: 'n' }, { TEMPORAL_ADDRESS: 'b:2', TEMPORAL_NAMESPACE: 'm', TEMPORAL_API_KEY: 'k-1234' });
    expect(s.address).toBe('a:1');
    expect(s.namespace).toBe('n');
    expect(s.apiKey).toBe('k-1234');
  });

  it('turns TLS on with an API key (Temporal Cloud), unless TEMPORAL_TLS=false', () => {
    const env = { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'secret-api-key-xyz' };
    const s = temporalConnectionSettings({}, env);
    expect(s).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'secret-api-key-xyz', tls: true });
    expect(clientConnectionOptions(s)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'secret-api-key-xyz', tls: true });
    expect(nativeConnectionOptions(s)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'secret-api-key-xyz', tls: true });
    expect(describeTemporal(s)).toBe('ns.acct.tmprl.cloud:7233 (TLS, API key)');
    expect(describeTemporal(s)).not.toContain('secret-api-key-xyz');
    expect(temporalConnectionSettings({}, { ...env, TEMPORAL_TLS: 'false' }).tls).toBe(false);
  });

  it('TEMPORAL_TLS=true alone connects with TLS and the system roots', () => {
    expect(temporalConnectionSettings({}, { TEMPORAL_TLS: 'true' }).tls).toEqual({
      serverNameOverride: undefined,
      serverRootCACertificate: undefined,
      clientCertPair: undefined,
    });
  });

  it('reads the client certificate, its key, the CA and the server name for mTLS', () => {
    const s = temporalConnectionSettings(
      {},
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
        TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      },
    );
    const tls = s.tls as Exclude<typeof s.tls, boolean | undefined>;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(CERT);
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe(KEY);
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe(CA);
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(s.apiKey).toBeUndefined();
    expect(nativeConnectionOptions(s).tls).toBe(tls);
    expect(describeTemporal(s)).toBe('temporal.internal:7233 (mTLS)');
  });

  it('takes the certificate and key inline too (TEMPORAL_TLS_*_DATA)', () => {
    const s = temporalConnectionSettings({}, { TEMPORAL_TLS_CLIENT_CERT_DATA: CERT, TEMPORAL_TLS_CLIENT_KEY_DATA: KEY });
    const tls = s.tls as Exclude<typeof s.tls, boolean | undefined>;
    // Surrounding whitespace of a variable is dropped, as for every TEMPORAL_* setting.
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe(KEY.trim());
  });

  it('sends TEMPORAL_GRPC_META_* as gRPC headers', () => {
    const s = temporalConnectionSettings({}, { TEMPORAL_GRPC_META_X_TENANT: 'acme' });
    expect(s.metadata).toEqual({ 'x-tenant': 'acme' });
    expect(clientConnectionOptions(s).metadata).toEqual({ 'x-tenant': 'acme' });
    expect(nativeConnectionOptions(s).metadata).toEqual({ 'x-tenant': 'acme' });
  });

  it('names a missing certificate file by its path', () => {
    expect(() => temporalConnectionSettings({}, { TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath })).toThrow(
      /TEMPORAL_TLS_.*nope\.pem/,
    );
  });

  it('reads a temporal.toml profile named by TEMPORAL_PROFILE, with the environment winning over it', () => {
    const cloud = temporalConnectionSettings({}, { TEMPORAL_CONFIG_FILE: tomlPath, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'profile-api-key-123', tls: true });

    const mtls = temporalConnectionSettings({}, { TEMPORAL_CONFIG_FILE: tomlPath, TEMPORAL_PROFILE: 'mtls', TEMPORAL_NAMESPACE: 'other' });
    expect(mtls.address).toBe('temporal.internal:7233');
    expect(mtls.namespace).toBe('other');
    const tls = mtls.tls as Exclude<typeof mtls.tls, boolean | undefined>;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(CERT);
    expect(tls.serverNameOverride).toBe('temporal.internal');

    // TEMPORAL_CONFIG_FILE alone: its default profile.
    expect(temporalConnectionSettings({}, { TEMPORAL_CONFIG_FILE: tomlPath }).address).toBe('default.example:7233');
  });

  it('refuses a profile the file does not have, naming it', () => {
    expect(() => temporalConnectionSettings({}, { TEMPORAL_CONFIG_FILE: tomlPath, TEMPORAL_PROFILE: 'missing' })).toThrow(/profile "missing"/);
  });

  it("does not read the user's temporal.toml unless TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE asks for it", () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "elsewhere:7233"\napi_key = "x-key"\n');
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    expect(temporalConnectionSettings({}, env)).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(temporalConnectionSettings({}, { ...env, TEMPORAL_PROFILE: 'default' })).toMatchObject({ address: 'elsewhere:7233', apiKey: 'x-key' });
  });
});

describe('loadConfig and the Temporal profile', () => {
  it('keeps TEMPORAL_ADDRESS unset meaning standalone', () => {
    expect(loadConfig({}, {}, dir).temporal.address).toBeUndefined();
    expect(loadConfig({ TEMPORAL_ADDRESS: 'x:7233' }, {}, dir).temporal.address).toBe('x:7233');
  });

  it("takes the address and namespace of the profile TEMPORAL_PROFILE names", () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: tomlPath, TEMPORAL_PROFILE: 'mtls' }, {}, dir);
    expect(config.temporal.address).toBe('temporal.internal:7233');
    expect(config.temporal.namespace).toBe('fills');
  });
});

describe('secrets', () => {
  it('cuts the API key and the TLS key out of messages', () => {
    const s = temporalConnectionSettings({}, { TEMPORAL_API_KEY: 'secret-api-key-xyz', TEMPORAL_TLS_CLIENT_CERT_DATA: CERT, TEMPORAL_TLS_CLIENT_KEY_DATA: KEY });
    expect(redactSecrets(`bad key secret-api-key-xyz and ${KEY.trim()}`, s)).toBe('bad key [redacted] and [redacted]');
  });

  it('names the address, never the API key, when Temporal cannot be reached', async () => {
    const s = temporalConnectionSettings({}, { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_API_KEY: 'secret-api-key-xyz', TEMPORAL_TLS: 'false' });
    const err = (await connectNative(s).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^cannot reach Temporal at 127\.0\.0\.1:1 \(API key\)/);
    expect(err.message).not.toContain('secret-api-key-xyz');
  }, 30_000);
});
