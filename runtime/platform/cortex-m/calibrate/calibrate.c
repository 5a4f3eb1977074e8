/* Clock calibration of a board's cycle source under `-icount shift=0`.
 *
 * Runs a loop of exactly 2 instructions per iteration ("subs; bne") for N
 * and for 2N iterations and times both with ember_platform_ticks(); the
 * difference of the two times covers exactly 2N instructions, free of the
 * fixed cost of the timer reads and the call. Prints the measured
 * instructions per tick (× 1000) and the factor board.h states, and exits
 * with 0 when they agree within 0.1 %, else with 1. */
#include <stdint.h>

#include "platform.h"

#define CALIBRATION_ITERATIONS 4000000u

/* Executes `subs` and `bne` `n` times each: 2n instructions (n >= 1). */
__attribute__((noinline)) static void spin(uint32_t n) {
  __asm__ volatile(
      "1:\n\t"
      "subs %0, %0, #1\n\t"
      "bne 1b\n\t"
      : "+r"(n)
      :
      : "cc");
}

static uint32_t time_spin(uint32_t n) {
  const uint32_t t0 = ember_platform_ticks();
  spin(n);
  return ember_platform_ticks() - t0;
}

int main(void) {
  const uint32_t t1 = time_spin(CALIBRATION_ITERATIONS);
  const uint32_t t2 = time_spin(2u * CALIBRATION_ITERATIONS);
  const uint64_t insns = 2u * (uint64_t)CALIBRATION_ITERATIONS;
  const uint64_t ticks = (uint64_t)(t2 - t1);
  const uint64_t expected_milli =
      1000u * (uint64_t)EMBER_CM_INSNS_PER_TICK_NUM / EMBER_CM_INSNS_PER_TICK_DEN;
  uint64_t measured_milli, diff;
  if (ticks == 0u) {
    ember_cm_print("calibrate: the cycle source does not advance\n");
    return 1;
  }
  measured_milli = (insns * 1000u + ticks / 2u) / ticks;
  diff = measured_milli > expected_milli ? measured_milli - expected_milli : expected_milli - measured_milli;
  ember_cm_print("calibrate: board " EMBER_CM_BOARD_NAME " instructions ");
  ember_cm_print_u64(insns);
  ember_cm_print(" ticks ");
  ember_cm_print_u64(ticks);
  ember_cm_print(" milli_insns_per_tick ");
  ember_cm_print_u64(measured_milli);
  ember_cm_print(" expected ");
  ember_cm_print_u64(expected_milli);
  ember_cm_print("\n");
  return diff * 1000u <= expected_milli ? 0 : 1;
}
