// The device half of `make demo` (examples/demo.sh): evaluates the float and
// the int8 digits model on the host with ember's reference evaluator, then
// generates a qemu project (mps2-an386, host-driven) from each archive through
// the Project API, builds and flashes it, and runs every held-out image on the
// emulated Cortex-M4, comparing its output with the host's (int8: byte for
// byte; float: the predicted digit).
//
//   ember-digits-demo FLOAT_MLF INT8_MLF TEST_NPZ FLOAT_PROJECT_DIR INT8_PROJECT_DIR OUT_DIR [CODE_BYTES]
//
// Prints one line of figures per key (KEY VALUE) for demo.sh to lay out and
// writes OUT_DIR/profile.json (the int8 model's per-layer instructions, the
// format `ember report --profile` reads, with CODE_BYTES, the model code's
// size measured by demo.sh, when given). Exit status: 0 when the device's
// results equal the host's on every image, 6 when they differ, 1 on an error.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ir/parser.h"
#include "micro/executor/device_model.h"
#include "micro/project/project.h"
#include "micro/session/rpc_client.h"
#include "ops/evaluate.h"
#include "package/mlf_reader.h"
#include "quantize/calibration_data.h"
#include "support/npy.h"
#include "support/safe_fs.h"

namespace {

using namespace ember;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ember-digits-demo: %s\n", what.c_str());
  std::exit(1);
}

ir::Graph GraphOf(const std::string& mlf_path) {
  auto mlf = package::ReadModelLibraryFormat(mlf_path);
  if (!mlf.ok()) Die(mlf.diag().ToString());
  const std::string* text = mlf->Find("src/" + mlf->module_name + ".relay");
  if (!text) Die(mlf_path + " has no src/" + mlf->module_name + ".relay");
  auto g = ir::Parse(*text);
  if (!g.ok()) Die(g.diag().ToString());
  return std::move(*g);
}

struct TestSet {
  std::vector<std::vector<uint8_t>> images;  // float32 bytes, one image each
  std::vector<int32_t> labels;
};

TestSet ReadTestSet(const std::string& path) {
  auto entries = quantize::ReadNpzEntries(path);
  if (!entries.ok()) Die(entries.diag().ToString());
  std::optional<NpyArray> x, y;
  for (const auto& e : *entries) {
    auto a = ParseNpy(e.bytes, e.name);
    if (!a.ok()) Die(a.diag().ToString());
    const std::string member = e.name.substr(e.name.rfind(':') == std::string::npos ? 0 : e.name.rfind(':') + 1);
    if (member == "x.npy") x = std::move(*a);
    if (member == "y.npy") y = std::move(*a);
  }
  if (!x || !y || x->descr != "<f4" || y->descr != "<i4" || x->shape.empty() || y->shape.size() != 1 ||
      x->shape[0] != y->shape[0])
    Die(path + ": want arrays x (float32 [N,1,8,8]) and y (int32 [N]");
  TestSet t;
  const size_t n = static_cast<size_t>(x->shape[0]), each = x->data.size() / n;
  for (size_t i = 0; i < n; ++i) {
    t.images.emplace_back(x->data.begin() + static_cast<std::ptrdiff_t>(i * each),
                          x->data.begin() + static_cast<std::ptrdiff_t>((i + 1) * each));
    int32_t label;
    std::memcpy(&label, y->data.data() + 4 * i, 4);
    t.labels.push_back(label);
  }
  return t;
}

int ArgMax(const uint8_t* bytes, size_t count) {
  int best = 0;
  float best_v = 0;
  for (size_t i = 0; i < count; ++i) {
    float v;
    std::memcpy(&v, bytes + 4 * i, 4);
    if (i == 0 || v > best_v) { best = static_cast<int>(i); best_v = v; }
  }
  return best;
}

// Host predictions (and the int8 model's output bytes, to compare with the device).
std::vector<int> HostPredictions(const ir::Graph& g, const TestSet& t, std::vector<std::vector<uint8_t>>* outs) {
  const ir::Tensor& in = g.tensor(g.inputs.at(0));
  const ir::Tensor& out = g.tensor(g.outputs.at(0));
  if (in.dtype != ir::DType::kFloat32 || out.dtype != ir::DType::kFloat32 ||
      static_cast<size_t>(in.size_bytes()) != t.images.at(0).size())
    Die("the model's input must be float32 of " + std::to_string(t.images.at(0).size()) + " bytes and its output float32");
  std::vector<int> pred;
  for (const auto& img : t.images) {
    auto r = ops::EvaluateGraph(g, {img});
    if (!r.ok()) Die(r.diag().ToString());
    pred.push_back(ArgMax(r->outputs[0].data(), static_cast<size_t>(out.num_elements())));
    if (outs) outs->push_back(r->outputs[0]);
  }
  return pred;
}

double Accuracy(const std::vector<int>& pred, const std::vector<int32_t>& labels) {
  size_t ok = 0;
  for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == labels[i];
  return 100.0 * static_cast<double>(ok) / static_cast<double>(pred.size());
}

struct DeviceRun {
  std::string platform;
  std::vector<int> pred;
  size_t same_pred = 0, same_bytes = 0;
  uint64_t min_instr = UINT64_MAX, max_instr = 0;
  std::string model_name;
  nlohmann::json layers = nlohmann::json::array();  // per-layer instructions of the first image (a --profile build)
};

// Generates a qemu project (mps2-an386, host-driven) from `mlf` through the
// Project API, builds and flashes it, and runs every image on the emulated
// board (the firmware stays up: one session for all images).
DeviceRun RunOnDevice(const std::string& mlf, const std::string& project_dir, const ir::Graph& g, const TestSet& t,
                      const std::vector<int>& host_pred, const std::vector<std::vector<uint8_t>>& host_out) {
  const nlohmann::json options = {{"board", "mps2-an386"}, {"project_type", "host_driven"}};
  auto project = micro::GenerateProject(micro::GetTemplateProjectDir("qemu"), mlf, project_dir, options);
  project.Build();
  project.Flash();
  const micro::ProjectModel model = micro::LoadProjectModel(project);
  auto link = micro::ConnectDevice(project, model, 60);
  micro::RpcClient& rpc = link->rpc;
  const double per_tick = link->info.ticks_per_second ? 1e9 / link->info.ticks_per_second : 1.0;
  const auto out_bytes = static_cast<uint32_t>(g.tensor(g.outputs[0]).size_bytes());
  DeviceRun d;
  d.platform = link->info.platform;
  d.model_name = model.name;
  for (size_t i = 0; i < t.images.size(); ++i) {
    rpc.Write(micro::MemorySpace::kInput, 0, 0, t.images[i]);
    const uint64_t instr = static_cast<uint64_t>(static_cast<double>(rpc.Run()) * per_tick + 0.5);
    d.min_instr = std::min(d.min_instr, instr);
    d.max_instr = std::max(d.max_instr, instr);
    const auto out = rpc.Read(micro::MemorySpace::kOutput, 0, 0, out_bytes);
    const int p = ArgMax(out.data(), out_bytes / 4);
    d.pred.push_back(p);
    d.same_bytes += out == host_out[i];
    d.same_pred += p == host_pred[i];
    if (i == 0 && link->info.num_profile > 0) {
      const auto entries = rpc.Profile();
      for (size_t k = 0; k < entries.size(); ++k) {
        d.layers.push_back({{"index", k},
                            {"op", k < g.nodes.size() ? ir::OpIrName(g.nodes[k].op) : ""},
                            {"name", k < g.nodes.size() ? g.nodes[k].name : entries[k].name},
                            {"instructions", static_cast<int64_t>(static_cast<double>(entries[k].ticks) * per_tick + 0.5)}});
      }
    }
  }
  link->session.Close();
  return d;
}

void PrintRun(const char* kind, const DeviceRun& d, const std::vector<int32_t>& labels) {
  std::printf("device_%s_accuracy %.2f\n", kind, Accuracy(d.pred, labels));
  std::printf("device_%s_same_predictions %zu\n", kind, d.same_pred);
  std::printf("device_%s_same_outputs %zu\n", kind, d.same_bytes);
  std::printf("device_%s_instructions_min %llu\n", kind, static_cast<unsigned long long>(d.min_instr));
  std::printf("device_%s_instructions_max %llu\n", kind, static_cast<unsigned long long>(d.max_instr));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8) {
    std::fprintf(stderr, "usage: ember-digits-demo FLOAT_MLF INT8_MLF TEST_NPZ FLOAT_PROJECT_DIR INT8_PROJECT_DIR OUT_DIR "
                         "[CODE_BYTES]\n");
    return 2;
  }
  const std::string float_mlf = argv[1], int8_mlf = argv[2], test_npz = argv[3], float_dir = argv[4], int8_dir = argv[5],
                    out_dir = argv[6];
  const TestSet t = ReadTestSet(test_npz);
  const ir::Graph fg = GraphOf(float_mlf), qg = GraphOf(int8_mlf);
  std::vector<std::vector<uint8_t>> float_out, int8_out;
  const auto float_pred = HostPredictions(fg, t, &float_out);
  const auto int8_pred = HostPredictions(qg, t, &int8_out);
  std::printf("images %zu\n", t.images.size());
  std::printf("host_float_accuracy %.2f\n", Accuracy(float_pred, t.labels));
  std::printf("host_int8_accuracy %.2f\n", Accuracy(int8_pred, t.labels));
  std::fflush(stdout);
  try {
    const DeviceRun f = RunOnDevice(float_mlf, float_dir, fg, t, float_pred, float_out);
    PrintRun("float", f, t.labels);
    const DeviceRun q = RunOnDevice(int8_mlf, int8_dir, qg, t, int8_pred, int8_out);
    PrintRun("int8", q, t.labels);
    std::printf("device_platform %s\n", q.platform.c_str());
    if (!q.layers.empty()) {
      nlohmann::json profile = {{"model", q.model_name},
                                {"core", "cortex-m4"},
                                {"board", "mps2-an386"},
                                {"instructions", q.min_instr},
                                {"layers", q.layers}};
      if (argc == 8) profile["code_bytes"] = std::stoll(argv[7]);
      const std::string path = (std::filesystem::path(out_dir) / "profile.json").string();
      if (Status st = WriteFileAtomic(path, profile.dump(2) + "\n"); !st.ok()) Die(st.diag().ToString());
    }
    // int8 must be bit-exact with the reference; float predictions must agree.
    const size_t n = t.images.size();
    return q.same_pred == n && q.same_bytes == n && f.same_pred == n ? 0 : 6;
  } catch (const std::exception& e) {
    Die(std::string("on the device: ") + e.what());
  }
}
