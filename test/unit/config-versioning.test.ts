/** @module The versioning part of the configuration: the deployment version every worker polls as, and its checks. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { workerDeploymentOptions } from '../../src/temporal/worker-deployment.js';

const dir = () => mkdtempSync(join(tmpdir(), 'fillflow-cfg-'));
const packageVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

describe('versioning configuration', () => {
  it('defaults to deployment fillflow, the package version as build ID, and PINNED', () => {
    const config = loadConfig({}, {}, dir());
    expect(config.versioning).toEqual({ deploymentName: 'fillflow', buildId: packageVersion, behavior: 'PINNED' });
    expect(workerDeploymentOptions(config.versioning)).toEqual({
      version: { deploymentName: 'fillflow', buildId: packageVersion },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'PINNED',
    });
  });

  it('takes the name and behaviour from the config file, and the environment over it', () => {
    const d = dir();
    writeFileSync(join(d, 'fillflow.config.json'), JSON.stringify({ versioning: { deploymentName: 'fills-eu', behavior: 'auto-upgrade' } }));
    expect(loadConfig({}, {}, d).versioning).toEqual({ deploymentName: 'fills-eu', buildId: packageVersion, behavior: 'AUTO_UPGRADE' });
    const env = { FILLFLOW_DEPLOYMENT_NAME: 'fills-us', FILLFLOW_BUILD_ID: '0.2.0+3f9c2a1', FILLFLOW_VERSIONING_BEHAVIOR: 'Pinned' };
    expect(loadConfig(env, {}, d).versioning).toEqual({ deploymentName: 'fills-us', buildId: '0.2.0+3f9c2a1', behavior: 'PINNED' });
  });

  it('refuses what the server or the version search attribute cannot take, naming the setting', () => {
    expect(() => loadConfig({ FILLFLOW_DEPLOYMENT_NAME: 'fill.flow' }, {}, dir())).toThrow(/FILLFLOW_DEPLOYMENT_NAME.*"fill\.flow"/);
    expect(() => loadConfig({ FILLFLOW_BUILD_ID: 'a:b' }, {}, dir())).toThrow(/FILLFLOW_BUILD_ID.*"a:b"/);
    expect(() => loadConfig({ FILLFLOW_VERSIONING_BEHAVIOR: 'sticky' }, {}, dir())).toThrow(ConfigError);
    const d = dir();
    writeFileSync(join(d, 'fillflow.config.json'), JSON.stringify({ versioning: { behavior: 1 } }));
    expect(() => loadConfig({}, {}, d)).toThrow(/versioning\.behavior must be a string/);
  });
});
