/** @module One generateContent request: body, error faults, fault rate, quotas, answer (maybe reshaped), latency. */
import { statusError, invalidArgument, type Reply } from './google-errors.js';
import type { EmulatorState } from './emulator-state.js';
import type { ErrorFault, ShapeFault } from './fault-queue.js';
import { limitsFor } from './limits.js';
import {
  answerResponse,
  blockedResponse,
  malformedResponse,
  truncatedResponse,
  type ModelAnswer,
  type ResponseContext,
} from './model-responses.js';
import { drawFromMix, mixRetryDelay } from './fault-mix.js';
import { faultQuotaReply, ledgerQuotaReply } from './quota-replies.js';
import { InvalidRequest, readGenerateRequest, type GenerateRequestView } from './read-request.js';
import { tokensForChars } from './token-estimate.js';
import type { RecordedRequest } from './types.js';

/** The error an injected fault answers with, for any model endpoint. */
export function errorFaultReply(state: EmulatorState, model: string, fault: ErrorFault): Reply {
  if (fault.kind === 'status') return statusError(fault.status, fault.message);
  return faultQuotaReply(model, fault, limitsFor(state.limits, model), state.random.variety);
}

/** The text the answer source produces: strings as they are, anything else as JSON. */
async function answerText(state: EmulatorState, model: string, view: GenerateRequestView): Promise<string> {
  const answer = await state.answer({
    model,
    promptText: view.promptText,
    systemText: view.systemText,
    schema: view.schema,
    generationConfig: view.generationConfig,
  });
  if (typeof answer === 'string') return answer;
  const text = JSON.stringify(answer);
  if (text === undefined) throw new Error(`the answer source returned ${String(answer)}, which has no JSON form`);
  return text;
}

/** The tokens an answer may run to: the request's maxOutputTokens, never past the model's own limit. */
function answerLimit(requested: number | undefined, model: number | undefined): number | undefined {
  if (requested === undefined) return model;
  return model === undefined ? requested : Math.min(requested, model);
}

/** Decides the reply without waiting; an injected latency is added to `delay.ms` for the caller. */
async function decide(
  state: EmulatorState,
  rec: RecordedRequest,
  model: string,
  body: unknown,
  delay: { ms: number },
): Promise<Reply> {
  let view: GenerateRequestView;
  try {
    view = readGenerateRequest(body);
  } catch (e) {
    if (e instanceof InvalidRequest) {
      rec.error = e.message;
      return invalidArgument(e.message);
    }
    throw e;
  }
  rec.promptText = view.promptText;
  rec.fieldKeys = view.fieldKeys;
  rec.promptTokens = tokensForChars(view.countedChars);

  // Taken once the request is read, so `match` predicates see its text and field keys.
  delay.ms += state.faults.takeLatency(rec)?.ms ?? 0;
  const errorFault = state.faults.takeError(rec);
  if (errorFault) return errorFaultReply(state, model, errorFault);
  if (state.faultRate > 0 && state.random.faultRate() < state.faultRate) {
    (rec.faults ??= []).push('fault-rate');
    return statusError(503);
  }
  const drawn = state.faultMix ? drawFromMix(state.faultMix, state.random.faultMix) : undefined;
  if (drawn) (rec.faults ??= []).push(`mix:${drawn}`);
  if (drawn === 'unavailable') return statusError(503);
  if (drawn === 'rate-limit') {
    const fault = { kind: 'rate-limit', quota: 'per-minute', retryDelay: mixRetryDelay(state.faultMix!, state.random.faultMix) } as const;
    return errorFaultReply(state, model, fault);
  }

  // Only admitted requests enter the windows: a 429 is not counted (see QuotaLedger), and injected
  // errors and fault-rate 503s above spend nothing. Google counts failed 400/500s against quota, but
  // a test that injects a 503 must not also find its rpm budget one short.
  const bucket = `${rec.apiKeyHash ?? 'anonymous'}|${model}`;
  const admission = state.ledger.admit(bucket, limitsFor(state.limits, model), rec.promptTokens);
  if (!admission.ok) {
    rec.rateLimited = admission.violations.map((v) => v.quota);
    return ledgerQuotaReply(model, admission.violations, state.random.variety);
  }

  const ctx: ResponseContext = { model, responseId: `emulator-${rec.seq}`, promptTokens: rec.promptTokens };
  // A queued shape fault comes first; the mix's draw stands in when none is queued.
  const shape: ShapeFault | undefined = state.faults.takeShape(rec) ?? (drawn === 'malformed' ? { kind: 'malformed' } : drawn === 'truncated' ? { kind: 'truncate' } : undefined);
  let answer: ModelAnswer;
  if (shape?.kind === 'blocked') {
    answer = blockedResponse(ctx, shape.reason ?? 'SAFETY');
  } else {
    const text = await answerText(state, model, view);
    if (shape?.kind === 'truncate') answer = truncatedResponse(ctx, text, shape.atTokens);
    else if (shape?.kind === 'malformed') answer = malformedResponse(ctx);
    else answer = answerResponse(ctx, text, answerLimit(view.generationConfig.maxOutputTokens as number | undefined, state.outputTokenLimit));
  }
  if (state.outputTokensPerSecond !== undefined) delay.ms += Math.round((answer.outputTokens * 1_000) / state.outputTokensPerSecond);
  if (answer.finishReason) rec.finishReason = answer.finishReason;
  if (answer.blockReason) rec.blockReason = answer.blockReason;
  rec.outputTokens = answer.outputTokens;
  return { status: 200, body: answer.body };
}

/** Answers one generateContent request; `rec` is filled in as the request is understood. */
export async function generateContent(
  state: EmulatorState,
  rec: RecordedRequest,
  model: string,
  body: unknown,
): Promise<Reply> {
  const delay = { ms: state.nextLatencyMs() };
  const reply = await decide(state, rec, model, body, delay);
  await state.sleep(delay.ms);
  return reply;
}
