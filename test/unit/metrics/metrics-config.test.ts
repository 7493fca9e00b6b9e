/** FILLFLOW_METRICS_ADDRESS is read as the exporter will bind it: an IP address and a port, or refused at start. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const load = (address?: string) =>
  loadConfig({ FILLFLOW_DB: join(tmpdir(), 'unused.db'), ...(address !== undefined ? { FILLFLOW_METRICS_ADDRESS: address } : {}) }, {}, tmpdir());

describe('FILLFLOW_METRICS_ADDRESS', () => {
  it('is off unless set', () => {
    expect(load().metricsAddress).toBeUndefined();
    expect(load('  ').metricsAddress).toBeUndefined();
  });

  it.each(['0.0.0.0:9464', '127.0.0.1:9464', '10.1.2.3:1', '[::]:9464', '[::1]:65535'])('takes %s', (address) => {
    expect(load(address).metricsAddress).toBe(address);
  });

  it.each(['localhost:9464', '9464', ':9464', '0.0.0.0', '::1:9464', '[127.0.0.1]:9464', '127.0.0.1:0', '127.0.0.1:65536', 'http://0.0.0.0:9464', '0.0.0.0:9464/metrics'])(
    'refuses %s, saying what it takes',
    (address) => {
      expect(() => load(address)).toThrow(ConfigError);
      expect(() => load(address)).toThrow(/FILLFLOW_METRICS_ADDRESS must be IP:port .*0\.0\.0\.0:9464/);
    },
  );
});
