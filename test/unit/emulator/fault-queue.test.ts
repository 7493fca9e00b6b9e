/** @module Unit tests of the fault queue: counts, match predicates, and which fault answers which request. */
import { describe, expect, it } from 'vitest';
import { FaultQueue } from '../../../src/emulator/fault-queue.js';
import type { Fault, RecordedRequest } from '../../../src/emulator/types.js';

function rec(promptText = 'p', fieldKeys: string[] = []): RecordedRequest {
  return {
    seq: 1,
    at: 0,
    method: 'POST',
    path: '/v1beta/models/m:generateContent',
    endpoint: 'generateContent',
    model: 'm',
    apiKeyHash: null,
    body: {},
    status: 0,
    promptTokens: 0,
    fieldKeys,
    promptText,
  };
}

describe('FaultQueue', () => {
  it('serves a fault `count` times, then drops it', () => {
    const q = new FaultQueue();
    q.push({ kind: 'status', status: 503, count: 2 });
    expect(q.takeError(rec())).toEqual({ kind: 'status', status: 503, count: 2 });
    expect(q.pending()).toEqual([{ kind: 'status', status: 503, count: 1 }]);
    expect(q.takeError(rec())?.kind).toBe('status');
    expect(q.takeError(rec())).toBeUndefined();
    expect(q.pending()).toEqual([]);
  });

  it('passes requests the predicate rejects by, leaving the fault queued', () => {
    const q = new FaultQueue();
    q.push({ kind: 'truncate', match: (r) => r.fieldKeys.includes('rent') });
    expect(q.takeShape(rec('p', ['tenant']))).toBeUndefined();
    const r = rec('p', ['rent']);
    expect(q.takeShape(r)?.kind).toBe('truncate');
    expect(r.faults).toEqual(['truncate']);
  });

  it('serves in queue order: a shape fault first in line is not skipped for a later error fault', () => {
    const q = new FaultQueue();
    q.push({ kind: 'malformed' }, { kind: 'status', status: 500 });
    expect(q.takeError(rec())).toBeUndefined();
    expect(q.takeShape(rec())?.kind).toBe('malformed');
    expect(q.takeError(rec())?.kind).toBe('status');
  });

  it('latency stacks with one other fault', () => {
    const q = new FaultQueue();
    q.push({ kind: 'truncate' }, { kind: 'latency', ms: 50 });
    const r = rec();
    expect(q.takeLatency(r)).toMatchObject({ kind: 'latency', ms: 50 });
    expect(q.takeShape(r)?.kind).toBe('truncate');
    expect(r.faults).toEqual(['latency', 'truncate']);
  });

  const bad: Array<{ name: string; fault: unknown; error: RegExp }> = [
    { name: 'a zero count', fault: { kind: 'truncate', count: 0 }, error: /count must be an integer >= 1/ },
    { name: 'a 2xx status', fault: { kind: 'status', status: 200 }, error: /400\.\.599/ },
    { name: 'an unknown quota', fault: { kind: 'rate-limit', quota: 'per-hour' }, error: /quota must be/ },
    { name: 'a retryDelay that is not a duration', fault: { kind: 'rate-limit', quota: 'per-day', retryDelay: '5' }, error: /protobuf duration/ },
    { name: 'negative latency', fault: { kind: 'latency', ms: -1 }, error: /ms must be/ },
    { name: 'an unknown kind', fault: { kind: 'explode' }, error: /unknown kind/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, queueing nothing`, () => {
      const q = new FaultQueue();
      expect(() => q.push({ kind: 'truncate' }, c.fault as Fault)).toThrow(c.error);
      expect(q.pending()).toEqual([]);
    });
  }
});
