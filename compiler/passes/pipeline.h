// The pass pipeline every model goes through between its frontend and memory
// planning (TFLite, ONNX and IR text alike), so that every command sees the
// same graph. docs/passes.md lists the passes and their order.
#pragma once

#include <functional>
#include <string_view>

#include "ir/graph.h"
#include "passes/pass.h"
#include "support/status.h"

namespace ember::passes {

struct PipelineOptions {
  PassOptions pass;
  // Called after each pass with its name and the verified graph (for
  // `ember inspect --after` and `ember compile --dump-ir-after`).
  std::function<void(std::string_view pass, const ir::Graph& g)> after_pass;
};

// Runs every pass of AllPasses() in order on `g`, then ir::Verify and
// ops::CheckGraph. The graph must be valid on entry. A pass that leaves an
// invalid graph is an internal error (E1202, naming the pass and the problem).
Status RunPipeline(ir::Graph& g, const PipelineOptions& options = {});

}  // namespace ember::passes
