/** @module The store contract, on every store: documents, chunks with exact offsets, and BM25 search. */
import { describe, expect, it } from 'vitest';
import type { NewChunk } from '../../../../src/store/store.js';
import { putText } from './chunks.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

describe.each(STORE_KINDS)('$name store: documents and chunks', (kind) => {
  const h = useStore(kind);

  it('ids a document by the sha256 of its text and stores the same text once', async () => {
    const text = 'Invoice INV-7 from Acme.';
    const first = await putText(h.store, 'first.txt', text);
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toMatchObject({ name: 'first.txt', mimeType: 'text/plain', length: text.length });

    const second = await putText(h.store, 'second-name.txt', text, [8]);
    expect(second).toEqual(first);
    expect(await h.store.listDocuments()).toEqual([first]);
    expect((await h.store.listChunks([first.id])).length).toBe(1);
  });

  it('reads a document back, and its text, exactly as stored; unknown ids give undefined', async () => {
    const text = 'Ünïcode “quotes”, emoji 📄, tabs\tand\r\nnewlines, and a line separator \u2028 too.';
    const doc = await putText(h.store, 'u.txt', text);
    expect(await h.store.getDocument(doc.id)).toEqual(doc);
    expect(await h.store.getDocumentText(doc.id)).toBe(text);
    expect(await h.store.getDocument('nope')).toBeUndefined();
    expect(await h.store.getDocumentText('nope')).toBeUndefined();
  });

  it('keeps its data when opened again', async () => {
    const doc = await putText(h.store, 'a.txt', 'Reopened text survives.');
    await h.store.close();
    const again = await h.open();
    expect(await again.getDocument(doc.id)).toEqual(doc);
    expect((await again.searchChunks('survives', [doc.id], 5)).map((c) => c.chunkId)).toEqual([`${doc.id}:0`]);
  });

  it('round-trips chunks with exact offsets, pages and ids', async () => {
    const text = 'Page one text.\fPage two text, longer.';
    const chunks: NewChunk[] = [
      { seq: 0, start: 0, end: 14, page: 1, text: 'Page one text.', tokens: 4 },
      { seq: 1, start: 15, end: text.length, page: 2, text: text.slice(15), tokens: 6 },
    ];
    const doc = await h.store.putDocument({ name: 'p.txt', mimeType: 'text/plain', text }, chunks);
    expect(await h.store.getDocumentText(doc.id)).toBe(text);

    const ids = [`${doc.id}:1`, 'missing:0', `${doc.id}:0`];
    const got = await h.store.getChunks(ids);
    expect(got.map((c) => c.id)).toEqual([`${doc.id}:1`, `${doc.id}:0`]);
    for (const chunk of got) {
      expect(chunk.documentId).toBe(doc.id);
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(chunk).toEqual({ id: `${doc.id}:${chunk.seq}`, documentId: doc.id, ...chunks[chunk.seq] });
    }
    // Asked twice, given twice, in the order asked.
    expect((await h.store.getChunks([`${doc.id}:0`, `${doc.id}:0`])).map((c) => c.seq)).toEqual([0, 0]);
  });

  it('leaves page out when a chunk has none', async () => {
    const doc = await putText(h.store, 'a.txt', 'No pages here.');
    const [chunk] = await h.store.getChunks([`${doc.id}:0`]);
    expect(chunk).toBeDefined();
    expect('page' in (chunk as object)).toBe(false);
  });

  it('lists chunks in the order of the documents asked for, then by position', async () => {
    const a = await putText(h.store, 'a.txt', 'alpha one. alpha two.', [10]);
    const b = await putText(h.store, 'b.txt', 'beta one. beta two. beta three.', [9, 19]);
    const hits = await h.store.listChunks([b.id, a.id, b.id, 'unknown']);
    expect(hits.map((x) => x.chunkId)).toEqual([`${b.id}:0`, `${b.id}:1`, `${b.id}:2`, `${a.id}:0`, `${a.id}:1`]);
    expect(hits.every((x) => x.score === 0)).toBe(true);
    expect(hits[1]).toMatchObject({ documentId: b.id, seq: 1, tokens: 3 });
    expect(await h.store.listChunks([])).toEqual([]);
    expect(await h.store.getChunks([])).toEqual([]);
  });

  it('lists documents oldest first', async () => {
    const a = await putText(h.store, 'a.txt', 'First stored.');
    // SQLite stamps documents to the millisecond; within one, the order is by id.
    await new Promise((r) => setTimeout(r, 5));
    const b = await putText(h.store, 'b.txt', 'Second stored.');
    expect((await h.store.listDocuments()).map((d) => d.id)).toEqual([a.id, b.id]);
  });

  it('stores nothing when a chunk insert fails inside the transaction', async () => {
    const text = 'First chunk. Second chunk.';
    const dupSeq: NewChunk[] = [
      { seq: 0, start: 0, end: 12, text: 'First chunk.', tokens: 3 },
      { seq: 0, start: 13, end: text.length, text: 'Second chunk.', tokens: 3 },
    ];
    await expect(h.store.putDocument({ name: 'bad.txt', mimeType: 'text/plain', text }, dupSeq)).rejects.toThrow(/unique/i);
    expect(await h.store.listDocuments()).toEqual([]);
    expect(await h.store.getChunks(['x:0'])).toEqual([]);
    // The search index was rolled back with the rows, so no ghost hit can point at a missing chunk.
    const fixed = await putText(h.store, 'good.txt', text, [13]);
    expect(fixed.name).toBe('good.txt');
    expect((await h.store.searchChunks('second', [fixed.id], 5)).map((x) => x.seq)).toEqual([1]);
  });

  it.each([
    ['text that differs from the document at its offsets', [{ seq: 0, start: 1, end: 6, text: 'Exact', tokens: 2 }], /x\.txt.*chunk 0/],
    ['an empty range', [{ seq: 0, start: 3, end: 3, text: '', tokens: 0 }], /not a non-empty range/],
    ['a range past the end', [{ seq: 0, start: 0, end: 99, text: 'Exact offsets matter.', tokens: 5 }], /past the text/],
    ['a negative seq', [{ seq: -1, start: 0, end: 5, text: 'Exact', tokens: 2 }], /seq must be a non-negative integer/],
  ] as const)('rejects chunks with %s, storing nothing', async (_name, chunks, message) => {
    const text = 'Exact offsets matter.';
    await expect(h.store.putDocument({ name: 'x.txt', mimeType: 'text/plain', text }, [...chunks])).rejects.toThrow(message);
    expect(await h.store.listDocuments()).toEqual([]);
  });

  it('stores a document of many chunks in one go', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `Clause ${i} about the lessee and the premises.`).join(' ');
    const cuts = Array.from({ length: 399 }, (_, i) => text.indexOf(`Clause ${i + 1} `));
    const doc = await putText(h.store, 'long.txt', text, cuts);
    expect(await h.store.listChunks([doc.id])).toHaveLength(400);
    const [hit] = await h.store.searchChunks('clause 317', [doc.id], 1);
    expect(hit?.seq).toBe(317);
  });
});

describe.each(STORE_KINDS)('$name store: searchChunks', (kind) => {
  const h = useStore(kind);

  it('ranks the chunk with more and rarer matching terms first, scores higher-is-better', async () => {
    const text = [
      'The weather was mild and the harbour quiet.',
      'Invoice number INV-2024-17 is payable within 30 days.',
      'Please quote the invoice in any correspondence.',
      'Nothing relevant in this paragraph at all.',
    ].join('\n\n');
    const cuts = ['Invoice number', 'Please quote', 'Nothing'].map((start) => text.indexOf(start));
    const doc = await putText(h.store, 'inv.txt', text, cuts);
    const hits = await h.store.searchChunks('invoice number', [doc.id], 10);
    expect(hits.map((x) => x.seq)).toEqual([1, 2]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
    expect(hits[0]?.score).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ chunkId: `${doc.id}:1`, documentId: doc.id, tokens: expect.any(Number) });
  });

  it('prefers the shorter of two chunks that match alike (length normalisation)', async () => {
    const short = 'The deposit is refundable.';
    const long = 'The deposit, subject to the deductions listed in the schedule and to the inspection of the premises by the landlord, is refundable.';
    const text = `${short} ${long}`;
    const doc = await putText(h.store, 'd.txt', text, [short.length + 1]);
    expect((await h.store.searchChunks('deposit refundable', [doc.id], 5)).map((x) => x.seq)).toEqual([0, 1]);
  });

  it('weighs a rare word above a common one', async () => {
    const text = ['The tenant pays rent.', 'The tenant keeps the garden.', 'The tenant owns a kayak.', 'The landlord pays rates.'].join(' ');
    const cuts = ['The tenant keeps', 'The tenant owns', 'The landlord'].map((s) => text.indexOf(s));
    const doc = await putText(h.store, 't.txt', text, cuts);
    // "kayak" is in one chunk, "tenant" in three: the kayak chunk wins over the ones with "tenant" alone.
    expect((await h.store.searchChunks('tenant kayak', [doc.id], 1))[0]?.seq).toBe(2);
  });

  it('matches word forms through stemming and ignores case and diacritics', async () => {
    const doc = await putText(h.store, 'x.txt', 'Payments are invoiced to the Café monthly.');
    expect(await h.store.searchChunks('INVOICES', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('cafe', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('café', [doc.id], 5)).toHaveLength(1);
  });

  it('finds numbers and the parts of hyphenated and dotted tokens', async () => {
    const doc = await putText(h.store, 'n.txt', 'Invoice INV-2024-17 totals 12.50 EUR; write to billing@acme.example.');
    expect(await h.store.searchChunks('2024', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('inv', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('12.50', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('billing', [doc.id], 5)).toHaveLength(1);
  });

  it('searches only the documents asked for', async () => {
    const a = await putText(h.store, 'a.txt', 'The lighthouse keeper logged the storm.');
    const b = await putText(h.store, 'b.txt', 'A lighthouse stands on the cape.');
    expect((await h.store.searchChunks('lighthouse', [a.id], 10)).map((x) => x.documentId)).toEqual([a.id]);
    expect((await h.store.searchChunks('lighthouse', [a.id, b.id], 10)).length).toBe(2);
    expect(await h.store.searchChunks('lighthouse', [], 10)).toEqual([]);
    expect(await h.store.searchChunks('lighthouse', ['not-a-document'], 10)).toEqual([]);
  });

  it('honours the limit, and breaks ties by document and position', async () => {
    const text = Array.from({ length: 6 }, (_, i) => `Clause ${i} mentions the tenant.`).join(' ');
    const cuts = [1, 2, 3, 4, 5].map((i) => text.indexOf(`Clause ${i}`));
    const doc = await putText(h.store, 'lease.txt', text, cuts);
    expect((await h.store.searchChunks('tenant', [doc.id], 3)).map((x) => x.seq)).toEqual([0, 1, 2]);
    expect(await h.store.searchChunks('tenant', [doc.id], 0)).toEqual([]);
  });

  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['lone quote', '"'],
    ['unbalanced quotes', 'invoice "number'],
    ['column filter', 'text:invoice'],
    ['unknown column', 'nosuchcolumn:invoice'],
    ['NEAR group', 'NEAR(invoice number, 2)'],
    ['bare operators', 'AND OR NOT'],
    ['tsquery operators', "invoice & !number | (total <-> due) :* 'x'"],
    ['parentheses', '((invoice)'],
    ['prefix and caret', '^invoice* +number -total'],
    ['sql injection', "'); DROP TABLE chunks; --"],
    ['only punctuation', '!@#$%^&*()_+{}|:"<>?'],
    ['emoji and symbols', '📄 € ™ ©'],
    ['only stopwords', 'the of and to'],
    ['very long', 'invoice '.repeat(5000)],
    ['many distinct words', Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ')],
    ['lone surrogate', 'invoice \ud800 number'],
    ['NUL', 'invoice\u0000number'],
  ];
  it.each(hostile)('never throws on hostile input: %s', async (_name, query) => {
    const doc = await putText(h.store, 'i.txt', 'Invoice number 42. AND the total is due. NEAR the end.');
    await expect(h.store.searchChunks(query, [doc.id], 5)).resolves.toBeInstanceOf(Array);
    expect(await h.store.listDocuments()).toHaveLength(1);
  });

  it('treats search syntax in the query as plain words', async () => {
    const doc = await putText(h.store, 'n.txt', 'The depot is near the station.');
    expect(await h.store.searchChunks('NEAR', [doc.id], 5)).toHaveLength(1);
    expect(await h.store.searchChunks('', [doc.id], 5)).toEqual([]);
  });

  it('finds a chunk by a query made only of stopwords', async () => {
    const doc = await putText(h.store, 's.txt', 'To be or not to be.');
    expect(await h.store.searchChunks('to be', [doc.id], 5)).toHaveLength(1);
  });
});
