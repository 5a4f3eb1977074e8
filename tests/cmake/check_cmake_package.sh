#!/bin/sh
# The CMake package as a test (docs/cmake.md): installs the build into a fresh
# temporary prefix (its path holds a space, as do the build folders), then
# configures and builds examples/cmake with find_package(ember) and
# ember_add_model for the host (and runs it) and for cortex-m4 (and runs it
# under QEMU mps2-an386). Every run's output bytes must equal `ember eval` of
# the same model and input. Models: the "lines" model (built by
# make_lines_model) and, when SHARED holds it, kws. Also checks the rebuild
# rules: a second build compiles nothing, a touched model re-runs ember compile.
# The cortex-m4 half is skipped (with a message) without arm-none-eabi-gcc or
# qemu-system-arm. Usage: check_cmake_package.sh SOURCE_DIR BUILD_DIR [SHARED]
set -eu
SRC=$1; BUILD=$2; SHARED=${3:-$SRC/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/ember-cmake-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
P="$T/ember prefix"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAILED: $*"; fail=1; }

cmake --install "$BUILD" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; exit 1; }
for f in bin/ember lib/cmake/ember/emberConfig.cmake lib/cmake/ember/emberConfigVersion.cmake \
         share/ember/runtime/include/ember/runtime.h share/ember/runtime/src/session.c \
         share/ember/runtime/platform/cortex-m/linker/mps2-an386.ld; do
  [ -f "$P/$f" ] || bad "cmake --install put no $f in the prefix"
done
EMBER="$P/bin/ember"

# The models: name, file, input.
mkdir -p "$T/models"
"$BUILD/bin/make_lines_model" "$T/models" > /dev/null
set -- "lines|$T/models/lines.tflite|$T/models/diagonal.bin"
if [ -f "$SHARED/models/kws.tflite" ] && [ -f "$SHARED/testdata/kws/input_1.bin" ]; then
  set -- "$@" "kws|$SHARED/models/kws.tflite|$SHARED/testdata/kws/input_1.bin"
else
  echo "note: $SHARED/models/kws.tflite or its input is absent; only the lines model is checked"
fi

cross=1
for tool in arm-none-eabi-gcc qemu-system-arm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP (cortex-m4): $tool is not installed"; cross=0; }
done

# The expected output of `app` for model $1 on input $2, module name $3, from
# `ember eval` (one output per model here: `output 0 NAME SIZE HEX`).
expected() {
  "$EMBER" eval "$1" --input "$2" --output "$T/ref.bin" > /dev/null || return 1
  out_name=$("$EMBER" eval "$1" --input "$2" | sed -n "s/^output 0 '\(.*\)' .*/\1/p")
  echo "model $3"
  printf 'output 0 %s %s %s\n' "$out_name" "$(wc -c < "$T/ref.bin" | tr -d ' ')" \
    "$(od -An -v -tx1 "$T/ref.bin" | tr -d ' \n')"
}

for m in "$@"; do
  name=${m%%|*}; rest=${m#*|}; model=${rest%%|*}; input=${rest#*|}
  for kind in host m4; do
    [ "$kind" = m4 ] && [ $cross -eq 0 ] && continue
    B="$T/build $name $kind"
    tc=""; [ "$kind" = m4 ] && tc="-DCMAKE_TOOLCHAIN_FILE=$SRC/examples/cmake/cortex-m4.cmake"
    # shellcheck disable=SC2086
    if ! cmake -S "$SRC/examples/cmake" -B "$B" -G Ninja "-DCMAKE_PREFIX_PATH=$P" $tc \
         "-DEXAMPLE_MODEL=$model" "-DEXAMPLE_INPUT=$input" -DEXAMPLE_MODULE_NAME="$name" > "$T/log" 2>&1 ||
       ! cmake --build "$B" > "$T/log" 2>&1; then
      cat "$T/log"; bad "$name $kind: configure or build"; continue
    fi
    if [ "$kind" = host ]; then
      "$B/app" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; bad "$name host: app exited with $?"; continue; }
    else
      sh "$P/share/ember/runtime/platform/cortex-m/run.sh" "$B/app.elf" mps2-an386 60 > "$T/out.txt" 2>&1 ||
        { cat "$T/out.txt"; bad "$name cortex-m4: the firmware exited with $? under QEMU"; continue; }
    fi
    expected "$model" "$input" "$name" > "$T/want.txt" || { bad "$name: ember eval"; continue; }
    if cmp -s "$T/want.txt" "$T/out.txt"; then
      ok "$name $kind: output equals ember eval ($(sed -n 's/^output 0 [^ ]* \([0-9]*\) .*/\1/p' "$T/out.txt") bytes)"
    else
      bad "$name $kind: output differs from ember eval"; echo "want:"; cat "$T/want.txt"; echo "got:"; cat "$T/out.txt"
    fi
  done
done

# Rebuild rules, on the first model's host build: nothing to do when nothing
# changed; ember compile again after the model file or the options change.
name=${1%%|*}; B="$T/build $name host"
if [ -f "$B/build.ninja" ]; then
  if cmake --build "$B" -- -n -d explain 2>&1 | grep -q "ember: compiling"; then
    bad "a second build re-runs ember compile with nothing changed"
  else
    ok "a second build does not re-run ember compile"
  fi
  model=${1#*|}; model=${model%%|*}
  touch "$model"
  if cmake --build "$B" 2>&1 | grep -q "ember: compiling"; then ok "a touched model re-runs ember compile"
  else bad "a touched model does not re-run ember compile"; fi
  cmake "$B" -DEXAMPLE_OPTIONS=--io-in-arena > /dev/null 2>&1
  if cmake --build "$B" 2>&1 | grep -q "ember: compiling" && "$B/app" > "$T/out.txt" &&
     grep -q '^output 0 ' "$T/out.txt"; then ok "changed OPTIONS re-run ember compile (--io-in-arena runs)"
  else bad "changed OPTIONS do not re-run ember compile, or the --io-in-arena build fails"; fi
  # A module name that is not a C identifier fragment stops the configure.
  if cmake "$B" -DEXAMPLE_MODULE_NAME="bad-name" > "$T/log" 2>&1; then bad "MODULE_NAME bad-name was accepted"
  elif grep -q "is not a C identifier fragment" "$T/log"; then ok "MODULE_NAME bad-name is refused at configure time"
  else cat "$T/log"; bad "MODULE_NAME bad-name: unexpected message"; fi
fi
exit $fail
