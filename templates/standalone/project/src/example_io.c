/* Input, output and printing helpers of the example (example_io.h). C99,
 * no allocation; the file functions exist only with EMBER_EXAMPLE_FILE_IO. */
#include "example_io.h"

#include <string.h>

#include "ember/platform.h"

#ifndef EMBER_EXAMPLE_FILE_IO
#define EMBER_EXAMPLE_FILE_IO 0
#endif

#if EMBER_EXAMPLE_FILE_IO
#include <stdio.h>
#endif

void example_print(const char* s) { ember_platform_log(s, strlen(s)); }

/* Decimal digits of `v` into the end of `buf` (21 bytes); returns the first. */
static const char* format_u64(uint64_t v, char* buf) {
  size_t i = 20u;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0u);
  return &buf[i];
}

static void print_u64(uint64_t v) {
  char buf[21];
  example_print(format_u64(v, buf));
}

void example_print_int(const char* label, int32_t value) {
  example_print(label);
  example_print(value < 0 ? " -" : " ");
  print_u64(value < 0 ? (uint64_t)(-(int64_t)value) : (uint64_t)value);
  example_print("\n");
}

void example_print_outputs(const struct example_tensor* outputs, size_t count) {
  static const char digits[] = "0123456789abcdef";
  size_t k, i;
  for (k = 0; k < count; ++k) {
    example_print("output ");
    print_u64(k);
    example_print(" ");
    example_print(outputs[k].name);
    example_print(" (");
    print_u64(outputs[k].size);
    example_print(" bytes):");
    for (i = 0; i < outputs[k].size; ++i) {
      char hex[2];
      if (i % 32u == 0u) example_print("\n  ");
      hex[0] = digits[outputs[k].data[i] >> 4];
      hex[1] = digits[outputs[k].data[i] & 0xFu];
      ember_platform_log(hex, 2u);
    }
    example_print("\n");
  }
}

void example_print_time(uint32_t ticks) {
  const uint32_t per_second = ember_platform_ticks_per_second();
  if (per_second == 0u) {
    example_print("time: not measured (the platform has no timer)\n");
    return;
  }
  example_print("time: ");
  print_u64(ticks);
  example_print(" ticks = ");
  print_u64((uint64_t)ticks * 1000000u / per_second);
  example_print(" us\n");
}

#if EMBER_EXAMPLE_FILE_IO

/* Prints "WHAT PATH[ WHY]\n" and returns 1, the helpers' failure status. */
static int file_error(const char* what, const char* path, const char* why) {
  example_print(what);
  example_print(path);
  example_print(why);
  example_print("\n");
  return 1;
}

int example_load_inputs(const struct example_tensor* inputs, size_t count, const char* path) {
  size_t k;
  int extra;
  FILE* f;
  if (path == NULL) {
    for (k = 0; k < count; ++k) memset(inputs[k].data, 0, inputs[k].size);
    return 0;
  }
  f = fopen(path, "rb");
  if (f == NULL) return file_error("cannot open the input file ", path, "");
  for (k = 0; k < count; ++k) {
    if (fread(inputs[k].data, 1, inputs[k].size, f) != inputs[k].size) break;
  }
  extra = fgetc(f);
  fclose(f);
  if (k != count || extra != EOF)
    return file_error("the input file ", path, " must hold exactly the bytes of every input, in order");
  return 0;
}

int example_save_outputs(const struct example_tensor* outputs, size_t count, const char* path) {
  size_t k;
  int ok = 1;
  FILE* f;
  if (path == NULL) return 0;
  f = fopen(path, "wb");
  if (f == NULL) return file_error("cannot create the output file ", path, "");
  for (k = 0; k < count; ++k) ok = ok && fwrite(outputs[k].data, 1, outputs[k].size, f) == outputs[k].size;
  if (fclose(f) != 0 || !ok) return file_error("cannot write the output file ", path, "");
  return 0;
}

#else /* no files: zeros in, outputs only printed */

int example_load_inputs(const struct example_tensor* inputs, size_t count, const char* path) {
  size_t k;
  if (path != NULL) {
    example_print("this build has no files (EMBER_EXAMPLE_FILE_IO=0); the inputs stay zero\n");
  }
  for (k = 0; k < count; ++k) memset(inputs[k].data, 0, inputs[k].size);
  return 0;
}

int example_save_outputs(const struct example_tensor* outputs, size_t count, const char* path) {
  (void)outputs;
  (void)count;
  (void)path;
  return 0;
}

#endif
