/** @module The queue of injected faults and the rule for which of them answers a request. */
import type { Fault, FaultEndpoint, FaultSpec, RecordedRequest } from './types.js';

interface Queued {
  fault: Fault;
  remaining: number;
}

/** Faults that replace the model's answer with an error; they are served before quotas are checked. */
export type ErrorFault = Extract<FaultSpec, { kind: 'status' | 'rate-limit' | 'limit-zero' | 'no-details-429' }>;
/** Faults that change the shape of a 200 answer; they wait for a request the quotas let through. */
export type ShapeFault = Extract<FaultSpec, { kind: 'truncate' | 'malformed' | 'blocked' | 'wrong-dimensions' }>;
/** Faults that only delay. */
export type LatencyFault = Extract<FaultSpec, { kind: 'latency' }>;

const ERROR_KINDS = new Set<FaultSpec['kind']>(['status', 'rate-limit', 'limit-zero', 'no-details-429']);
/** Shape faults and the one endpoint whose answers they can reshape. */
const SHAPE_ENDPOINT: Record<ShapeFault['kind'], FaultEndpoint> = {
  truncate: 'generateContent',
  malformed: 'generateContent',
  blocked: 'generateContent',
  'wrong-dimensions': 'batchEmbedContents',
};

function isError(f: FaultSpec): f is ErrorFault {
  return ERROR_KINDS.has(f.kind);
}

/** Throws, naming the field, when a fault cannot be served. */
export function checkFault(f: Fault): void {
  const where = `fault ${JSON.stringify({ ...f, match: undefined })}`;
  if (f.count !== undefined && (!Number.isInteger(f.count) || f.count < 1)) {
    throw new Error(`${where}: count must be an integer >= 1`);
  }
  const endpoint = f.endpoint ?? 'generateContent';
  if (endpoint !== 'generateContent' && endpoint !== 'batchEmbedContents') {
    throw new Error(`${where}: endpoint must be 'generateContent' or 'batchEmbedContents'`);
  }
  const shapes = Object.hasOwn(SHAPE_ENDPOINT, f.kind) ? SHAPE_ENDPOINT[f.kind as ShapeFault['kind']] : undefined;
  if (shapes !== undefined && shapes !== endpoint) {
    throw new Error(`${where}: a ${f.kind} fault reshapes ${shapes} answers only; set endpoint: '${shapes}'`);
  }
  switch (f.kind) {
    case 'status':
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) {
        throw new Error(`${where}: status must be an HTTP error status in 400..599`);
      }
      return;
    case 'rate-limit':
      if (!['per-minute', 'per-day', 'tokens-per-minute'].includes(f.quota)) {
        throw new Error(`${where}: quota must be 'per-minute', 'per-day' or 'tokens-per-minute'`);
      }
      if (f.retryDelay !== undefined && !/^\d+(\.\d+)?s$/.test(f.retryDelay)) {
        throw new Error(`${where}: retryDelay must be a protobuf duration such as "12.5s"`);
      }
      return;
    case 'latency':
      if (!Number.isFinite(f.ms) || f.ms < 0) throw new Error(`${where}: ms must be a number >= 0`);
      return;
    case 'wrong-dimensions':
      if (f.dimensions !== undefined && (!Number.isInteger(f.dimensions) || f.dimensions < 1)) {
        throw new Error(`${where}: dimensions must be an integer >= 1`);
      }
      return;
    case 'truncate':
      if (f.atTokens !== undefined && (!Number.isInteger(f.atTokens) || f.atTokens < 1)) {
        throw new Error(`${where}: atTokens must be an integer >= 1`);
      }
      return;
    case 'limit-zero':
    case 'no-details-429':
    case 'malformed':
    case 'blocked':
      return;
    default:
      throw new Error(
        `${where}: unknown kind; expected status, rate-limit, limit-zero, no-details-429, truncate, malformed, blocked, wrong-dimensions or latency`,
      );
  }
}

/**
 * Faults in injection order. A request is answered by the first queued latency fault that matches
 * it plus the first other fault that matches it; each use spends one of that fault's `count`.
 * Error faults are taken before the quota check (so an injected 503 never waits on a window);
 * shape faults are taken only once the request is admitted, so a 429 does not waste them.
 */
export class FaultQueue {
  private queue: Queued[] = [];

  /** Queues faults after checking all of them, so a bad one queues none. */
  push(...faults: Fault[]): void {
    faults.forEach(checkFault);
    for (const f of faults) this.queue.push({ fault: f, remaining: f.count ?? 1 });
  }

  /** Takes the latency fault for this request, if any. */
  takeLatency(req: RecordedRequest): LatencyFault | undefined {
    return this.take(req, (f): f is LatencyFault => f.kind === 'latency');
  }

  /** Takes the error fault for this request, unless a shape fault comes first in the queue. */
  takeError(req: RecordedRequest): ErrorFault | undefined {
    const first = this.firstMatch(req, (f) => f.kind !== 'latency');
    return first && isError(first.fault) ? (this.spend(first, req) as ErrorFault) : undefined;
  }

  /** Takes the shape fault for an admitted request, if one is first in line for it. */
  takeShape(req: RecordedRequest): ShapeFault | undefined {
    const first = this.firstMatch(req, (f) => f.kind !== 'latency');
    return first && !isError(first.fault) ? (this.spend(first, req) as ShapeFault) : undefined;
  }

  pending(): Array<FaultSpec & { count: number }> {
    return this.queue.map(({ fault, remaining }) => {
      const { match: _match, count: _count, ...spec } = fault;
      return { ...(spec as FaultSpec), count: remaining };
    });
  }

  clear(): void {
    this.queue = [];
  }

  private firstMatch(req: RecordedRequest, kind: (f: FaultSpec) => boolean): Queued | undefined {
    return this.queue.find(
      (q) => kind(q.fault) && (q.fault.endpoint ?? 'generateContent') === req.endpoint && (q.fault.match?.(req) ?? true),
    );
  }

  private take<F extends FaultSpec>(req: RecordedRequest, kind: (f: FaultSpec) => f is F): F | undefined {
    const q = this.firstMatch(req, kind);
    return q ? (this.spend(q, req) as F) : undefined;
  }

  private spend(q: Queued, req: RecordedRequest): FaultSpec {
    q.remaining -= 1;
    if (q.remaining === 0) this.queue.splice(this.queue.indexOf(q), 1);
    (req.faults ??= []).push(q.fault.kind);
    return q.fault;
  }
}
