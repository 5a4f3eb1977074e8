// Internal interface between the parts of the TFLite importer:
//   import.cc      file checks, tensors, dataflow, graph inputs/outputs
//   import_ops.cc  one conversion function per operator (attributes, operands)
// Not a public header: only the importer's own files include it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/tflite/schema_generated.h"
#include "ir/graph.h"
#include "support/status.h"

namespace ember::frontend::tflite::detail {

// Diagnostic ids of the importer (documented in docs/frontend-tflite.md).
inline constexpr const char* kNotAModel = "E0101";
inline constexpr const char* kBadIdentifier = "E0102";
inline constexpr const char* kTooLarge = "E0103";
inline constexpr const char* kNoSubgraph = "E0104";
inline constexpr const char* kExternalBuffer = "E0105";
inline constexpr const char* kTensorIndex = "E0106";
inline constexpr const char* kBufferIndex = "E0107";
inline constexpr const char* kOpcodeIndex = "E0108";
inline constexpr const char* kTensorType = "E0109";
inline constexpr const char* kUnsupportedOp = "E0110";
inline constexpr const char* kUnsupportedOption = "E0111";
inline constexpr const char* kInvalidOption = "E0112";
inline constexpr const char* kOperandCount = "E0113";
inline constexpr const char* kBadShape = "E0114";
inline constexpr const char* kBufferSize = "E0115";
inline constexpr const char* kBadQuant = "E0116";
inline constexpr const char* kNotConstant = "E0117";
inline constexpr const char* kBadConstant = "E0118";
inline constexpr const char* kDataflow = "E0119";
inline constexpr const char* kGraphOutputs = "E0120";
inline constexpr const char* kSparse = "E0121";
inline constexpr const char* kQuantDetails = "E0122";
inline constexpr const char* kVariable = "E0123";  // retired: variables are imported
inline constexpr const char* kOperandRank = "E0124";
inline constexpr const char* kResourceType = "E0125";   // resource variable types disagree, or never assigned
inline constexpr const char* kCallOnce = "E0126";       // a CALL_ONCE ember cannot run at import
inline constexpr const char* kResourceHandle = "E0127"; // READ/ASSIGN_VARIABLE without a VAR_HANDLE
// Warnings (the import goes on).
inline constexpr const char* kQuantAxisRepaired = "W0101";

struct Resources;  // import_resource.cc: the model's resource variables

// State of one import. Tensors are converted lazily, on first use, so that
// tensors nobody reads (and constants that become attributes) never reach
// the IR.
struct Context {
  int32_t subgraph_index = 0;         // 0: the model; others: a CALL_ONCE init subgraph
  Resources* resources = nullptr;     // shared by all subgraphs of one import
  std::string source;                 // file name for diagnostics
  const ::tflite::Model* model = nullptr;
  const uint8_t* bytes = nullptr;     // the whole file, for options tables
  size_t size = 0;                    // beyond the union members the schema declares
  const ::tflite::SubGraph* subgraph = nullptr;
  size_t num_tensors = 0;
  std::vector<std::string> names;     // unique name per TFLite tensor index
  std::vector<ir::TensorId> ir_id;    // TFLite tensor index -> IR id (kNoTensor: not yet)
  std::vector<char> available;        // graph input or already produced
  ir::Graph graph;
  std::vector<Diagnostic> warnings;   // W01xx, in the order they were found
};

// The operator being converted, for diagnostics.
struct OpRef {
  size_t index = 0;
  std::string op_name;      // TFLite name, e.g. "CONV_2D"
  std::string output_name;  // first output tensor's name ("?" when unknown)
  const ::tflite::Operator* op = nullptr;
};

// "<source>: operator <i> (<OP>, output '<name>'): <message>"
Diagnostic OpError(const Context& ctx, const OpRef& op, const char* id, ExitCode exit,
                   const std::string& message, const std::string& hint = "");
// "<source>: <message>"
Diagnostic FileError(const Context& ctx, const char* id, ExitCode exit, const std::string& message,
                     const std::string& hint = "");

// Unique, non-empty names for the tensors of `sg`: the TFLite name,
// "tensor_<i>" when empty, with "_<k>" appended (smallest free k) when a
// lower index already took the name.
std::vector<std::string> UniqueNames(const ::tflite::SubGraph* sg);

// Data of tensor `index` (range-checked by the caller) when its buffer exists
// and is non-empty, i.e. when the tensor is a constant; nullptr otherwise.
const flatbuffers::Vector<uint8_t>* ConstData(const Context& ctx, int32_t index);

// IR id of TFLite tensor `index` (range-checked by the caller), converting
// the tensor on first use: element type, shape, buffer, quantization.
Expected<ir::TensorId> UseTensor(Context& ctx, int32_t index);

// Number of TFLite inputs of the operator (entries of its input list).
size_t NumInputs(const OpRef& op);
// TFLite tensor index of input `pos` (-1 when absent or beyond the list).
int32_t InputIndex(const OpRef& op, size_t pos);

// Operand `pos` of the operator as an IR tensor: checks the index, that the
// tensor is a constant, a graph input or produced by an earlier operator, and
// converts it. `optional` allows -1 (absent) or a missing trailing entry,
// which give kNoTensor.
Expected<ir::TensorId> Operand(Context& ctx, const OpRef& op, size_t pos, bool optional = false);

// Contents of the constant int32/int64 input `pos` as integers (for inputs
// that become attributes: shapes, axes, paddings, permutations, slices). The
// tensor is not added to the IR. `what` names it in diagnostics.
Expected<std::vector<int64_t>> ConstInts(Context& ctx, const OpRef& op, size_t pos,
                                         const std::string& what);

// The value of the one-element constant input `pos` (float32, int8, uint8,
// int16, int32 or int64), e.g. PADV2's constant_values; E0117 when it is not
// a constant.
Expected<double> ConstScalar(Context& ctx, const OpRef& op, size_t pos, const std::string& what);

// Operators whose TFLite outputs the IR computes through extra nodes
// (UNPACK: a split whose pieces are reshaped to drop the axis): rewrites
// `node`'s outputs (added by the caller) and returns the nodes that must
// follow it.
Expected<std::vector<ir::Node>> LowerOutputs(Context& ctx, const OpRef& op, ir::Node& node);

// Fills `node` (op kind already set; inputs, attributes) for one operator.
// Outputs are added by the caller.
Status ConvertOperator(Context& ctx, const OpRef& op, ir::Node& node);

// Resource variables (import_resource.cc, docs/frontend-tflite.md).
// True for VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE, which
// ConvertOperators hands to ConvertResourceOp instead of ConvertOperator.
bool IsResourceOp(const std::string& op_name);
// Scans every subgraph for VAR_HANDLE and ASSIGN_VARIABLE: the resources and
// their types (TFLite Micro's prepare order). Sets ctx.resources (owned by
// `*storage`).
Status PrepareResources(Context& ctx, std::shared_ptr<Resources>* storage);
// Converts one resource operator of ctx's subgraph (a CALL_ONCE imports and
// evaluates its init subgraph).
Status ConvertResourceOp(Context& ctx, const OpRef& op);
// After the operators of ctx's subgraph: writes each assigned resource's last
// value to its variable (assign_variable nodes at the end) and, for subgraph
// 0, sets the variables' initial values.
Status FinishResources(Context& ctx);
// Steps of import.cc that the init subgraphs reuse.
Status ConvertOperators(Context& ctx);
// Context for subgraph `index` (range-checked by the caller) of ctx's model.
void OpenSubgraph(const Context& model, int32_t index, Context* ctx);

}  // namespace ember::frontend::tflite::detail
