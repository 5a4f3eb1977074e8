#include "results.h"

#include <gtest/gtest.h>

namespace ember::bench {
namespace {

ModelResult OneModel() {
  ModelResult m;
  m.name = "kws";
  m.macs = 1000;
  CoreResult r;
  r.core = "cortex-m4";
  r.board = "mps2-an386";
  r.status = "ok";
  r.instructions = 5000;
  r.footprint.code_bytes = 300;
  r.footprint.weights_bytes = 700;
  r.footprint.bss_bytes = 250;
  r.footprint.data_bytes = 6;
  r.metadata_arena_bytes = 250;
  r.layers = {{0, "conv2d", "a", 3000}, {1, "conv2d", "b", 1000}, {2, "softmax", "c", 960}};
  r.profile_instructions = 4960;
  m.cores.push_back(r);
  CoreResult bad;
  bad.core = "cortex-m3";
  bad.status = "mismatch: the output differs";
  m.cores.push_back(bad);
  return m;
}

const nlohmann::json kPeers = {
    {"peer", "P"},
    {"models",
     {{"kws",
       {{"instructions_ref", 20000},
        {"instructions_cmsis_nn", 4000},
        {"arena_bytes_ref", 512},
        {"arena_bytes_cmsis_nn", 1024},
        {"engine_text_bytes_ref", 600}}}}}};

TEST(Results, JsonHoldsTheFiguresAndThePeerRatios) {
  const nlohmann::json j = ResultsJson({OneModel()}, kPeers, "qemu: 7.2\n");
  const nlohmann::json& c = j["models"]["kws"]["cortex-m4"];
  EXPECT_EQ(j["environment"]["qemu"], "7.2");
  EXPECT_EQ(c["instructions"], 5000);
  EXPECT_DOUBLE_EQ(c["instructions_per_mac"].get<double>(), 5.0);
  EXPECT_EQ(c["ram_bytes"], 256);  // bss + data
  EXPECT_EQ(c["code_bytes"], 300);
  EXPECT_EQ(c["weights_bytes"], 700);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_instructions_ref"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_instructions_cmsis_nn"].get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_ram_ref"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_code_ref"].get<double>(), 0.5);
  EXPECT_TRUE(c["tflm"]["ratio_code_cmsis_nn"].is_null());  // the peer has no such figure
  EXPECT_EQ(c["tflm"]["fewer_instructions_than_ref"], true);
  EXPECT_EQ(c["profile"]["per_op"]["conv2d"], 4000);
  EXPECT_EQ(c["profile"]["layers"].size(), 3u);
  const nlohmann::json& m3 = j["models"]["kws"]["cortex-m3"];
  EXPECT_EQ(m3["bit_exact"], false);
  EXPECT_FALSE(m3.contains("instructions"));
}

TEST(Results, MarkdownShowsTheTableAndTheFailure) {
  const std::string md = ResultsMarkdown({OneModel()}, kPeers, "qemu: 7.2\n");
  EXPECT_NE(md.find("| kws | cortex-m4 (mps2-an386) | 5,000 | 5.00 | 256 | 300 | 700 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| kws | 5,000 | 20,000 | 0.250 | 4,000 | 1.250 |"), std::string::npos) << md;
  EXPECT_NE(md.find("mismatch: the output differs"), std::string::npos);
  EXPECT_NE(md.find("| 0 | conv2d | 3,000 | 60.5% | a |"), std::string::npos) << md;
}

}  // namespace
}  // namespace ember::bench
