// Helpers on ONNX protobuf graphs shared by the quantizer's rewrites
// (onnx_rewrite.cc) and the QDQ writer (qdq_writer.cc). Internal to
// compiler/quantize/.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace ember::quantize::detail {

namespace pb = ::onnx;

const pb::AttributeProto* Attr(const pb::NodeProto& n, const std::string& name);
int64_t AttrInt(const pb::NodeProto& n, const std::string& name, int64_t def);
float AttrFloat(const pb::NodeProto& n, const std::string& name, float def);

// Float values of a float32 initializer (raw or typed data, not external);
// false otherwise or when the data does not match the dims.
bool GetFloats(const pb::TensorProto& t, std::vector<float>* out);
// Replaces the data with `v` as raw float32.
void SetFloats(pb::TensorProto* t, const std::vector<float>& v);

// A tensor of `type` with raw data `v` (T matches the ONNX type).
template <typename T>
pb::TensorProto MakeTensor(const std::string& name, int32_t type, std::vector<int64_t> dims, const std::vector<T>& v) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)));
  return t;
}

// Producers, readers, initializers and outputs of a graph. The initializer
// pointers stay valid while initializers are added (protobuf keeps each
// element in place), not after any is removed.
struct Index {
  std::map<std::string, int> producer;              // tensor -> node index
  std::map<std::string, std::vector<int>> readers;  // tensor -> node indices
  std::map<std::string, pb::TensorProto*> inits;    // initializer by name
  std::set<std::string> outputs;                    // graph outputs
};
Index BuildIndex(pb::GraphProto* g);

// A constant scalar input (initializer or Constant node output), if known.
bool ConstScalar(const pb::GraphProto& g, const Index& ix, const std::string& name, float* out);
// `node` is the only reader of `tensor`, which is not a graph output.
bool OnlyReader(const Index& ix, const std::string& tensor, int node);
// Number of node inputs reading `tensor`.
int Uses(const Index& ix, const std::string& tensor);
// Removes the nodes of those indices, keeping the order of the others.
void EraseNodes(pb::GraphProto* g, const std::set<int>& drop);

}  // namespace ember::quantize::detail
