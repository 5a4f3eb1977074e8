/* The example firmware of examples/cmake: runs the model that
 * ember_add_model(... MODEL_TABLE) linked in on the input bytes built into the
 * program (input.c, from EXAMPLE_INPUT) and prints every output as hex:
 *
 *   model kws
 *   output 0 Identity 12 8080808080808080807f8080
 *
 * The same file builds for the host (stdout) and for the Cortex-M port of the
 * ember runtime (semihosting console). It returns 0 on success. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember/model_io.h"

#ifdef EXAMPLE_CORTEX_M
#include "platform.h"
static void print(const char* s) { ember_cm_print(s); }
#else
#include <stdio.h>
static void print(const char* s) { fputs(s, stdout); }
#endif

extern const uint8_t example_input[];
extern const size_t example_input_size;

static void print_u64(uint64_t v) {
  char buf[21];
  size_t i = sizeof buf - 1;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  print(buf + i);
}

static void print_hex(const uint8_t* bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char pair[3];
  size_t i;
  pair[2] = '\0';
  for (i = 0; i < n; ++i) {
    pair[0] = digits[bytes[i] >> 4];
    pair[1] = digits[bytes[i] & 15u];
    print(pair);
  }
}

int main(void) {
  const struct ember_model_io* m = &ember_model;
  size_t i, total = 0, offset = 0;
  int32_t err;
  m->prepare();
  for (i = 0; i < m->num_inputs; ++i) total += m->inputs[i].size;
  if (total != example_input_size) {
    print("error: the input has ");
    print_u64(example_input_size);
    print(" bytes, the model's inputs take ");
    print_u64(total);
    print("\n");
    return 1;
  }
  for (i = 0; i < m->num_inputs; ++i) {
    memcpy(m->inputs[i].data, example_input + offset, m->inputs[i].size);
    offset += m->inputs[i].size;
  }
  err = m->run();
  if (err != 0) {
    print("error: the model failed with ");
    print_u64((uint64_t)(uint32_t)err);
    print("\n");
    return 2;
  }
  print("model ");
  print(m->name);
  print("\n");
  for (i = 0; i < m->num_outputs; ++i) {
    print("output ");
    print_u64(i);
    print(" ");
    print(m->outputs[i].name);
    print(" ");
    print_u64(m->outputs[i].size);
    print(" ");
    print_hex(m->outputs[i].data, m->outputs[i].size);
    print("\n");
  }
  return 0;
}
