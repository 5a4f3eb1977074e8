// Tuning tasks (docs/tuning.md): one per distinct configuration of a tunable
// layer in a model (op, shapes, strides, padding, activation, data types and
// the kind of quantization); identical layers share a task, so one search
// serves them all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/schedule.h"
#include "ir/graph.h"
#include "support/status.h"

namespace ember::tune {

struct Task {
  std::string key;                   // stable text, e.g. "conv2d in=i8[1,25,5,64]/t ..."
  codegen::c::ScheduleSpace space;   // of the first layer (every layer of the task has the same)
  std::vector<size_t> nodes;         // the model's nodes of this task, in order
  std::vector<std::string> layer_names;
  ir::Graph graph;                   // the first layer alone: its non-constant inputs are graph inputs
};

// The key of node `index` of `g`: what makes two layers one task.
std::string TaskKey(const ir::Graph& g, size_t index);

// The tasks of `g` for `target`: every node with a tuning space
// (codegen::c::TuningSpace), grouped by key, in order of first appearance.
std::vector<Task> ExtractTasks(const ir::Graph& g, const codegen::c::Target& target);

// Copies node `index` of `src` into `dst` with its constant operands; its
// non-constant inputs are `inputs` (tensor ids in dst, one per non-constant
// operand, in order); its outputs become new tensors (named with `suffix`),
// which are returned.
std::vector<ir::TensorId> CopyNode(const ir::Graph& src, size_t index, const std::vector<ir::TensorId>& inputs,
                                   const std::string& suffix, ir::Graph* dst);

// splitmix64 (advances *state) and a 64-bit FNV-1a hash of text: the
// tuner's deterministic draws.
uint64_t SplitMix64(uint64_t* state);
uint64_t HashText(const std::string& s);

// Deterministic pseudo-random bytes for a task's inputs (splitmix64 seeded by
// the key), the same on every platform.
std::vector<uint8_t> TaskInputBytes(const std::string& key, size_t input, size_t bytes);

}  // namespace ember::tune
