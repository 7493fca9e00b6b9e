/** A value no passage proves, on a real dev server: by default it stays filled, marked `grounding: 'none'`
 * and counted as unproven in the fill's usage and the stats; when the fill asks for proof it becomes
 * `invalid`, is asked again with the reason, and never reaches the filled document unproven. */
import { beforeAll, describe, expect, it } from 'vitest';
import { goldAnswers } from '../../src/emulator/index.js';
import type { AnswerSource } from '../../src/emulator/index.js';
import { apiUsage } from '../../src/usage/api-usage.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { exampleGold, type Rig } from '../helpers/fill-harness.js';

const { rig: newRig } = useDevServerRigs();
const MADE_UP = 'Trading as Nowhere Words That No Document Holds';

/** The example's gold answers, except that trading_name comes with a quote no document holds. */
function withUnprovenTradingName(): AnswerSource {
  const gold = goldAnswers(exampleGold());
  return (req) => {
    const answer = gold(req) as Record<string, { value: unknown; quote: unknown }>;
    if (answer.trading_name) answer.trading_name = { value: 'Nowhere Freight', quote: MADE_UP };
    return answer;
  };
}

let rig: Rig;
let example: { templateId: string; documentIds: string[] };
beforeAll(async () => {
  rig = await newRig({ emulator: { answer: withUnprovenTradingName() } });
  example = await rig.loadExample();
});

describe('unproven values', () => {
  it('are kept by default, marked and counted apart in the fill and in the stats', async () => {
    const result = await rig.fill({ ...example });
    expect(result.fields.find((f) => f.key === 'trading_name')).toMatchObject({ value: 'Nowhere Freight', status: 'filled', grounding: 'none' });
    expect(result.usage.unproven).toBe(1);
    const report = await apiUsage(rig.store, rig.config);
    expect(report.usage.unproven).toBe(1);
  });

  it('become invalid when the fill asks for proof, and are asked again with the reason', async () => {
    rig.emulator.reset();
    const result = await rig.fill({ ...example, options: { unproven: 'invalid', maxBatchSize: 10 } });
    const field = result.fields.find((f) => f.key === 'trading_name')!;
    expect(field.status).not.toBe('filled');
    expect(field.value).not.toBe('Nowhere Freight');
    expect(result.usage.unproven).toBe(0);
    const reask = rig.emulator.requests.filter((q) => q.endpoint === 'generateContent' && /CORRECTIONS[\s\S]*trading_name: rejected: unproven/.test(q.promptText));
    expect(reask).toHaveLength(1);
    expect(reask[0]!.fieldKeys).toEqual(['trading_name']);
    // Every other field is proven, so nothing else was asked again.
    expect(result.fields.filter((f) => f.key !== 'trading_name').every((f) => f.status === 'filled' && f.grounding !== 'none')).toBe(true);
  });
});
