/** @module Tests for field queries and per-field lexical search, on a real SQLite store and on a counting fake. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../../src/core/types.js';
import { buildFieldQueries, buildFieldQuery, splitKey } from '../../../src/retrieval/build-field-query.js';
import { chunkText } from '../../../src/retrieval/chunk-text.js';
import { searchFields } from '../../../src/retrieval/search-fields.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { ChunkRef } from '../../../src/core/chunk-ref.js';
import type { Store } from '../../../src/store/store.js';

describe('splitKey', () => {
  it.each([
    ['snake_case', 'invoice_number', ['invoice', 'number']],
    ['camelCase', 'invoiceNumber', ['invoice', 'number']],
    ['kebab-case', 'due-date', ['due', 'date']],
    ['acronym then word', 'IBANNumber', ['iban', 'number']],
    ['word then acronym', 'customerVAT', ['customer', 'vat']],
    ['digits', 'vat2Rate', ['vat', '2', 'rate']],
    ['address line', 'address_line_2', ['address', 'line', '2']],
    ['one word', 'total', ['total']],
    ['non-ASCII', 'straßeName', ['straße', 'name']],
    ['separators only', '__', []],
  ])('%s', (_name, key, words) => {
    expect(splitKey(key)).toEqual(words);
  });
});

describe('buildFieldQuery', () => {
  it.each<[string, FieldSpec, string]>([
    [
      'label and key words, each once',
      { key: 'invoiceNumber', label: 'Invoice number', type: 'string' },
      'Invoice number',
    ],
    [
      'adds key words the label lacks',
      { key: 'invoice_no', label: 'Reference', type: 'string' },
      'Reference invoice no',
    ],
    [
      'description and examples, punctuation dropped',
      {
        key: 'due_date',
        label: 'Due date',
        type: 'date',
        description: 'When payment is due (net terms).',
        examples: ['2024-03-31'],
      },
      'Due date When payment is net terms 2024 03 31',
    ],
    ['FTS syntax is only words', { key: 'x', label: 'NEAR("a" : b)', type: 'string' }, 'NEAR a b x'],
  ])('%s', (_name, field, query) => {
    expect(buildFieldQuery(field)).toBe(query);
  });
});

describe('buildFieldQueries', () => {
  it.each<[string, FieldSpec, string[]]>([
    ['label only: one query', { key: 'invoiceNumber', label: 'Invoice number', type: 'string' }, ['Invoice number']],
    ['same words in another order count once', { key: 'number_invoice', label: 'Invoice number', type: 'string' }, ['Invoice number']],
    [
      'whole query first, then label with key words, description, examples',
      { key: 'due_date', label: 'Due', type: 'date', description: 'When payment is due.', examples: ['2024-03-31', 'net 30'] },
      ['Due date When payment is 2024 03 31 net 30', 'Due date', 'When payment is due', '2024 03 31 net 30'],
    ],
    [
      'a description that repeats the label adds no query',
      { key: 'total', label: 'Total', type: 'money', description: 'total' },
      ['Total'],
    ],
  ])('%s', (_name, field, queries) => {
    expect(buildFieldQueries(field)).toEqual(queries);
  });

  it('adds each remembered quote as one more query, after the field\'s own, skipping repeats', () => {
    const field: FieldSpec = { key: 'non_compete', label: 'Non-compete', type: 'enum', options: ['Yes', 'No'] };
    expect(buildFieldQueries(field, ['Shall not engage in a competing business.', 'shall NOT engage in a business competing', ''])).toEqual([
      'Non compete',
      'Shall not engage in a competing business',
    ]);
  });
});

describe('searchFields on the SQLite store', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fillflow-search-'));
    store = openSqliteStore(join(dir, 'fillflow.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds, for each field, the chunk its value lives in, only in the documents asked for', async () => {
    const text = [
      'ACME Corporation, 1 Harbour Road, Portsmouth.',
      'Invoice number: INV-2024-0042. Issued on 2024-03-01.',
      'Payment is due by 2024-03-31, net thirty days.',
      'Total amount payable: 1,250.00 EUR including VAT.',
    ].join('\n\n');
    const chunks = chunkText(text, { maxTokens: 16 });
    const doc = await store.putDocument({ name: 'invoice.txt', mimeType: 'text/plain', text }, chunks);
    const otherText = 'Invoice number INV-1 belongs to a different fill. Total amount 5 EUR.';
    const other = await store.putDocument(
      { name: 'other.txt', mimeType: 'text/plain', text: otherText },
      chunkText(otherText),
    );

    const fields: FieldSpec[] = [
      { key: 'invoiceNumber', label: 'Invoice number', type: 'string' },
      { key: 'due_date', label: 'Due date', type: 'date', description: 'when payment is due' },
      { key: 'total', label: 'Total amount', type: 'money' },
      { key: 'zzz', label: 'Xylophone quartet', type: 'string' },
    ];
    const hits = await searchFields(store, fields, [doc.id], { topK: 2, concurrency: 2 });
    expect(Object.keys(hits)).toEqual(['invoiceNumber', 'due_date', 'total', 'zzz']);
    const bestText = async (key: string) => (await store.getChunks([hits[key]?.[0]?.chunkId ?? '']))[0]?.text;
    expect(await bestText('invoiceNumber')).toContain('INV-2024-0042');
    expect(await bestText('due_date')).toContain('due by 2024-03-31');
    expect(await bestText('total')).toContain('1,250.00 EUR');
    expect(hits['zzz']).toEqual([]);
    for (const list of Object.values(hits)) {
      expect(list.length).toBeLessThanOrEqual(2);
      expect(list.every((h) => h.documentId === doc.id && h.documentId !== other.id)).toBe(true);
    }
  });

  it('fuses the rankings of a field\'s several queries, so a passage the label and example find still ranks', async () => {
    // Two passages share many of the description's words; the value's passage has only the label's and the
    // example's. One long OR query adds up the description's words; fused, the label and example outvote them.
    const wordy = 'Goods shipped and delivered under warranty, insured, inspected and accepted at the premises.';
    const neutral = Array.from({ length: 7 }, (_, i) => `Clause ${i + 1} concerns a matter that is here only to fill the index.`);
    const text = ['Reference: PO-7781.', wordy, wordy, ...neutral].join('\n\n');
    const chunks = chunkText(text, { maxTokens: 30 });
    expect(chunks).toHaveLength(10);
    const doc = await store.putDocument({ name: 'po.txt', mimeType: 'text/plain', text }, chunks);
    const field: FieldSpec = {
      key: 'ref',
      label: 'Reference',
      type: 'string',
      description: 'Goods shipped, delivered, insured, inspected and accepted under this warranty.',
      examples: ['PO-1234'],
    };
    const textsOf = async (hits: ChunkRef[]) => (await store.getChunks(hits.map((h) => h.chunkId))).map((c) => c.text);
    expect(await textsOf(await store.searchChunks(buildFieldQuery(field), [doc.id], 2))).not.toContain('Reference: PO-7781.');
    const hits = await searchFields(store, [field], [doc.id], { topK: 2 });
    expect((await textsOf(hits.ref ?? []))[0]).toBe('Reference: PO-7781.');
  });

  it('finds a clause worded like a remembered quote, which the field\'s own words do not reach', async () => {
    const clause = 'During the Term the Distributor shall not, directly or indirectly, sell products of any other manufacturer.';
    const filler = Array.from({ length: 8 }, (_, i) => `Section ${i + 1}: the parties meet once a month to review section ${i + 1}.`);
    const text = [...filler.slice(0, 4), clause, ...filler.slice(4)].join('\n\n');
    const doc = await store.putDocument({ name: 'c.txt', mimeType: 'text/plain', text }, chunkText(text, { maxTokens: 30 }));
    const field: FieldSpec = { key: 'non_compete', label: 'Non-compete', type: 'enum', options: ['Yes', 'No'], description: 'Is a party restricted from competing?' };
    const textsOf = async (hits: ChunkRef[]) => (await store.getChunks(hits.map((h) => h.chunkId))).map((c) => c.text);

    expect(await textsOf((await searchFields(store, [field], [doc.id], { topK: 3 })).non_compete ?? [])).not.toContain(clause);
    // Every query has an equal vote, so what a template has learnt weighs more as its memory grows.
    const remembered = {
      non_compete: [
        'Licensee shall not, directly or indirectly, sell any product of another manufacturer',
        'the Reseller shall not directly or indirectly distribute products of any other supplier during the Term',
        'Agent shall not sell other products',
      ],
    };
    const hits = await searchFields(store, [field], [doc.id], { topK: 3, remembered });
    expect((await textsOf(hits.non_compete ?? []))[0]).toBe(clause);
  });
});

describe('searchFields concurrency', () => {
  /** A store whose searches resolve only when released, so the test can see how many are in flight. */
  function gatedStore() {
    let inFlight = 0;
    let maxInFlight = 0;
    const queries: string[] = [];
    const pending: (() => void)[] = [];
    const store = {
      async searchChunks(query: string, _documentIds: string[], limit: number): Promise<ChunkRef[]> {
        queries.push(query);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((release) => pending.push(release));
        inFlight--;
        if (query.includes('boom')) throw new Error('search failed for boom');
        return [{ chunkId: `c:${query}`, documentId: 'd', seq: 0, score: limit, tokens: 1 }];
      },
    } as unknown as Store;
    const drain = async () => {
      while (pending.length > 0 || inFlight > 0) {
        pending.splice(0).forEach((release) => release());
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    return { store, drain, stats: () => ({ maxInFlight, queries }) };
  }

  const fields = (n: number, label = 'field'): FieldSpec[] =>
    Array.from({ length: n }, (_, i) => ({ key: `k${i}`, label: `${label} ${i}`, type: 'string' }));

  it('keeps at most `concurrency` searches in flight and results in field order', async () => {
    const gate = gatedStore();
    const running = searchFields(gate.store, fields(10), ['d'], { concurrency: 3, topK: 5 });
    await gate.drain();
    const hits = await running;
    expect(gate.stats().maxInFlight).toBe(3);
    expect(gate.stats().queries).toHaveLength(10);
    expect(Object.entries(hits).map(([key, list]) => [key, list[0]?.chunkId, list[0]?.score])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, `c:field ${i} k`, 5]),
    );
  });

  it('defaults to 4 at a time and 8 hits', async () => {
    const gate = gatedStore();
    const running = searchFields(gate.store, fields(9), ['d']);
    await gate.drain();
    const hits = await running;
    expect(gate.stats().maxInFlight).toBe(4);
    expect(hits['k0']?.[0]?.score).toBe(8);
  });

  it('rejects with the first failure and starts no new search after it', async () => {
    const gate = gatedStore();
    const list: FieldSpec[] = [...fields(2), { key: 'bad', label: 'boom', type: 'string' }, ...fields(6, 'later')];
    const running = searchFields(gate.store, list, ['d'], { concurrency: 3 });
    const outcome = expect(running).rejects.toThrow(/boom/);
    await gate.drain();
    await outcome;
    expect(gate.stats().queries.length).toBeLessThan(list.length);
  });

  it('returns an empty record for no fields and rejects bad options', async () => {
    const gate = gatedStore();
    expect(await searchFields(gate.store, [], ['d'])).toEqual({});
    await expect(searchFields(gate.store, fields(1), ['d'], { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(searchFields(gate.store, fields(1), ['d'], { topK: 0 })).rejects.toThrow(RangeError);
  });
});
