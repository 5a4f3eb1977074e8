#include "passes/pipeline.h"

#include "ir/verifier.h"
#include "ops/evaluate.h"

namespace ember::passes {

Status RunPipeline(ir::Graph& g, const PipelineOptions& options) {
  for (const PassInfo& pass : AllPasses()) {
    EMBER_RETURN_IF_ERROR(RunPass(pass, g, options.pass));
    Status st = ir::Verify(g);
    if (st.ok()) st = ops::CheckGraph(g);
    if (!st.ok()) {
      return MakeDiag("E1202", ExitCode::kInternal,
                      "pass '" + std::string(pass.name) + "' left an invalid graph: " + st.diag().message,
                      "this is a bug in ember: please report it with the model; `ember inspect MODEL "
                      "--after " + std::string(pass.name) + "` shows the graph");
    }
    if (options.after_pass) options.after_pass(pass.name, g);
  }
  return Status::Ok();
}

}  // namespace ember::passes
