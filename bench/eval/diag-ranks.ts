import { chunkText } from '../../src/retrieval/chunk-text.js';
import { searchFields } from '../../src/retrieval/search-fields.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { loadDataset } from './datasets.js';
import { evidenceFor, squash } from './gold-evidence.js';
const ds = loadDataset(process.argv[2] ?? 'cuad');
const store = openSqliteStore(':memory:');
const hist: Record<string, number[]> = {};
for (const doc of ds.documents) {
  const chunks = chunkText(doc.text, { maxTokens: 300, overlapTokens: 0 });
  const rec = await store.putDocument({ name: `${doc.id}.txt`, mimeType: 'text/plain', text: doc.text }, chunks);
  const hits = await searchFields(store, ds.template.fields, [rec.id], { topK: 1000 });
  const all = await store.getChunks((await store.listChunks([rec.id])).map((h) => h.chunkId));
  for (const f of ds.fields) {
    const ev = evidenceFor(doc, f);
    if (!ev || ev === 'unlocatable') continue;
    const ranked = (hits[f.name] ?? []).map((h) => h.chunkId);
    for (const span of ev.spans) {
      // rank of the first chunk holding the span's first piece start
      const piece = span[0]!.toLowerCase();
      let best = Infinity;
      for (const c of all) {
        if (squash(c.text).toLowerCase().includes(piece.slice(0, Math.min(60, piece.length)))) {
          const r = ranked.indexOf(c.id);
          best = Math.min(best, r < 0 ? 9999 : r + 1);
        }
      }
      (hist[f.name] ??= []).push(best === Infinity ? -all.length : best);
    }
  }
}
for (const [k, v] of Object.entries(hist)) {
  const b = (lo: number, hi: number) => v.filter((x) => x >= lo && x <= hi).length;
  console.log(k.padEnd(36), 'n', v.length, 'r1-3', b(1, 3), 'r4-10', b(4, 10), 'r11-20', b(11, 20), 'r21-50', b(21, 50), '>50', b(51, 9998), 'unranked', b(9999, 9999), 'nochunk', v.filter((x) => x < 0).length);
}
