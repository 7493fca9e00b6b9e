/** A storm: half of all Gemini requests answered with a per-minute 429 (RetryInfo 1–4 s), a tenth 503, 5% malformed
 * and 2% truncated. Every fill completes; no request is retried before the retry delay its 429 gave (checked against
 * the emulator's arrival times); no finished batch is asked again. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FillResult } from '../../src/core/types.js';
import { goldAnswers, parseProtoDuration } from '../../src/emulator/index.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { exampleGold, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { countRedone, distinctExample, fillOf, wrongValues } from './fault-kit.js';
import { reportCase } from './figures.js';

const FILLS = 12;
const MIX = { rateLimit: 0.5, unavailable: 0.1, malformed: 0.05, truncated: 0.02, retryDelayMs: { min: 1_000, max: 4_000 } };

const { env, rig: newRig } = useDevServerRigs();
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;

beforeAll(async () => {
  rig = await newRig({
    env: { FILLFLOW_PROFILE: 'aggressive' },
    emulator: { answer: goldAnswers(exampleGold()), latencyMs: { min: 100, max: 300 }, faultMix: MIX, seed: 2026 },
  });
  workers = await createWorkers({ config: rig.config, connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
});
afterAll(async () => {
  workers?.shutdown();
  await running;
});

it('completes every fill through a storm of 429s, 503s, malformed and truncated answers, each retry after its hint', async () => {
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: FILLS }, async (_, n) => {
      const { templateId, documentIds } = await distinctExample(rig, 100 + n);
      const fillId = `fill-storm-${n}`;
      await rig.client.startFill({ fillId, templateId, documentIds, options: rig.options({ maxBatchSize: 5 }) });
      return rig.client.waitForFill(fillId).then(
        (r): FillResult | Error => r,
        (e: Error) => e,
      );
    }),
  );

  const calls = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent');
  // Each 429's retry is the next request with the same prompt (the same batch, asked again).
  let early = 0;
  let hinted = 0;
  const earliest: number[] = [];
  for (const q of calls.filter((c) => c.status === 429)) {
    const next = calls.find((c) => c.seq > q.seq && c.promptText === q.promptText);
    if (!next) continue;
    hinted++;
    const waited = next.at - q.answeredAt!;
    earliest.push(waited - parseProtoDuration(q.retryDelay!)!);
    if (waited < parseProtoDuration(q.retryDelay!)!) early++;
  }
  const failed = outcomes.filter((o) => o instanceof Error || o.status !== 'completed');
  const completed = outcomes.filter((o): o is FillResult => !(o instanceof Error) && o.status === 'completed');
  const byGemini = completed.flatMap((r) => r.fields.filter((f) => f.method === 'gemini'));
  const fallback = completed.flatMap((r) => r.fields.filter((f) => f.method !== 'gemini'));
  const wrongGemini = completed.flatMap((r) => wrongValues(r).filter((k) => r.fields.find((f) => f.key === k)?.method === 'gemini'));
  let redone = 0;
  for (let n = 0; n < FILLS; n++) {
    redone += (await countRedone(env().client, `fill-storm-${n}`, calls.filter((q) => fillOf(q) === 100 + n))).redoneAfterFinish;
  }
  const kinds = (k: string) => calls.filter((q) => q.faults?.includes(`mix:${k}`)).length;

  reportCase({
    id: 'error-storm',
    title: 'A storm of 429s, 503s, malformed and truncated answers',
    tried: `${FILLS} fills of 30 fields at once (batches of 5) while the emulator answered 50% of requests with a per-minute 429 (RetryInfo 1–4 s), 10% 503, 5% malformed JSON, 2% cut at MAX_TOKENS; ${calls.length} requests: ${kinds('rate-limit')} 429s, ${kinds('unavailable')} 503s, ${kinds('malformed')} malformed, ${kinds('truncated')} truncated`,
    survived: `${completed.length}/${FILLS} fills completed; ${byGemini.length} fields answered by Gemini (${byGemini.length - wrongGemini.length} right), ${fallback.length} left to the offline extractor`,
    lost: failed.length + wrongGemini.length + redone + early,
    lostMeans: 'fills failed, Gemini answers recorded wrong, batches asked again after they finished, and retries sent before their 429\'s retry delay',
    details: [
      `429s followed by a retry of the same request: ${hinted}; sent before the hint: ${early}; the earliest came ${earliest.length > 0 ? `${Math.min(...earliest)} ms` : '-'} after its hint`,
      `fills' own count of rate-limited calls: ${completed.reduce((n, r) => n + r.usage.rateLimited, 0)}; retries: ${completed.reduce((n, r) => n + r.usage.retries, 0)}`,
    ],
    wallMs: Date.now() - started,
  });
  expect(failed.map((f) => (f instanceof Error ? f.message : f.status))).toEqual([]);
  expect(early).toBe(0);
  expect(hinted).toBeGreaterThan(0);
  expect(wrongGemini).toEqual([]);
  expect(redone).toBe(0);
});
