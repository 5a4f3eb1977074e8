#!/bin/sh
# Layering rule (docs: README, "How a model flows through the tree"): a library
# under compiler/ may include only headers of itself and of the libraries before
# it in the pipeline. The one exception is the operator table ops/ops.def, a
# data file that ir/op_kind.h expands. Prints every violation; exits 1 if any.
set -eu
ROOT=${1:-$(dirname "$0")/../..}
cd "$ROOT/compiler"
ORDER="support ir ops frontend passes quantize memory codegen package micro tune report"
status=0
out=$(mktemp "${TMPDIR:-/tmp}/ember-layering.XXXXXX")
trap 'rm -f "$out"' EXIT
rank() {
  i=0
  for l in $ORDER; do
    if [ "$l" = "$1" ]; then echo $i; return; fi
    i=$((i + 1))
  done
  echo 99
}
for lib in $ORDER; do
  [ -d "$lib" ] || continue
  mine=$(rank "$lib")
  for f in $(find "$lib" -name '*.h' -o -name '*.cc' | sort); do
    grep -o '^#include "[a-z_]*/[^"]*"' "$f" | sed 's/#include "//; s/"$//' | while read -r inc; do
      dep=${inc%%/*}
      [ "$inc" = "ops/ops.def" ] && continue
      r=$(rank "$dep")
      [ "$r" = 99 ] && continue  # not a compiler library (e.g. generated code)
      if [ "$r" -gt "$mine" ]; then
        echo "layering: compiler/$f includes \"$inc\": $lib may not depend on $dep"
        echo x
      fi
    done
  done
done > "$out" 2>&1 || true
if grep -q '^x$' "$out"; then
  grep -v '^x$' "$out"
  status=1
else
  echo "layering: ok"
fi
exit $status
