/* The graph executor: runs a model from microTVM's graph JSON
 * (executor-config/graph/<name>.graph of an `ember compile --executor graph`
 * archive) by calling the operators of an ember_operator table
 * (tvmgen_<name>_operators) in node order.
 *
 * C99, no allocation: the caller provides one work buffer, which holds the
 * executor, the parsed graph and every storage of the graph. The JSON text
 * must stay valid and unchanged while the executor is used (node names point
 * into it). No global state: several executors may coexist.
 *
 * What is read from the graph JSON: "nodes" (op "null" or "tvm_op", name,
 * inputs [[node, index, version]...], attrs/attr func_name, num_inputs,
 * num_outputs; other keys are skipped), "arg_nodes", "heads", "node_row_ptr",
 * "attrs" dltype ["list_str", ...], storage_id ["list_int", ...], shape
 * ["list_shape", ...] (other attrs are skipped). A "tvm_op" whose func_name
 * is "__nop" copies its input to its output (nothing when both share a
 * storage). Inputs are the arg_nodes, in order; outputs are the heads.
 * There is no parameter loading: ember links weights into the kernels, so
 * its graphs have no parameter nodes (a "null" node outside arg_nodes is
 * refused).
 *
 * Errors: every function returns 0 or one of the codes below (or of
 * json_reader.h for malformed JSON); `create` also reports the byte offset
 * in the JSON where it failed. Nothing is ever read or written outside the
 * JSON text, the work buffer and the caller's data buffers. */
#ifndef EMBER_GRAPH_EXECUTOR_H_
#define EMBER_GRAPH_EXECUTOR_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"
#include "ember/json_reader.h"
#include "ember/model_io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Its error codes, kEmberErrorGraph* (0x713-0x716), are in error_codes.h. */

/* Largest number of dimensions of a tensor. */
#define EMBER_GRAPH_MAX_NDIM 8

/* Lives inside the caller's work buffer. */
struct ember_graph_executor;

/* What `create` reports besides its result. */
struct ember_graph_diag {
  size_t error_at; /* byte offset in the JSON of a JSON or graph error */
  /* On success: the bytes of the work buffer used. On
   * kEmberErrorGraphBufferTooSmall: a size that is enough (exact when the
   * buffer held the parsed graph, else an upper bound). */
  size_t needed;
};

/* Parses `json` (json_len bytes, no NUL needed), resolves every func_name in
 * `ops[0..num_ops)`, and lays out the executor and all storages in `work`
 * (any alignment; storages get 16-byte alignment inside it). Storages start
 * zeroed. On success *out points into `work`. `diag` may be NULL. */
ember_error_t ember_graph_executor_create(const char* json, size_t json_len, const struct ember_operator* ops,
                                          size_t num_ops, void* work, size_t work_size,
                                          struct ember_graph_executor** out, struct ember_graph_diag* diag);

uint32_t ember_graph_executor_num_nodes(const struct ember_graph_executor* e);
uint32_t ember_graph_executor_num_inputs(const struct ember_graph_executor* e);
uint32_t ember_graph_executor_num_outputs(const struct ember_graph_executor* e);

/* The index of the input whose node is named `name` (NUL-terminated,
 * compared with the raw JSON string), or -1. */
int32_t ember_graph_executor_input_index(const struct ember_graph_executor* e, const char* name);

/* Bytes of input or output `index` (0 when out of range). */
size_t ember_graph_executor_input_size(const struct ember_graph_executor* e, uint32_t index);
size_t ember_graph_executor_output_size(const struct ember_graph_executor* e, uint32_t index);

/* Copies `size` bytes (exactly the input's size) into input `index`. */
ember_error_t ember_graph_executor_set_input(struct ember_graph_executor* e, uint32_t index, const void* data,
                                             size_t size);

/* Runs every node in order; stops at the first operator that fails and
 * returns its result. */
ember_error_t ember_graph_executor_run(struct ember_graph_executor* e);

/* Runs node `node` only (for per-node timing); "null" nodes do nothing. */
ember_error_t ember_graph_executor_run_node(struct ember_graph_executor* e, uint32_t node);

/* Copies output `index` into `data` (`size` must be at least its size). */
ember_error_t ember_graph_executor_get_output(const struct ember_graph_executor* e, uint32_t index, void* data,
                                              size_t size);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_GRAPH_EXECUTOR_H_ */
