/** @module Everything a running emulator remembers, built from its options with every default applied in one place. */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { checkFaultMix } from './fault-mix.js';
import { FaultQueue } from './fault-queue.js';
import { nullAnswers } from './gold-answers.js';
import { checkLimits } from './limits.js';
import { QuotaLedger } from './quota-ledger.js';
import { between, randomStreams, type Random } from './seeded-random.js';
import type { AnswerSource, EmbedFunction, EmulatorOptions, FaultMix, LatencyOption, LimitsConfig, RecordedRequest } from './types.js';

/** The emulator's mutable state, shared by the model endpoints and the control API. */
export interface EmulatorState {
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly models: ReadonlySet<string> | undefined;
  readonly faultRate: number;
  /** EmulatorOptions.faultMix with its defaults; undefined for no storm. */
  readonly faultMix: Required<FaultMix> | undefined;
  /** The model's own answer limit in output tokens (EmulatorOptions.outputTokenLimit); undefined for none. */
  readonly outputTokenLimit: number | undefined;
  /** Answer tokens written per second (EmulatorOptions.outputTokensPerSecond); undefined: instant. */
  readonly outputTokensPerSecond: number | undefined;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** The caller's embedding function; `undefined` means hashed bags of words. */
  readonly embed: EmbedFunction | undefined;
  readonly ledger: QuotaLedger;
  readonly faults: FaultQueue;
  readonly requests: RecordedRequest[];
  limits: LimitsConfig;
  answer: AnswerSource;
  seq: number;
  /** Independent seeded streams: latency draws, the fault rate, the variety of 429 bodies, and the fault mix. */
  random: Record<RandomStream, Random>;
  /** The configured latency for the next request, drawn from the latency stream. */
  nextLatencyMs(): number;
  /** Sleeps unless the emulator is closing, in which case it returns at once. */
  sleep(ms: number): Promise<void>;
  /** Ends every pending sleep; called by close(). */
  abortSleeps(): void;
  /** Clears windows, faults, requests, the sequence and the random streams. */
  reset(): void;
}

// New streams go last: a stream's seed follows its place, and the older ones must draw as they always did.
const STREAMS = ['latency', 'faultRate', 'variety', 'faultMix'] as const;
type RandomStream = (typeof STREAMS)[number];

function checkLatency(latency: LatencyOption): LatencyOption {
  const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (typeof latency === 'number' ? ok(latency) : ok(latency.min) && ok(latency.max) && latency.min <= latency.max) {
    return latency;
  }
  throw new Error(`latencyMs: expected ms >= 0 or { min, max } with 0 <= min <= max, got ${JSON.stringify(latency)}`);
}

/** Builds the state, validating options so a bad one fails at start, naming itself. */
export function createState(options: EmulatorOptions): EmulatorState {
  const seed = options.seed ?? 1;
  const latency = checkLatency(options.latencyMs ?? 0);
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new Error(`faultRate: expected a share in [0, 1], got ${faultRate}`);
  const outputTokenLimit = options.outputTokenLimit;
  if (outputTokenLimit !== undefined && !(Number.isInteger(outputTokenLimit) && outputTokenLimit >= 1)) {
    throw new Error(`outputTokenLimit: expected a whole number of tokens >= 1, got ${outputTokenLimit}`);
  }
  const outputTokensPerSecond = options.outputTokensPerSecond;
  if (outputTokensPerSecond !== undefined && !(Number.isFinite(outputTokensPerSecond) && outputTokensPerSecond > 0)) {
    throw new Error(`outputTokensPerSecond: expected a speed > 0, got ${outputTokensPerSecond}`);
  }
  const now = options.now ?? Date.now;
  const closing = new AbortController();
  // Every request sleeping at once listens on it (answer times, injected latency): dozens is normal, not a leak.
  setMaxListeners(0, closing.signal);

  const state: EmulatorState = {
    apiKeys: options.apiKeys ? new Set(options.apiKeys) : undefined,
    models: options.models ? new Set(options.models) : undefined,
    faultRate,
    faultMix: options.faultMix ? checkFaultMix(options.faultMix) : undefined,
    outputTokenLimit,
    outputTokensPerSecond,
    now,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    embed: options.embed,
    ledger: new QuotaLedger(now),
    faults: new FaultQueue(),
    requests: [],
    limits: checkLimits(options.limits ?? {}),
    answer: options.answer ?? nullAnswers(),
    seq: 0,
    random: randomStreams(seed, STREAMS),
    nextLatencyMs() {
      return typeof latency === 'number' ? latency : Math.round(between(this.random.latency, latency.min, latency.max));
    },
    async sleep(ms) {
      if (ms <= 0 || closing.signal.aborted) return;
      await delay(ms, undefined, { signal: closing.signal }).catch(() => undefined);
    },
    abortSleeps() {
      closing.abort();
    },
    reset() {
      this.ledger.reset();
      this.faults.clear();
      this.requests.length = 0;
      this.seq = 0;
      this.random = randomStreams(seed, STREAMS);
    },
  };
  return state;
}
