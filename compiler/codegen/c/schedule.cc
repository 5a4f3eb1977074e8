// Schedules and the dispatch to the tunable emitters' spaces (schedule.h).
#include "codegen/c/schedule.h"

#include <algorithm>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/depthwise_isa.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"

namespace ember::codegen::c {

std::string Schedule::ToString() const {
  std::string s;
  for (const auto& [k, v] : knobs) s += (s.empty() ? "" : ",") + k + "=" + std::to_string(v);
  return s;
}

int64_t ScheduleSpace::Size() const {
  int64_t n = 1;
  for (const Knob& k : knobs) n *= static_cast<int64_t>(k.values.size());
  return n;
}

Schedule ScheduleSpace::Point(int64_t index) const {
  Schedule s;
  for (const Knob& k : knobs) {
    const int64_t radix = static_cast<int64_t>(k.values.size());
    s.knobs[k.name] = k.values[static_cast<size_t>(index % radix)];
    index /= radix;
  }
  return s;
}

bool ScheduleSpace::Contains(const Schedule& s) const {
  for (const auto& entry : s.knobs) {
    const std::string& name = entry.first;
    auto it = std::find_if(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.name == name; });
    if (it == knobs.end() || std::find(it->values.begin(), it->values.end(), entry.second) == it->values.end())
      return false;
  }
  return true;
}

Schedule ScheduleSpace::Complete(const Schedule& s) const {
  Schedule out = default_point;
  for (const auto& [name, value] : s.knobs) out.knobs[name] = value;
  return out;
}

std::optional<ScheduleSpace> TuningSpace(const KernelContext& ctx) {
  const Target& t = ctx.target;
  switch (ctx.node.op) {
    case ir::OpKind::kConv2D:
      if (t.has_mve && mve::Conv2DApplies(ctx)) return mve::Conv2DSpace(ctx);
      if (t.has_dsp && dsp::Conv2DApplies(ctx)) return dsp::Conv2DSpace(ctx);
      return std::nullopt;
    case ir::OpKind::kFullyConnected:
      if (t.has_mve && mve::FullyConnectedApplies(ctx)) return mve::FullyConnectedSpace(ctx);
      if (t.has_dsp && dsp::FullyConnectedApplies(ctx)) return dsp::FullyConnectedSpace(ctx);
      return std::nullopt;
    case ir::OpKind::kDepthwiseConv2D:
      if (t.has_mve || !t.has_dsp) return std::nullopt;  // the Helium depthwise has no knobs yet
      return DepthwiseConv2DDspSpace(ctx);
    default:
      return std::nullopt;
  }
}

Schedule ScheduleOf(const KernelContext& ctx, size_t index) {
  if (ctx.schedules == nullptr) return {};
  auto it = ctx.schedules->find(index);
  return it == ctx.schedules->end() ? Schedule{} : it->second;
}

}  // namespace ember::codegen::c
