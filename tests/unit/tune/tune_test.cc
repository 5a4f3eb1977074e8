// ember tune's pieces without a device: tasks, candidates, the log (format,
// bad lines, foreign logs), the choice of the best schedule, and resuming.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "codegen/c/emitter.h"
#include "codegen/conv_cases.h"
#include "ops/evaluate.h"
#include "tune/log.h"
#include "tune/task.h"
#include "tune/tuner.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

using codegen::c::Schedule;

ConvCase Pw(int64_t c, int64_t oc, uint32_t seed) {
  ConvCase k = PointwiseConv(4, 4, c, oc, seed);
  k.act = "relu";
  return k;
}

// Three pointwise convs (two of one configuration, other weights) and a
// fully_connected: three tasks for cortex-m4.
ir::Graph Model() {
  std::vector<uint8_t> in;
  OneNode a = BuildConv(Pw(8, 8, 1), &in), b = BuildConv(Pw(8, 8, 9), &in), c = BuildConv(Pw(8, 4, 5), &in);
  FcCase f;
  f.in_shape = {1, 32};
  f.units = 6;
  OneNode d = BuildFc(f, &in);
  ir::Graph g = MergeGraphs(a.graph(), b.graph(), "conv_b");
  g = MergeGraphs(g, c.graph(), "conv_c");
  return MergeGraphs(g, d.graph(), "fc");
}

codegen::c::Target M4() { return *codegen::c::ParseTarget("cortex-m4"); }

TEST(TuneTasks, OnePerDistinctLayerConfiguration) {
  const ir::Graph g = Model();
  const std::vector<tune::Task> tasks = tune::ExtractTasks(g, M4());
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].nodes, (std::vector<size_t>{0, 1}));  // same shapes, other weights: one task
  EXPECT_EQ(tasks[1].nodes, (std::vector<size_t>{2}));
  EXPECT_EQ(tasks[2].nodes, (std::vector<size_t>{3}));
  EXPECT_EQ(tasks[0].space.kernel, "dsp.conv2d");
  EXPECT_EQ(tasks[2].space.kernel, "dsp.fully_connected");
  EXPECT_EQ(tasks[0].key.rfind("conv2d in0=i8[1,4,4,8]/qt in1=i8[8,1,1,8]/const/qc", 0), 0u) << tasks[0].key;
  EXPECT_NE(tasks[0].key.find("act=relu"), std::string::npos);
  EXPECT_NE(tasks[0].key, tasks[1].key);
  // The key is stable: the same text for the same layer.
  EXPECT_EQ(tune::TaskKey(g, 1), tasks[0].key);
  // A task's graph is its first layer alone, evaluable.
  ASSERT_EQ(tasks[0].graph.nodes.size(), 1u);
  const ir::Tensor& in = tasks[0].graph.tensor(tasks[0].graph.inputs.at(0));
  auto r = ops::EvaluateGraph(tasks[0].graph, {tune::TaskInputBytes(tasks[0].key, 0, static_cast<size_t>(in.size_bytes()))});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->outputs.at(0).size(), 4u * 4u * 8u);
  // Portable kernels have no knobs: no tasks.
  EXPECT_TRUE(tune::ExtractTasks(g, *codegen::c::ParseTarget("cortex-m3")).empty());
}

TEST(TuneTasks, CandidatesGridOrSeededSample) {
  const std::vector<tune::Task> tasks = tune::ExtractTasks(Model(), M4());
  const tune::Task& t = tasks[0];
  ASSERT_EQ(t.space.Size(), 12);  // channels 3 x pixels 2 x unroll {1, 2}
  // Grid: every point once, the default first (marked).
  auto grid = tune::TaskCandidates(t, 0, 100, 1);
  ASSERT_EQ(grid.size(), 12u);
  EXPECT_TRUE(grid[0].is_default);
  EXPECT_EQ(grid[0].schedule, t.space.default_point);
  std::set<std::string> seen;
  for (const auto& c : grid) {
    EXPECT_TRUE(t.space.Contains(c.schedule));
    seen.insert(c.schedule.ToString());
  }
  EXPECT_EQ(seen.size(), 12u);
  // Sample: `trials` candidates, distinct, the same on every call, another seed another draw.
  auto s1 = tune::TaskCandidates(t, 0, 5, 1), s2 = tune::TaskCandidates(t, 0, 5, 1), s3 = tune::TaskCandidates(t, 0, 5, 2);
  ASSERT_EQ(s1.size(), 5u);
  EXPECT_TRUE(s1[0].is_default);
  std::set<std::string> d;
  for (size_t i = 0; i < s1.size(); ++i) {
    EXPECT_EQ(s1[i].schedule, s2[i].schedule);
    d.insert(s1[i].schedule.ToString());
  }
  EXPECT_EQ(d.size(), 5u);
  bool differ = false;
  for (size_t i = 0; i < s1.size(); ++i) differ = differ || !(s1[i].schedule == s3[i].schedule);
  EXPECT_TRUE(differ);
  EXPECT_EQ(tune::TaskCandidates(t, 0, 1, 1).size(), 1u);  // just the default
}

tune::Record Rec(const std::string& task, Schedule s, double ticks, bool def = false, const std::string& err = "") {
  tune::Record r;
  r.target = "cortex-m4";
  r.board = "mps2-an386";
  r.task = task;
  r.kernel = "dsp.conv2d";
  r.schedule = std::move(s);
  r.is_default = def;
  r.layers = 1;
  r.min_ticks = ticks;
  r.median_ticks = ticks + 1;
  r.number = 3;
  r.repeat = 5;
  r.ticks_per_second = 25000000;
  r.error = err;
  return r;
}

std::string WriteLines(const std::string& name, const std::vector<std::string>& lines) {
  const std::string p = TempDir() + "/" + name;
  std::ofstream f(p);
  for (const auto& l : lines) f << l << "\n";
  return p;
}

TEST(TuneLog, RoundTripAndOneLinePerRecord) {
  const tune::Record r = Rec("conv2d k", Schedule{{{"channels", 4}, {"pixels", 1}}}, 123.5);
  const std::string line = tune::RecordToJson(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("\"ember\":\""), std::string::npos);
  EXPECT_NE(line.find("\"error\":null"), std::string::npos);
  const std::string p = TempDir() + "/rt.jsonl";
  std::remove(p.c_str());
  ASSERT_TRUE(tune::AppendRecord(p, r).ok());
  ASSERT_TRUE(tune::AppendRecord(p, Rec("conv2d k", Schedule{{{"channels", 1}}}, 0, false, "wrong output")).ok());
  auto log = tune::ReadLog(p, "cortex-m4", "mps2-an386", false);
  ASSERT_TRUE(log.ok()) << log.diag().ToString();
  ASSERT_EQ(log->records.size(), 2u);
  EXPECT_TRUE(log->skipped.empty());
  EXPECT_EQ(log->records[0].schedule.ToString(), "channels=4,pixels=1");
  EXPECT_EQ(log->records[0].min_ticks, 123.5);
  EXPECT_EQ(log->records[0].Id(), r.Id());
  EXPECT_EQ(log->records[1].error, "wrong output");
  // A missing log is empty when allowed, an error otherwise.
  EXPECT_TRUE(tune::ReadLog(TempDir() + "/none.jsonl", "", "", true).ok());
  EXPECT_FALSE(tune::ReadLog(TempDir() + "/none.jsonl", "", "", false).ok());
}

TEST(TuneLog, BadLinesAreSkippedWithTheirLineNumber) {
  const std::string good = tune::RecordToJson(Rec("t", Schedule{{{"channels", 2}}}, 10, true));
  const std::string p = WriteLines("bad.jsonl", {good, "{\"ember\": \"0.1.0\", \"task\"",  // cut short
                                                 "", "not json at all", "{\"name\": \"someone else's\"}", "[1, 2]",
                                                 good.substr(0, good.find("\"schedule\"")) + "\"schedule\":{\"channels\":\"two\"}}",
                                                 good});
  auto log = tune::ReadLog(p, "cortex-m4", "", false);
  ASSERT_TRUE(log.ok()) << log.diag().ToString();
  EXPECT_EQ(log->records.size(), 2u);
  ASSERT_EQ(log->skipped.size(), 5u);
  EXPECT_EQ(log->skipped[0].line, 2);
  EXPECT_NE(log->skipped[0].message.find("not JSON"), std::string::npos);
  EXPECT_EQ(log->skipped[1].line, 4);
  EXPECT_EQ(log->skipped[2].line, 5);
  EXPECT_NE(log->skipped[2].message.find("not an ember tuning record"), std::string::npos);
  EXPECT_EQ(log->skipped[3].line, 6);
  EXPECT_EQ(log->skipped[4].line, 7);
}

TEST(TuneLog, AnotherTargetBoardOrVersionIsRefused) {
  tune::Record r = Rec("t", Schedule{}, 10, true);
  const std::string p = WriteLines("m4.jsonl", {tune::RecordToJson(r)});
  auto other = tune::ReadLog(p, "cortex-m7", "", false);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.diag().id, "E1601");
  EXPECT_NE(other.diag().message.find("line 1: the log is for target cortex-m4, not cortex-m7"), std::string::npos)
      << other.diag().message;
  auto board = tune::ReadLog(p, "cortex-m4", "mps2-an500", false);
  ASSERT_FALSE(board.ok());
  EXPECT_NE(board.diag().message.find("board mps2-an386"), std::string::npos);
  r.ember = "0.0.1";
  const std::string old = WriteLines("old.jsonl", {tune::RecordToJson(Rec("t", Schedule{}, 1, true)), tune::RecordToJson(r)});
  auto v = tune::ReadLog(old, "cortex-m4", "", false);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.diag().id, "E1601");
  EXPECT_NE(v.diag().message.find("line 2: the log was written by ember 0.0.1"), std::string::npos) << v.diag().message;
}

TEST(TuneLog, AWrongCandidateIsNeverSelected) {
  tune::Log log;
  log.records.push_back(Rec("t", Schedule{{{"channels", 2}}}, 100, true));
  log.records.push_back(Rec("t", Schedule{{{"channels", 4}}}, 90));
  tune::Record wrong = Rec("t", Schedule{{{"channels", 1}}}, 5, false, "wrong output: 3 of 64 bytes differ");
  log.records.push_back(wrong);
  log.records.push_back(Rec("u", Schedule{{{"channels", 2}}}, 50, true));
  log.records.push_back(Rec("u", Schedule{{{"channels", 4}}}, 49.8));  // within a tick of 3 calls: a tie, the default stays
  log.records.push_back(Rec("v", Schedule{{{"channels", 4}}}, 1, false, "the device stopped answering"));
  auto best = tune::BestPerTask(log);
  ASSERT_EQ(best.size(), 2u);  // v has no good record
  EXPECT_EQ(best["t"].best->schedule.ToString(), "channels=4");
  EXPECT_EQ(best["t"].default_record->min_ticks, 100);
  EXPECT_EQ(best["t"].measured, 3);
  EXPECT_EQ(best["t"].errors, 1);
  EXPECT_TRUE(best["u"].best->is_default);
  // Ties between other schedules: the first in text order, whatever the log's order.
  for (int order = 0; order < 2; ++order) {
    tune::Log w;
    w.records.push_back(Rec("w", Schedule{{{"channels", 2}}}, 60, true));
    w.records.push_back(Rec("w", Schedule{{{"channels", order ? 4 : 1}}}, order ? 40.1 : 40.2));
    w.records.push_back(Rec("w", Schedule{{{"channels", order ? 1 : 4}}}, order ? 40.2 : 40.1));
    EXPECT_EQ(tune::BestPerTask(w)["w"].best->schedule.ToString(), "channels=1") << order;
  }
  const std::string s = tune::Summary({{"x.jsonl", log}});
  EXPECT_NE(s.find("1.111x"), std::string::npos) << s;
  EXPECT_NE(s.find("3/1e"), std::string::npos) << s;
}

TEST(TuneLog, CompileTakesTheBestScheduleOfEachLayersTask) {
  const ir::Graph g = Model();
  const std::vector<tune::Task> tasks = tune::ExtractTasks(g, M4());
  tune::Log log;
  log.records.push_back(Rec(tasks[0].key, tasks[0].space.default_point, 100, true));
  log.records.push_back(Rec(tasks[0].key, Schedule{{{"channels", 4}, {"pixels", 1}, {"unroll", 2}}}, 80));
  log.records.push_back(Rec(tasks[1].key, tasks[1].space.default_point, 100, true));  // default best
  log.records.push_back(Rec(tasks[2].key, Schedule{{{"channels", 9}}}, 1));  // not in the space: ignored
  log.records[3].kernel = "dsp.fully_connected";
  std::vector<std::string> applied;
  auto s = tune::SchedulesFromLog(g, M4(), log, &applied);
  ASSERT_EQ(s.size(), 2u);  // both layers of task 0
  EXPECT_EQ(s.at(0).ToString(), "channels=4,pixels=1,unroll=2");
  EXPECT_EQ(s.at(1).ToString(), "channels=4,pixels=1,unroll=2");
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_NE(applied[0].find("(1.250x)"), std::string::npos) << applied[0];
  // The schedules compile and the model still plans (GenerateAot with them).
  codegen::c::AotOptions o;
  o.target = M4();
  o.schedules = s;
  auto m = codegen::c::GenerateAot(g, o);
  ASSERT_TRUE(m.ok()) << m.diag().ToString();
}

TEST(TuneResume, ALogWithEveryCandidateMeasuresNothing) {
  const ir::Graph g = Model();
  const std::vector<tune::Task> tasks = tune::ExtractTasks(g, M4());
  const std::string p = TempDir() + "/full.jsonl";
  std::remove(p.c_str());
  int64_t n = 0;
  for (size_t t = 0; t < tasks.size(); ++t) {
    for (const tune::Candidate& c : tune::TaskCandidates(tasks[t], t, 4, 1)) {
      tune::Record r = Rec(tasks[t].key, c.schedule, 10.0 + static_cast<double>(n++), c.is_default);
      ASSERT_TRUE(tune::AppendRecord(p, r).ok());
    }
  }
  tune::TuneOptions o;
  o.target = M4();
  o.board = "mps2-an386";
  o.trials = 4;
  o.log_path = p;
  o.template_dir = "/nonexistent";  // never started: nothing is left to measure
  auto r = tune::Tune(g, o);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->candidates, n);
  EXPECT_EQ(r->resumed, n);
  EXPECT_EQ(r->measured, 0);
  EXPECT_EQ(r->lost, 0);
  // A log of another board is refused before anything runs.
  o.board = "mps2-an500";
  EXPECT_FALSE(tune::Tune(g, o).ok());
}

}  // namespace
}  // namespace ember::test
