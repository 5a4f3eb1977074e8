#!/bin/sh
# `make demo`: a small CNN trained with PyTorch on handwritten digits
# (examples/digits/, trained by examples/digits/train.py; no Python is needed
# here) goes through ember: quantized to int8 with its calibration split,
# compiled to C99 for a Cortex-M4 (float and int8), made into qemu projects
# (board mps2-an386) through the Project API, built, flashed, and run on every
# held-out image on the emulated board. Prints one summary and writes
# $BUILD/demo/report.html (ember report). Usage: examples/demo.sh [BUILD]
set -eu
BUILD=${1:-build}
EMBER="$BUILD/bin/ember"
DEVICE="$BUILD/bin/ember-digits-demo"
DIGITS=$(cd "$(dirname "$0")/digits" && pwd)
CC=arm-none-eabi-gcc
if [ -n "${EMBER_DEMO_OUT:-}" ]; then
  # Another output folder (tests/demo/check_demo.sh): it must be empty; nothing is deleted.
  OUT=$EMBER_DEMO_OUT
  mkdir -p "$OUT"
  [ -z "$(ls -A "$OUT")" ] || { echo "make demo: EMBER_DEMO_OUT=$OUT is not empty" >&2; exit 2; }
else
  OUT="$BUILD/demo"
  rm -rf "$OUT"
  mkdir -p "$OUT"
fi

for tool in "$CC" arm-none-eabi-size qemu-system-arm; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "make demo: $tool is missing (scripts/setup.sh installs gcc-arm-none-eabi and qemu-system-arm)" >&2; exit 1; }
done

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Runs a step quietly; on failure shows its log and stops.
step() {
  log=$1; shift
  if ! "$@" > "$log" 2>&1; then
    echo "make demo: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}
# The figure after "$2" in the compile log $1 ("arena 1234 B").
figure() { sed -n "s/.*$2 \([0-9][0-9]*\) B.*/\1/p" "$1" | head -n 1; }
# Bytes of the sections named $2 (.text, .rodata) in the objects of MLF $1,
# compiled for the Cortex-M4 with -O2 as the firmware is.
section_bytes() {
  for f in "$1"/codegen/host/src/*.c; do
    [ -f "$f.o" ] || "$CC" -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c99 \
      -I "$1/codegen/host/include" -I "$1/runtime/include" -c "$f" -o "$f.o"
  done
  arm-none-eabi-size -A "$1"/codegen/host/src/*.o | awk -v s="$2" '$1 ~ "^"s { n += $2 } END { print n + 0 }'
}
grouped() { printf "%s" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

echo "== ember demo: handwritten digits on an emulated Cortex-M4 =================="
echo "model: examples/digits/digits.onnx, a small CNN trained with PyTorch on scikit-learn's"
echo "8x8 digits (examples/digits/train.py); held-out test split test.npz, calibration split calib.npz"
echo

echo "\$ ember quantize digits.onnx --calibration calib.npz -o $OUT/digits_int8.onnx"
step "$OUT/quantize.log" "$EMBER" quantize "$DIGITS/digits.onnx" --calibration "$DIGITS/calib.npz" -o "$OUT/digits_int8.onnx"
head -n 1 "$OUT/quantize.log" | sed 's/^/  /'

echo "\$ ember compile ... --target cortex-m4   (float and int8; again with --profile for the device)"
t0=$(now_ms)
step "$OUT/compile-float.log" "$EMBER" compile "$DIGITS/digits.onnx" --target cortex-m4 --module-name digits -o "$OUT/float"
t1=$(now_ms)
step "$OUT/compile-int8.log" "$EMBER" compile "$OUT/digits_int8.onnx" --target cortex-m4 --module-name digits -o "$OUT/int8"
t2=$(now_ms)
step "$OUT/compile-float-profile.log" "$EMBER" compile "$DIGITS/digits.onnx" --target cortex-m4 --module-name digits \
  --profile -o "$OUT/float-profile.tar"
step "$OUT/compile-int8-profile.log" "$EMBER" compile "$OUT/digits_int8.onnx" --target cortex-m4 --module-name digits \
  --profile -o "$OUT/int8-profile.tar"
float_ms=$((t1 - t0)); int8_ms=$((t2 - t1))
fc=$(section_bytes "$OUT/float" .text); ic=$(section_bytes "$OUT/int8" .text)

echo "\$ ember-digits-demo: a qemu project (mps2-an386, host_driven) from each archive; build, flash,"
echo "  run the $(basename "$DIGITS")/test.npz images on the emulated board and on the host"
rc=0
"$DEVICE" "$OUT/float-profile.tar" "$OUT/int8-profile.tar" "$DIGITS/test.npz" "$OUT/project-float" "$OUT/project" "$OUT" \
  "$ic" > "$OUT/device.txt" \
  2> "$OUT/device.log" || rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 6 ]; then
  echo "make demo: running on the emulated board failed:" >&2
  cat "$OUT/device.log" >&2
  exit 1
fi
val() { sed -n "s/^$1 //p" "$OUT/device.txt"; }

echo "\$ ember report $OUT/project --profile $OUT/profile.json --board mps2-an386 -o $OUT/report.html"
step "$OUT/report.log" "$EMBER" report "$OUT/project" --profile "$OUT/profile.json" --board mps2-an386 -o "$OUT/report.html"

n=$(val images)
same=$(val device_int8_same_predictions); fsame=$(val device_float_same_predictions)
if [ "$same" = "$n" ]; then identical="yes"; else identical="NO ($same of $n)"; fi
if [ "$fsame" = "$n" ]; then fidentical="yes"; else fidentical="NO ($fsame of $n)"; fi
fa=$(figure "$OUT/compile-float.log" arena); ia=$(figure "$OUT/compile-int8.log" arena)
fw=$(figure "$OUT/compile-float.log" weights); iw=$(figure "$OUT/compile-int8.log" weights)
fr=$(sed -n 's/.*RAM \([0-9][0-9]*\) B in all.*/\1/p' "$OUT/compile-float.log")
ir=$(sed -n 's/.*RAM \([0-9][0-9]*\) B in all.*/\1/p' "$OUT/compile-int8.log")
instr() {
  lo=$(val "device_$1_instructions_min"); hi=$(val "device_$1_instructions_max")
  if [ "$lo" = "$hi" ]; then grouped "$lo"; else printf "%s-%s" "$(grouped "$lo")" "$(grouped "$hi")"; fi
}

echo
echo "== summary: digits CNN, $n held-out images, Cortex-M4 (mps2-an386 in QEMU) ====================="
printf "%-38s %16s %16s\n" "" "float32" "int8"
printf "%-38s %15s%% %15s%%\n" "accuracy on the host (reference)" "$(val host_float_accuracy)" "$(val host_int8_accuracy)"
printf "%-38s %15s%% %15s%%\n" "accuracy on the device" "$(val device_float_accuracy)" "$(val device_int8_accuracy)"
printf "%-38s %16s %16s\n" "  identical predictions to the host" "$fidentical" "$identical"
printf "%-38s %16s %16s\n" "  outputs bit-exact with the host" "$(val device_float_same_outputs)/$n" "$(val device_int8_same_outputs)/$n"
printf "%-38s %16s %16s\n" "instructions per inference (min-max)" "$(instr float)" "$(instr int8)"
printf "%-38s %14s B %14s B\n" "arena (activations, RAM)" "$(grouped "$fa")" "$(grouped "$ia")"
printf "%-38s %14s B %14s B\n" "RAM in all (arena + input/output)" "$(grouped "$fr")" "$(grouped "$ir")"
printf "%-38s %14s B %14s B\n" "flash: model code (-O2, .text)" "$(grouped "$fc")" "$(grouped "$ic")"
printf "%-38s %14s B %14s B\n" "flash: weights" "$(grouped "$fw")" "$(grouped "$iw")"
printf "%-38s %13s ms %13s ms\n" "compile time (ember compile)" "$float_ms" "$int8_ms"
echo "Instructions: QEMU -icount shift=0 (one per Thumb instruction, not cycles), the --profile"
echo "builds; host: ember's reference evaluator. Projects: $OUT/project (int8), $OUT/project-float."
echo
echo "Report (graph, per-layer MACs and instructions, memory plan, budget): $OUT/report.html"
echo "Next: 'make test' runs the test suite; '$EMBER --help' lists the commands."
[ $rc -eq 0 ] || { echo "make demo: the device's results differ from the host's (see above)" >&2; exit 6; }
