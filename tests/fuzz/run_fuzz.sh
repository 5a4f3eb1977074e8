#!/bin/sh
# Runs the libFuzzer targets of a fuzz build (cmake -DEMBER_FUZZ=ON; see
# docs/fuzzing.md). Nothing is written into the source tree: the corpus
# that a run grows, its log and crash artifacts all live in BUILD_DIR.
#
#   run_fuzz.sh runs BUILD_DIR RUNS NAME
#       the regression run of `make test` (ctest fuzz.NAME): RUNS executions
#       with -seed=1 on a fresh copy of the seeds in BUILD_DIR/fuzz-runs/NAME
#   run_fuzz.sh campaign BUILD_DIR SECONDS [NAME...]
#       `make fuzz`: each target (all when none is named), one after the
#       other, for SECONDS (or FUZZ_RUNS executions if set and reached
#       first) on its working corpus BUILD_DIR/fuzz-corpus/NAME, which
#       keeps growing from one campaign to the next (seeds are copied in
#       each time); log in BUILD_DIR/fuzz-logs/NAME.log
#
# Crash, leak, UB and timeout reproducers go to BUILD_DIR/fuzz-artifacts/NAME/.
# Prints one line of figures per target; exits 1 if any target failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-}
build=${2:-}
if [ -z "$mode" ] || [ -z "$build" ] || [ -z "${3:-}" ]; then
  echo "usage: $0 runs BUILD_DIR RUNS NAME | campaign BUILD_DIR SECONDS [NAME...]" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
amount=$3
shift 3

# Figures of one libFuzzer log: executions, exec/s, cov, ft.
figures() {
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -n 1)
  cov=$(grep -o ' cov: [0-9]*' "$1" | tail -n 1 | sed 's/ cov: //')
  ft=$(grep -o ' ft: [0-9]*' "$1" | tail -n 1 | sed 's/ ft: //')
  echo "${execs:--} executions, ${rate:--} exec/s, cov ${cov:--}, ft ${ft:--}"
}

# Copies the seeds of target $1 into folder $2.
copy_seeds() {
  mkdir -p "$2"
  while IFS= read -r seed; do
    [ -n "$seed" ] && cp "$seed" "$2/"
  done < "$build/fuzz/$1.seeds"
}

# Runs target $1 on corpus folder $2 with the libFuzzer flags that follow;
# the log goes to $log. Returns the target's exit code.
run_target() {
  name=$1
  corpus=$2
  shift 2
  artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$artifacts"
  dict=""
  [ -f "$here/targets/$name.dict" ] && dict="-dict=$here/targets/$name.dict"
  # shellcheck disable=SC2086
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/bin/${name}_fuzz" "$@" $dict -print_final_stats=1 -timeout=25 \
      -artifact_prefix="$artifacts/" "$corpus" > "$log" 2>&1
}

report() {  # name, exit code
  files=$(ls "$corpus" | wc -l | tr -d ' ')
  if [ "$2" -eq 0 ]; then
    echo "$1: $(figures "$log"), corpus $files files, no crash"
  else
    echo "$1: FAILED (exit $2): $(figures "$log"), corpus $files files; log $log; artifacts:"
    ls "$build/fuzz-artifacts/$1" | sed "s|^|  $build/fuzz-artifacts/$1/|"
    grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log" | sed 's/^/  /'
  fi
}

case "$mode" in
  runs)
    name=$1
    corpus="$build/fuzz-runs/$name"
    log="$build/fuzz-runs/$name.log"
    rm -rf "$corpus"
    copy_seeds "$name" "$corpus"
    run_target "$name" "$corpus" -runs="$amount" -seed=1
    rc=$?
    report "$name" "$rc"
    [ "$rc" -eq 0 ] || tail -n 40 "$log"
    exit "$rc"
    ;;
  campaign)
    if [ $# -eq 0 ]; then
      set -- $(cd "$build/fuzz" && ls *.seeds | sed 's/\.seeds$//')
    fi
    mkdir -p "$build/fuzz-logs"
    failed=0
    summary=""
    for name in "$@"; do
      if [ ! -f "$build/fuzz/$name.seeds" ]; then
        echo "run_fuzz.sh: no fuzz target '$name' in $build" >&2
        exit 2
      fi
      corpus="$build/fuzz-corpus/$name"
      log="$build/fuzz-logs/$name.log"
      copy_seeds "$name" "$corpus"
      echo "fuzzing $name for ${amount}s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} (log: $log)"
      run_target "$name" "$corpus" -max_total_time="$amount" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
      rc=$?
      [ "$rc" -eq 0 ] || failed=1
      summary="$summary$(report "$name" "$rc")
"
    done
    printf '\n%s' "$summary"
    exit "$failed"
    ;;
  *)
    echo "run_fuzz.sh: unknown mode '$mode' (runs or campaign)" >&2
    exit 2
    ;;
esac
