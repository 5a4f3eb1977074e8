#!/bin/sh
# make tune-kws: tunes kws (the MLPerf Tiny keyword spotter) with the default
# trials on the emulated Cortex-M4 (mps2-an386) and Cortex-M7 (mps2-an500)
# boards, two QEMU devices each, and checks the acceptance of docs/tuning.md:
# the time of each tune, the summaries (and where the two cores' best
# schedules differ), then the whole model built with and without the log,
# profiled per layer under QEMU (-icount shift=0, as `make bench`): the
# tuned build must be bit-exact and no slower in total.
#
# usage: tune_kws.sh EMBER SHARED_DIR OUT_DIR
set -eu
EMBER=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SHARED=$2
OUT=$3
PORT=$(cd "$(dirname "$0")/../runtime/platform/cortex-m" && pwd)
MODEL=$SHARED/models/kws.tflite
[ -f "$MODEL" ] || { echo "tune-kws: $MODEL is absent; skipped"; exit 0; }
mkdir -p "$OUT"
status=0
for pair in cortex-m4:mps2-an386 cortex-m7:mps2-an500; do
  core=${pair%%:*}; board=${pair#*:}
  log=$OUT/kws-$core.jsonl
  rm -f "$log"
  start=$(date +%s)
  "$EMBER" tune "$MODEL" --target "$core" --template qemu --project-option board="$board" \
      --devices 2 --log "$log" --work-dir "$OUT/work-$core" > "$OUT/tune-$core.txt" 2> "$OUT/tune-$core.err"
  end=$(date +%s)
  echo "tune-kws: $core on $board: $((end - start)) s (limit 900 s)"
  [ $((end - start)) -lt 900 ] || status=1
  cat "$OUT/tune-$core.txt"
  for kind in default tuned; do
    dir=$OUT/$core-$kind
    rm -rf "$dir"; mkdir -p "$dir"
    extra=""
    [ "$kind" = tuned ] && extra="--tuning-log $log"
    # shellcheck disable=SC2086
    "$EMBER" compile "$MODEL" --target "$core" --io-in-arena --profile --module-name kws $extra -o "$dir/mlf" > "$dir/compile.log"
    EMBER_HARNESS_RUNS=1 sh "$PORT/build.sh" "$dir/mlf" "$SHARED/testdata/kws/input_1.bin" "$board" "$dir/fw.elf" > "$dir/build.log" 2>&1
    sh "$PORT/run.sh" "$dir/fw.elf" "$board" 600 > "$dir/run.txt" 2>&1
    got=$(sed -n 's/^output [0-9]* [^ ]* [0-9]* \([0-9a-f]*\)$/\1/p' "$dir/run.txt" | tr -d '\n')
    want=$(od -An -v -tx1 "$SHARED/testdata/kws/output_1.bin" | tr -d ' \n')
    if [ "$got" != "$want" ]; then echo "tune-kws: $core $kind: output differs from output_1.bin"; status=1; fi
  done
  echo "tune-kws: $core per layer, instructions (ticks x 40; the timer counts 40 instructions a tick): default -> tuned"
  paste "$OUT/$core-default/run.txt" "$OUT/$core-tuned/run.txt" | awk -F'\t' '
    $1 ~ /^(run|layer) / { split($1, d, " "); split($2, t, " ");
      name = d[1] == "run" ? "whole model" : "layer " d[2] " " d[7];
      # One tick (40 instructions) is the timer resolution: a layer may move by it with unchanged code.
      mark = t[4] > d[4] + 1 ? "  SLOWER" : (t[4] > d[4] ? "  (+1 tick: timer resolution)" : "");
      printf "  %-28s %10d -> %10d  %+6.2f%%%s\n", name, d[6], t[6], d[6] ? 100 * (t[6] - d[6]) / d[6] : 0, mark }' | tee "$OUT/tune-$core.layers"
  d=$(sed -n 's/^run 1 ticks [0-9]* instructions \([0-9]*\)$/\1/p' "$OUT/$core-default/run.txt")
  t=$(sed -n 's/^run 1 ticks [0-9]* instructions \([0-9]*\)$/\1/p' "$OUT/$core-tuned/run.txt")
  [ "$t" -le "$d" ] || { echo "tune-kws: $core: the tuned model is slower"; status=1; }
  if grep -q "SLOWER" "$OUT/tune-$core.layers"; then echo "tune-kws: $core: a tuned layer is slower"; status=1; fi
done
"$EMBER" tune --summary "$OUT/kws-cortex-m4.jsonl" "$OUT/kws-cortex-m7.jsonl" | tail -n 3
exit $status
