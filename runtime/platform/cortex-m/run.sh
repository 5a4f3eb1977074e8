#!/bin/sh
# Runs firmware built by build.sh on the emulated board and passes on its
# exit status (semihosting exit code; 124 when the time limit ran out).
#
#   run.sh OUT.elf BOARD [SECONDS]     (default limit: 120 s of host time)
#
# `-icount shift=0`: the guest executes exactly one instruction per
# nanosecond of virtual time, which makes timer readings instruction counts
# and every run identical. Semihosting output goes to standard output; UART 0
# goes to EMBER_CM_SERIAL (a QEMU chardev such as file:uart.txt; default null).
set -eu
[ $# -ge 2 ] || { echo "usage: run.sh OUT.elf BOARD [SECONDS]" >&2; exit 2; }
ELF=$1; BOARD=$2; LIMIT=${3:-120}
QEMU=${EMBER_QEMU:-qemu-system-arm}
command -v "$QEMU" >/dev/null 2>&1 || { echo "run.sh: $QEMU not found (apt-get install qemu-system-arm)" >&2; exit 127; }
exec timeout --kill-after=5 "$LIMIT" "$QEMU" -M "$BOARD" -nographic -monitor none -serial "${EMBER_CM_SERIAL:-null}" \
  -semihosting-config enable=on,target=native -icount shift=0 -kernel "$ELF"
