/** @module The store contract, on every store: field memory, quotes kept per template field and endpoint, recalled
 * per document set. */
import { describe, expect, it } from 'vitest';
import { QUOTES_KEPT_PER_FIELD } from '../../../../src/store/field-memory-store.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

const quote = (fieldKey: string, documentId: string, text: string) => ({ fieldKey, documentId, quote: text });
const google = { endpoint: 'gemini' };
const contracts = { ...google, templateId: 'contracts' };
const t = { ...google, templateId: 't' };
const tEmulator = { templateId: 't', endpoint: 'http://127.0.0.1:4010' };

describe.each(STORE_KINDS)('$name store: field memory', (kind) => {
  const h = useStore(kind);

  it('recalls the newest quotes per field, from other documents only, and per template', async () => {
    await h.store.rememberQuotes(contracts, [
      quote('non_compete', 'doc-a', 'shall not engage in any competing business'),
      quote('governing_law', 'doc-a', 'governed by the laws of New York'),
    ]);
    await h.store.rememberQuotes(contracts, [quote('non_compete', 'doc-b', 'will not compete with the Client worldwide')]);
    await h.store.rememberQuotes({ ...google, templateId: 'invoices' }, [quote('non_compete', 'doc-c', 'not a contract at all')]);

    expect(await h.store.recallQuotes(contracts, ['non_compete', 'governing_law', 'party'], ['doc-x'], 5)).toEqual({
      non_compete: ['will not compete with the Client worldwide', 'shall not engage in any competing business'],
      governing_law: ['governed by the laws of New York'],
      party: [],
    });
    // A fill is never steered by quotes of its own documents.
    expect(await h.store.recallQuotes(contracts, ['non_compete'], ['doc-b'], 5)).toEqual({ non_compete: ['shall not engage in any competing business'] });
    expect(await h.store.recallQuotes(contracts, ['non_compete'], ['doc-y'], 1)).toEqual({ non_compete: ['will not compete with the Client worldwide'] });
    expect(await h.store.recallQuotes(contracts, [], ['doc-z'], 1)).toEqual({});
  });

  it('fixes a document set\'s recall at its first fill, whatever is learnt later and in whatever order the ids come', async () => {
    await h.store.rememberQuotes(t, [quote('f', 'doc-a', 'first quote')]);
    const first = await h.store.recallQuotes(t, ['f'], ['doc-x', 'doc-y'], 4);
    await h.store.rememberQuotes(t, [quote('f', 'doc-b', 'second quote')]);
    expect(await h.store.recallQuotes(t, ['f'], ['doc-y', 'doc-x', 'doc-x'], 4)).toEqual(first);
    expect(first).toEqual({ f: ['first quote'] });
    // Another set sees what was learnt since.
    expect(await h.store.recallQuotes(t, ['f'], ['doc-z'], 4)).toEqual({ f: ['second quote', 'first quote'] });
  });

  it('fixes one recall when stores race to make it', async () => {
    await h.store.rememberQuotes(t, [quote('f', 'doc-a', 'only quote'), quote('g', 'doc-a', 'another')]);
    const others = await Promise.all([h.open(), h.open()]);
    const recalls = await Promise.all([h.store, ...others].map((s) => s.recallQuotes(t, ['f', 'g'], ['doc-x'], 4)));
    for (const r of recalls) expect(r).toEqual({ f: ['only quote'], g: ['another'] });
  });

  it('refreshes a quote seen again instead of keeping it twice, and keeps at most the newest per field', async () => {
    await h.store.rememberQuotes(t, [quote('f', 'doc-a', 'old'), quote('f', 'doc-a', 'middle')]);
    await h.store.rememberQuotes(t, [quote('f', 'doc-b', 'old')]);
    expect((await h.store.recallQuotes(t, ['f'], ['s1'], 10)).f).toEqual(['old', 'middle']);
    // The same quote twice in one batch: the later one stands.
    await h.store.rememberQuotes(t, [quote('h', 'doc-a', 'x'), quote('h', 'doc-b', 'y'), quote('h', 'doc-c', 'x')]);
    expect((await h.store.recallQuotes(t, ['h'], ['doc-c'], 10)).h).toEqual(['y']);
    expect((await h.store.recallQuotes(t, ['h'], ['s1'], 10)).h).toEqual(['x', 'y']);

    const many = Array.from({ length: QUOTES_KEPT_PER_FIELD + 5 }, (_, i) => quote('g', `doc-${i}`, `quote ${i}`));
    await h.store.rememberQuotes(t, many);
    const kept = (await h.store.recallQuotes(t, ['g'], ['s2'], 1_000)).g!;
    expect(kept).toHaveLength(QUOTES_KEPT_PER_FIELD);
    expect(kept[0]).toBe(`quote ${QUOTES_KEPT_PER_FIELD + 4}`);
    expect(kept).not.toContain('quote 0');
  });

  it('never recalls quotes one endpoint\'s answers proved for a fill answered by another', async () => {
    await h.store.rememberQuotes(tEmulator, [quote('f', 'doc-a', 'the emulator\'s gold quote')]);
    expect(await h.store.recallQuotes(t, ['f'], ['doc-x'], 4)).toEqual({ f: [] });
    await h.store.rememberQuotes(t, [quote('f', 'doc-b', 'a quote Google proved')]);
    expect(await h.store.recallQuotes(tEmulator, ['f'], ['doc-y'], 4)).toEqual({ f: ['the emulator\'s gold quote'] });
    expect(await h.store.recallQuotes(t, ['f'], ['doc-y'], 4)).toEqual({ f: ['a quote Google proved'] });
  });

  it('fixes the first recall per endpoint: the same documents under another endpoint get their own', async () => {
    await h.store.rememberQuotes(t, [quote('f', 'doc-a', 'google first')]);
    expect(await h.store.recallQuotes(t, ['f'], ['doc-x'], 4)).toEqual({ f: ['google first'] });
    await h.store.rememberQuotes(tEmulator, [quote('f', 'doc-b', 'emulator later')]);
    expect(await h.store.recallQuotes(tEmulator, ['f'], ['doc-x'], 4)).toEqual({ f: ['emulator later'] });
    await h.store.rememberQuotes(t, [quote('f', 'doc-c', 'google later')]);
    expect(await h.store.recallQuotes(t, ['f'], ['doc-x'], 4)).toEqual({ f: ['google first'] });
    expect(await h.store.recallQuotes(tEmulator, ['f'], ['doc-x'], 4)).toEqual({ f: ['emulator later'] });
  });

  it('keeps at most the newest quotes per field and endpoint, pruning one endpoint\'s without touching another\'s', async () => {
    await h.store.rememberQuotes(tEmulator, [quote('f', 'doc-e', 'emulator quote')]);
    const many = Array.from({ length: QUOTES_KEPT_PER_FIELD + 1 }, (_, i) => quote('f', `doc-${i}`, `quote ${i}`));
    await h.store.rememberQuotes(t, many);
    expect((await h.store.recallQuotes(t, ['f'], ['s'], 1_000)).f).toHaveLength(QUOTES_KEPT_PER_FIELD);
    expect(await h.store.recallQuotes(tEmulator, ['f'], ['s'], 1_000)).toEqual({ f: ['emulator quote'] });
  });

  it('survives reopening and refuses a bad count', async () => {
    await h.store.rememberQuotes(t, [quote('f', 'doc-a', 'kept across restarts')]);
    await h.store.close();
    const again = await h.open();
    expect(await again.recallQuotes(t, ['f'], ['s'], 3)).toEqual({ f: ['kept across restarts'] });
    await expect(again.recallQuotes(t, ['f'], ['s'], -1)).rejects.toThrow(/perField must be a non-negative integer/);
    await expect(again.recallQuotes(t, ['f'], ['s'], 1.5)).rejects.toThrow(/perField/);
  });
});
