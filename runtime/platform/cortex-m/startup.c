/* Startup code of the Cortex-M port: the vector table, Reset_Handler and the
 * fault handlers. C99 (plus GCC attributes and a few instructions of inline
 * assembly); no assembler file, no C library start files.
 *
 * Reset: enable the FPU (cores with one) before any code may use it, copy
 * .data from its load address in the code region, zero .bss, start the
 * cycle source, call main() and exit with its return value. A fault prints
 * the fault status and the faulting PC over semihosting and exits with 3. */
#include <stdint.h>

#include "platform.h"
#include "semihost.h"

/* Symbols of the linker scripts (linker/common.ld). */
extern uint32_t __data_start__, __data_end__, __data_load__;
extern uint32_t __bss_start__, __bss_end__;
extern uint32_t __stack_top__;

int main(void);
void Reset_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);

#define REG32(addr) (*(volatile uint32_t*)(uintptr_t)(addr))
#define SCB_CPACR 0xE000ED88u
#define SCB_CFSR 0xE000ED28u
#define SCB_HFSR 0xE000ED2Cu
#define SCB_MMFAR 0xE000ED34u
#define SCB_BFAR 0xE000ED38u

/* The table the core reads at reset: the initial stack pointer, then the
 * handlers of exceptions 1..15 (0 = reserved). External interrupts are not
 * used by the port. */
struct ember_cm_vector_table {
  uint32_t* initial_sp;
  void (*handlers[15])(void);
};

__attribute__((section(".vectors"), used)) const struct ember_cm_vector_table ember_cm_vectors = {
    &__stack_top__,
    {
        Reset_Handler,     /* 1 reset */
        Default_Handler,   /* 2 NMI */
        HardFault_Handler, /* 3 hard fault */
        HardFault_Handler, /* 4 memory management fault */
        HardFault_Handler, /* 5 bus fault */
        HardFault_Handler, /* 6 usage fault */
        HardFault_Handler, /* 7 secure fault (Armv8-M) */
        0, 0, 0,           /* 8-10 reserved */
        Default_Handler,   /* 11 SVCall */
        Default_Handler,   /* 12 debug monitor */
        0,                 /* 13 reserved */
        Default_Handler,   /* 14 PendSV */
        Default_Handler,   /* 15 SysTick */
    },
};

/* Full access to coprocessors 10 and 11 (FPU, and MVE on the M55). */
static void enable_fpu(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  REG32(SCB_CPACR) = REG32(SCB_CPACR) | (0xFu << 20);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
}

/* Kept out of line so that no FPU/MVE instruction the compiler might use
 * for the loops can run before enable_fpu(). */
__attribute__((noinline)) static void init_memory(void) {
  const uint32_t* src = &__data_load__;
  uint32_t* dst = &__data_start__;
  while (dst < &__data_end__) *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__; ++dst) *dst = 0u;
}

void Reset_Handler(void) {
  enable_fpu();
  init_memory();
  ember_cm_timer_init();
  ember_cm_exit(main());
}

void Default_Handler(void) {
  ember_cm_print("ember: unexpected exception\n");
  ember_cm_exit(3);
}

static void print_word(const char* label, uint32_t v) {
  const uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  ember_cm_print(label);
  ember_cm_print_hex(b, sizeof(b));
}

/* `frame` is the exception stack frame: r0-r3, r12, lr, pc, xpsr. */
__attribute__((used)) void ember_cm_fault_report(const uint32_t* frame) {
  ember_cm_print("ember: hard fault:");
  print_word(" pc=0x", frame[6]);
  print_word(" lr=0x", frame[5]);
  print_word(" cfsr=0x", REG32(SCB_CFSR));
  print_word(" hfsr=0x", REG32(SCB_HFSR));
  print_word(" mmfar=0x", REG32(SCB_MMFAR));
  print_word(" bfar=0x", REG32(SCB_BFAR));
  ember_cm_print("\n");
  ember_cm_exit(3);
}

/* Picks the stack the frame was pushed on (EXC_RETURN bit 2) and passes it. */
__attribute__((naked)) void HardFault_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n\t"
      "ite eq\n\t"
      "mrseq r0, msp\n\t"
      "mrsne r0, psp\n\t"
      "b ember_cm_fault_report\n\t");
}
