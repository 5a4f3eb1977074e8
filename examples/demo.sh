#!/bin/sh
# `make demo`: builds the "lines" model (a tiny int8 CNN of ember's own, see
# examples/lines/make_lines_model.cc), analyses it and runs it on four sample
# pictures with ember's reference evaluator.
set -eu
BUILD=${1:-build}
EMBER="$BUILD/bin/ember"
OUT="$BUILD/demo"
mkdir -p "$OUT"
"$BUILD/bin/make_lines_model" "$OUT"

echo "== ember demo ==================================================================="
echo "A small int8 model that tells which way a line runs in an 8x8 picture:"
echo "classes 0 horizontal, 1 vertical, 2 diagonal '\\', 3 anti-diagonal '/'."
echo "Model: $OUT/lines.tflite (written with ember's TFLite builder)."
echo
echo "\$ ember analyze $OUT/lines.tflite"
"$EMBER" analyze "$OUT/lines.tflite"
for c in horizontal vertical diagonal antidiagonal; do
  echo
  echo "-- sample '$c':"
  cat "$OUT/$c.txt"
  echo "\$ ember eval $OUT/lines.tflite --input $OUT/$c.bin"
  "$EMBER" eval "$OUT/lines.tflite" --input "$OUT/$c.bin" > "$OUT/$c.out"
  cat "$OUT/$c.out"
  # The predicted class is the index of the largest output.
  awk -v names="horizontal vertical diagonal antidiagonal" '
    /^  \[[0-9]+\]/ { i = substr($1, 2, length($1) - 2); if (best == "" || $2 + 0 > bestv) { best = i; bestv = $2 + 0 } }
    END { split(names, n, " "); printf("=> predicted: %s (expected: %s)\n", n[best + 1], "'"$c"'") }' "$OUT/$c.out"
done
echo
echo "Each output is an int8 softmax (scale 1/256, zero point -128); 'real' is the"
echo "probability. The largest one names the line's direction."
echo "Next: 'make test' runs the test suite; '$EMBER --help' lists the commands."
