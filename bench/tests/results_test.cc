#include "results.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ember::bench {
namespace {

namespace fs = std::filesystem;

CoreResult OkCore(const std::string& core, const std::string& board, uint64_t instructions) {
  CoreResult r;
  r.core = core;
  r.board = board;
  r.status = "ok";
  r.instructions = instructions;
  r.footprint.code_bytes = 300;
  r.footprint.weights_bytes = 700;
  r.footprint.bss_bytes = 250;
  r.footprint.data_bytes = 6;
  r.metadata_arena_bytes = 250;
  r.stack_bytes = 232;
  return r;
}

// kws on three cores: cortex-m4 (a peer file), cortex-m7 (none) and a
// cortex-m3 whose output differed.
ModelResult OneModel() {
  ModelResult m;
  m.name = "kws";
  m.macs = 1000;
  m.node_macs = {{"a", 600}, {"b", 300}, {"d", 100}};
  CoreResult r = OkCore("cortex-m4", "mps2-an386", 5000);
  r.layers = {{0, "conv2d", "a", 3000},
              {1, "conv2d", "b", 1000},
              {2, "average_pool2d", "p", 40},
              {3, "fully_connected", "d", 320},
              {4, "softmax", "c", 600}};
  r.profile_instructions = 4960;
  m.cores.push_back(r);
  CoreResult m7 = OkCore("cortex-m7", "mps2-an500", 4000);
  m7.layers = {{0, "conv2d", "a", 2500}, {1, "conv2d", "b", 900}, {2, "average_pool2d", "p", 40},
               {3, "fully_connected", "d", 300}, {4, "softmax", "c", 200}};
  m7.profile_instructions = 3940;
  m.cores.push_back(m7);
  CoreResult bad;
  bad.core = "cortex-m3";
  bad.status = "mismatch: the output differs";
  m.cores.push_back(bad);
  return m;
}

// The peer of cortex-m4 only (a test fixture, not the project's peer files).
const Peers kPeers = {
    {"cortex-m4",
     {{"peer", "P"},
      {"peer_version", "v1"},
      {"models",
       {{"kws",
         {{"instructions_ref", 20000},
          {"instructions_cmsis_nn", 4000},
          {"arena_bytes_ref", 512},
          {"arena_bytes_cmsis_nn", 1024},
          {"engine_text_bytes_ref", 600}}}}},
      {"per_op_instructions_cmsis_nn",
       {{"kws", {{"CONV_2D", 2000}, {"FC+SOFTMAX+RESHAPE", 1840}}}}}}}};

TEST(Results, JsonHoldsTheFiguresAndThePeerRatios) {
  const nlohmann::json j = ResultsJson({OneModel()}, kPeers, "qemu: 7.2\n");
  const nlohmann::json& c = j["models"]["kws"]["cortex-m4"];
  EXPECT_EQ(j["environment"]["qemu"], "7.2");
  EXPECT_EQ(c["instructions"], 5000);
  EXPECT_DOUBLE_EQ(c["instructions_per_mac"].get<double>(), 5.0);
  EXPECT_EQ(c["ram_bytes"], 256);  // bss + data
  EXPECT_EQ(c["stack_bytes"], 232);
  EXPECT_EQ(c["code_bytes"], 300);
  EXPECT_EQ(c["weights_bytes"], 700);
  EXPECT_EQ(c["tflm"]["file"], "tflm-cortex-m4.json");
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_instructions_ref"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_instructions_cmsis_nn"].get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_ram_ref"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(c["tflm"]["ratio_code_ref"].get<double>(), 0.5);
  EXPECT_TRUE(c["tflm"]["ratio_code_cmsis_nn"].is_null());  // the peer has no such figure
  EXPECT_EQ(c["tflm"]["fewer_instructions_than_ref"], true);
  EXPECT_EQ(j["peers"]["cortex-m4"]["version"], "v1");
  EXPECT_TRUE(j["peers"]["cortex-m7"].is_null());
  EXPECT_EQ(j["acceptance"]["ram_limit_bytes"]["kws"], 9000);
  const nlohmann::json& m3 = j["models"]["kws"]["cortex-m3"];
  EXPECT_EQ(m3["bit_exact"], false);
  EXPECT_FALSE(m3.contains("instructions"));
}

TEST(Results, JsonHasTheProfileOfEveryCoreWithLayerMacs) {
  const nlohmann::json j = ResultsJson({OneModel()}, kPeers, "");
  for (const char* core : {"cortex-m4", "cortex-m7"}) {
    const nlohmann::json& p = j["models"]["kws"][core]["profile"];
    ASSERT_EQ(p["layers"].size(), 5u) << core;
    EXPECT_EQ(p["layers"][0]["macs"], 600) << core;
    EXPECT_FALSE(p["layers"][2].contains("macs")) << core;  // no MACs known for node "p"
    EXPECT_EQ(p["per_op_macs"]["conv2d"], 900) << core;
  }
  const nlohmann::json& p4 = j["models"]["kws"]["cortex-m4"]["profile"];
  EXPECT_EQ(p4["per_op"]["conv2d"], 4000);
  EXPECT_DOUBLE_EQ(p4["layers"][0]["instructions_per_mac"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(p4["per_op_instructions_per_mac"]["fully_connected"].get<double>(), 3.2);
  EXPECT_EQ(j["models"]["kws"]["cortex-m7"]["profile"]["per_op"]["conv2d"], 3400);
}

TEST(Results, PerOpGroupsFollowThePeersBreakdown) {
  const nlohmann::json j = ResultsJson({OneModel()}, kPeers, "");
  const nlohmann::json& g = j["models"]["kws"]["cortex-m4"]["tflm"]["per_op"];
  EXPECT_EQ(g["CONV_2D"]["ember"], 4000);
  EXPECT_EQ(g["CONV_2D"]["cmsis_nn"], 2000);
  EXPECT_DOUBLE_EQ(g["CONV_2D"]["ratio_cmsis_nn"].get<double>(), 2.0);
  EXPECT_EQ(g["FC+SOFTMAX+RESHAPE"]["ember"], 920);  // fully_connected (FC) + softmax
  EXPECT_DOUBLE_EQ(g["FC+SOFTMAX+RESHAPE"]["ratio_cmsis_nn"].get<double>(), 0.5);
  EXPECT_EQ(g["other"]["ember"], 40);  // average_pool2d: no group in the peer's breakdown
  EXPECT_TRUE(g["other"]["cmsis_nn"].is_null());
  EXPECT_TRUE(j["models"]["kws"]["cortex-m7"]["tflm"].is_null());  // no peer file for the core
}

TEST(Results, AcceptanceAgainstThePeerOfTheSameCoreAndTheRamLimit) {
  const nlohmann::json j = ResultsJson({OneModel()}, kPeers, "");
  const nlohmann::json& a = j["models"]["kws"]["cortex-m4"]["acceptance"];
  EXPECT_EQ(a["instructions_limit"], 3200);  // 0.8 x 4000
  EXPECT_EQ(a["instructions_within_limit"], false);
  EXPECT_EQ(a["instructions_goal"], 2000);
  EXPECT_EQ(a["instructions_within_goal"], false);
  EXPECT_EQ(a["ram_limit_bytes"], 9000);
  EXPECT_EQ(a["ram_within_limit"], true);
  const nlohmann::json& a7 = j["models"]["kws"]["cortex-m7"]["acceptance"];
  EXPECT_TRUE(a7["instructions_limit"].is_null());
  EXPECT_TRUE(a7["instructions_within_limit"].is_null());
  EXPECT_EQ(a7["ram_within_limit"], true);

  ModelResult fast = OneModel();
  fast.cores[0].instructions = 2000;  // exactly 0.5 x CMSIS-NN
  fast.cores[0].footprint.bss_bytes = 9000;
  const nlohmann::json jf = ResultsJson({fast}, kPeers, "");
  const nlohmann::json& b = jf["models"]["kws"]["cortex-m4"]["acceptance"];
  EXPECT_EQ(b["instructions_within_limit"], true);
  EXPECT_EQ(b["instructions_within_goal"], true);
  EXPECT_EQ(b["ram_within_limit"], false);  // 9006 B
  EXPECT_EQ(RamLimitBytes("vww"), 42000u);
  EXPECT_EQ(RamLimitBytes("ic"), 40000u);
  EXPECT_EQ(RamLimitBytes("ad"), 768u);
  EXPECT_EQ(RamLimitBytes("other"), 0u);
}

TEST(Results, MarkdownShowsTheTablesAndTheFailure) {
  const std::string md = ResultsMarkdown({OneModel()}, kPeers, "qemu: 7.2\n");
  EXPECT_NE(md.find("| kws | cortex-m4 (mps2-an386) | 5,000 | 5.00 | 256 | 232 | 300 | 700 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| kws | cortex-m4 | 5,000 | 20,000 | 0.250 | 4,000 | 1.250 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| kws | cortex-m7 | 4,000 | no peer file (tflm-cortex-m7.json) |"), std::string::npos) << md;
  EXPECT_NE(md.find("mismatch: the output differs"), std::string::npos);
  // Acceptance: 1.25 x CMSIS-NN, limit 3,200 missed, goal 2,000 missed, RAM 256 within 9,000.
  EXPECT_NE(md.find("| kws | cortex-m4 | 5,000 | 1.250 | 3,200 | NO | 2,000 | NO | 256 | 9,000 | yes |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("0 of 1 model/core pairs with a peer"), std::string::npos) << md;
  // Per op type on every profiled core, then per peer op group.
  EXPECT_NE(md.find("| op | cortex-m4 | cortex-m7 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| conv2d | 4,000 (80.6%) | 3,400 (86.3%) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| CONV_2D | 4,000 / 2,000 = 2.000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| other | 40 / - |"), std::string::npos) << md;
  // Per layer: one column per core.
  EXPECT_NE(md.find("| 0 | conv2d | 600 | 3,000 | 2,500 | a |"), std::string::npos) << md;
}

class ResultsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_bench_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  fs::path dir_;
};

TEST_F(ResultsFiles, ReadPeersReadsTheFilesThatExist) {
  Write("tflm-cortex-m4.json", R"({"peer": "P", "models": {}})");
  Write("tflm-cortex-m55.json", R"({"peer": "Q", "models": {}})");
  Peers peers;
  std::string error;
  ASSERT_TRUE(ReadPeers(dir_.string(), {"cortex-m4", "cortex-m3", "cortex-m55"}, &peers, &error)) << error;
  EXPECT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers["cortex-m55"]["peer"], "Q");
  EXPECT_FALSE(peers.count("cortex-m3"));  // no file: no peer, no error

  Write("tflm-cortex-m7.json", "{ not json");
  Peers more;
  EXPECT_FALSE(ReadPeers(dir_.string(), {"cortex-m7"}, &more, &error));
  EXPECT_NE(error.find("tflm-cortex-m7.json"), std::string::npos) << error;
}

TEST_F(ResultsFiles, CollectReadsTheNodeMacsAndKeepsAFailedStatus) {
  Write("kws/analyze.json", R"({"macs": 900, "nodes": [
      {"index": 0, "name": "a", "macs": 600, "op": "conv2d"},
      {"index": 1, "name": "b", "macs": 300, "op": "conv2d"},
      {"index": 2, "name": "b", "macs": 5, "op": "conv2d"},
      {"index": 3, "name": "p", "op": "average_pool2d"}]})");
  Write("kws/cortex-m3/status", "does-not-fit: region FLASH overflowed\n");
  Write("kws/cortex-m3/board", "mps2-an385\n");
  const ModelResult m = CollectModel(dir_.string(), "kws", {"cortex-m3", "cortex-m55"});
  EXPECT_EQ(m.macs, 900u);
  EXPECT_EQ(m.node_macs.size(), 1u);  // "b" occurs twice: dropped; "p" has no MACs
  EXPECT_EQ(m.node_macs.at("a"), 600u);
  ASSERT_EQ(m.cores.size(), 2u);
  EXPECT_EQ(m.cores[0].status, "does-not-fit: region FLASH overflowed");
  EXPECT_EQ(m.cores[0].board, "mps2-an385");
  EXPECT_EQ(m.cores[1].status, "error: the job left no status");
}

}  // namespace
}  // namespace ember::bench
