/* Arm semihosting calls. The operation number goes in r0, the address of
 * its parameter block in r1, then "bkpt 0xAB"; the result comes back in r0. */
#include "semihost.h"

#define SYS_OPEN 0x01u
#define SYS_WRITEC 0x03u
#define SYS_WRITE 0x05u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t sh_call(uint32_t op, const void* block) {
  register uint32_t r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = block;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* Handle of the host console, opened on first use; -1 = not yet, -2 = failed. */
static int32_t console_handle = -1;

static int32_t console(void) {
  if (console_handle == -1) {
    static const char name[] = ":tt";
    /* mode 4 = "w"; the length excludes the NUL. */
    const uint32_t block[3] = {(uint32_t)(uintptr_t)name, 4u, sizeof(name) - 1u};
    const uint32_t h = sh_call(SYS_OPEN, block);
    console_handle = (h == 0xFFFFFFFFu) ? -2 : (int32_t)h;
  }
  return console_handle;
}

void ember_cm_sh_write(const char* s, size_t len) {
  const int32_t h = console();
  if (len == 0u) return;
  if (h >= 0) {
    const uint32_t block[3] = {(uint32_t)h, (uint32_t)(uintptr_t)s, (uint32_t)len};
    (void)sh_call(SYS_WRITE, block);
    return;
  }
  while (len-- > 0u) (void)sh_call(SYS_WRITEC, s++);
}

void ember_cm_sh_puts(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  ember_cm_sh_write(s, n);
}

void ember_cm_sh_exit(int32_t code) {
  const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  (void)sh_call(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}
