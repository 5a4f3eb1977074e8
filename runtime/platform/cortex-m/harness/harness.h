/* The contract between the standalone harness (main.c) and the model glue
 * that build.sh generates from a Model Library Format folder: the glue holds
 * the input bytes, the output buffers and the call of tvmgen_<name>_run. */
#ifndef EMBER_CM_HARNESS_H_
#define EMBER_CM_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

struct ember_harness_output {
  const char* name;     /* the member name in struct tvmgen_<name>_outputs */
  const uint8_t* data;  /* set by ember_harness_run */
  size_t size;          /* bytes */
};

/* The model's name (the <name> in tvmgen_<name>_run). */
extern const char ember_harness_model_name[];

/* Runs the model once on the compiled-in inputs; returns what
 * tvmgen_<name>_run returned (0 on success). Sets the outputs' data. */
int32_t ember_harness_run(void);

extern struct ember_harness_output ember_harness_outputs[];
extern const size_t ember_harness_num_outputs;

#endif /* EMBER_CM_HARNESS_H_ */
