/* Arm semihosting (the "bkpt 0xAB" interface of M-profile cores): console
 * output and program exit through the debugger or emulator. QEMU serves it
 * with `-semihosting-config enable=on,target=native`; on hardware without a
 * debugger attached the breakpoint faults, so use it only in emulation. */
#ifndef EMBER_CM_SEMIHOST_H_
#define EMBER_CM_SEMIHOST_H_

#include <stddef.h>
#include <stdint.h>

/* Writes `len` bytes to the host's standard output (SYS_OPEN ":tt" once,
 * then SYS_WRITE); falls back to SYS_WRITEC if the console cannot be opened. */
void ember_cm_sh_write(const char* s, size_t len);

/* Writes a NUL-terminated string (ember_cm_sh_write of its length). */
void ember_cm_sh_puts(const char* s);

/* Ends the emulation with exit status `code` (SYS_EXIT_EXTENDED with
 * ADP_Stopped_ApplicationExit; QEMU exits with `code`). Never returns. */
__attribute__((noreturn)) void ember_cm_sh_exit(int32_t code);

#endif /* EMBER_CM_SEMIHOST_H_ */
