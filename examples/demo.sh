#!/bin/sh
# `make demo`: builds the "lines" model (a tiny int8 CNN of ember's own, see
# examples/lines/make_lines_model.cc), analyses it, compiles it to C99 with a
# static memory plan, and runs the compiled model next to the reference
# evaluator on four sample pictures.
set -eu
BUILD=${1:-build}
EMBER="$BUILD/bin/ember"
OUT="$BUILD/demo"
rm -rf "$OUT"
mkdir -p "$OUT"
"$BUILD/bin/make_lines_model" "$OUT"

echo "== ember demo ==================================================================="
echo "A small int8 model that tells which way a line runs in an 8x8 picture:"
echo "classes 0 horizontal, 1 vertical, 2 diagonal '\\', 3 anti-diagonal '/'."
echo "Model: $OUT/lines.tflite (written with ember's TFLite builder)."
echo
echo "\$ ember analyze $OUT/lines.tflite"
"$EMBER" analyze "$OUT/lines.tflite"
echo
echo "\$ ember compile $OUT/lines.tflite --target host -o $OUT/lines.tar"
"$EMBER" compile "$OUT/lines.tflite" --target host -o "$OUT/lines.tar"
echo "  (Model Library Format: generated C, header tvmgen_default.h, memory plan, runtime)"
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
  mkdir -p "$OUT/m4"
  "$EMBER" compile "$OUT/lines.tflite" --target cortex-m4 -o "$OUT/m4/mlf" >/dev/null
  for f in "$OUT"/m4/mlf/codegen/host/src/*.c; do
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c99 \
      -I "$OUT/m4/mlf/codegen/host/include" -I "$OUT/m4/mlf/runtime/include" -c "$f" -o "$f.o"
  done
  echo "  on a Cortex-M4 (arm-none-eabi-gcc -O2): code and constants (text), RAM (bss):"
  arm-none-eabi-size -t "$OUT"/m4/mlf/codegen/host/src/*.o | sed 's|'"$OUT"'/m4/mlf/codegen/host/src/||; s/^/    /'
fi
predict() {
  # The predicted class is the index of the largest printed output value.
  awk -v names="horizontal vertical diagonal antidiagonal" '
    /^  \[[0-9]+\]/ { i = substr($1, 2, length($1) - 2); if (best == "" || $2 + 0 > bestv) { best = i; bestv = $2 + 0 } }
    END { split(names, n, " "); printf("%s", n[best + 1]) }' "$1"
}
for c in horizontal vertical diagonal antidiagonal; do
  echo
  echo "-- sample '$c':"
  cat "$OUT/$c.txt"
  echo "\$ ember run $OUT/lines.tar --input $OUT/$c.bin        (the compiled C)"
  "$EMBER" run "$OUT/lines.tar" --input "$OUT/$c.bin" > "$OUT/$c.run"
  cat "$OUT/$c.run"
  "$EMBER" eval "$OUT/lines.tflite" --input "$OUT/$c.bin" > "$OUT/$c.eval"
  if cmp -s "$OUT/$c.run" "$OUT/$c.eval"; then same="identical to 'ember eval' (the reference)"; else same="DIFFERS from 'ember eval'"; fi
  echo "=> predicted: $(predict "$OUT/$c.run") (expected: $c); $same"
done
echo
echo "Each output is an int8 softmax (scale 1/256, zero point -128); 'real' is the"
echo "probability. Next: 'make test' runs the test suite; '$EMBER --help' lists the commands."
