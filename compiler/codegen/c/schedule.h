// Schedules: the choices an optimized kernel emitter makes that change only
// the generated code, never its results (docs/tuning.md).
//
// An emitter that can be tuned describes its choices for one node as a
// ScheduleSpace: a few named knobs, each with the values that are valid for
// that node, and the default point (the emitter's own heuristic). A Schedule
// picks one value per knob; a knob it does not name takes its default. Every
// point of the space emits a kernel that is bit-exact with the reference
// evaluator (tests/codegen/schedule_test.cc checks whole spaces).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ember::codegen::c {

struct KernelContext;

struct Schedule {
  std::map<std::string, int64_t> knobs;  // knob name -> value
  // The value of knob `name`, or `fallback` when the schedule does not set it.
  int64_t Get(const std::string& name, int64_t fallback) const {
    auto it = knobs.find(name);
    return it == knobs.end() ? fallback : it->second;
  }
  // "channels=2,pixels=2,unroll=1" (knobs in name order); "" when empty.
  std::string ToString() const;
  bool operator==(const Schedule&) const = default;
  bool operator<(const Schedule& o) const { return knobs < o.knobs; }
};

struct Knob {
  std::string name;
  std::vector<int64_t> values;  // valid values for this node, ascending
  std::string help;             // one line: what the knob chooses
};

struct ScheduleSpace {
  std::string kernel;     // the tunable kernel: "dsp.conv2d", "dsp.depthwise_conv2d", "dsp.fully_connected",
                          // "mve.conv2d", "mve.fully_connected"
  std::vector<Knob> knobs;
  Schedule default_point;  // the emitter's heuristic for this node
  // The point that takes the least memory (scratch in the arena, then code
  // in flash), for AotOptions::optimize_size; knobs it does not set take
  // the default.
  Schedule size_point;
  // Number of points (product of the knobs' value counts).
  int64_t Size() const;
  // Point `index` (0 <= index < Size()) in mixed-radix order over the knobs.
  Schedule Point(int64_t index) const;
  // Every knob of `s` is a knob of the space with one of its values (knobs
  // `s` does not set take the default).
  bool Contains(const Schedule& s) const;
  // `s` with every knob of the space set (missing ones from the default).
  Schedule Complete(const Schedule& s) const;
};

// The space of node ctx.node for ctx.target, when its kernel is a tunable
// variant (the same selection the emitters make); nullopt otherwise (the
// portable kernels and the Helium depthwise and add have no knobs yet).
std::optional<ScheduleSpace> TuningSpace(const KernelContext& ctx);

// The schedule node `index` is emitted with: from the context's schedule map
// (AotOptions::schedules), else empty (every knob at its default).
Schedule ScheduleOf(const KernelContext& ctx, size_t index);

}  // namespace ember::codegen::c
