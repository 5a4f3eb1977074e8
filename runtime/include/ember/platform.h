/* Platform hooks: what a port of the ember runtime to a board provides.
 *
 * The runtime and the generated code call only these functions to reach the
 * hardware. runtime/src/platform_default.c holds weak defaults for all of
 * them (GCC and clang), so a model links and runs without a port; a port
 * overrides any of them by defining a function of the same name. None of the
 * hooks may allocate memory, and none is called from an interrupt by the
 * runtime itself. All have C linkage. */
#ifndef EMBER_PLATFORM_H_
#define EMBER_PLATFORM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EMBER_NORETURN __attribute__((noreturn))
#define EMBER_WEAK __attribute__((weak))
#else
#define EMBER_NORETURN
#define EMBER_WEAK
#endif

/* Fatal error: `code` is an ember_error_t (error_codes.h). Must not return:
 * reset the device, or stop and wait for a debugger. The default loops
 * forever. Called after the runtime has logged what it knows, if anything. */
EMBER_NORETURN void ember_platform_abort(int32_t code);

/* Writes `len` bytes of text from `msg` (not NUL-terminated; a line ends with
 * '\n') to wherever the board shows logs: a UART, semihosting, an RTT buffer.
 * May drop bytes but must not block for long. The default drops everything. */
void ember_platform_log(const char* msg, size_t len);

/* A free-running counter for timing, wrapping modulo 2^32; differences of two
 * reads are elapsed ticks as long as less than one wrap passed. The default
 * returns 0 (no timer). */
uint32_t ember_platform_ticks(void);

/* Starts a timed region and returns ember_platform_ticks() at its start.
 * A port whose counter runs from a deterministic clock (QEMU with -icount,
 * where time is the count of executed instructions) restarts the counter's
 * tick period here, so that the tick boundaries fall at the same point of
 * the timed code on every run: the region's tick count then depends on its
 * code only, not on how long the device waited before it. The counter keeps
 * counting from where it was (differences stay valid). The default returns
 * ember_platform_ticks(). */
uint32_t ember_platform_ticks_begin(void);

/* The rate of ember_platform_ticks in ticks per second, constant while the
 * program runs; 0 means "no timer" and callers must then not divide by it.
 * The default returns 0. */
uint32_t ember_platform_ticks_per_second(void);

/* Asks for a reset of the device (the RPC server's RESET). Returns 0 when a
 * reset will happen once the current call into the runtime has returned, so
 * that the reply of RESET can leave first: e.g. the hook sets a flag that
 * the firmware's main loop checks after ember_rpc_server_feed, or arms a
 * watchdog. A port may also reset at once and not return; the host then
 * gets no RESET reply, only the TerminateSession of the new boot. Returns
 * an ember_error_t when the device cannot reset; the default returns
 * kEmberErrorRpcUnsupported (0xA05) and does nothing. */
int32_t ember_platform_reset(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_PLATFORM_H_ */
