// TFLite flatbuffer -> ember IR (contract in import.h, mapping and
// diagnostics in docs/frontend-tflite.md).
//
// Steps:
//   1. File checks: size, file identifier, then the flatbuffers Verifier, which
//      guarantees that every offset, vector and string lies inside the buffer.
//      After it, only *semantic* indices (tensor, buffer, opcode) remain to be
//      checked, and they are checked before each use.
//   2. Unique names for all tensors of subgraph 0 (TFLite names may repeat).
//   3. Graph inputs, then the operators in file order (the TFLite execution
//      order): each operand must be a constant, a graph input or the output
//      of an earlier operator; this also rules out cycles. Tensors are
//      converted on first use.
//   4. Graph outputs, then ir::Verify and ops::CheckGraph.
#include "frontend/tflite/import.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "frontend/tflite/import_internal.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "support/file.h"

namespace ember::frontend::tflite {

namespace {

using namespace detail;  // NOLINT: the importer's own internals
namespace tfl = ::tflite;

constexpr const char* kReexportHint = "the model file is damaged; re-export it from the converter";

// The operator code, name and IR kind of operator `i`; fails with E0108 for
// an opcode index out of range and E0110 for operators ember does not have.
Expected<ir::OpKind> ResolveOp(const Context& ctx, OpRef& ref) {
  const auto* codes = ctx.model->operator_codes();
  const uint32_t ci = ref.op->opcode_index();
  if (!codes || ci >= codes->size()) {
    ref.op_name = "?";
    return OpError(ctx, ref, kOpcodeIndex, ExitCode::kFailure,
                   "opcode index " + std::to_string(ci) + " is out of range (the model has " +
                       std::to_string(codes ? codes->size() : 0) + " operator codes)",
                   kReexportHint);
  }
  const tfl::OperatorCode* code = codes->Get(ci);
  // Old files store only the byte-sized deprecated code; new ones store 127
  // there for larger codes. The larger of the two is the operator.
  const int32_t value = std::max<int32_t>(code->deprecated_builtin_code(),
                                          static_cast<int32_t>(code->builtin_code()));
  const char* name = tfl::EnumNameBuiltinOperator(static_cast<tfl::BuiltinOperator>(value));
  ref.op_name = (name && *name) ? name : "operator code " + std::to_string(value);
  if (value == static_cast<int32_t>(tfl::BuiltinOperator::CUSTOM)) {
    ref.op_name = "CUSTOM '" + (code->custom_code() ? code->custom_code()->str() : "") + "'";
  }
  // Resource operators become no node of their own (ConvertResourceOp); the
  // kind returned for them is never used.
  if (IsResourceOp(ref.op_name)) return ir::OpKind::kReadVariable;
  std::optional<ir::OpKind> kind;
  if (name && *name && value != static_cast<int32_t>(tfl::BuiltinOperator::CUSTOM)) {
    kind = ir::OpKindFromTfliteName(name);
  }
  if (!kind && value == static_cast<int32_t>(tfl::BuiltinOperator::CUSTOM)) {
    return MakeDiag(kUnsupportedOp, ExitCode::kUnsupported,
                    ctx.source + ": operator " + std::to_string(ref.index) + " (" + ref.op_name +
                        ", output '" + ref.output_name + "') is a custom operator, which ember does not run",
                    "custom operators (such as TFLite Micro's Signal audio front end or the Ethos-U "
                    "operator) need their own kernels; ember compiles builtin operators only (`ember ops`)");
  }
  if (!kind) {
    return MakeDiag(kUnsupportedOp, ExitCode::kUnsupported,
                    ctx.source + ": operator " + std::to_string(ref.index) + " (" + ref.op_name +
                        ", output '" + ref.output_name + "') is not supported by ember",
                    "`ember ops` lists the supported operators; replace this operator in the "
                    "source model or convert with builtin operators only");
  }
  return *kind;
}

// Adds the outputs of operator `ref` to `node` and marks them produced.
Status AddOutputs(Context& ctx, const OpRef& ref, ir::Node& node) {
  const auto* outs = ref.op->outputs();
  for (flatbuffers::uoffset_t k = 0; outs && k < outs->size(); ++k) {
    const int32_t index = outs->Get(k);
    if (index < 0 || static_cast<size_t>(index) >= ctx.num_tensors) {
      return OpError(ctx, ref, kTensorIndex, ExitCode::kFailure,
                     "output " + std::to_string(k) + " refers to tensor " + std::to_string(index) +
                         " but the subgraph has " + std::to_string(ctx.num_tensors) + " tensors",
                     kReexportHint);
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, UseTensor(ctx, index));
    const std::string quoted = "'" + ctx.names[static_cast<size_t>(index)] + "'";
    if (ctx.graph.tensor(id).is_const() || ctx.available[static_cast<size_t>(index)]) {
      return OpError(ctx, ref, kDataflow, ExitCode::kFailure,
                     "output " + std::to_string(k) + " writes tensor " + quoted +
                         ", which is a constant, a graph input or the output of another operator",
                     "each tensor must have exactly one producer; " + std::string(kReexportHint));
    }
    ctx.available[static_cast<size_t>(index)] = 1;
    node.outputs.push_back(id);
  }
  return Status::Ok();
}

}  // namespace

Status detail::ConvertOperators(Context& ctx) {
  const auto* ops = ctx.subgraph->operators();
  for (flatbuffers::uoffset_t i = 0; ops && i < ops->size(); ++i) {
    OpRef ref;
    ref.index = i;
    ref.op = ops->Get(i);
    const auto* outs = ref.op->outputs();
    ref.output_name = "?";
    if (outs && outs->size() > 0 && outs->Get(0) >= 0 &&
        static_cast<size_t>(outs->Get(0)) < ctx.num_tensors) {
      ref.output_name = ctx.names[static_cast<size_t>(outs->Get(0))];
    }
    EMBER_ASSIGN_OR_RETURN(ir::OpKind kind, ResolveOp(ctx, ref));
    if (IsResourceOp(ref.op_name)) {
      EMBER_RETURN_IF_ERROR(ConvertResourceOp(ctx, ref));
      continue;
    }
    if (!outs || outs->size() == 0) {
      return OpError(ctx, ref, kOperandCount, ExitCode::kFailure, "the operator has no outputs",
                     kReexportHint);
    }
    ir::Node node;
    node.op = kind;
    node.name = ref.output_name;
    EMBER_RETURN_IF_ERROR(ConvertOperator(ctx, ref, node));
    EMBER_RETURN_IF_ERROR(AddOutputs(ctx, ref, node));
    EMBER_ASSIGN_OR_RETURN(std::vector<ir::Node> after, LowerOutputs(ctx, ref, node));
    ctx.graph.nodes.push_back(std::move(node));
    for (ir::Node& n : after) ctx.graph.nodes.push_back(std::move(n));
  }
  return Status::Ok();
}

namespace {

Status ConvertGraphInputs(Context& ctx) {
  const auto* ins = ctx.subgraph->inputs();
  for (flatbuffers::uoffset_t k = 0; ins && k < ins->size(); ++k) {
    const int32_t index = ins->Get(k);
    const std::string where = "graph input " + std::to_string(k);
    if (index < 0 || static_cast<size_t>(index) >= ctx.num_tensors) {
      return FileError(ctx, kTensorIndex, ExitCode::kFailure,
                       where + " refers to tensor " + std::to_string(index) +
                           " but the subgraph has " + std::to_string(ctx.num_tensors) + " tensors",
                       kReexportHint);
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, UseTensor(ctx, index));
    if (ctx.available[static_cast<size_t>(index)] || ctx.graph.tensor(id).is_const()) {
      return FileError(ctx, kDataflow, ExitCode::kFailure,
                       where + " '" + ctx.graph.tensor(id).name +
                           "' is listed twice or is a constant",
                       kReexportHint);
    }
    ctx.available[static_cast<size_t>(index)] = 1;
    ctx.graph.inputs.push_back(id);
  }
  return Status::Ok();
}

Status ConvertGraphOutputs(Context& ctx) {
  const auto* outs = ctx.subgraph->outputs();
  if (!outs || outs->size() == 0) {
    return FileError(ctx, kGraphOutputs, ExitCode::kFailure, "subgraph 0 has no outputs",
                     kReexportHint);
  }
  for (flatbuffers::uoffset_t k = 0; k < outs->size(); ++k) {
    const int32_t index = outs->Get(k);
    const std::string where = "graph output " + std::to_string(k);
    if (index < 0 || static_cast<size_t>(index) >= ctx.num_tensors) {
      return FileError(ctx, kTensorIndex, ExitCode::kFailure,
                       where + " refers to tensor " + std::to_string(index) +
                           " but the subgraph has " + std::to_string(ctx.num_tensors) + " tensors",
                       kReexportHint);
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, UseTensor(ctx, index));
    if (!ctx.available[static_cast<size_t>(index)] && !ctx.graph.tensor(id).is_const()) {
      return FileError(ctx, kGraphOutputs, ExitCode::kFailure,
                       where + " '" + ctx.graph.tensor(id).name +
                           "' is not produced by any operator",
                       kReexportHint);
    }
    ctx.graph.outputs.push_back(id);
  }
  return Status::Ok();
}

// A file identifier is 4 bytes at offset 4. Files written without one have
// the start of a table or vtable there, which is never 4 alphanumerics.
bool LooksLikeIdentifier(const uint8_t* p) {
  for (int i = 0; i < 4; ++i) {
    if (!std::isalnum(p[i])) return false;
  }
  return true;
}

// Steps 1 and 2 of the file comment: the model passes the Verifier and has a subgraph.
Status OpenModel(const std::vector<uint8_t>& bytes, Context& ctx) {
  const std::string hint = "pass a .tflite model file (TFLite flatbuffer, schema version 3)";
  if (bytes.size() < 8) {
    return FileError(ctx, kNotAModel, ExitCode::kFailure,
                     "is not a TFLite model: the file has only " + std::to_string(bytes.size()) +
                         " bytes",
                     hint);
  }
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return FileError(ctx, kTooLarge, ExitCode::kUnsupported,
                     "is " + std::to_string(bytes.size()) +
                         " bytes; TFLite flatbuffers are limited to 2 GiB",
                     "models over 2 GiB cannot run on a microcontroller");
  }
  const bool has_id = tfl::ModelBufferHasIdentifier(bytes.data());
  if (!has_id && LooksLikeIdentifier(bytes.data() + 4)) {
    const std::string id(reinterpret_cast<const char*>(bytes.data() + 4), 4);
    return FileError(ctx, kBadIdentifier, ExitCode::kFailure,
                     "is not a TFLite model: file identifier '" + id + "', expected 'TFL3'", hint);
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  const bool ok = has_id ? tfl::VerifyModelBuffer(verifier)
                         : verifier.VerifyBuffer<tfl::Model>(nullptr);
  if (!ok) {
    return FileError(ctx, kNotAModel, ExitCode::kFailure,
                     "is not a valid TFLite model: the flatbuffer structure is corrupt "
                     "(offsets or sizes point outside the file)",
                     "the file is truncated or damaged; " + hint);
  }
  ctx.model = tfl::GetModel(bytes.data());
  ctx.bytes = bytes.data();
  ctx.size = bytes.size();
  const auto* subgraphs = ctx.model->subgraphs();
  if (!subgraphs || subgraphs->size() == 0) {
    return FileError(ctx, kNoSubgraph, ExitCode::kFailure, "the model has no subgraph", hint);
  }
  OpenSubgraph(ctx, 0, &ctx);
  return Status::Ok();
}

}  // namespace

void detail::OpenSubgraph(const Context& model, int32_t index, Context* ctx) {
  if (ctx != &model) {
    ctx->source = model.source;
    ctx->model = model.model;
    ctx->bytes = model.bytes;
    ctx->size = model.size;
    ctx->resources = model.resources;
  }
  ctx->subgraph_index = index;
  ctx->subgraph = model.model->subgraphs()->Get(static_cast<flatbuffers::uoffset_t>(index));
  ctx->num_tensors = ctx->subgraph->tensors() ? ctx->subgraph->tensors()->size() : 0;
  ctx->names = UniqueNames(ctx->subgraph);
  ctx->ir_id.assign(ctx->num_tensors, ir::kNoTensor);
  ctx->available.assign(ctx->num_tensors, 0);
}

namespace {

// Prefixes the file name to a diagnostic of a later stage.
Diagnostic WithSource(const Context& ctx, Diagnostic d) {
  d.message = ctx.source + ": " + d.message;
  return d;
}

}  // namespace

Expected<ir::Graph> ImportTflite(const std::vector<uint8_t>& bytes, const std::string& source,
                                 std::vector<Diagnostic>* warnings) {
  Context ctx;
  ctx.source = source;
  EMBER_RETURN_IF_ERROR(OpenModel(bytes, ctx));
  std::shared_ptr<Resources> resources;
  EMBER_RETURN_IF_ERROR(PrepareResources(ctx, &resources));
  EMBER_RETURN_IF_ERROR(ConvertGraphInputs(ctx));
  EMBER_RETURN_IF_ERROR(ConvertOperators(ctx));
  EMBER_RETURN_IF_ERROR(FinishResources(ctx));
  EMBER_RETURN_IF_ERROR(ConvertGraphOutputs(ctx));
  if (Status s = ir::Verify(ctx.graph); !s.ok()) return WithSource(ctx, s.diag());
  if (Status s = ops::CheckGraph(ctx.graph); !s.ok()) return WithSource(ctx, s.diag());
  if (warnings) *warnings = std::move(ctx.warnings);
  return std::move(ctx.graph);
}

Expected<ir::Graph> ImportTfliteFile(const std::string& path, std::vector<Diagnostic>* warnings) {
  // flatbuffers' own limit: a larger file is refused before it is read.
  auto bytes = ReadFileBytes(path, FLATBUFFERS_MAX_BUFFER_SIZE - 1, "a TFLite model");
  if (!bytes.ok() && bytes.diag().id == kFileTooLargeId) {
    Diagnostic d = bytes.diag();
    d.id = kTooLarge;
    d.exit = ExitCode::kUnsupported;
    d.hint = "TFLite flatbuffers are limited to 2 GiB; models over 2 GiB cannot run on a microcontroller";
    return d;
  }
  if (!bytes.ok()) return bytes.diag();
  return ImportTflite(*bytes, path, warnings);
}

}  // namespace ember::frontend::tflite
