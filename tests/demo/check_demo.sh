#!/bin/sh
# `make demo` as a test: runs examples/demo.sh into a temporary folder and
# checks the acceptance figures of the digits model (examples/digits/README.md):
# int8 accuracy on the held-out set at least 95 % and within 1 point of float,
# the device's int8 outputs identical to the host's on every image, and the
# report written. Usage: check_demo.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=$1; BUILD=$2
for tool in arm-none-eabi-gcc qemu-system-arm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ember-demo-test.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
EMBER_DEMO_OUT="$OUT" sh "$SRC/examples/demo.sh" "$BUILD" > "$OUT.log" 2>&1 || { cat "$OUT.log"; rm -f "$OUT.log"; exit 1; }
cat "$OUT.log"; rm -f "$OUT.log"
val() { sed -n "s/^$1 //p" "$OUT/device.txt"; }
n=$(val images)
fail=0
check() { if awk "BEGIN { exit !($2) }"; then echo "ok: $1"; else echo "FAILED: $1 ($2)"; fail=1; fi; }
check "int8 accuracy on the host >= 95 %" "$(val host_int8_accuracy) >= 95"
check "int8 within 1 point of float" "$(val host_float_accuracy) - $(val host_int8_accuracy) <= 1 && $(val host_int8_accuracy) - $(val host_float_accuracy) <= 1"
check "device int8 predictions identical to the host's" "$(val device_int8_same_predictions) == $n"
check "device int8 outputs bit-exact" "$(val device_int8_same_outputs) == $n"
check "device float predictions identical to the host's" "$(val device_float_same_predictions) == $n"
check "the whole held-out set ran" "$n == 360"
if grep -q '<h1 id="model">digits</h1>' "$OUT/report.html" && grep -q 'instructions per inference (measured)' "$OUT/report.html"; then
  echo "ok: report.html"
else
  echo "FAILED: report.html lacks the model name or the measured instructions"; fail=1
fi
# The same page with the instructions measured by `ember report --run` on the flashed project.
if "$BUILD/bin/ember" report "$OUT/project" --run -o "$OUT/run.html" > /dev/null 2>&1 &&
   grep -q 'instructions per inference (measured)' "$OUT/run.html"; then
  echo "ok: ember report --run"
else
  echo "FAILED: ember report --run on $OUT/project"; fail=1
fi
exit $fail
