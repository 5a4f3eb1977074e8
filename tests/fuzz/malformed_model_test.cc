// Robustness of the TFLite importer: every file of the malformed-model corpus
// (tests/fuzz/corpus, made by malformed_corpus_test.cc) must be rejected with
// a diagnostic, and thousands of deterministic random mutations of a valid
// model must each either import or be rejected: never a crash, a hang or a
// sanitizer report (the suite also runs in the ASan+UBSan build).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "frontend/tflite/import.h"
#include "util/test_models.h"

namespace ember::test {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(EMBER_SOURCE_DIR) / "tests/fuzz/corpus";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".tflite") files.push_back(e.path());  // .onnx: malformed_onnx_test.cc
  }
  std::sort(files.begin(), files.end());
  return files;
}

void ExpectCleanDiagnostic(const Diagnostic& d, const std::string& what) {
  EXPECT_EQ(d.id.size(), 5u) << what;
  EXPECT_EQ(d.id[0], 'E') << what;
  EXPECT_FALSE(d.message.empty()) << what;
  EXPECT_NE(d.exit, ExitCode::kOk) << what;
  EXPECT_NE(d.exit, ExitCode::kInternal) << what << ": " << d.ToString();
}

TEST(MalformedModel, EveryCorpusFileIsRejectedWithADiagnostic) {
  const auto files = CorpusFiles();
  ASSERT_GE(files.size(), 40u) << "the malformed-model corpus is missing";
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto g = frontend::tflite::ImportTflite(bytes, f.filename().string());
    ASSERT_FALSE(g.ok()) << f;
    ExpectCleanDiagnostic(g.diag(), f.string());
    // The diagnostic names the file it is about.
    EXPECT_EQ(g.diag().message.rfind(f.filename().string() + ": ", 0), 0u) << g.diag().message;
  }
}

TEST(MalformedModel, CorpusCoversTheMainDiagnostics) {
  // One representative per class of defect, with the id docs/frontend-tflite.md gives.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"empty.tflite", "E0101"},
      {"wrong_identifier.tflite", "E0102"},
      {"truncated_half.tflite", "E0101"},
      {"no_subgraph.tflite", "E0104"},
      {"input_tensor_index_out_of_range.tflite", "E0106"},
      {"buffer_index_out_of_range.tflite", "E0107"},
      {"opcode_index_out_of_range.tflite", "E0108"},
      {"unsupported_type_float16.tflite", "E0109"},
      {"custom_operator.tflite", "E0110"},
      {"conv_stride_zero.tflite", "E0112"},
      {"negative_dim.tflite", "E0114"},
      {"shape_product_overflow.tflite", "E0114"},
      {"buffer_size_mismatch.tflite", "E0115"},
      {"quant_count_mismatch.tflite", "E0116"},
      {"op_reads_own_output.tflite", "E0119"},
      {"cycle_two_ops.tflite", "E0119"},
      {"no_graph_outputs.tflite", "E0120"},
  };
  const std::filesystem::path dir = std::filesystem::path(EMBER_SOURCE_DIR) / "tests/fuzz/corpus";
  for (const auto& [name, id] : expected) {
    std::ifstream in(dir / name, std::ios::binary);
    ASSERT_TRUE(in.good()) << name;
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto g = frontend::tflite::ImportTflite(bytes, name);
    ASSERT_FALSE(g.ok()) << name;
    EXPECT_EQ(g.diag().id, id) << name << ": " << g.diag().ToString();
  }
}

// Deterministic mutations: byte overwrites, bit flips, 32-bit patches with
// boundary values (to hit offsets and lengths), truncations and insertions.
Bytes Mutate(const Bytes& base, XorShift32& rng) {
  Bytes m = base;
  const int edits = 1 + static_cast<int>(rng.Next() % 4);
  for (int e = 0; e < edits && !m.empty(); ++e) {
    const size_t pos = rng.Next() % m.size();
    switch (rng.Next() % 6) {
      case 0: m[pos] = static_cast<uint8_t>(rng.Next()); break;
      case 1: m[pos] ^= static_cast<uint8_t>(1u << (rng.Next() % 8)); break;
      case 2: {
        static const uint32_t kValues[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu,
                                           0xFFFFu, 0x10000u, 4u};
        const uint32_t v = kValues[rng.Next() % 8];
        const size_t at = pos & ~size_t{3};
        for (size_t k = 0; k < 4 && at + k < m.size(); ++k) m[at + k] = static_cast<uint8_t>(v >> (8 * k));
        break;
      }
      case 3: m.resize(pos); break;
      case 4: m.insert(m.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng.Next())); break;
      default: m[pos] = static_cast<uint8_t>(m[pos] + 1); break;
    }
  }
  return m;
}

TEST(MalformedModel, RandomMutationsImportOrGiveADiagnostic) {
  const Bytes base = TinyConvModel();
  XorShift32 rng(20240607u);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const Bytes m = Mutate(base, rng);
    auto g = frontend::tflite::ImportTflite(m, "mutant.tflite");
    if (g.ok()) {
      ++accepted;
    } else {
      ++rejected;
      ExpectCleanDiagnostic(g.diag(), "mutation " + std::to_string(i));
    }
  }
  // Both outcomes occur: mutated weights still import, broken structure does not.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace ember::test
