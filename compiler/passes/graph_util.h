// Small graph-editing helpers shared by the passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::passes {

// A read of a tensor: operand `operand` of node `node` (indices into g.nodes).
struct Use {
  size_t node;
  size_t operand;
};

// Evaluates node `n` (operands all constant) with its reference evaluator and
// stores its results as constants (the node itself stays; the caller removes it).
Status FoldNode(ir::Graph& g, const ir::Node& n);

// Per tensor id: the node operands that read it (graph outputs not included).
std::vector<std::vector<Use>> ComputeUses(const ir::Graph& g);
// Per tensor id: the index of the node that produces it, or -1.
std::vector<int> ComputeProducers(const ir::Graph& g);

bool IsGraphInput(const ir::Graph& g, ir::TensorId t);
bool IsGraphOutput(const ir::Graph& g, ir::TensorId t);

// `base` if no tensor has that name, else base_2, base_3, ...
std::string UniqueName(const ir::Graph& g, const std::string& base);

// Operand `operand` of node `node`, a constant the caller is about to
// change: the tensor itself when no other node operand or graph output
// reads it, else a copy named UniqueName(its name + `suffix`) that the node
// reads instead.
ir::TensorId WritableConstant(ir::Graph& g, size_t node, size_t operand, const std::string& suffix);

// Replaces every read of `from` (node operands and graph outputs) by `to`.
void ReplaceUses(ir::Graph& g, ir::TensorId from, ir::TensorId to);

// Reads/writes a float32 constant's data.
std::vector<float> GetFloats(const ir::Tensor& t);
void SetFloats(ir::Tensor& t, const std::vector<float>& v);

// The attribute `act` of a node ("none" when absent).
std::string ActOf(const ir::Node& n);
// Moves `from`'s fused activation (act, and a clip's act_min / act_max) onto
// `to`, when it has one.
void CopyAct(const ir::Node& from, ir::Node& to);

// Operators with a fused activation attribute `act` (docs/operators.md).
bool HasFusedActAttr(ir::OpKind op);
// The fused act equivalent to activation node `n` (relu, relu6, clip), if any:
// a clip with relu's, relu6's or relu_n1_to_1's bounds is that act, one
// without bounds none, any other act "clip" (an absent bound is the float
// range's end); a clip whose bounds are no interval (NaN, min > max) none.
std::optional<ops::Activation> ActivationOf(const ir::Node& n);
// Fuses activations into their producers until none is left: each node for
// which `act_of` gives an act, reading x and writing y, becomes that act of
// x's producer, which takes over y (name, type, quantization); the node goes.
// Only when the producer has the `act` attribute with "none", one output, x
// has no other reader and is no graph output, x and y have one type and
// shape, and, for int8, one per-tensor quantization (so the fused clamp,
// computed on the output's quantization, is the separate one's).
void FuseActivations(ir::Graph& g,
                     const std::function<std::optional<ops::Activation>(const ir::Graph&, const ir::Node&)>& act_of);

// Permutations: out.shape[i] = in.shape[perm[i]] (the transpose operator).
bool IsPermutation(const std::vector<int64_t>& perm, size_t rank);
bool IsIdentityPerm(const std::vector<int64_t>& perm);
std::vector<int64_t> InversePerm(const std::vector<int64_t>& perm);
// transpose(transpose(x, first), second) == transpose(x, ComposePerms(first, second)).
std::vector<int64_t> ComposePerms(const std::vector<int64_t>& first, const std::vector<int64_t>& second);
ir::Shape PermuteShape(const ir::Shape& shape, const std::vector<int64_t>& perm);
// The constant `t` transposed by `perm` (data, shape and per-axis quantization axis).
ir::Tensor TransposeConstant(const ir::Tensor& t, const std::vector<int64_t>& perm);

// Restores a topological node order, stably: among the nodes whose operands
// are ready, the one earliest in g.nodes runs first, so a graph already in
// order keeps it. An assign_variable waits for every other reader of its
// variable. Nodes in a cycle (a pass bug) are kept at the end, in order,
// for the verifier to report.
void SortNodes(ir::Graph& g);
// Which tensor ids some node, graph input or graph output references.
std::vector<bool> ReferencedTensors(const ir::Graph& g);
// Removes tensors that are unreferenced now and either were referenced in
// `before` (indexed by the old ids) or are newer than it; renumbers the rest.
void PruneTensors(ir::Graph& g, const std::vector<bool>& before);

// Renumbers tensors in the order the text form reads naturally: graph inputs,
// then per node (in order) the constants it reads first and its results, then
// whatever is left, in the old order.
void RenumberTensors(ir::Graph& g);

}  // namespace ember::passes
