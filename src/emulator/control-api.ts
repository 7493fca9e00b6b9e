/** @module The control API under /_emulator/: recordings, faults, limits, answers and reset for an out-of-process emulator. */
import type { EmulatorState } from './emulator-state.js';
import { goldAnswers, parseGoldTable } from './gold-answers.js';
import { statusError, type Reply } from './google-errors.js';
import { checkLimits } from './limits.js';
import type { Fault } from './types.js';

/** The control paths, for the 404 that lists them. */
const ROUTES = [
  'GET /_emulator/health',
  'GET /_emulator/requests[?since=SEQ]',
  'POST /_emulator/faults',
  'POST /_emulator/limits',
  'POST /_emulator/answers[?oracle=false]',
  'POST /_emulator/reset',
];

function bad(message: string): Reply {
  return statusError(400, message);
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') throw new Error('expected a JSON body');
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new Error(`body is not JSON: ${(e as Error).message}`);
  }
}

function readFaults(data: unknown): Fault[] {
  const list = Array.isArray(data) ? data : [data];
  return list.map((f, i) => {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error(`faults[${i}]: expected an object`);
    if ('match' in f) throw new Error(`faults[${i}].match: predicates cannot cross HTTP; use inject() in-process`);
    return f as Fault;
  });
}

function route(state: EmulatorState, method: string, url: URL, raw: string): Reply {
  const path = url.pathname;
  if (method === 'GET' && path === '/_emulator/health') {
    return { status: 200, body: { ok: true, requests: state.requests.length, pendingFaults: state.faults.pending() } };
  }
  if (method === 'GET' && path === '/_emulator/requests') {
    const since = Number(url.searchParams.get('since') ?? 0);
    if (!Number.isFinite(since)) return bad('since: expected a sequence number');
    return { status: 200, body: state.requests.filter((r) => r.seq > since) };
  }
  if (method === 'POST' && path === '/_emulator/faults') {
    const faults = readFaults(parseJson(raw));
    state.faults.push(...faults);
    return { status: 200, body: { queued: faults.length, pendingFaults: state.faults.pending() } };
  }
  if (method === 'POST' && path === '/_emulator/limits') {
    state.limits = checkLimits(parseJson(raw));
    return { status: 200, body: { limits: state.limits } };
  }
  if (method === 'POST' && path === '/_emulator/answers') {
    const gold = parseGoldTable(parseJson(raw), 'answers');
    state.answer = goldAnswers(gold, { oracle: url.searchParams.get('oracle') !== 'false' });
    return { status: 200, body: { fields: Object.keys(gold).length } };
  }
  if (method === 'POST' && path === '/_emulator/reset') {
    state.reset();
    return { status: 200, body: { ok: true } };
  }
  return statusError(404, `no control route ${method} ${path}; the routes are: ${ROUTES.join(', ')}`);
}

/** Answers one control request; these are not recorded, so reading the recording does not change it. */
export function handleControlRequest(state: EmulatorState, method: string, url: URL, raw: string): Reply {
  try {
    return route(state, method, url, raw);
  } catch (e) {
    return bad(e instanceof Error ? e.message : String(e));
  }
}
