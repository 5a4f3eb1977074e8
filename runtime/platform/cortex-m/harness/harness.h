/* The contract between the standalone harness (main.c) and the model glue
 * that build.sh generates from a Model Library Format folder: the glue holds
 * the input bytes, the output buffers and the call of tvmgen_<name>_run. */
#ifndef EMBER_CM_HARNESS_H_
#define EMBER_CM_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

struct ember_harness_output {
  const char* name;     /* the member name in struct tvmgen_<name>_outputs */
  const uint8_t* data;  /* set by ember_harness_prepare */
  size_t size;          /* bytes */
};

/* The model's name (the <name> in tvmgen_<name>_run). */
extern const char ember_harness_model_name[];

/* Points the model's input and output structs at the compiled-in inputs
 * and the output buffers (copies the inputs into the arena when the model
 * keeps them there) and sets the outputs' data. Called before every run, untimed. */
void ember_harness_prepare(void);

/* Runs the model once: exactly one call of tvmgen_<name>_run, which is all
 * the harness times. Returns what it returned (0 on success). */
int32_t ember_harness_run(void);

/* Prints the timer reading of every node of the last run when the model was
 * compiled with --profile, one line per node:
 *   layer <i> ticks <t> instructions <n> <op> <node name>
 * and nothing otherwise. Called after the runs, untimed. */
void ember_harness_print_profile(void);

extern struct ember_harness_output ember_harness_outputs[];
extern const size_t ember_harness_num_outputs;

#endif /* EMBER_CM_HARNESS_H_ */
