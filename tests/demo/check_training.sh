#!/bin/sh
# examples/digits/train.py writes the committed files byte for byte (fixed
# seeds, deterministic single-threaded training). Skipped without Debian's
# python3-torch and python3-sklearn. Usage: check_training.sh SOURCE_DIR
set -eu
SRC=$1
PY=/usr/bin/python3
if ! "$PY" -c "import torch, sklearn" >/dev/null 2>&1; then
  echo "SKIP: $PY has no torch or sklearn (apt-get install python3-torch python3-sklearn)"
  exit 77
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ember-train-test.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
"$PY" "$SRC/examples/digits/train.py" "$OUT"
fail=0
for f in digits.onnx test.npz calib.npz; do
  if cmp -s "$OUT/$f" "$SRC/examples/digits/$f"; then echo "ok: $f is reproduced"; else echo "FAILED: $f differs"; fail=1; fi
done
exit $fail
