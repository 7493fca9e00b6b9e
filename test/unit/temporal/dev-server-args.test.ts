import { describe, expect, it } from 'vitest';
import {
  DEV_SERVER_DYNAMIC_CONFIG,
  devServerArgs,
  dynamicConfigArgs,
  type DevServerArgsOptions,
} from '../../../src/temporal/dev-server.js';

const PARTITION_ARGS = [
  '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
  '--dynamic-config-value', 'matching.enableFairness=true',
];

describe('devServerArgs', () => {
  it('uses loopback, the default namespace, one partition and warn logging by default', () => {
    expect(devServerArgs({ port: 7233 })).toEqual([
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', '7233',
      '--namespace', 'default',
      ...PARTITION_ARGS,
      '--log-level', 'warn',
    ]);
  });

  it('passes every option in a stable order', () => {
    expect(
      devServerArgs({
        ip: '0.0.0.0',
        port: 17233,
        uiPort: 18233,
        dbFilename: 'state/fillflow/temporal.db',
        namespace: 'fillflow',
        searchAttributes: { FillStatus: 'Keyword', FieldCount: 'Int' },
        dynamicConfig: { 'matching.enableFairness': true },
        logLevel: 'error',
      }),
    ).toEqual([
      'server', 'start-dev', '--ip', '0.0.0.0', '--port', '17233',
      '--ui-port', '18233',
      '--db-filename', 'state/fillflow/temporal.db',
      '--namespace', 'fillflow',
      '--search-attribute', 'FillStatus=Keyword',
      '--search-attribute', 'FieldCount=Int',
      ...PARTITION_ARGS,
      '--log-level', 'error',
    ]);
  });

  it('turns the UI off with --headless', () => {
    const args = devServerArgs({ port: 7233, headless: true });
    expect(args).toContain('--headless');
    expect(args).not.toContain('--ui-port');
  });

  it('leaves the UI port to the CLI (port + 1000) when none is given', () => {
    expect(devServerArgs({ port: 7233 })).not.toContain('--ui-port');
  });

  it('refuses a UI port together with headless', () => {
    expect(() => devServerArgs({ port: 7233, uiPort: 8233, headless: true })).toThrow(/uiPort and headless/);
  });

  const badPorts: [string, Partial<DevServerArgsOptions>, RegExp][] = [
    ['port 0 (picking one is the caller’s job)', { port: 0 }, /port must be an integer from 1 to 65535, got 0/],
    ['port above 65535', { port: 70000 }, /port must be .* got 70000/],
    ['fractional port', { port: 7233.5 }, /port must be .* got 7233.5/],
    ['negative UI port', { port: 7233, uiPort: -1 }, /uiPort must be .* got -1/],
  ];
  it.each(badPorts)('rejects %s', (_name, opts, message) => {
    expect(() => devServerArgs({ port: 7233, ...opts })).toThrow(message);
  });

  it('rejects a search attribute type the CLI does not know, naming the attribute and the choices', () => {
    expect(() =>
      devServerArgs({ port: 7233, searchAttributes: { FillStatus: 'KEYWORD' as never } }),
    ).toThrow(/FillStatus has type "KEYWORD"; expected one of Text, Keyword, Int, Double, Bool, Datetime, KeywordList/);
  });

  it('rejects a search attribute name that would split the Name=Type pair', () => {
    expect(() => devServerArgs({ port: 7233, searchAttributes: { 'a=b': 'Text' } })).toThrow(/bad search attribute name/);
  });
});

describe('dynamicConfigArgs', () => {
  it('is the partition default alone when there are no overrides', () => {
    expect(dynamicConfigArgs()).toEqual(PARTITION_ARGS);
  });

  const encodings: [string, unknown, string][] = [
    ['a string, quoted as the CLI requires', 'fair', 'k="fair"'],
    ['a number', 40, 'k=40'],
    ['a boolean', false, 'k=false'],
    ['an object', { a: [1, 'x'] }, 'k={"a":[1,"x"]}'],
    ['null', null, 'k=null'],
  ];
  it.each(encodings)('JSON-encodes %s', (_name, value, expected) => {
    expect(dynamicConfigArgs({ k: value }).slice(-2)).toEqual(['--dynamic-config-value', expected]);
  });

  it('lets an override replace a default in place', () => {
    expect(dynamicConfigArgs({ 'matching.numTaskqueueReadPartitions': 4 })).toEqual([
      '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=4',
      '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
      '--dynamic-config-value', 'matching.enableFairness=true',
    ]);
  });

  it('drops a default whose override is undefined', () => {
    expect(
      dynamicConfigArgs({
        'matching.numTaskqueueReadPartitions': undefined,
        'matching.numTaskqueueWritePartitions': undefined,
        'matching.enableFairness': undefined,
      }),
    ).toEqual([]);
  });

  const unencodable: [string, unknown, RegExp][] = [
    ['a function', () => 1, /dynamic config k is not JSON-encodable/],
    ['a symbol', Symbol('x'), /dynamic config k is not JSON-encodable/],
    ['a bigint', 1n, /dynamic config k is not JSON-encodable/],
  ];
  it.each(unencodable)('rejects %s, naming the key', (_name, value, message) => {
    expect(() => dynamicConfigArgs({ k: value })).toThrow(message);
  });

  it('rejects a key that is not an identifier path', () => {
    expect(() => dynamicConfigArgs({ 'a b': 1 })).toThrow(/bad dynamic config key "a b"/);
    expect(() => dynamicConfigArgs({ 'a=b': 1 })).toThrow(/bad dynamic config key/);
  });
});

describe('DEV_SERVER_DYNAMIC_CONFIG', () => {
  it('asks for exactly one read and one write partition, and cannot be changed by accident', () => {
    expect(DEV_SERVER_DYNAMIC_CONFIG).toEqual({
      'matching.numTaskqueueReadPartitions': 1,
      'matching.numTaskqueueWritePartitions': 1,
      'matching.enableFairness': true,
    });
    expect(Object.isFrozen(DEV_SERVER_DYNAMIC_CONFIG)).toBe(true);
  });
});
