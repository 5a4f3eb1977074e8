/* What the example program (main.c) needs besides the model: filling the
 * inputs, printing the outputs and the time, and, when the C library has
 * files (EMBER_EXAMPLE_FILE_IO=1, the host build), reading the inputs from
 * and writing the outputs to files. All text goes through the platform's log
 * hook (ember_platform_log), so the same code prints on a host, over
 * semihosting in QEMU, or wherever your board's port sends its log. */
#ifndef EMBER_EXAMPLE_IO_H_
#define EMBER_EXAMPLE_IO_H_

#include <stddef.h>
#include <stdint.h>

/* One input or output of the model: its name, where its bytes are, how many. */
struct example_tensor {
  const char* name;
  uint8_t* data;
  size_t size;
};

/* Writes a NUL-terminated string to the log. */
void example_print(const char* s);

/* Fills the inputs: with the bytes of the file at `path` (every input's
 * bytes, in order; the size must match exactly), or with zeros when `path`
 * is NULL. Returns 0, or prints why and returns 1. */
int example_load_inputs(const struct example_tensor* inputs, size_t count, const char* path);

/* Writes every output's bytes, in order, to the file at `path` (nothing when
 * `path` is NULL). Returns 0, or prints why and returns 1. */
int example_save_outputs(const struct example_tensor* outputs, size_t count, const char* path);

/* Prints each output as "output K NAME (N bytes):" and its bytes in hex, 32
 * per line, each line indented by two spaces. */
void example_print_outputs(const struct example_tensor* outputs, size_t count);

/* Prints the duration of `ticks` of ember_platform_ticks(), in ticks and in
 * microseconds, or that the platform has no timer. */
void example_print_time(uint32_t ticks);

/* Prints "LABEL VALUE\n" with VALUE in decimal (negative values included). */
void example_print_int(const char* label, int32_t value);

#endif /* EMBER_EXAMPLE_IO_H_ */
