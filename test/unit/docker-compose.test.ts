import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../src/temporal/dev-server.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  depends_on?: string[] | Record<string, unknown>;
  environment?: string[] | Record<string, unknown>;
  ports?: (string | number)[];
  volumes?: string[];
  entrypoint?: string | string[];
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

function env(s: Service): Record<string, string> {
  if (Array.isArray(s.environment)) {
    return Object.fromEntries(s.environment.map((e) => [e.split('=')[0] ?? '', e.slice(e.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

function dependsOn(s: Service): string[] {
  return Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
}

/** `[host, container]` ports of a short-syntax mapping like "8233:8080" or "127.0.0.1:7233:7233". */
function portPair(mapping: string | number): [number, number] {
  const parts = String(mapping).split(':');
  const container = Number(parts.at(-1));
  const host = Number(parts.length >= 2 ? parts.at(-2) : container);
  return [host, container];
}

/** Bind mounts (host path relative to the compose file) as `[hostPath, containerPath]`. */
function bindMounts(s: Service): [string, string][] {
  return (s.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([source]) => source !== undefined && (source.startsWith('./') || source.startsWith('../')))
    .map(([source, target]) => [resolve(ROOT, source!), target ?? '']);
}

describe('docker-compose.yml', () => {
  it('has the database, the Temporal server and UI, their one-shot jobs, and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['fillflow-worker', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui'].sort(),
    );
  });

  it('pins every image to an explicit tag, never latest', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, `${name} has no image`).toBeTruthy();
      const tag = /^[^@]+:([^:/@]+)$/.exec(s.image!)?.[1];
      expect(tag, `${name}: ${s.image} has no tag`).toBeTruthy();
      expect(tag, `${name}: ${s.image}`).not.toBe('latest');
    }
  });

  it('runs PostgreSQL 16 and one exact Temporal version across server and admin tools', () => {
    expect(service('postgresql').image).toMatch(/^postgres:16(\.\d+)?$/);
    const temporalTags = ['temporal', 'temporal-schema', 'temporal-namespace'].map((n) => service(n).image!.split(':')[1]);
    expect(temporalTags[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(temporalTags).size).toBe(1);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
  });

  it('tags the worker image with the package version and builds it from the Dockerfile here', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const worker = service('fillflow-worker');
    expect(worker.image).toBe(`fillflow:${version}`);
    expect(worker.build).toBe('.');
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('starts Temporal after PostgreSQL and its schema, and the worker after the namespace exists', () => {
    expect(dependsOn(service('temporal'))).toEqual(expect.arrayContaining(['postgresql', 'temporal-schema']));
    expect(dependsOn(service('temporal-schema'))).toContain('postgresql');
    expect(dependsOn(service('temporal-namespace'))).toContain('temporal');
    expect(dependsOn(service('fillflow-worker'))).toContain('temporal-namespace');
  });

  it("points the worker's TEMPORAL_ADDRESS at the temporal service's gRPC port", () => {
    const [host, port] = (env(service('fillflow-worker')).TEMPORAL_ADDRESS ?? '').split(':');
    expect(host).toBe('temporal');
    expect(services[host!]).toBeDefined();
    const containerPorts = (service('temporal').ports ?? []).map((p) => portPair(p)[1]);
    expect(containerPorts).toContain(Number(port));
  });

  it('maps valid, unique host ports, leaving 8080 to the Fillflow API', () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map(portPair));
    for (const [host, container] of hostPorts) {
      for (const port of [host, container]) {
        expect(Number.isInteger(port) && port >= 1 && port <= 65535, `port ${port}`).toBe(true);
      }
    }
    const hosts = hostPorts.map(([host]) => host);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts).not.toContain(8080);
    expect((service('temporal-ui').ports ?? []).map(portPair)).toEqual([[8233, 8080]]);
    expect((service('temporal').ports ?? []).map(portPair)).toContainEqual([7233, 7233]);
  });

  it('mounts a dynamic config file that exists and asks for one partition and fairness', () => {
    const temporal = service('temporal');
    // The server resolves DYNAMIC_CONFIG_FILE_PATH against its working directory, /etc/temporal.
    const inContainer = posix.resolve('/etc/temporal', env(temporal).DYNAMIC_CONFIG_FILE_PATH ?? '');
    const mount = bindMounts(temporal).find(([, target]) => inContainer.startsWith(`${target}/`));
    expect(mount, `no bind mount covers ${inContainer}`).toBeDefined();
    const onHost = join(mount![0], posix.relative(mount![1], inContainer));
    expect(relative(ROOT, onHost)).toBe(join('deploy', 'temporal', 'dynamicconfig', 'fillflow.yaml'));
    expect(existsSync(onHost)).toBe(true);

    const config = parse(readFileSync(onHost, 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) {
      expect(config[key], key).toEqual([{ value }]);
    }
    expect(config['matching.enableFairness']).toEqual([{ value: true }]);
  });

  it('mounts only host paths that exist, and runs one-shot scripts that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [hostPath] of bindMounts(s)) expect(existsSync(hostPath), `${name}: ${hostPath}`).toBe(true);
      const entrypoint = Array.isArray(s.entrypoint) ? s.entrypoint : [];
      for (const arg of entrypoint.filter((a) => a.startsWith('/scripts/'))) {
        const mount = bindMounts(s).find(([, target]) => arg.startsWith(`${target}/`));
        expect(mount, `${name}: nothing mounted at ${arg}`).toBeDefined();
        const script = join(mount![0], posix.relative(mount![1], arg));
        expect(() => accessSync(script, constants.R_OK), `${name}: ${script}`).not.toThrow();
      }
    }
  });

  it('hard-codes no secret: secret-looking variables come from the host environment', () => {
    const secretName = /(KEY|TOKEN|SECRET|PASSWORD|PWD)$/i;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(env(s))) {
        if (!secretName.test(key)) continue;
        expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z0-9_]+(:?-[^}]*)?\}$/);
        // API credentials get no default at all; a database password may default for a local-only DB.
        if (/KEY|TOKEN|SECRET/i.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z0-9_]+(:-)?\}$/);
      }
    }
    expect(env(service('fillflow-worker')).GEMINI_API_KEY).toBe('${GEMINI_API_KEY:-}');
    // The only password default is for a database that no host port exposes.
    expect(service('postgresql').ports ?? []).toEqual([]);
  });

  it('contains nothing shaped like a Google API key anywhere', () => {
    for (const file of ['docker-compose.yml', 'Dockerfile', join('deploy', 'temporal', 'dynamicconfig', 'fillflow.yaml')]) {
      expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toMatch(/AIza[0-9A-Za-z_-]{20,}/);
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());

  it('builds on a pinned Node 20 with npm ci and runs the worker', () => {
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20\.\d+\.\d+$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^CMD \["npx", "fillflow", "worker"\]$/m);
  });

  it('keeps secrets, dependencies and local state out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', 'node_modules', '.fillflow', '.git']));
  });
});
