/** @module docker-compose.yml, the Dockerfile and deploy/ read as files, since no Docker engine runs here: the
 * services the cluster needs, each Fillflow service's command and environment checked against the code that reads
 * them, ports on loopback only, no password with a default, a health check on every long-running service, every
 * mounted file present, Prometheus' targets and Grafana's provisioning pointing at services that exist, and an
 * image on Node 24 that runs the CLI. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireTokenBeyondLoopback } from '../../../src/api/start-api.js';
import { loadConfig } from '../../../src/config.js';
import { SDK_METRIC_PREFIX } from '../../../src/metrics/fillflow-metrics.js';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../../src/temporal/dev-server-args.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../../src/workflows/search-attributes.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  container_name?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: string[] | Record<string, unknown>;
  ports?: (string | number | object)[];
  volumes?: (string | object)[];
  secrets?: (string | { source: string; target?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
}

const COMPOSE_TEXT = read('docker-compose.yml');
const compose = parse(COMPOSE_TEXT, { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { environment?: string; file?: string }>;
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

function dependsOn(s: Service): Record<string, string | undefined> {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, v]) => [d, v.condition]));
}

const words = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean));

/** A `${NAME…}` reference: `:?` required, `:-` defaulted (with the default), or plain. */
interface VarRef {
  name: string;
  kind: 'required' | 'default' | 'plain';
  fallback: string;
}

function varRefs(text: string): VarRef[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g)].map((m) => ({
    name: m[1]!,
    kind: m[2] === undefined ? 'plain' : m[2].endsWith('?') ? 'required' : 'default',
    fallback: m[2] !== undefined && !m[2].endsWith('?') ? m[3]! : '',
  }));
}

/** A value as compose would pass it: required variables given a sample value, defaults taken as written. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op?: string, fallback?: string) =>
    op !== undefined && !op.endsWith('?') ? (fallback ?? '') : `sample${name}`,
  );
}

/** Published ports as `{ hostIp, host, container }`; the short syntax only (the file uses nothing else). */
function publishedPorts(s: Service): { spec: string; hostIp?: string; host: number; container: number }[] {
  return (s.ports ?? []).map((p) => {
    const spec = typeof p === 'object' ? JSON.stringify(p) : String(p);
    const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(?:(\d+):)?(\d+)$/.exec(spec);
    if (!m) return { spec, host: NaN, container: NaN };
    return { spec, ...(m[1] !== undefined ? { hostIp: m[1] } : {}), host: Number(m[2] ?? m[3]), container: Number(m[3]) };
  });
}

/** Bind mounts from the compose file's folder as `[absolute host path, container path]`. */
function bindMounts(s: Service): [string, string][] {
  return (s.volumes ?? [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.split(':'))
    .filter(([source]) => source !== undefined && (source.startsWith('./') || source.startsWith('../')))
    .map(([source, target]) => [resolve(ROOT, source!), target ?? '']);
}

/** The host file behind a path inside a service's container, through its bind mounts. */
function hostPathOf(s: Service, inContainer: string): string | undefined {
  for (const [host, target] of bindMounts(s)) {
    if (inContainer === target) return host;
    if (inContainer.startsWith(`${target}/`)) return join(host, posix.relative(target, inContainer));
  }
  return undefined;
}

/** Services built from this repository's Dockerfile: the ones that run Fillflow's code. */
const fillflowServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

/** One-shot jobs: what another service waits on to have completed. */
const oneShots = new Set(
  Object.values(services).flatMap((s) =>
    Object.entries(dependsOn(s))
      .filter(([, condition]) => condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);

/** Ports a service listens on inside the compose network: its published container ports and Fillflow's own. */
function listenPorts(s: Service): number[] {
  const e = env(s);
  const own = [e.FILLFLOW_API_PORT, e.FILLFLOW_METRICS_ADDRESS?.split(':').at(-1)].filter((p) => p !== undefined).map(Number);
  return [...publishedPorts(s).map((p) => p.container), ...own];
}

const SECRET_NAME = /(PASSWORD|PWD|TOKEN|SECRET|KEY|KEYS)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}
const SRC_TEXT = sourceFiles('src').map(read).join('\n');
const CLI_TEXT = readdirSync(join(ROOT, 'src', 'cli'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => read(join('src', 'cli', f)))
  .join('\n');

/** The text of one command's registration, from `.command('name')` to its `.action(` or the next command. */
function commandRegistration(name: string): string | undefined {
  const at = CLI_TEXT.indexOf(`.command('${name}')`);
  if (at < 0) return undefined;
  const rest = CLI_TEXT.slice(at + `.command('${name}')`.length);
  const end = rest.search(/\.command\(|\.action\(/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Why `fillflow …args` would not run, or undefined when every word is one the CLI registers. */
function cliProblem(args: string[]): string | undefined {
  const [bin, command, ...rest] = args;
  if (bin !== 'fillflow') return `runs ${JSON.stringify(bin)}, not the fillflow CLI`;
  if (command === undefined) return 'names no command';
  const registration = commandRegistration(command);
  if (registration === undefined) return `"${command}" is not a command registered in src/cli`;
  const unknown = rest.filter((word) => !registration.includes(word.split('=')[0]!));
  return unknown.length > 0 ? `"${command}" registers no ${unknown.join(', ')}` : undefined;
}

/** Whether a variable is read in code: by src/ (`env.NAME`, `env['NAME']`), or by @temporalio/envconfig, which src/ uses. */
function isRead(name: string): boolean {
  const inSource = new RegExp(`\\.${name}\\b|\\[['"]${name}['"]\\]`).test(SRC_TEXT);
  if (inSource) return true;
  if (!name.startsWith('TEMPORAL_') || !SRC_TEXT.includes("from '@temporalio/envconfig'")) return false;
  const lib = join(ROOT, 'node_modules', '@temporalio', 'envconfig', 'lib');
  return readdirSync(lib)
    .filter((f) => f.endsWith('.js'))
    .some((f) => readFileSync(join(lib, f), 'utf8').includes(`['${name}']`));
}

describe('docker-compose.yml: the services', () => {
  it('runs Temporal on PostgreSQL with its UI, the store, the migration, the workers, the API and the metrics stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'fillflow-db',
        'fillflow-migrate',
        'fillflow-worker',
        'fillflow-api',
        'prometheus',
        'grafana',
      ].sort(),
    );
    expect([...oneShots].sort()).toEqual(['fillflow-migrate', 'temporal-namespace', 'temporal-schema']);
    expect(service('prometheus').profiles).toEqual(['metrics']);
    expect(service('grafana').profiles).toEqual(['metrics']);
  });

  it('pins every image to an explicit tag, one Temporal version for server and admin tools, a UI that shows worker deployments', () => {
    for (const [name, s] of Object.entries(services)) {
      const tag = /^[^@]+:([^:/@]+)$/.exec(s.image ?? '')?.[1];
      expect(tag, `${name}: ${s.image} has no tag`).toBeTruthy();
      expect(tag, `${name}: ${s.image}`).not.toBe('latest');
    }
    const temporalTags = ['temporal', 'temporal-schema', 'temporal-namespace'].map((n) => service(n).image!.split(':')[1]);
    expect(temporalTags[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(temporalTags).size).toBe(1);
    const ui = /^temporalio\/ui:(\d+)\.(\d+)\.\d+$/.exec(service('temporal-ui').image!);
    expect(ui, service('temporal-ui').image).not.toBeNull();
    expect(Number(ui![1]) * 1000 + Number(ui![2])).toBeGreaterThanOrEqual(2038);
    expect(service('fillflow-db').image).toMatch(/^pgvector\/pgvector:[\w.-]*pg1[5-9]\b/);
  });

  it('builds every Fillflow service from the Dockerfile here, tagged with the package version', () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    expect(fillflowServices.map(([name]) => name).sort()).toEqual(['fillflow-api', 'fillflow-migrate', 'fillflow-worker']);
    for (const [name, s] of fillflowServices) {
      expect(s.build, name).toBe('.');
      expect(s.image, name).toBe(`fillflow:${version}`);
    }
  });

  it('runs, in each Fillflow service, a command the CLI registers', () => {
    const commands = Object.fromEntries(fillflowServices.map(([name, s]) => [name, words(s.command).join(' ')]));
    expect(commands).toEqual({ 'fillflow-migrate': 'fillflow db migrate', 'fillflow-worker': 'fillflow worker', 'fillflow-api': 'fillflow api' });
    for (const [name, s] of fillflowServices) expect(cliProblem(words(s.command)), name).toBeUndefined();
    // The check itself refuses what the CLI does not have.
    expect(cliProblem(['fillflow', 'healthcheck'])).toMatch(/not a command/);
    expect(cliProblem(['fillflow', 'worker', '--replicas'])).toMatch(/registers no --replicas/);
    expect(cliProblem(['npx', 'fillflow', 'worker'])).toMatch(/not the fillflow CLI/);
  });

  it('sets, in each Fillflow service, only FILLFLOW_, GEMINI_ and TEMPORAL_ variables the code reads', () => {
    for (const [name, s] of fillflowServices) {
      for (const key of Object.keys(env(s))) {
        expect(key, `${name}: ${key}`).toMatch(/^(FILLFLOW|GEMINI|TEMPORAL)_[A-Z0-9_]+$/);
        expect(isRead(key), `${name}: ${key} is read nowhere in src/`).toBe(true);
      }
    }
    expect(isRead('FILLFLOW_NO_SUCH_SETTING')).toBe(false);
  });

  it("gives each Fillflow service an environment its configuration accepts, where an empty default means unset", () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fillflow-compose-'));
    for (const [name, s] of fillflowServices) {
      const e = Object.fromEntries(Object.entries(env(s)).map(([k, v]) => [k, interpolate(v)]));
      const config = loadConfig(e, {}, cwd);
      expect(config.dbPath, name).toMatch(/^postgres:\/\//);
      if (name === 'fillflow-api') {
        expect(() => requireTokenBeyondLoopback(config)).not.toThrow();
        expect([config.apiHost, config.apiPort]).toEqual(['0.0.0.0', Number(e.FILLFLOW_API_PORT)]);
      }
      // `${NAME:-}` hands the process an empty string: the configuration must read it as not set.
      const emptied = Object.entries(env(s)).filter(([, v]) => varRefs(v).some((r) => r.kind === 'default' && r.fallback === ''));
      for (const [key] of emptied) {
        expect(loadConfig({ ...e, [key]: '' }, {}, cwd), `${name}: ${key}=""`).toEqual(loadConfig(Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)), {}, cwd));
      }
    }
  });

  it('starts the store before its migration, and the workers and API after the migration and the namespace', () => {
    expect(dependsOn(service('temporal'))).toMatchObject({ postgresql: 'service_healthy', 'temporal-schema': 'service_completed_successfully' });
    expect(dependsOn(service('temporal-namespace'))).toMatchObject({ temporal: 'service_healthy' });
    expect(dependsOn(service('fillflow-migrate'))).toMatchObject({ 'fillflow-db': 'service_healthy' });
    for (const name of ['fillflow-worker', 'fillflow-api']) {
      expect(dependsOn(service(name)), name).toMatchObject({
        'fillflow-migrate': 'service_completed_successfully',
        'temporal-namespace': 'service_completed_successfully',
      });
    }
  });

  it("points every Fillflow service at the temporal service's gRPC port and at fillflow-db's own database and user", () => {
    const db = env(service('fillflow-db'));
    const [dbPassword] = varRefs(db.POSTGRES_PASSWORD ?? '');
    expect(dbPassword?.kind).toBe('required');
    for (const [name, s] of fillflowServices) {
      const e = env(s);
      const [host, port] = (e.TEMPORAL_ADDRESS ?? '').split(':');
      if (name !== 'fillflow-migrate') {
        expect(host, name).toBe('temporal');
        expect(listenPorts(service('temporal')), name).toContain(Number(port));
      }
      const url = /^postgres:\/\/([^:]+):(\$\{[^}]+\})@([^:/]+):(\d+)\/(\w+)$/.exec(e.FILLFLOW_DB ?? '');
      expect(url, `${name}: FILLFLOW_DB ${e.FILLFLOW_DB}`).not.toBeNull();
      const [, user, password, dbHost, dbPort, database] = url!;
      expect({ user, dbHost, dbPort: Number(dbPort), database }, name).toEqual({ user: db.POSTGRES_USER, dbHost: 'fillflow-db', dbPort: 5432, database: db.POSTGRES_DB });
      expect(varRefs(password!)[0]?.name, name).toBe(dbPassword!.name);
    }
  });

  it('scales the workers: no container name, no host port, and the Prometheus metrics address set', () => {
    const worker = service('fillflow-worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(env(worker).FILLFLOW_METRICS_ADDRESS).toMatch(/^0\.0\.0\.0:\d+$/);
    for (const s of Object.values(services)) expect(s.container_name).toBeUndefined();
  });
});

describe('docker-compose.yml: what is exposed', () => {
  it('publishes every port on 127.0.0.1 only, each host port once', () => {
    const all = Object.entries(services).flatMap(([name, s]) => publishedPorts(s).map((p) => ({ name, ...p })));
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) {
      expect(p.spec, `${p.name}: ${p.spec} must be a string "127.0.0.1:HOST:CONTAINER"`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      for (const port of [p.host, p.container]) expect(port >= 1 && port <= 65535, `${p.name}: ${p.spec}`).toBe(true);
    }
    const hosts = all.map((p) => p.host);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it('publishes the API at the port it listens on, bound beyond loopback inside its container only with a required token', () => {
    const api = service('fillflow-api');
    const e = env(api);
    expect(e.FILLFLOW_API_HOST).toBe('0.0.0.0');
    // The API's Host check compares the port a client names with the one it listens on: a different host
    // port would be refused unless FILLFLOW_API_ALLOWED_HOSTS listed it.
    expect(publishedPorts(api).map(({ host, container }) => [host, container])).toEqual([[Number(e.FILLFLOW_API_PORT), Number(e.FILLFLOW_API_PORT)]]);
    expect(varRefs(e.FILLFLOW_API_TOKEN ?? '')).toEqual([expect.objectContaining({ kind: 'required' })]);
  });

  it('has no default for any password, token or key: required, or empty where empty turns the feature off', () => {
    for (const ref of varRefs(COMPOSE_TEXT)) {
      if (!SECRET_NAME.test(ref.name)) continue;
      expect(ref.kind, `\${${ref.name}} needs :? or an empty :- default`).not.toBe('plain');
      if (ref.kind === 'default') expect(ref.fallback, `\${${ref.name}} has a default`).toBe('');
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(env(s))) {
        if (!SECRET_NAME.test(key)) continue;
        expect(value, `${name}.${key} is written here`).toMatch(/^\$\{[A-Z0-9_]+(:\?[^}]*|:-)\}$/);
        // What protects something reachable from the host has no empty default either.
        if ((s.ports ?? []).length > 0 && /PASSWORD|PWD|TOKEN/.test(key)) expect(varRefs(value)[0]?.kind, `${name}.${key}`).toBe('required');
      }
    }
    expect(COMPOSE_TEXT).not.toMatch(/AIza[0-9A-Za-z_-]{20,}/);
  });

  it('names every required variable in its header, which is how an operator learns what to set', () => {
    const header = COMPOSE_TEXT.slice(0, COMPOSE_TEXT.search(/^[^#\n]/m));
    const required = [...new Set(varRefs(COMPOSE_TEXT).filter((r) => r.kind === 'required').map((r) => r.name))];
    expect(required.sort()).toEqual(['FILLFLOW_API_TOKEN', 'FILLFLOW_DB_PASSWORD', 'POSTGRES_PASSWORD']);
    for (const name of required) expect(header, name).toContain(name);
    expect(header).toContain('docker compose up -d --build');
    expect(header).toContain('--scale fillflow-worker=');
  });
});

describe('docker-compose.yml: health and files', () => {
  it('gives every long-running service a health check, and the Fillflow ones check something real', () => {
    for (const [name, s] of Object.entries(services)) {
      if (oneShots.has(name)) continue;
      const test = words(s.healthcheck?.test);
      expect(test.length, `${name} has no health check`).toBeGreaterThan(1);
      expect(test[0], name).toMatch(/^CMD(-SHELL)?$/);
      // A check that reads a variable reads one the service sets.
      for (const m of test.join(' ').matchAll(/process\.env\.([A-Z0-9_]+)/g)) expect(Object.keys(env(s)), `${name}: ${m[1]}`).toContain(m[1]);
    }
    const apiCheck = words(service('fillflow-api').healthcheck?.test).join(' ');
    const route = /\/api\/[\w/]+/.exec(apiCheck)?.[0];
    expect(route).toBe('/api/health');
    expect(read(join('src', 'api', 'build-api.ts'))).toContain(`app.get('${route}'`);
    expect(apiCheck).toContain('FILLFLOW_API_TOKEN');
    // The worker's: its metrics endpoint, once the SDK reports the workers' task slots there.
    const workerCheck = words(service('fillflow-worker').healthcheck?.test).join(' ');
    expect(workerCheck).toMatch(/FILLFLOW_METRICS_ADDRESS.*\/metrics/);
    expect(workerCheck).toContain(`'${SDK_METRIC_PREFIX}worker_task_slots_available'`);
  });

  it('mounts only files that exist, and runs one-shot scripts that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [hostPath] of bindMounts(s)) expect(existsSync(hostPath), `${name}: ${relative(ROOT, hostPath)}`).toBe(true);
      for (const arg of words(s.entrypoint).filter((a) => a.startsWith('/scripts/'))) {
        const script = hostPathOf(s, arg);
        expect(script !== undefined && statSync(script).isFile(), `${name}: ${arg}`).toBe(true);
      }
    }
  });

  it("mounts Temporal's dynamic config, the dev server's settings, and registers Fillflow's search attributes", () => {
    const temporal = service('temporal');
    // The server resolves DYNAMIC_CONFIG_FILE_PATH against its working directory, /etc/temporal.
    const onHost = hostPathOf(temporal, posix.resolve('/etc/temporal', env(temporal).DYNAMIC_CONFIG_FILE_PATH ?? ''));
    expect(onHost && relative(ROOT, onHost)).toBe(join('deploy', 'temporal', 'dynamicconfig', 'fillflow.yaml'));
    const config = parse(readFileSync(onHost!, 'utf8')) as Record<string, { value: unknown }[]>;
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) expect(config[key], key).toEqual([{ value }]);

    const registered = Object.fromEntries((env(service('temporal-namespace')).SEARCH_ATTRIBUTES ?? '').split(/\s+/).map((pair) => pair.split('=')));
    expect(registered).toEqual(DEV_SERVER_SEARCH_ATTRIBUTES);
  });
});

describe('deploy/: Prometheus and Grafana', () => {
  const prometheus = service('prometheus');
  const configPath = words(prometheus.command).find((a) => a.startsWith('--config.file='))?.split('=')[1] ?? '';
  const configOnHost = hostPathOf(prometheus, configPath);
  const config = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      authorization?: { type?: string; credentials_file?: string };
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; type?: string; port: number }[];
    }[];
  };

  it('gives Prometheus the scrape configuration in deploy/prometheus', () => {
    expect(configOnHost && relative(ROOT, configOnHost)).toBe(join('deploy', 'prometheus', 'prometheus.yml'));
  });

  it('finds every worker replica by DNS, on the port their metrics address names', () => {
    const discovered = config.scrape_configs.flatMap((c) => c.dns_sd_configs ?? []);
    expect(discovered.flatMap((d) => d.names)).toEqual(['fillflow-worker']);
    for (const d of discovered) {
      expect(d.type).toBe('A');
      for (const name of d.names) {
        const s = service(name);
        expect(s.ports ?? [], `${name} is scaled: it publishes nothing`).toEqual([]);
        expect(Number(env(s).FILLFLOW_METRICS_ADDRESS?.split(':').at(-1)), name).toBe(d.port);
      }
    }
  });

  it('scrapes static targets that are services listening on those ports, the API with its token from a compose secret', () => {
    const targets = config.scrape_configs.flatMap((c) => (c.static_configs ?? []).flatMap((sc) => sc.targets.map((t) => ({ job: c, target: t }))));
    expect(targets.map((t) => t.target)).toEqual(['fillflow-api:8080']);
    for (const { job, target } of targets) {
      const [host, port] = target.split(':');
      expect(listenPorts(service(host!)), target).toContain(Number(port));
      expect(env(service(host!)).FILLFLOW_API_ALLOWED_HOSTS?.split(/[\s,]+/), `${host} must accept Host ${target}`).toContain(target);
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      // The API's GET /metrics answers 404 in a process without a metrics address.
      expect(env(service(host!)).FILLFLOW_METRICS_ADDRESS, `${host} serves no metrics`).toBeDefined();
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(job.authorization?.credentials_file ?? '')?.[1];
      expect(secret, `${job.job_name}: token file`).toBeDefined();
      expect(prometheus.secrets?.map((s) => (typeof s === 'string' ? s : s.source))).toContain(secret);
      const tokenVar = varRefs(env(service(host!)).FILLFLOW_API_TOKEN ?? '')[0]?.name;
      expect(compose.secrets?.[secret!]?.environment).toBe(tokenVar);
    }
  });

  it('provisions the Prometheus datasource at the prometheus service, and dashboards from deploy/grafana/dashboards', () => {
    const grafana = service('grafana');
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
    expect(provisioning && relative(ROOT, provisioning)).toBe(join('deploy', 'grafana', 'provisioning'));

    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; type: string; url: string }[] };
    expect(datasources.datasources.map((d) => [d.uid, d.type])).toEqual([['prometheus', 'prometheus']]);
    const url = new URL(datasources.datasources[0]!.url);
    expect(listenPorts(service(url.hostname))).toContain(Number(url.port));

    const providers = parse(read('deploy/grafana/provisioning/dashboards/fillflow.yml')) as { providers: { type: string; options: { path: string } }[] };
    for (const p of providers.providers) {
      const dashboards = hostPathOf(grafana, p.options.path);
      expect(dashboards && relative(ROOT, dashboards)).toBe(join('deploy', 'grafana', 'dashboards'));
      expect(existsSync(dashboards!), 'deploy/grafana/dashboards is missing').toBe(true);
      const files = readdirSync(dashboards!).filter((f) => f.endsWith('.json'));
      expect(files.length, 'no dashboard JSON').toBeGreaterThan(0);
      // Each dashboard names the provisioned datasource, or a datasource variable of its type.
      for (const f of files) {
        const text = readFileSync(join(dashboards!, f), 'utf8');
        const variables = (JSON.parse(text) as { templating?: { list?: { name: string; type: string; query?: string }[] } }).templating?.list ?? [];
        const uids = [...text.matchAll(/"datasource"\s*:\s*\{[^}]*"uid"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
        expect(uids.length, `${f} names no datasource`).toBeGreaterThan(0);
        for (const uid of new Set(uids)) {
          const variable = /^\$\{?(\w+)\}?$/.exec(uid)?.[1];
          if (variable === undefined) expect(uid, f).toBe('prometheus');
          else expect(variables.find((v) => v.name === variable), `${f}: ${uid}`).toMatchObject({ type: 'datasource', query: 'prometheus' });
        }
      }
    }
  });

  it('keeps Grafana read-only with no admin account, so no password exists to default', () => {
    const e = env(service('grafana'));
    expect(e).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer', GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION: 'true', GF_AUTH_DISABLE_LOGIN_FORM: 'true' });
    expect(Object.keys(e).filter((k) => /PASSWORD/.test(k))).toEqual([]);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').map((l) => l.trim());
  const args: Record<string, string> = Object.fromEntries(
    lines.map((l) => /^ARG (\w+)=(\S+)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]),
  );
  const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');

  it('builds every stage on Node 24', () => {
    const froms = lines.filter((l) => l.startsWith('FROM ')).map((l) => expand(l.split(/\s+/)[1]!));
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image, image).toMatch(/^node:24\.\d+\.\d+-/);
  });

  it('installs production dependencies only, with tsx among them since bin/fillflow.js runs the TypeScript through it', () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(read('bin/fillflow.js')).toContain("from 'tsx/esm/api'");
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it('runs as a non-root user, and its default command is a registered CLI command', () => {
    const user = lines.filter((l) => l.startsWith('USER ')).at(-1)?.split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const cmd = JSON.parse(lines.filter((l) => l.startsWith('CMD ')).at(-1)!.slice(4)) as string[];
    expect(cliProblem(cmd)).toBeUndefined();
    expect(dockerfile).toMatch(/ln -s \/app\/bin\/fillflow\.js \/usr\/local\/bin\/fillflow/);
  });

  it('sends the build what it copies and nothing secret or local', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    /** Docker's rule: the last pattern matching the path or one of its parent folders decides; `!` re-includes. */
    const ignored = (path: string) => {
      const parents = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
      let out = false;
      for (const p of patterns) {
        const negated = p.startsWith('!');
        const glob = new RegExp(`^${(negated ? p.slice(1) : p).replace(/\/$/, '').replace(/[.+^$()|[\]{}]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
        if (parents.some((d) => glob.test(d))) out = !negated;
      }
      return out;
    };
    const copied = [
      ...new Set(
        lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1)),
      ),
    ];
    expect(copied.sort()).toEqual(['bin', 'package-lock.json', 'package.json', 'src', 'tsconfig.json']);
    for (const path of copied) {
      expect(ignored(path), path).toBe(false);
      expect(ignored(`${path}/x.ts`), `${path}/…`).toBe(false);
    }
    for (const path of ['.env', '.env.production', 'node_modules/x/index.js', '.fillflow/fillflow.db', '.git/config', 'test/unit/x.ts', 'RESULT.json']) {
      expect(ignored(path), path).toBe(true);
    }
    expect(dockerfile).not.toMatch(/AIza[0-9A-Za-z_-]{20,}/);
  });
});
