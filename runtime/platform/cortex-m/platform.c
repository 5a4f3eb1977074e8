/* The platform hooks of ember/platform.h on the QEMU MPS2/MPS3 boards:
 * log and abort through semihosting, ticks from the board's cycle source
 * (board.h). Overrides the weak defaults of the runtime. */
#include "platform.h"

#include "semihost.h"

#define REG32(addr) (*(volatile uint32_t*)(uintptr_t)(addr))

#if EMBER_CM_TIMER_KIND == EMBER_CM_TIMER_CMSDK
/* CMSDK APB timer: CTRL 0x00 (bit 0 enable), VALUE 0x04 (counts down to 0,
 * then reloads), RELOAD 0x08. Loaded with 0xFFFFFFFF it wraps modulo 2^32. */
#define TIMER_CTRL (EMBER_CM_TIMER_BASE + 0x00u)
#define TIMER_VALUE (EMBER_CM_TIMER_BASE + 0x04u)
#define TIMER_RELOAD (EMBER_CM_TIMER_BASE + 0x08u)

void ember_cm_timer_init(void) {
  REG32(TIMER_CTRL) = 0u;
  REG32(TIMER_RELOAD) = 0xFFFFFFFFu;
  REG32(TIMER_VALUE) = 0xFFFFFFFFu;
  REG32(TIMER_CTRL) = 1u;
}

/* The counter counts down: its complement counts up. */
uint32_t ember_platform_ticks(void) { return ~REG32(TIMER_VALUE); }

/* Stopping and restarting the timer keeps its value and starts a new tick
 * period at the restart: QEMU's timer (ptimer) schedules its next decrement
 * one period after the enable, counted in the virtual clock, which -icount
 * advances by executed instructions only. */
uint32_t ember_platform_ticks_begin(void) {
  REG32(TIMER_CTRL) = 0u;
  REG32(TIMER_CTRL) = 1u;
  return ember_platform_ticks();
}

#elif EMBER_CM_TIMER_KIND == EMBER_CM_TIMER_SSE_COUNTER
/* SSE-300 system counter, control frame: CNTCR 0x00 (bit 0 enable),
 * CNTCV_LO 0x08 (low word of the 64-bit count, counting up). */
#define CNT_CR (EMBER_CM_TIMER_BASE + 0x00u)
#define CNT_CV_LO (EMBER_CM_TIMER_BASE + 0x08u)

void ember_cm_timer_init(void) { REG32(CNT_CR) = REG32(CNT_CR) | 1u; }

uint32_t ember_platform_ticks(void) { return REG32(CNT_CV_LO); }

/* As above: disabling and re-enabling the counter keeps its count and
 * starts the next tick one period after the enable. */
uint32_t ember_platform_ticks_begin(void) {
  REG32(CNT_CR) = REG32(CNT_CR) & ~1u;
  REG32(CNT_CR) = REG32(CNT_CR) | 1u;
  return ember_platform_ticks();
}
#endif

uint32_t ember_platform_ticks_per_second(void) { return EMBER_CM_TIMER_HZ; }

uint64_t ember_cm_ticks_to_instructions(uint32_t ticks) {
  return (uint64_t)ticks * EMBER_CM_INSNS_PER_TICK_NUM / EMBER_CM_INSNS_PER_TICK_DEN;
}

void ember_platform_log(const char* msg, size_t len) { ember_cm_sh_write(msg, len); }

void ember_platform_abort(int32_t code) {
  ember_cm_print("ember: abort, error 0x");
  {
    const uint8_t b[4] = {(uint8_t)((uint32_t)code >> 24), (uint8_t)((uint32_t)code >> 16),
                          (uint8_t)((uint32_t)code >> 8), (uint8_t)code};
    ember_cm_print_hex(b, sizeof(b));
  }
  ember_cm_print("\n");
  ember_cm_sh_exit(code != 0 ? code : 1);
}

void ember_cm_print(const char* s) { ember_cm_sh_puts(s); }

void ember_cm_print_u64(uint64_t v) {
  char buf[21];
  size_t i = sizeof(buf) - 1u;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0u);
  ember_cm_sh_puts(&buf[i]);
}

void ember_cm_print_hex(const uint8_t* bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char buf[64];
  size_t used = 0, i;
  for (i = 0; i < n; ++i) {
    buf[used++] = digits[bytes[i] >> 4];
    buf[used++] = digits[bytes[i] & 0xFu];
    if (used == sizeof(buf)) {
      ember_cm_sh_write(buf, used);
      used = 0;
    }
  }
  ember_cm_sh_write(buf, used);
}

void ember_cm_exit(int32_t code) { ember_cm_sh_exit(code); }
