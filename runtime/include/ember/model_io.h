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

/* An operator of the model callable by name (the graph executor's function
 * table, generated with `ember compile --executor graph`): args holds the
 * operator's inputs then its outputs (num_inputs + num_outputs pointers to
 * their bytes). Returns 0 or an ember_error_t. The operator trusts its
 * arguments: a caller checks them against the operator's `args` first. */
typedef int32_t (*ember_operator_fn)(void* const* args, uint32_t num_args);

/* Element type codes of an operator argument: DLPack's DLDataTypeCode, as in
 * microTVM's DLDataType (bool is DLPack's kDLBool with 8 bits, as ember
 * stores it). */
#define EMBER_DTYPE_INT 0u
#define EMBER_DTYPE_UINT 1u
#define EMBER_DTYPE_FLOAT 2u
#define EMBER_DTYPE_BOOL 6u

/* One argument of an operator: the tensor it reads (an input) or writes (an
 * output). The operator touches exactly `nbytes` bytes from the argument's
 * address, read as elements of (code, bits, lanes). */
struct ember_operator_arg {
  uint32_t nbytes;
  uint8_t code;   /* EMBER_DTYPE_* */
  uint8_t bits;   /* of one lane: 8, 16, 32 or 64 */
  uint16_t lanes; /* 1 */
};

struct ember_operator {
  const char* name; /* the func_name of the node in the graph JSON */
  ember_operator_fn fn;
  uint8_t num_inputs;
  uint8_t num_outputs;
  /* num_inputs + num_outputs entries, inputs first: a static const table
   * in the generated code. When NULL (a hand-written table without one),
   * the RPC server refuses to call the operator. */
  const struct ember_operator_arg* args;
};

struct ember_model_io {
  const char* name; /* the module name: tvmgen_<name>_run */
  /* 16 lower-case hex digits: FNV-1a 64 of the model's generated C (the
   * header, then every codegen/host/src file in path order, each preceded
   * by its path and a newline), so the host can check which model a device
   * runs (docs/rpc.md). */
  const char* hash;
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
  /* Per-node timer readings of the last run (ember_platform_ticks units),
   * when the model was compiled with --profile; else NULL and 0. */
  const uint32_t* profile_ticks;
  const char* const* profile_names;
  size_t num_profile;
  /* The operator table, when compiled with --executor graph; else NULL, 0. */
  const struct ember_operator* operators;
  size_t num_operators;
};

/* The project's model, defined by the generated src/model_io.c. */
extern const struct ember_model_io ember_model;

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MODEL_IO_H_ */
