/* The "aot_io" device protocol: the simplest way to run a model from a host
 * over a byte stream. The device waits for the bytes of every input, in
 * order and back to back (sum of the input sizes in all), runs the model and
 * writes the bytes of every output in order; then it waits for the next
 * inputs. There is no framing: the host must send whole input sets and read
 * whole output sets. A model that fails to run writes nothing and the error
 * is returned to the caller of ember_aot_io_feed.
 *
 * Push based: the firmware's receive loop hands every byte it gets to
 * ember_aot_io_feed; outputs leave through the write callback. Nothing is
 * allocated and the UART (or pipe) stays the firmware's. */
#ifndef EMBER_AOT_IO_H_
#define EMBER_AOT_IO_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/model_io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes n bytes to the host; returns the number written (n on success). */
typedef size_t (*ember_aot_io_write_fn)(void* ctx, const uint8_t* data, size_t n);

struct ember_aot_io {
  const struct ember_model_io* model;
  ember_aot_io_write_fn write;
  void* write_ctx;
  size_t input;  /* index of the input being received */
  size_t offset; /* bytes of it received so far */
  uint32_t runs; /* completed inferences */
};

void ember_aot_io_init(struct ember_aot_io* io, const struct ember_model_io* model,
                       ember_aot_io_write_fn write, void* write_ctx);

/* Consumes all n bytes. Each time the last byte of an input set arrives the
 * model runs and its outputs are written. Returns 0, the model's error, or
 * kEmberErrorWriteStreamShortWrite when the write callback wrote less than asked.
 * On an error the rest of `data` is dropped and the next byte starts a new
 * input set. */
int32_t ember_aot_io_feed(struct ember_aot_io* io, const uint8_t* data, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_AOT_IO_H_ */
