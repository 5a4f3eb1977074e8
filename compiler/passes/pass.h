// Graph -> Graph rewrites between the frontends and memory planning
// (docs/passes.md). Every pass lives in its own file, edits the graph in place
// and returns a Status; the registry (registry.cc) lists them by name in
// pipeline order, and the pipeline (pipeline.h) runs them and verifies the
// graph after each one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::passes {

struct PassOptions {
  // layout: keep the source model's layout on graph inputs and outputs (an
  // ONNX model's NCHW input then stays NCHW and the first node is a transpose).
  // By default a rank-4 graph input that only feeds a transpose to NHWC becomes
  // an NHWC input (Tensor::source_layout records "NCHW"), likewise outputs.
  bool keep_io_layout = false;
  // fold-constants: largest constant (bytes) the pass creates when it is
  // larger than the constants it replaces.
  int64_t fold_max_bytes = 4096;
  // fold-qdq: int8 arithmetic of the operators folded from the QDQ pattern,
  // "tflite" or "onnxruntime"; empty keeps what the frontend recorded on the
  // quantize nodes (ONNX models: onnxruntime, unless written by ember quantize).
  std::string int8_semantics;
  // drop-constant-channels: off keeps every tensor's channels (a comparison
  // of intermediate tensors against the model's own shapes needs them).
  bool drop_constant_channels = true;
};

// A pass rewrites `g` in place. It may erase nodes, append new nodes anywhere
// in g.nodes and add tensors: RunPass restores the execution order and drops
// the tensors the pass left unused. On failure the graph is unspecified.
using PassFn = Status (*)(ir::Graph& g, const PassOptions& options);

struct PassInfo {
  const char* name;     // "fold-constants"; the names of --after / --dump-ir-after
  const char* summary;  // one line for --help and docs/passes.md
  PassFn run;
};

// Every pass, in the order the pipeline runs them.
const std::vector<PassInfo>& AllPasses();
// The pass of that name, or null.
const PassInfo* FindPass(std::string_view name);
// "fold-constants, fold-space-to-batch, ..." for messages and help texts.
std::string PassNames();

// Runs one pass and, when it changed the graph, tidies it: nodes back in a
// topological order (stable: nodes already in order keep it), tensors that
// the pass stopped referencing (or created and never used) removed (tensors
// that nothing referenced before the pass stay), tensor ids renumbered in
// reading order (RenumberTensors). A graph the pass leaves as it was is not
// touched at all. Does not verify.
Status RunPass(const PassInfo& pass, ir::Graph& g, const PassOptions& options);

// The passes (one file each, see registry.cc).
Status FoldConstants(ir::Graph& g, const PassOptions& options);
Status FoldSpaceToBatch(ir::Graph& g, const PassOptions& options);
Status Layout(ir::Graph& g, const PassOptions& options);
Status FoldBatchNorm(ir::Graph& g, const PassOptions& options);
Status FuseActivation(ir::Graph& g, const PassOptions& options);
Status FuseClamp(ir::Graph& g, const PassOptions& options);
Status DropConstantChannels(ir::Graph& g, const PassOptions& options);
Status FoldQdq(ir::Graph& g, const PassOptions& options);
Status MaterializeOutputs(ir::Graph& g, const PassOptions& options);

}  // namespace ember::passes
