/* Board descriptions of the QEMU Cortex-M machines ember runs on.
 *
 * Exactly one EMBER_CM_BOARD_<NAME> macro is defined by the build
 * (build.sh passes -DEMBER_CM_BOARD_MPS2_AN386 and so on). Each board
 * states where its UART 0 and its cycle source live and at which rate the
 * cycle source counts. The linker scripts in linker/ hold the memory maps.
 *
 * Cycle source and instruction counts. Under `qemu-system-arm -icount
 * shift=0` the guest clock advances exactly 1 ns per executed instruction,
 * so a counter running at F Hz advances once every 1e9 / F instructions.
 * EMBER_CM_INSNS_PER_TICK_NUM / _DEN is that factor, as measured with the
 * calibration firmware (calibrate/calibrate.c: a loop of known instruction
 * count timed with the counter; tests/e2e/qemu_board_test.cc re-checks it):
 *
 *   board        core        cycle source                         rate    insns/tick
 *   mps2-an385   Cortex-M3   CMSDK APB timer 0 @ 0x40000000       25 MHz  40
 *   mps2-an386   Cortex-M4F  CMSDK APB timer 0 @ 0x40000000       25 MHz  40
 *   mps2-an500   Cortex-M7   CMSDK APB timer 0 @ 0x40000000       25 MHz  40
 *   mps2-an505   Cortex-M33  CMSDK APB timer 0 @ 0x50000000 (S)   20 MHz  50
 *   mps3-an547   Cortex-M55  SSE-300 system counter @ 0x58100000  32 MHz  125/4
 *
 * The Armv8-M boards start in the Secure state, so their peripherals are
 * reached through the Secure aliases (address | 0x10000000). */
#ifndef EMBER_CM_BOARD_H_
#define EMBER_CM_BOARD_H_

/* Kinds of cycle source. */
#define EMBER_CM_TIMER_CMSDK 1       /* CMSDK APB timer: 32-bit down counter */
#define EMBER_CM_TIMER_SSE_COUNTER 2 /* SSE-300 system counter: 64-bit up counter */

#if defined(EMBER_CM_BOARD_MPS2_AN385)
#define EMBER_CM_BOARD_NAME "mps2-an385"
#define EMBER_CM_UART0_BASE 0x40004000u
#define EMBER_CM_TIMER_KIND EMBER_CM_TIMER_CMSDK
#define EMBER_CM_TIMER_BASE 0x40000000u
#define EMBER_CM_TIMER_HZ 25000000u
#define EMBER_CM_INSNS_PER_TICK_NUM 40u
#define EMBER_CM_INSNS_PER_TICK_DEN 1u
#elif defined(EMBER_CM_BOARD_MPS2_AN386)
#define EMBER_CM_BOARD_NAME "mps2-an386"
#define EMBER_CM_UART0_BASE 0x40004000u
#define EMBER_CM_TIMER_KIND EMBER_CM_TIMER_CMSDK
#define EMBER_CM_TIMER_BASE 0x40000000u
#define EMBER_CM_TIMER_HZ 25000000u
#define EMBER_CM_INSNS_PER_TICK_NUM 40u
#define EMBER_CM_INSNS_PER_TICK_DEN 1u
#elif defined(EMBER_CM_BOARD_MPS2_AN500)
#define EMBER_CM_BOARD_NAME "mps2-an500"
#define EMBER_CM_UART0_BASE 0x40004000u
#define EMBER_CM_TIMER_KIND EMBER_CM_TIMER_CMSDK
#define EMBER_CM_TIMER_BASE 0x40000000u
#define EMBER_CM_TIMER_HZ 25000000u
#define EMBER_CM_INSNS_PER_TICK_NUM 40u
#define EMBER_CM_INSNS_PER_TICK_DEN 1u
#elif defined(EMBER_CM_BOARD_MPS2_AN505)
#define EMBER_CM_BOARD_NAME "mps2-an505"
#define EMBER_CM_UART0_BASE 0x50200000u
#define EMBER_CM_TIMER_KIND EMBER_CM_TIMER_CMSDK
#define EMBER_CM_TIMER_BASE 0x50000000u
#define EMBER_CM_TIMER_HZ 20000000u
#define EMBER_CM_INSNS_PER_TICK_NUM 50u
#define EMBER_CM_INSNS_PER_TICK_DEN 1u
#elif defined(EMBER_CM_BOARD_MPS3_AN547)
#define EMBER_CM_BOARD_NAME "mps3-an547"
#define EMBER_CM_UART0_BASE 0x59303000u
#define EMBER_CM_TIMER_KIND EMBER_CM_TIMER_SSE_COUNTER
#define EMBER_CM_TIMER_BASE 0x58100000u
#define EMBER_CM_TIMER_HZ 32000000u
#define EMBER_CM_INSNS_PER_TICK_NUM 125u
#define EMBER_CM_INSNS_PER_TICK_DEN 4u
#else
#error "define one EMBER_CM_BOARD_<NAME> (see runtime/platform/cortex-m/board.h)"
#endif

/* The UART input clock: the board's peripheral clock, which is also the
 * rate of the CMSDK timers (the SSE-300 counter runs from the same clock). */
#define EMBER_CM_UART_CLOCK_HZ EMBER_CM_TIMER_HZ

#endif /* EMBER_CM_BOARD_H_ */
