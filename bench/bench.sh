#!/bin/sh
# The MLPerf Tiny benchmark of ember on emulated Cortex-M cores (make bench).
#
#   bench.sh EMBER REPORT SHARED OUT
#
# EMBER: the ember CLI; REPORT: ember-bench-report (built from bench/);
# SHARED: the folder with models/, testdata/ and peers/ (../shared); OUT:
# where everything goes (earlier results there are replaced). For every
# model and core it compiles the model (--io-in-arena), builds standalone
# firmware with
# runtime/platform/cortex-m/build.sh around input_1.bin, runs it under QEMU
# (run.sh: -icount shift=0) and compares the output with output_1.bin byte
# for byte; on every core a second build with --profile gives the per-layer
# breakdown, and on cortex-m4 every public vector is checked. Then REPORT
# writes OUT/results.json and OUT/results.md and prints the table, with the
# peer figures of each core that has a file SHARED/peers/tflm-<core>.json
# (read there, never copied). Method and fields: bench/README.md.
#
# Environment: EMBER_BENCH_MODELS (default "kws vww ic ad"),
# EMBER_BENCH_CORES (default all five), EMBER_BENCH_JOBS (parallel jobs,
# default 2). Exit status: 0 all bit-exact; 1 a failure (see the report).
set -eu

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
PORT="$BENCH_DIR/../runtime/platform/cortex-m"
SIZE=${EMBER_BENCH_SIZE:-arm-none-eabi-size}

die() { echo "bench: $*" >&2; exit 1; }

board_of() {
  case "$1" in
    cortex-m3) echo mps2-an385 ;;
    cortex-m4) echo mps2-an386 ;;
    cortex-m7) echo mps2-an500 ;;
    cortex-m33) echo mps2-an505 ;;
    cortex-m55) echo mps3-an547 ;;
    *) die "no emulated board for core '$1'" ;;
  esac
}

# One job: model $1 on core $2, kind $3 (plain or profile), in
# $OUT/<model>/<core>[-profile]/. Always returns 0; the outcome is the first
# line of the job's `status` file: ok, mismatch: ..., does-not-fit: ...,
# error: ...
job() {
  m=$1; core=$2; kind=$3
  dir="$BENCH_OUT/$m/$core"; flags="--io-in-arena"
  if [ "$kind" = profile ]; then dir="$dir-profile"; flags="$flags --profile"; fi
  mkdir -p "$dir"
  board=$(board_of "$core")
  echo "$board" > "$dir/board"
  # shellcheck disable=SC2086
  if ! "$BENCH_EMBER" compile "$BENCH_SHARED/models/$m.tflite" --target "$core" $flags --module-name "$m" \
      -o "$dir/mlf" > "$dir/compile.log" 2>&1; then
    outcome="error: ember compile failed (see $dir/compile.log)"
  elif ! EMBER_HARNESS_RUNS=1 sh "$PORT/build.sh" "$dir/mlf" "$BENCH_SHARED/testdata/$m/input_1.bin" "$board" \
      "$dir/fw.elf" > "$dir/build.log" 2>&1; then
    if grep -q "overflowed by\|will not fit in region" "$dir/build.log"; then
      outcome="does-not-fit: $(grep -m 1 'overflowed by\|will not fit' "$dir/build.log" | sed 's/.*ld: //')"
    else
      outcome="error: build.sh failed (see $dir/build.log)"
    fi
  else
    "$SIZE" -B "$dir/fw.elf" > "$dir/size.txt"
    rc=0
    sh "$PORT/run.sh" "$dir/fw.elf" "$board" 600 > "$dir/run.txt" 2> "$dir/run.err" || rc=$?
    got=$(sed -n 's/^output [0-9]* [^ ]* [0-9]* \([0-9a-f]*\)$/\1/p' "$dir/run.txt" | tr -d '\n')
    want=$(od -An -v -tx1 "$BENCH_SHARED/testdata/$m/output_1.bin" | tr -d ' \n')
    if [ $rc -ne 0 ]; then
      outcome="error: the firmware exited with status $rc (see $dir/run.txt)"
    elif [ "$got" = "$want" ]; then
      outcome=ok
    else
      outcome="mismatch: the output differs from output_1.bin (see $dir/run.txt)"
    fi
  fi
  echo "$outcome" > "$dir/status"
  echo "bench: $m on $core ($board, $kind): $outcome"
}

# Runs every public vector testdata/<model>/input_K.bin of model $1 on the
# emulated M4 and compares with output_K.bin; writes
# $OUT/<model>/vectors-cortex-m4/status (ok, or the vectors that differ).
vectors_job() {
  m=$1
  dir="$BENCH_OUT/$m/vectors-cortex-m4"
  mkdir -p "$dir"
  if ! "$BENCH_EMBER" compile "$BENCH_SHARED/models/$m.tflite" --target cortex-m4 --module-name "$m" \
      -o "$dir/mlf" > "$dir/compile.log" 2>&1; then
    echo "error: ember compile failed (see $dir/compile.log)" > "$dir/status"
    echo "bench: $m public vectors on cortex-m4: $(cat "$dir/status")"
    return 0
  fi
  n=0; bad=""
  for in in "$BENCH_SHARED/testdata/$m"/input_*.bin; do
    k=$(basename "$in" .bin); k=${k#input_}
    want_file="$BENCH_SHARED/testdata/$m/output_$k.bin"
    [ -f "$want_file" ] || continue
    n=$((n + 1))
    if ! EMBER_HARNESS_RUNS=1 sh "$PORT/build.sh" "$dir/mlf" "$in" mps2-an386 "$dir/fw_$k.elf" \
        > "$dir/build_$k.log" 2>&1; then
      bad="$bad $k(build)"; continue
    fi
    sh "$PORT/run.sh" "$dir/fw_$k.elf" mps2-an386 600 > "$dir/run_$k.txt" 2>&1 || { bad="$bad $k(run)"; continue; }
    got=$(sed -n 's/^output [0-9]* [^ ]* [0-9]* \([0-9a-f]*\)$/\1/p' "$dir/run_$k.txt" | tr -d '\n')
    want=$(od -An -v -tx1 "$want_file" | tr -d ' \n')
    [ "$got" = "$want" ] || bad="$bad $k"
  done
  if [ -z "$bad" ] && [ $n -gt 0 ]; then
    echo "ok: $n vectors bit-exact" > "$dir/status"
  else
    echo "mismatch: vectors$bad of $n differ (see $dir)" > "$dir/status"
  fi
  echo "bench: $m public vectors on cortex-m4 (mps2-an386): $(cat "$dir/status")"
}

if [ "${1:-}" = "--job" ]; then
  shift
  if [ "$3" = vectors ]; then vectors_job "$1"; else job "$@"; fi
  exit 0
fi

[ $# -eq 4 ] || { echo "usage: bench.sh EMBER REPORT SHARED OUT" >&2; exit 2; }
EMBER=$1; REPORT=$2; SHARED=$3; OUT=$4
MODELS=${EMBER_BENCH_MODELS:-"kws vww ic ad"}
CORES=${EMBER_BENCH_CORES:-"cortex-m4 cortex-m3 cortex-m7 cortex-m33 cortex-m55"}
JOBS=${EMBER_BENCH_JOBS:-2}

for f in models testdata peers/tflm-cortex-m4.json; do
  [ -e "$SHARED/$f" ] || die "$SHARED/$f is missing: the benchmark needs the reference models, vectors and peer figures (a checkout of 'shared' beside the project, or SHARED=/path/to/shared)"
done
for m in $MODELS; do
  for f in models/$m.tflite testdata/$m/input_1.bin testdata/$m/output_1.bin; do
    [ -f "$SHARED/$f" ] || die "$SHARED/$f is missing"
  done
done
[ -x "$EMBER" ] || die "no ember CLI at $EMBER (make build)"
[ -x "$REPORT" ] || die "no ember-bench-report at $REPORT (make build)"
for tool in arm-none-eabi-gcc "$SIZE" qemu-system-arm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/setup.sh installs it)"
done
case "$CORES" in *cortex-m4*) ;; *) die "EMBER_BENCH_CORES must include cortex-m4 (the peer comparison)" ;; esac

SHARED=$(cd "$SHARED" && pwd)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
# Remove only what an earlier run wrote.
for m in $MODELS; do rm -rf "${OUT:?}/$m"; done
rm -f "$OUT/environment.txt" "$OUT/results.json" "$OUT/results.md"
{
  echo "ember: $("$EMBER" --version 2>/dev/null | head -n 1)"
  echo "qemu: $(qemu-system-arm --version | head -n 1)"
  echo "compiler: $(arm-none-eabi-gcc --version | head -n 1)"
  echo "flags: -O2 -mthumb -ffunction-sections -fdata-sections, --gc-sections, newlib-nano (runtime/platform/cortex-m/build.sh)"
  echo "run: qemu-system-arm -M <board> -icount shift=0 -semihosting (runtime/platform/cortex-m/run.sh)"
  echo "models: $SHARED/models ($MODELS), vectors: input_1.bin/output_1.bin (all input_K.bin on cortex-m4)"
  peers=""; none=""
  for core in $CORES; do
    if [ -f "$SHARED/peers/tflm-$core.json" ]; then peers="$peers tflm-$core.json"; else none="$none $core"; fi
  done
  echo "peers: $SHARED/peers:$peers${none:+ (no peer file for$none)}"
} > "$OUT/environment.txt"

for m in $MODELS; do
  mkdir -p "$OUT/$m"
  "$EMBER" analyze "$SHARED/models/$m.tflite" --format json > "$OUT/$m/analyze.json" ||
    die "ember analyze failed on $SHARED/models/$m.tflite"
done

export BENCH_EMBER="$EMBER" BENCH_SHARED="$SHARED" BENCH_OUT="$OUT"
for m in $MODELS; do
  for core in $CORES; do
    echo "$m $core plain"
    echo "$m $core profile"
  done
  echo "$m cortex-m4 vectors"
done | xargs -P "$JOBS" -n 3 sh "$BENCH_DIR/bench.sh" --job

echo
report_rc=0
"$REPORT" "$OUT" "$SHARED/peers" "$MODELS" "$CORES" || report_rc=$?
vectors_rc=0
echo
for m in $MODELS; do
  status=$(cat "$OUT/$m/vectors-cortex-m4/status" 2>/dev/null || echo "error: no result")
  echo "public vectors, $m on cortex-m4: $status"
  case "$status" in ok:*) ;; *) vectors_rc=1 ;; esac
done
[ $report_rc -eq 0 ] || exit $report_rc
exit $vectors_rc
