// Opset-18 operator forms rewritten to their opset-13..17 equivalents before
// libonnx's checker sees the model. Debian 12's libonnx (1.12) knows opsets up
// to 17: it checks an opset-18 node against the newest schema it has, which
// refuses the inputs and attributes opset 18 added. The rewrites keep the
// meaning exactly:
//   - Reduce{Max,Mean,Min,Prod,L1,L2,LogSum,LogSumExp,SumSquare}: a constant
//     `axes` input becomes the `axes` attribute; `noop_with_empty_axes` = 0
//     (the default) is dropped. A run-time `axes` input, or
//     `noop_with_empty_axes` = 1, stays and the checker reports it.
//   - Pad: a constant `axes` input is expanded into pads over every
//     dimension (the rank comes from a lenient shape inference pass).
//   - Split: `num_outputs` equal to the number of outputs is the opset-13
//     equal split.
//   - Resize: `antialias` = 0, `keep_aspect_ratio_policy` = "stretch" and an
//     absent `axes` are the opset-13 behaviour and are dropped.
// Opsets 19 to 22 changed the operators ember imports only by new element
// types (float8, int4, bfloat16, ...; refused as types) and by attributes
// whose default is the opset-18 behaviour (LowerOpset19Forms):
//   - Cast, CastLike: `saturate` (19) acts on float8 only: dropped.
//   - QuantizeLinear: `saturate` (19) likewise; `block_size` (21) = 0 and
//     `output_dtype` (21) are dropped; without a zero point, `output_dtype`
//     becomes a zero point of 0 of that type (what it means). DequantizeLinear:
//     `block_size` = 0 dropped. Blocked quantization (block_size > 0): E1007.
//     With a 16-bit zero point (opset 21's int16 / uint16, which libonnx
//     1.12's schemas refuse) both become ONNX Runtime's com.microsoft
//     operators of the same arithmetic, which the importer reads alike.
//   - AveragePool: `dilations` (19) all 1 dropped; others: E1007.
//   - Resize's coordinate mode half_pixel_symmetric (19) is imported as such
//     (import_ext.cc); Pad's mode wrap (19) is imported as gathers (import_nn.cc).
#include <map>
#include <set>

#include "frontend/onnx/import_internal.h"
#include "onnx/shape_inference/implementation.h"

namespace ember::frontend::onnx::detail {

std::map<std::string, int> ValueRanks(const pb::ModelProto& m) {
  pb::ModelProto copy = m;
  // libonnx 1.12's MaxUnpool inference reads its indices' shape unchecked
  // (PrecheckMaxUnpool): its nodes are left out here, their outputs unranked.
  auto* nodes = copy.mutable_graph()->mutable_node();
  for (int k = nodes->size(); k-- > 0;) {
    if (nodes->Get(k).op_type() == "MaxUnpool") nodes->DeleteSubrange(k, 1);
  }
  try {
    ::onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/false);
    ::onnx::shape_inference::InferShapes(copy, ::onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception&) {
    // Lenient mode reports nothing; whatever was inferred is used.
  }
  std::map<std::string, int> ranks;
  auto add = [&](const pb::ValueInfoProto& v) {
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      ranks[v.name()] = v.type().tensor_type().shape().dim_size();
  };
  for (const auto& v : copy.graph().input()) add(v);
  for (const auto& v : copy.graph().value_info()) add(v);
  for (const auto& v : copy.graph().output()) add(v);
  for (const auto& t : copy.graph().initializer()) ranks[t.name()] = t.dims_size();
  return ranks;
}

namespace {

const pb::TensorProto* ConstOf(const std::map<std::string, const pb::TensorProto*>& consts, const pb::NodeProto& n,
                               int pos) {
  if (n.input_size() <= pos || n.input(pos).empty()) return nullptr;
  auto it = consts.find(n.input(pos));
  return it == consts.end() ? nullptr : it->second;
}

void RemoveAttr(pb::NodeProto* n, const std::string& name) {
  auto* attrs = n->mutable_attribute();
  for (int i = 0; i < attrs->size(); ++i) {
    if (attrs->Get(i).name() == name) {
      attrs->erase(attrs->begin() + i);
      return;
    }
  }
}

const pb::AttributeProto* Attr(const pb::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

// Drops trailing empty input names (optional inputs left out).
void TrimInputs(pb::NodeProto* n) {
  while (n->input_size() > 0 && n->input(n->input_size() - 1).empty()) n->mutable_input()->RemoveLast();
}

bool IsReduceWithAxesInput(const std::string& op) {
  static const std::set<std::string> kOps = {"ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceL1",
                                             "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
  return kOps.count(op) > 0;
}


Status LowerReduce(Context& ctx, const std::map<std::string, const pb::TensorProto*>& consts, pb::NodeProto* n) {
  if (const auto* a = Attr(*n, "noop_with_empty_axes"); a && a->i() == 0) RemoveAttr(n, "noop_with_empty_axes");
  const pb::TensorProto* axes = ConstOf(consts, *n, 1);
  if (axes == nullptr) return Status::Ok();  // no axes input, or computed at run time: the checker decides
  EMBER_ASSIGN_OR_RETURN(ConstTensor c, ReadTensorProto(ctx, *axes));
  if (c.is_float()) return Status::Ok();
  if (!c.i.empty()) {
    auto* a = n->add_attribute();
    a->set_name("axes");
    a->set_type(pb::AttributeProto::INTS);
    for (int64_t v : c.i) a->add_ints(v);
  }
  n->mutable_input()->DeleteSubrange(1, n->input_size() - 1);
  return Status::Ok();
}

Status LowerPad(Context& ctx, const std::map<std::string, const pb::TensorProto*>& consts,
                const std::map<std::string, int>& ranks, pb::GraphProto* g, pb::NodeProto* n) {
  const pb::TensorProto* axes = ConstOf(consts, *n, 3);
  const pb::TensorProto* pads = ConstOf(consts, *n, 1);
  auto rank = ranks.find(n->input(0));
  if (axes == nullptr || pads == nullptr || rank == ranks.end()) return Status::Ok();
  EMBER_ASSIGN_OR_RETURN(ConstTensor a, ReadTensorProto(ctx, *axes));
  EMBER_ASSIGN_OR_RETURN(ConstTensor p, ReadTensorProto(ctx, *pads));
  const int r = rank->second;
  const size_t k = a.i.size();
  if (a.is_float() || p.is_float() || p.i.size() != 2 * k) return Status::Ok();  // the checker reports it
  std::vector<int64_t> full(static_cast<size_t>(2 * r), 0);
  for (size_t j = 0; j < k; ++j) {
    const int64_t ax = a.i[j] < 0 ? a.i[j] + r : a.i[j];
    if (ax < 0 || ax >= r) return Status::Ok();
    full[static_cast<size_t>(ax)] = p.i[j];
    full[static_cast<size_t>(ax + r)] = p.i[k + j];
  }
  pb::TensorProto* t = g->add_initializer();
  std::string name = n->input(1) + "_all_axes";
  std::set<std::string> taken;
  for (const auto& i : g->initializer()) taken.insert(i.name());
  while (taken.count(name)) name += "_";
  t->set_name(name);
  t->set_data_type(pb::TensorProto::INT64);
  t->add_dims(2 * r);
  for (int64_t v : full) t->add_int64_data(v);
  n->set_input(1, name);
  n->mutable_input()->DeleteSubrange(3, n->input_size() - 3);
  TrimInputs(n);
  return Status::Ok();
}

// An uneven split (opset 18 makes the last part smaller) is then refused by
// opset-13 shape inference, never computed differently.
void LowerSplit(pb::NodeProto* n) {
  const auto* a = Attr(*n, "num_outputs");
  if (a == nullptr || a->i() != n->output_size() || n->input_size() > 1) return;
  RemoveAttr(n, "num_outputs");
}

void LowerResize(pb::NodeProto* n) {
  if (const auto* a = Attr(*n, "antialias"); a && a->i() == 0) RemoveAttr(n, "antialias");
  if (const auto* a = Attr(*n, "keep_aspect_ratio_policy"); a && a->s() == "stretch")
    RemoveAttr(n, "keep_aspect_ratio_policy");
}

}  // namespace

std::map<std::string, const pb::TensorProto*> ConstantTensors(const pb::GraphProto& g) {
  std::map<std::string, const pb::TensorProto*> consts;
  for (const auto& t : g.initializer()) consts[t.name()] = &t;
  for (const auto& n : g.node()) {
    if (n.op_type() == "Constant" && n.output_size() == 1) {
      for (const auto& a : n.attribute()) {
        if (a.name() == "value" && a.has_t()) consts[n.output(0)] = &a.t();
      }
    }
  }
  return consts;
}

namespace {

Status LowerQuantize(Context& ctx, pb::GraphProto* g, int i) {
  pb::NodeProto* n = g->mutable_node(i);
  RemoveAttr(n, "saturate");
  if (const auto* a = Attr(*n, "block_size"); a && a->i() != 0) {
    return UnsupportedAttr(ctx, RefOf(*g, i), "blocked quantization (block_size " + std::to_string(a->i()) + ")",
                           "quantize per tensor or per axis (block_size 0)");
  }
  RemoveAttr(n, "block_size");
  const auto* dtype = Attr(*n, "output_dtype");
  if (dtype == nullptr) return Status::Ok();
  const int64_t type = dtype->i();
  RemoveAttr(n, "output_dtype");
  if (type == 0 || n->op_type() != "QuantizeLinear" || (n->input_size() > 2 && !n->input(2).empty()))
    return Status::Ok();  // a zero point gives the type (the checker compares them)
  // No zero point: output_dtype's zero, as a new initializer.
  std::set<std::string> taken;
  for (const auto& t : g->initializer()) taken.insert(t.name());
  // (A node without outputs, which the checker refuses afterwards, has no
  // output name to borrow.)
  std::string name = !n->name().empty() ? n->name() : n->output_size() > 0 ? n->output(0) : n->op_type();
  name += "_zero_point";
  while (taken.count(name)) name += "_";
  pb::TensorProto* z = g->add_initializer();
  z->set_name(name);
  z->set_data_type(static_cast<int32_t>(type));
  if (type == pb::TensorProto::INT64) {
    z->add_int64_data(0);
  } else {
    z->add_int32_data(0);
  }
  while (n->input_size() < 2) n->add_input("");
  if (n->input_size() == 2) n->add_input(name);
  else n->set_input(2, name);
  return Status::Ok();
}

}  // namespace

Status LowerOpset19Forms(Context& ctx, pb::ModelProto* m) {
  if (ctx.opset < 19) return Status::Ok();
  pb::GraphProto* g = m->mutable_graph();
  bool contrib = false;
  // Zero points: constants of the graph, or the initializer LowerQuantize
  // adds for output_dtype (protobuf keeps the elements in place).
  const auto consts = ConstantTensors(*g);
  const auto zero_point_type = [&](const std::string& name) {
    if (auto it = consts.find(name); it != consts.end()) return it->second->data_type();
    for (const auto& t : g->initializer()) {
      if (t.name() == name) return t.data_type();
    }
    return 0;
  };
  for (int i = 0; i < g->node_size(); ++i) {
    pb::NodeProto* n = g->mutable_node(i);
    if (!n->domain().empty() && n->domain() != "ai.onnx") continue;
    const std::string& op = n->op_type();
    if (op == "Cast" || op == "CastLike") RemoveAttr(n, "saturate");
    if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      EMBER_RETURN_IF_ERROR(LowerQuantize(ctx, g, i));
      const int32_t type = n->input_size() > 2 ? zero_point_type(n->input(2)) : 0;
      if (type == pb::TensorProto::INT16 || type == pb::TensorProto::UINT16) {
        n->set_domain(kContribDomain);
        if (n->output_size() > 0) {  // none: the checker refuses the node
          auto* v = g->add_value_info();
          v->set_name(n->output(0));
          v->mutable_type()->mutable_tensor_type()->set_elem_type(op == "QuantizeLinear" ? type
                                                                                         : pb::TensorProto::FLOAT);
        }
        contrib = true;
      }
    }
    if (op == "AveragePool") {
      if (const auto* a = Attr(*n, "dilations")) {
        for (int64_t d : a->ints()) {
          if (d != 1) {
            return UnsupportedAttr(ctx, RefOf(*g, i), "dilations != 1", "use an AveragePool without dilations");
          }
        }
        RemoveAttr(n, "dilations");
      }
    }
  }
  bool has_contrib = false;
  for (const auto& o : m->opset_import()) has_contrib = has_contrib || o.domain() == kContribDomain;
  if (contrib && !has_contrib) {
    auto* o = m->add_opset_import();
    o->set_domain(kContribDomain);
    o->set_version(1);
  }
  return Status::Ok();
}

Status LowerOpset18Forms(Context& ctx, pb::ModelProto* m) {
  if (ctx.opset < 18) return Status::Ok();
  pb::GraphProto* g = m->mutable_graph();
  const auto consts = ConstantTensors(*g);
  std::vector<int> pad_nodes;
  for (int i = 0; i < g->node_size(); ++i) {
    pb::NodeProto* n = g->mutable_node(i);
    if (IsReduceWithAxesInput(n->op_type())) EMBER_RETURN_IF_ERROR(LowerReduce(ctx, consts, n));
    if (n->op_type() == "Resize") LowerResize(n);
    if (n->op_type() == "Split") LowerSplit(n);
    if (n->op_type() == "Pad" && n->input_size() > 3 && !n->input(3).empty()) pad_nodes.push_back(i);
  }
  if (pad_nodes.empty()) return Status::Ok();
  const auto ranks = ValueRanks(*m);
  for (int i : pad_nodes) {
    // Each rewrite adds an initializer, which may move the others.
    EMBER_RETURN_IF_ERROR(LowerPad(ctx, ConstantTensors(*g), ranks, g, g->mutable_node(i)));
  }
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
