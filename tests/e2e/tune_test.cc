// ember tune end to end: candidates built into one firmware per batch and
// measured over a host-driven session. On the host template (seconds): a
// wrong candidate is logged as an error and never selected, a candidate that
// hangs the device gets the device restarted and the run goes on. On QEMU
// (mps2-an386, a tiny model, few trials): the CLI, the log, resuming a run
// cut short, the summary and `ember compile --tuning-log`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "codegen/conv_cases.h"
#include "e2e/qemu_util.h"
#include "ir/printer.h"
#include "micro/project/project.h"
#include "tune/log.h"
#include "tune/tuner.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

ConvCase Pw(int64_t c, int64_t oc, uint32_t seed) {
  ConvCase k = PointwiseConv(4, 4, c, oc, seed);
  k.act = "relu";
  return k;
}

// A pointwise conv and a fully_connected: two tasks for cortex-m4.
ir::Graph Tiny() {
  std::vector<uint8_t> in;
  OneNode a = BuildConv(Pw(8, 8, 3), &in);
  FcCase f;
  f.in_shape = {1, 24};
  f.units = 6;
  OneNode d = BuildFc(f, &in);
  return MergeGraphs(a.graph(), d.graph(), "fc");
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(f, l);) out.push_back(l);
  return out;
}

// The text of function `fn`'s definition in the generated sources.
std::string* SourceWith(codegen::c::GeneratedModel& m, const std::string& needle) {
  for (auto& [name, text] : m.sources)
    if (text.find(needle) != std::string::npos) return &text;
  return nullptr;
}

TEST(TuneOnHost, WrongAndHangingCandidatesAreErrorsAndTheRunGoesOn) {
  const ir::Graph g = Tiny();
  tune::TuneOptions o;
  o.target = *codegen::c::ParseTarget("cortex-m4");  // DSP kernels, portable helpers on the host
  o.template_dir = micro::GetTemplateProjectDir("host").string();
  o.board = "host";
  o.trials = 4;
  o.repeat = 3;
  o.min_ticks = 500;  // µs on the host: a few hundred calls per measurement
  o.timeout_sec = 3;
  o.log_path = TempDir() + "/host.jsonl";
  o.work_dir = TempDir() + "/tune-host";
  std::remove(o.log_path.c_str());
  std::vector<std::string> notes;
  o.note = [&](const std::string& s) { notes.push_back(s); };
  std::string wrong_fn, hang_fn;
  tune::Candidate wrong, hang;
  // The second candidate of the batch stores every result plus one; the third never returns.
  o.patch_sources = [&](codegen::c::GeneratedModel& m, const std::vector<std::string>& fns,
                        const std::vector<tune::Candidate>& batch) {
    ASSERT_GE(fns.size(), 3u);
    wrong_fn = fns[1], hang_fn = fns[2], wrong = batch[1], hang = batch[2];
    std::string* s = SourceWith(m, "static void " + wrong_fn + "(");
    ASSERT_NE(s, nullptr);
    const size_t at = s->find("ember_ssat8(v)", s->find("static void " + wrong_fn + "("));
    ASSERT_NE(at, std::string::npos);
    s->replace(at, 14, "ember_ssat8(v + 1)");
    s = SourceWith(m, "static void " + hang_fn + "(");
    ASSERT_NE(s, nullptr);
    const size_t body = s->find("{\n", s->find("static void " + hang_fn + "("));
    s->insert(body + 2, "  for (;;) { static volatile int spin; spin = 1; (void)spin; }\n");
  };
  auto r = tune::Tune(g, o);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->tasks.size(), 2u);
  EXPECT_EQ(r->candidates, 8);
  EXPECT_EQ(r->measured, 8);
  EXPECT_EQ(r->lost, 0);
  EXPECT_EQ(r->errors, 2);
  ASSERT_EQ(r->log.records.size(), 8u);
  EXPECT_EQ(Lines(o.log_path).size(), 8u);
  bool saw_restart = false;
  for (const auto& n : notes) saw_restart = saw_restart || n.find("restarting") != std::string::npos;
  EXPECT_TRUE(saw_restart);
  for (const tune::Record& rec : r->log.records) {
    const bool is_wrong = rec.task == r->tasks[wrong.task].key && rec.schedule == wrong.schedule && !wrong.is_default;
    const bool is_hang = rec.task == r->tasks[hang.task].key && rec.schedule == hang.schedule && !hang.is_default;
    if (is_wrong) {
      EXPECT_NE(rec.error.find("wrong output"), std::string::npos) << rec.error;
    } else if (is_hang) {
      EXPECT_NE(rec.error.find("stopped answering"), std::string::npos) << rec.error;
    } else {
      EXPECT_TRUE(rec.ok()) << rec.error;
      EXPECT_GT(rec.min_ticks, 0);
    }
  }
  // Neither is ever the best, however fast they were.
  for (const auto& [key, best] : tune::BestPerTask(r->log)) {
    EXPECT_TRUE(best.best->ok());
    EXPECT_FALSE(best.best->task == r->tasks[wrong.task].key && best.best->schedule == wrong.schedule);
  }
  // Nothing is measured twice: a second run finds everything in the log.
  o.patch_sources = nullptr;
  auto again = tune::Tune(g, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->measured, 0);
  EXPECT_EQ(again->resumed, 8);
}

std::map<std::string, std::string> BestSchedules(const std::string& log_path) {
  auto log = tune::ReadLog(log_path, "", "", false);
  std::map<std::string, std::string> out;
  if (!log.ok()) return out;
  for (const auto& [key, b] : tune::BestPerTask(*log)) out[key] = b.best->is_default ? "default" : b.best->schedule.ToString();
  return out;
}

TEST(TuneOnQemu, TinyModelTunesResumesAndCompiles) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string model = TempDir() + "/tiny.ir";
  {
    std::ofstream f(model);
    f << ir::Print(Tiny());
  }
  const std::string log = TempDir() + "/tiny-m4.jsonl";
  std::remove(log.c_str());
  const std::vector<std::string> tune = {"tune", model, "--target", "cortex-m4", "--template", "qemu",
                                         "--project-option", "board=mps2-an386", "--trials", "3",
                                         "--devices", "2", "--log", log, "--timeout", "30"};
  CliResult r = RunCli(tune);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tuned 2 tasks"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("6/6 candidates measured"), std::string::npos) << r.err;
  const std::vector<std::string> lines = Lines(log);
  ASSERT_EQ(lines.size(), 6u);
  const auto best = BestSchedules(log);
  ASSERT_EQ(best.size(), 2u);
  {
    auto l = tune::ReadLog(log, "cortex-m4", "mps2-an386", false);
    ASSERT_TRUE(l.ok());
    for (const auto& rec : l->records) {
      EXPECT_TRUE(rec.ok()) << rec.error;
      EXPECT_EQ(rec.ticks_per_second, 25000000u);
      EXPECT_GT(rec.min_ticks, 0);
    }
  }
  // Cut short after 2 measurements (and a half-written line): the rerun
  // measures the other 4 only (in batches of 2 instead of 3) and ends with
  // the same best schedules (the emulated timer counts instructions, so
  // figures repeat exactly).
  {
    std::ofstream f(log, std::ios::trunc);
    f << lines[0] << "\n" << lines[1] << "\n" << lines[2].substr(0, 40);
  }
  r = RunCli(tune);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("line 3 skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("4 measured now, 2 from the log"), std::string::npos) << r.out;
  // The 2 kept records, the broken line, and the 4 measured again each on a
  // line of its own (none lost to the half-written line); nothing twice.
  EXPECT_EQ(Lines(log).size(), 7u);
  // Every candidate measured again has exactly the figures of the first run,
  // though its batch (the other candidates of its firmware) differs: the
  // timer restarts its tick period at each measurement and a candidate's
  // kernel is its own; so the best schedules are the same.
  {
    const std::string all = TempDir() + "/first.jsonl";
    {
      std::ofstream f(all);
      for (const auto& l : lines) f << l << "\n";
    }
    auto first = tune::ReadLog(all, "", "", false);
    auto now = tune::ReadLog(log, "", "", false);
    ASSERT_TRUE(first.ok() && now.ok());
    ASSERT_EQ(now->records.size(), 6u);
    int compared = 0;
    for (const auto& a : first->records)
      for (const auto& b : now->records)
        if (a.task == b.task && a.is_default == b.is_default && a.schedule == b.schedule) {
          ++compared;
          EXPECT_EQ(a.min_ticks, b.min_ticks) << a.task << " " << a.schedule.ToString();
          EXPECT_EQ(a.median_ticks, b.median_ticks) << a.task << " " << a.schedule.ToString();
          EXPECT_EQ(a.number, b.number) << a.task << " " << a.schedule.ToString();
        }
    EXPECT_EQ(compared, 6);
    for (const auto& b : now->records) EXPECT_EQ(b.min_ticks, b.median_ticks) << "repeats differ";
  }
  EXPECT_EQ(BestSchedules(log), best);
  // Summary, and compile with the log (the tuned layers named with -v).
  r = RunCli({"tune", "--summary", log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dsp.conv2d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dsp.fully_connected"), std::string::npos) << r.out;
  r = RunCli({"compile", model, "--target", "cortex-m4", "--tuning-log", log, "-o", TempDir() + "/tiny.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tuning log"), std::string::npos) << r.out;
  // Another target's compile refuses the log.
  r = RunCli({"compile", model, "--target", "cortex-m7", "--tuning-log", log, "-o", TempDir() + "/tiny7.tar"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E1601"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the log is for target cortex-m4, not cortex-m7"), std::string::npos) << r.err;
}

TEST(TuneCli, UsageErrors) {
  CliResult r = RunCli({"tune", "--summary", TempDir() + "/absent.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E1602"), std::string::npos) << r.err;
  r = RunCli({"tune", "model.tflite"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("E1604"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ember::test
