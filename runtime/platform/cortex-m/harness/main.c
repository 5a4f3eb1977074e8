/* Standalone inference harness: runs the compiled-in model on the
 * compiled-in inputs EMBER_HARNESS_RUNS times (default 1) and prints, over
 * semihosting, one line per run and per output:
 *
 *   ember-harness: board mps2-an386 model kws
 *   run 1 ticks 123 instructions 4920
 *   stack 240
 *   layer 0 ticks 7 instructions 280 conv2d node_name   (--profile builds)
 *   output 0 Identity 12 00ff...
 *   ember-harness: ok
 *
 * "instructions" is the tick difference around tvmgen_<name>_run alone (the
 * inputs are in place before the first read, as TFLite Micro's Invoke() is
 * timed) times the board's instructions per tick (board.h), exact to one
 * tick under
 * `-icount shift=0`. "stack" is the most stack the first run used, in bytes
 * below the caller's stack pointer: the stack is filled with a pattern before
 * the run, and the lowest word that lost it marks the deepest frame (as
 * `ember analyze --target` bounds it from the code).
 * Exit status: 0 ok, 2 when the model returns an error. */
#include "harness.h"
#include "platform.h"

#ifndef EMBER_HARNESS_RUNS
#define EMBER_HARNESS_RUNS 1
#endif

/* The lowest address of the stack (linker/common.ld). */
extern uint32_t __stack_limit__;

#define EMBER_STACK_PATTERN 0xC5A5C35Au
#define EMBER_READ_SP(sp) __asm__ volatile("mov %0, sp" : "=r"(sp))

/* Fills the free stack below `sp` with the pattern. Inlined into main,
 * whose stack pointer is `sp`: no frame of its own to overwrite. */
static inline __attribute__((always_inline)) void paint_stack_below(uintptr_t sp) {
  uint32_t* p = &__stack_limit__;
  while ((uintptr_t)p < sp) *p++ = EMBER_STACK_PATTERN;
}

/* Bytes below `sp` that something wrote since paint_stack. */
static uint32_t stack_used_below(uintptr_t sp) {
  const uint32_t* p = &__stack_limit__;
  while ((uintptr_t)p < sp && *p == EMBER_STACK_PATTERN) ++p;
  return (uint32_t)(sp - (uintptr_t)p);
}

static void print_run(int run, uint32_t ticks) {
  ember_cm_print("run ");
  ember_cm_print_u64((uint64_t)run);
  ember_cm_print(" ticks ");
  ember_cm_print_u64(ticks);
  ember_cm_print(" instructions ");
  ember_cm_print_u64(ember_cm_ticks_to_instructions(ticks));
  ember_cm_print("\n");
}

int main(void) {
  size_t i;
  int run;
  uintptr_t sp;
  uint32_t stack = 0;
  ember_cm_print("ember-harness: board " EMBER_CM_BOARD_NAME " model ");
  ember_cm_print(ember_harness_model_name);
  ember_cm_print("\n");
  for (run = 1; run <= EMBER_HARNESS_RUNS; ++run) {
    uint32_t t0, ticks;
    int32_t rc;
    /* Inputs inside the arena are overwritten by a run: place them anew. */
    ember_harness_prepare();
    EMBER_READ_SP(sp);
    if (run == 1) paint_stack_below(sp);
    t0 = ember_platform_ticks();
    rc = ember_harness_run();
    ticks = ember_platform_ticks() - t0;
    if (run == 1) stack = stack_used_below(sp);
    if (rc != 0) {
      ember_cm_print("ember-harness: the model returned an error\n");
      return 2;
    }
    print_run(run, ticks);
  }
  ember_cm_print("stack ");
  ember_cm_print_u64(stack);
  ember_cm_print("\n");
  ember_harness_print_profile();
  for (i = 0; i < ember_harness_num_outputs; ++i) {
    const struct ember_harness_output* o = &ember_harness_outputs[i];
    ember_cm_print("output ");
    ember_cm_print_u64(i);
    ember_cm_print(" ");
    ember_cm_print(o->name);
    ember_cm_print(" ");
    ember_cm_print_u64(o->size);
    ember_cm_print(" ");
    ember_cm_print_hex(o->data, o->size);
    ember_cm_print("\n");
  }
  ember_cm_print("ember-harness: ok\n");
  return 0;
}
