// The list of passes, in pipeline order (docs/passes.md explains the order).
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {

const std::vector<PassInfo>& AllPasses() {
  static const std::vector<PassInfo> kPasses = {
      {"fold-constants", "evaluate small nodes whose operands are all constants", FoldConstants},
      {"fold-space-to-batch",
       "space_to_batch -> unpadded stride-1 conv2d/depthwise_conv2d -> batch_to_space becomes a dilated convolution",
       FoldSpaceToBatch},
      {"layout", "cancel and sink transposes; NCHW graph inputs/outputs become NHWC", Layout},
      {"fold-batchnorm", "fold per-channel mul/add after conv/depthwise/fully_connected into weights and bias",
       FoldBatchNorm},
      {"fuse-activation", "fold relu/relu6/clip into the producer's act attribute",
       FuseActivation},
      {"fold-qdq", "dequantize -> float op -> quantize becomes the int8 op (QDQ models)", FoldQdq},
      {"fuse-clamp", "fold an int8 relu/relu6/clip, or a lookup_table that is a clamp, into the producer's act",
       FuseClamp},
      {"drop-constant-channels",
       "int8 output channels with all-zero weights leave the graph, their constant folded into the readers' biases",
       DropConstantChannels},
      {"materialize-outputs",
       "a graph output that is a constant, a graph input or another output becomes a copy a node writes",
       MaterializeOutputs},
  };
  return kPasses;
}

const PassInfo* FindPass(std::string_view name) {
  for (const PassInfo& p : AllPasses())
    if (name == p.name) return &p;
  return nullptr;
}

std::string PassNames() {
  std::string s;
  for (const PassInfo& p : AllPasses()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

Status RunPass(const PassInfo& pass, ir::Graph& g, const PassOptions& options) {
  const ir::Graph original = g;
  const std::vector<bool> before = ReferencedTensors(g);
  EMBER_RETURN_IF_ERROR(pass.run(g, options));
  if (g == original) return Status::Ok();
  SortNodes(g);
  PruneTensors(g, before);
  RenumberTensors(g);
  return Status::Ok();
}

}  // namespace ember::passes
