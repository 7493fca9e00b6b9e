/** @module How every Fillflow process reaches Temporal: Temporal's own environment configuration
 * (`@temporalio/envconfig`): `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, and a
 * profile of a `temporal.toml` file, turned into the options of `Connection.connect` (clients) and
 * `NativeConnection.connect` (workers). So the same commands reach a local dev server, Temporal Cloud (API key or
 * mTLS) and a self-hosted cluster with mTLS.
 *
 * The file is read only when `TEMPORAL_PROFILE` or `TEMPORAL_CONFIG_FILE` is set, so a `temporal.toml` a developer
 * keeps for other work never turns a standalone `fillflow fill` into a remote one. Environment variables win over
 * the profile. The API key and the TLS private key never appear in a message this module makes. */
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
// Types only: a client process never loads the worker's native bridge through this module.
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';

/** Where `worker`, `status` and the client look when no address is configured: `fillflow server`'s. */
export const LOCAL_TEMPORAL_ADDRESS = '127.0.0.1:7233';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything needed to connect; {@link describeTemporal} says what it is without its secrets. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  /** `true`: TLS with the system's roots; an object: CA, client certificate pair, server name. */
  tls?: NonNullable<NativeConnectionOptions['tls']>;
  metadata?: Record<string, string>;
}

/** The environment's TEMPORAL_* variables with empty values dropped (an empty variable counts as unset). */
function temporalEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v.trim() === '') continue;
    // HOME and the XDG/APPDATA folders locate the default file; TEMPORAL_* are the settings.
    out[k] = k.startsWith('TEMPORAL_') ? v.trim() : v;
  }
  return out;
}

/**
 * The profile from the environment and, when `TEMPORAL_PROFILE` or `TEMPORAL_CONFIG_FILE` is set, the `temporal.toml`
 * file (TEMPORAL_CONFIG_FILE, else the user's config folder) with that profile (else `default`). Files named in it are
 * not read here.
 * @throws Error naming the profile or file when it cannot be read
 */
export function temporalProfile(env: Env = process.env): ClientConfigProfile {
  const vars = temporalEnv(env);
  const useFile = vars.TEMPORAL_PROFILE !== undefined || vars.TEMPORAL_CONFIG_FILE !== undefined;
  try {
    if (!useFile) return loadClientConfigProfile({ disableFile: true, overrideEnvVars: vars });
    return loadClientConfigProfile({ overrideEnvVars: vars, ...(vars.TEMPORAL_PROFILE ? { profile: vars.TEMPORAL_PROFILE } : {}) });
  } catch (err) {
    const where = vars.TEMPORAL_CONFIG_FILE ?? 'temporal.toml';
    throw new Error(`cannot read the Temporal profile "${vars.TEMPORAL_PROFILE ?? 'default'}" from ${where}: ${(err as Error).message}`);
  }
}

/**
 * The connection settings: `opts.address` / `opts.namespace` (an edge's configuration) win, then the environment, then
 * the profile; then 127.0.0.1:7233 and `default`. An API key turns TLS on unless `TEMPORAL_TLS=false` (Temporal Cloud
 * needs TLS); certificate and key files are read here.
 * @throws Error naming the setting when a file it names cannot be read
 */
export function temporalConnectionSettings(
  opts: { address?: string | undefined; namespace?: string | undefined } = {},
  env: Env = process.env,
): TemporalConnectionSettings {
  const profile = temporalProfile(env);
  let connect;
  try {
    connect = toClientOptions(profile);
  } catch (err) {
    // A missing certificate or key file: the message names its path, never its contents.
    throw new Error(`cannot read the Temporal TLS files (TEMPORAL_TLS_*): ${(err as Error).message}`);
  }
  const { apiKey, tls } = connect.connectionOptions;
  const metadata = profile.grpcMeta;
  return {
    address: opts.address ?? profile.address ?? LOCAL_TEMPORAL_ADDRESS,
    namespace: opts.namespace ?? connect.namespace ?? 'default',
    ...(typeof apiKey === 'string' ? { apiKey } : {}),
    ...(tls !== undefined && tls !== null ? { tls } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata: { ...metadata } } : {}),
  };
}

/** Plain settings for a dev server this process started itself: none of the environment's credentials go to it. */
export function localServerSettings(address: string, namespace: string): TemporalConnectionSettings {
  return { address, namespace };
}

/** Options for `Connection.connect` (clients). */
export function clientConnectionOptions(s: TemporalConnectionSettings): ConnectionOptions {
  return {
    address: s.address,
    ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
    ...(s.tls !== undefined ? { tls: s.tls } : {}),
    ...(s.metadata ? { metadata: s.metadata } : {}),
  };
}

/** Options for `NativeConnection.connect` (workers). */
export function nativeConnectionOptions(s: TemporalConnectionSettings): NativeConnectionOptions {
  return {
    address: s.address,
    ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}),
    ...(s.tls !== undefined ? { tls: s.tls } : {}),
    ...(s.metadata ? { metadata: s.metadata } : {}),
  };
}

/** `127.0.0.1:7233`, or `host:7233 (TLS, API key)`: for ready lines and errors; never a secret. */
export function describeTemporal(s: TemporalConnectionSettings): string {
  const notes = [s.tls ? (typeof s.tls === 'object' && s.tls.clientCertPair ? 'mTLS' : 'TLS') : '', s.apiKey !== undefined ? 'API key' : ''].filter(Boolean);
  return notes.length > 0 ? `${s.address} (${notes.join(', ')})` : s.address;
}

/** The message with the API key and the TLS private key cut out, in case a library ever repeats them. */
export function redactSecrets(message: string, s: TemporalConnectionSettings): string {
  let out = message;
  const secrets = [s.apiKey, typeof s.tls === 'object' ? (s.tls.clientCertPair ? Buffer.from(s.tls.clientCertPair.key).toString('utf8') : undefined) : undefined];
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

function unreachable(s: TemporalConnectionSettings, err: unknown): Error {
  return new Error(`cannot reach Temporal at ${describeTemporal(s)}: ${redactSecrets((err as Error)?.message ?? String(err), s)}`);
}

/** A client connection. @throws Error naming the address (never a secret) when it cannot connect */
export async function connectClient(s: TemporalConnectionSettings): Promise<Connection> {
  return Connection.connect(clientConnectionOptions(s)).catch((err: unknown) => {
    throw unreachable(s, err);
  });
}

/** A worker connection. @throws Error naming the address (never a secret) when it cannot connect */
export async function connectNative(s: TemporalConnectionSettings): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(nativeConnectionOptions(s)).catch((err: unknown) => {
    throw unreachable(s, err);
  });
}
