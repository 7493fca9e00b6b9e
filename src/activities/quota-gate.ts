/** @module Waits for the shared quota ledger to grant a Gemini call, heartbeating while it waits, so a call
 * is never sent into a 429 the ledger could have foreseen. */
import { heartbeat, sleep } from '@temporalio/activity';
import type { QuotaLimits } from '../core/quota-decision.js';
import type { QuotaBucket, QuotaLedgerStore } from '../store/quota-ledger-store.js';

/** Waits are cut into slices this long, so the activity heartbeats and notices cancellation. */
const SLICE_MS = 5_000;

export type Permit = { ok: true; reservationId: number; waitedMs: number } | { ok: false; resetAt: number; waitedMs: number };

export interface AcquireOptions {
  /** How the activity waits; tests may pass a plain timer. @default the activity's cancellable sleep */
  sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  now?: () => number;
}

/**
 * Reserves `tokens` in the ledger for one call, waiting until the per-minute windows and the spacing allow
 * it. Returns `ok: false` with the reset time when the day's quota is closed: no call may go until then.
 */
export async function acquirePermit(
  ledger: QuotaLedgerStore,
  bucket: QuotaBucket,
  limits: QuotaLimits,
  tokens: number,
  opts: AcquireOptions = {},
): Promise<Permit> {
  const wait = opts.sleep ?? ((ms: number) => sleep(ms));
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const started = now();
  for (;;) {
    // No time given unless a test sets the clock: the store uses its own (on Postgres, the database's), so every
    // machine of a cluster measures the windows by one clock.
    const r = await ledger.quotaReserve(bucket, limits, tokens, opts.now?.());
    if (r.ok) return { ok: true, reservationId: r.reservationId, waitedMs: now() - started };
    if (r.reason === 'per-day') return { ok: false, resetAt: r.resetAt, waitedMs: now() - started };
    heartbeatIfInActivity();
    // A little jitter so waiters woken by the same freed slot do not all retry in the same millisecond.
    await wait(Math.min(SLICE_MS, r.waitMs + Math.floor(random() * 50)));
  }
}

function heartbeatIfInActivity(): void {
  try {
    heartbeat();
  } catch {
    // Outside an activity (unit tests, the benchmark's baseline): nothing to tell.
  }
}
