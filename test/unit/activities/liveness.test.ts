/** The light steps' liveness heartbeats: they beat while the step runs, stop when it ends, and stay silent outside
 * an activity. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { beatingWhileRunning, LIVENESS_BEAT_MS } from '../../../src/activities/liveness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('beatingWhileRunning', () => {
  it('heartbeats every interval while the step runs, and not after it ends', async () => {
    vi.useFakeTimers();
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    let finish!: (v: string) => void;
    const step = beatingWhileRunning((x: number) => new Promise<string>((resolve) => (finish = (v) => resolve(`${v}${x}`))));
    const running = env.run(step, 7);
    await vi.advanceTimersByTimeAsync(LIVENESS_BEAT_MS * 3 + 10);
    expect(beats).toBe(3);
    finish('done');
    await expect(running).resolves.toBe('done7');
    await vi.advanceTimersByTimeAsync(LIVENESS_BEAT_MS * 3);
    expect(beats).toBe(3);
  });

  it('runs the step as it is outside an activity', async () => {
    const step = beatingWhileRunning(async (a: number, b: number) => a + b);
    await expect(step(2, 3)).resolves.toBe(5);
  });

  it('passes the step failure through and stops beating', async () => {
    vi.useFakeTimers();
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const step = beatingWhileRunning(async () => {
      throw new Error('store unreachable');
    });
    await expect(env.run(step)).rejects.toThrow('store unreachable');
    await vi.advanceTimersByTimeAsync(LIVENESS_BEAT_MS * 2);
    expect(beats).toBe(0);
  });
});
