/** @module The Gemini rounds of one fill, as workflow state: run the planned batches (splitting, parking
 * on a daily quota, keeping partial answers), widen for fields not found, re-ask invalid values, and
 * keep what is left for the offline extractor. Deterministic workflow code; everything it needs from the
 * workflow (activities, the quota park, the wait for a batch slot) is handed in, so the same rounds also run
 * in process, as the evaluation benchmark drives them. */
import { ApplicationFailure, condition, patched } from '@temporalio/workflow';
import type { FillActivities, GeminiActivities } from '../activities/index.js';
import { FailureType } from '../core/failure-types.js';
import type { FillInput, FillProgress } from '../core/fill-records.js';
import { narrowBatch, planWidening, splitBatch, type Plan, type PlanField, type PlannedBatch, type PlanOptions } from '../core/plan-batches.js';
import type { FieldResult } from '../core/types.js';
import type { Park } from './quota-park.js';

/**
 * Patch: the wider round and the re-ask take fields in template order, not in the order the first round's
 * answers arrived, so filling the same documents again plans the same calls and the cache answers them.
 */
const FIELD_ORDER_PATCH = 'rounds-in-field-order';

/** Resolves once `ready()` holds: the workflow's `condition` inside a fill. */
export type WaitUntil = (ready: () => boolean) => Promise<void>;

export interface ExtractionContext {
  input: FillInput;
  progress: FillProgress;
  park: Park;
  plan: Plan;
  planFields: ReadonlyMap<string, PlanField>;
  planOptions: PlanOptions;
  /** The Gemini queue's activities, proxied with this fill's priority. */
  gemini: GeminiActivities;
  light: FillActivities;
  notice: (text: string) => void;
  /**
   * How a batch waits for a free slot under `maxConcurrentBatches`. @default the workflow's `condition`;
   * code driving the rounds outside a workflow (the evaluation benchmark) passes its own.
   */
  waitUntil?: WaitUntil;
  /** Whether a workflow patch applies. @default the workflow's `patched`; outside a workflow, pass `() => true`. */
  patched?: (patchId: string) => boolean;
}

export class Extraction {
  /** The latest answer for each field. */
  readonly results = new Map<string, FieldResult>();
  /** Fields Gemini could not answer, with why: the offline extractor gets them next. */
  readonly unanswered = new Map<string, string>();
  /** Offline answers given while parked (onQuotaExhausted `fallback`): they stand until Gemini upgrades them. */
  private readonly provisional = new Map<string, FieldResult>();
  /** The batch each Gemini answer came from: a re-ask sends the same field only that batch's passages. */
  private readonly answeredIn = new Map<string, PlannedBatch>();
  private geminiAvailable = true;
  private inFlight = 0;

  constructor(private readonly ctx: ExtractionContext) {
    for (const key of ctx.plan.withoutContext) this.unanswered.set(key, 'no passage matched this field');
  }

  /** The planned batches, all at once (the queue's rate limit and the ledger pace them across fills). */
  async runPlanned(): Promise<void> {
    await Promise.all(this.ctx.plan.batches.map((b) => this.runBatch(b)));
  }

  /**
   * Fields the first round found nothing for get one wider round: the passages they retrieved but were
   * not sent. Whole documents leave nothing unsent. On CUAD this found 2 points more evidence (see README).
   */
  async widenNotFound(): Promise<void> {
    const { plan, planFields, planOptions, progress } = this.ctx;
    if (plan.wholeDocuments) return;
    const unfound = this.answersInOrder()
      .map(([, r]) => r)
      .filter((r) => r.status === 'not_found' && r.method !== 'offline')
      .map((r) => planFields.get(r.key))
      .filter((f): f is PlanField => f !== undefined);
    const sent = new Map([...this.answeredIn].map(([key, batch]) => [key, batch.chunkIds]));
    const wider = planWidening(unfound, sent, planOptions);
    progress.batchesTotal += wider.length;
    await Promise.all(wider.map((b) => this.runBatch(b)));
  }

  /**
   * A value that failed its type gets one narrower round: only those fields, their batch's passages for
   * them, and the validation error in the prompt. The rest of each batch stands as answered.
   */
  async reaskInvalid(): Promise<void> {
    const { plan, planFields, planOptions, progress } = this.ctx;
    const toReask = new Map<string, { batch: PlannedBatch; corrections: Record<string, string> }>();
    for (const [key, r] of this.answersInOrder()) {
      const batch = this.answeredIn.get(key);
      if (r.status !== 'invalid' || r.method === 'offline' || !batch) continue;
      const entry = toReask.get(batch.id) ?? { batch, corrections: {} };
      entry.corrections[key] = `rejected: ${r.reason ?? 'invalid value'}`;
      toReask.set(batch.id, entry);
    }
    if (toReask.size === 0) return;
    const rounds = [...toReask.values()].map(({ batch, corrections }) => ({
      batch: narrowBatch(batch, Object.keys(corrections), `${batch.id}.r`, planFields, planOptions, plan.wholeDocuments),
      corrections,
    }));
    progress.batchesTotal += rounds.length;
    await Promise.all(rounds.map(({ batch, corrections }) => this.runBatch(batch, corrections)));
  }

  /**
   * Settles what Gemini gave: provisional offline answers stand only where Gemini gave nothing better,
   * and every field still empty or invalid is handed to the offline extractor with Gemini's reason.
   */
  settle(): void {
    for (const [key, r] of this.provisional) {
      const g = this.results.get(key);
      if (!g || g.status === 'not_found' || g.status === 'invalid') {
        this.results.set(key, r);
        this.unanswered.delete(key);
      }
    }
    for (const [key, r] of this.results) {
      if (r.status === 'not_found' || r.status === 'invalid') this.unanswered.set(key, `Gemini: ${r.reason ?? r.status}`);
    }
  }

  /** The answers so far: in template order (behind its patch), else in the order they arrived. */
  private answersInOrder(): [string, FieldResult][] {
    const arrived = [...this.results];
    if (!(this.ctx.patched ?? patched)(FIELD_ORDER_PATCH)) return arrived;
    const position = new Map([...this.ctx.planFields.keys()].map((key, i) => [key, i]));
    const at = (key: string) => position.get(key) ?? Number.MAX_SAFE_INTEGER;
    return arrived.sort(([a], [b]) => at(a) - at(b));
  }

  private async runBatch(batch: PlannedBatch, corrections?: Record<string, string>): Promise<void> {
    const { input, progress, park, plan, planFields, planOptions, gemini, notice, waitUntil = condition } = this.ctx;
    if (!this.geminiAvailable) {
      for (const key of batch.fieldKeys) this.unanswered.set(key, 'Gemini is not configured');
      progress.batchesDone++;
      return;
    }
    try {
      // Batches in flight at once, per fill, when the fill asks for a cap.
      const maxInFlight = input.options.maxConcurrentBatches ?? Number.POSITIVE_INFINITY;
      await waitUntil(() => this.inFlight < maxInFlight);
      this.inFlight++;
      const out = await gemini
        .extractBatch({
          fillId: input.fillId,
          templateId: input.templateId,
          batchId: batch.id,
          fieldKeys: batch.fieldKeys,
          chunkIds: batch.chunkIds,
          maxOutputTokens: input.options.maxOutputTokens,
          ...(input.options.unproven ? { unproven: input.options.unproven } : {}),
          ...(park.reopen ? { reopenQuota: true } : {}),
          ...(corrections ? { corrections } : {}),
        })
        .finally(() => this.inFlight--);
      // A re-asked field was counted the first time.
      progress.fieldsDone += out.fields.filter((f) => !this.results.has(f.key)).length;
      for (const field of out.fields) {
        this.results.set(field.key, field);
        this.answeredIn.set(field.key, batch);
      }
      progress.batchesDone++;
      if (out.missingKeys && out.missingKeys.length > 0) {
        // Cut at MAX_TOKENS after some fields were complete: keep those, bisect only the fields still missing.
        const rest = narrowBatch(batch, out.missingKeys, `${batch.id}.m`, planFields, planOptions, plan.wholeDocuments);
        const parts = rest.fieldKeys.length > 1 ? splitBatch(rest, planFields, planOptions, plan.wholeDocuments) : [rest];
        progress.splits++;
        progress.batchesTotal += parts.length;
        await Promise.all(parts.map((b) => this.runBatch(b, corrections)));
      }
    } catch (err) {
      const type = failureType(err);
      if (type === FailureType.SplitBatch) {
        const halves = splitBatch(batch, planFields, planOptions, plan.wholeDocuments);
        if (halves.length > 0) {
          progress.splits++;
          progress.batchesTotal += halves.length - 1;
          await Promise.all(halves.map((h) => this.runBatch(h, corrections)));
          return;
        }
      }
      if (type === FailureType.QuotaExhausted) {
        // The day's quota is spent: park durably until the reset (or `resume`), then ask again. Finished
        // batches keep their results; only this batch, and others that meet the closed day, wait.
        notice(`Gemini's daily quota ran out; the fill parked until the reset at midnight America/Los_Angeles (or a resume signal), then went on.`);
        if (input.options.onQuotaExhausted === 'fallback') await this.fillProvisionally(batch.fieldKeys);
        await park.wait();
        return this.runBatch(batch, corrections);
      }
      if (type === FailureType.Config) {
        // A wrong key or model fails every batch the same way: stop and say what to change.
        throw ApplicationFailure.create({ type: FailureType.Config, nonRetryable: true, message: failureMessage(err) });
      }
      if (type === FailureType.NotConfigured) {
        this.geminiAvailable = false;
        notice('Gemini is not configured (no GEMINI_API_KEY on the Gemini worker): the offline extractor filled what it could.');
      }
      const because = type === FailureType.NotConfigured ? 'Gemini is not configured' : `Gemini failed: ${failureMessage(err)}`;
      for (const key of batch.fieldKeys) this.unanswered.set(key, because);
      progress.batchesDone++;
    }
  }

  private async fillProvisionally(keys: string[]): Promise<void> {
    const { input, light, planFields, progress } = this.ctx;
    const todo = keys.filter((k) => !this.provisional.has(k) && !this.results.has(k));
    if (todo.length === 0) return;
    const because = "Gemini's daily quota is exhausted: filled offline until the quota resets";
    const fields = todo.map((key) => ({ key, because, chunkIds: (planFields.get(key)?.context ?? []).map((c) => c.chunkId) }));
    const offline = await light.extractOffline({ templateId: input.templateId, documentIds: input.documentIds, fields });
    for (const r of offline) if (r.status === 'fallback') this.provisional.set(r.key, r);
    progress.provisionalFields = this.provisional.size;
    progress.revisitAfterReset = [...this.provisional.keys()];
  }
}

/** The ApplicationFailure type behind an activity failure; the workflow never trusts `instanceof`. */
export function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: { type?: unknown } } | undefined)?.cause;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}

export function failureMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause;
  return typeof cause?.message === 'string' ? cause.message : String((err as Error)?.message ?? err);
}
