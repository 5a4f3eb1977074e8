/* The model as firmware sees it: one table describing a compiled model's
 * inputs and outputs and how to run it, so that device programs (the
 * templates' firmware, the RPC server) work for any model without knowing
 * its name. `ember micro create-project` generates the table for the
 * project's model (src/model_io.c, defining `ember_model`) from its Model
 * Library Format archive. */
#ifndef EMBER_MODEL_IO_H_
#define EMBER_MODEL_IO_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One input or output: its bytes, in the layout of the generated header. */
struct ember_io_tensor {
  const char* name; /* the tensor's name in the model */
  uint8_t* data;    /* valid after prepare() */
  size_t size;      /* bytes */
};

struct ember_model_io {
  const char* name; /* the module name: tvmgen_<name>_run */
  struct ember_io_tensor* inputs;
  size_t num_inputs;
  struct ember_io_tensor* outputs;
  size_t num_outputs;
  /* Points every tensor's data at its buffer. A model compiled with
   * --io-in-arena keeps its inputs inside the arena, which a run
   * overwrites: call prepare() before writing the inputs of every run. */
  void (*prepare)(void);
  /* Runs the model once on the current inputs: tvmgen_<name>_run.
   * Returns its result (0 on success). */
  int32_t (*run)(void);
};

/* The project's model, defined by the generated src/model_io.c. */
extern const struct ember_model_io ember_model;

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MODEL_IO_H_ */
