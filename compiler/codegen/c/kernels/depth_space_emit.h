// The copy shared by the depth_to_space and space_to_depth emitters.
#pragma once

#include <string>

#include "codegen/c/emitter.h"

namespace ember::codegen::c {

// Copies between the shallow tensor [N, H*b, W*b, C] (depth_to_space's
// output, space_to_depth's input) and the deep one `deep` = [N, H, W, b*b*C]
// in `crd` or DCR channel order; `to_shallow` says which of them is out0.
std::string EmitDepthSpaceCopy(const KernelContext& ctx, const ir::Shape& deep, bool crd, bool to_shallow);

}  // namespace ember::codegen::c
