/* The Cortex-M port of the ember platform hooks (ember/platform.h) for the
 * QEMU MPS2/MPS3 boards of board.h, plus what firmware built on the port
 * (the standalone harness, the calibration program) uses directly. */
#ifndef EMBER_CM_PLATFORM_H_
#define EMBER_CM_PLATFORM_H_

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "ember/platform.h"

/* Starts the cycle source; Reset_Handler calls it before main(). */
void ember_cm_timer_init(void);

/* Converts a tick difference of ember_platform_ticks() into guest
 * instructions under `-icount shift=0` (board.h: ticks × NUM / DEN). */
uint64_t ember_cm_ticks_to_instructions(uint32_t ticks);

/* Writes text to the semihosting console (the log hook does the same). */
void ember_cm_print(const char* s);
/* Prints `v` in decimal, and `n` bytes as two lower-case hex digits each. */
void ember_cm_print_u64(uint64_t v);
void ember_cm_print_hex(const uint8_t* bytes, size_t n);

/* Ends the program (semihosting exit with `code`). */
__attribute__((noreturn)) void ember_cm_exit(int32_t code);

#endif /* EMBER_CM_PLATFORM_H_ */
