// `ember report` (docs/report.md) through the CLI: the page of every
// ../shared model and of the demo model, byte-identical across runs, checked
// in headless Chromium (the DOM names the model and its totals; the
// screenshot is not blank) when Chromium is installed; and the diagnostics of
// bad input (no model, a profile of another model, an unwritable output),
// which leave no file behind.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadText(const std::string& path) {
  const auto b = ReadFile(path);
  return std::string(b.begin(), b.end());
}

void WriteText(const std::string& path, const std::string& s) { std::ofstream(path, std::ios::binary) << s; }

std::string Grouped(int64_t v) {
  std::string d = std::to_string(v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

// The headless browser: $EMBER_CHROMIUM, else chromium or chromium-browser in PATH; "" when absent.
std::string Chromium() {
  if (const char* e = std::getenv("EMBER_CHROMIUM"); e && *e) return e;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path p = fs::path(dir) / name;
      std::error_code ec;
      if (!dir.empty() && fs::exists(p, ec)) return p.string();
    }
  }
  return "";
}

// Runs the browser on `html` with `args` (--dump-dom or --screenshot=...); its stdout.
std::string RunChromium(const std::string& browser, const std::string& html, const std::string& args,
                        const std::string& dir) {
  const std::string out = dir + "/chromium.out";
  const std::string cmd = "timeout 120 '" + browser + "' --headless --no-sandbox --disable-gpu --hide-scrollbars "
                          "--user-data-dir='" + dir + "/chromium-profile' " + args + " 'file://" + html + "' > '" + out +
                          "' 2> '" + dir + "/chromium.err'";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd << "\n" << ReadText(dir + "/chromium.err");
  return ReadText(out);
}

// The distinct colours of a PNG screenshot (8-bit RGB or RGBA, not
// interlaced): decoded with zlib and the PNG row filters.
std::set<uint32_t> PngColours(const std::vector<uint8_t>& png) {
  std::set<uint32_t> colours;
  auto be32 = [&](size_t at) {
    return (uint32_t{png[at]} << 24) | (uint32_t{png[at + 1]} << 16) | (uint32_t{png[at + 2]} << 8) | png[at + 3];
  };
  if (png.size() < 33 || std::string(png.begin() + 1, png.begin() + 4) != "PNG") return colours;
  const uint32_t width = be32(16), height = be32(20);
  const int depth = png[24], type = png[25], interlace = png[28];
  if (depth != 8 || (type != 2 && type != 6) || interlace != 0) {
    ADD_FAILURE() << "unexpected PNG format: depth " << depth << " type " << type;
    return colours;
  }
  const size_t bpp = type == 6 ? 4 : 3;
  std::vector<uint8_t> idat;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint32_t len = be32(at);
    const std::string kind(png.begin() + static_cast<long>(at) + 4, png.begin() + static_cast<long>(at) + 8);
    if (kind == "IDAT") idat.insert(idat.end(), png.begin() + static_cast<long>(at) + 8, png.begin() + static_cast<long>(at + 8 + len));
    at += 12 + len;
  }
  const size_t stride = width * bpp;
  std::vector<uint8_t> raw((stride + 1) * height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, idat.data(), idat.size()) != Z_OK || raw_len != raw.size()) {
    ADD_FAILURE() << "cannot inflate the PNG";
    return colours;
  }
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? cur[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: break;
      }
      cur[x] = static_cast<uint8_t>(in[x] + pred);
    }
    for (size_t x = 0; x + bpp <= stride && colours.size() < 64; x += bpp)
      colours.insert((uint32_t{cur[x]} << 16) | (uint32_t{cur[x + 1]} << 8) | cur[x + 2]);
    prev = cur;
  }
  return colours;
}

struct Model {
  std::string name;  // the report's title: the file's stem
  std::string path;
};

// The demo model (float and, quantized here with its calibration split, int8).
std::vector<Model> DemoModels(const std::string& dir) {
  const std::string src = std::string(EMBER_SOURCE_DIR) + "/examples/digits";
  const std::string q = dir + "/digits_int8.onnx";
  const auto r = RunCli({"quantize", src + "/digits.onnx", "--calibration", src + "/calib.npz", "-o", q});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return {{"digits", src + "/digits.onnx"}, {"digits_int8", q}};
}

std::vector<Model> SharedModels() {
  std::vector<Model> models;
  if (SharedDir().empty()) return models;
  for (const char* m : {"kws", "vww", "ic", "ad"}) models.push_back({m, SharedDir() + "/models/" + m + ".tflite"});
  return models;
}

json Analyze(const std::string& model) {
  const auto r = RunCli({"analyze", model, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

// A profile of `model` in the format make demo writes: made-up instructions
// (2 per MAC, 100 per layer without MACs).
json FakeProfile(const std::string& name, const json& analysis) {
  json layers = json::array();
  int64_t total = 0;
  for (const json& n : analysis["nodes"]) {
    const int64_t ins = n["macs"].get<int64_t>() * 2 + 100;
    total += ins;
    layers.push_back({{"index", n["index"]}, {"op", n["op"]}, {"name", n["name"]}, {"instructions", ins}});
  }
  return {{"model", name}, {"core", "cortex-m4"}, {"instructions", total}, {"code_bytes", 4321}, {"layers", layers}};
}

// Writes the report of `m` twice (byte-identical), checks its text, and in
// Chromium when present: the DOM names the model and its totals, and the
// screenshot has more than one colour.
void CheckReport(const Model& m, const std::vector<std::string>& extra, const std::vector<std::string>& want_text) {
  SCOPED_TRACE(m.name);
  const std::string dir = TempDir();
  const std::string a = dir + "/" + m.name + ".html", b = dir + "/" + m.name + "-again.html";
  std::vector<std::string> args = {"report", m.path, "-o", a};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  args[3] = b;
  r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadText(a);
  EXPECT_EQ(html, ReadText(b)) << "the report differs between two runs";
  const json analysis = Analyze(m.path);
  const std::string macs = Grouped(analysis["macs"].get<int64_t>()), params = Grouped(analysis["param_bytes"].get<int64_t>());
  EXPECT_NE(html.find("<h1 id=\"model\">" + m.name + "</h1>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://", html.find("<body")), std::string::npos) << "the page refers to the network";

  const std::string browser = Chromium();
  if (browser.empty()) {
    std::printf("[ SKIPPED  ] the Chromium checks of %s: chromium is not installed (scripts/setup.sh installs it)\n",
                m.name.c_str());
    return;
  }
  const std::string dom = RunChromium(browser, a, "--dump-dom", dir);
  EXPECT_NE(dom.find("<h1 id=\"model\">" + m.name + "</h1>"), std::string::npos) << dom.substr(0, 400);
  EXPECT_NE(dom.find("<b>" + macs + "</b><span>MACs per inference</span>"), std::string::npos) << "total MACs " << macs;
  EXPECT_NE(dom.find("<b>" + params + " B</b><span>parameter bytes</span>"), std::string::npos) << "parameter bytes " << params;
  EXPECT_NE(dom.find("aria-label=\"memory plan\""), std::string::npos);
  EXPECT_NE(dom.find("aria-label=\"model graph\""), std::string::npos);
  EXPECT_NE(dom.find("peak: "), std::string::npos);
  for (const std::string& t : want_text) EXPECT_NE(dom.find(t), std::string::npos) << t;
  const std::string png = dir + "/" + m.name + ".png";
  RunChromium(browser, a, "--window-size=1200,1600 --screenshot='" + png + "'", dir);
  const auto colours = PngColours(ReadFile(png));
  EXPECT_GT(colours.size(), 5u) << png << " is (nearly) blank";
}

TEST(Report, SharedModels) {
  EMBER_REQUIRE_SHARED();
  for (const Model& m : SharedModels()) CheckReport(m, {"--board", "nucleo-f446re"}, {"Budget on nucleo-f446re"});
}

TEST(Report, DemoModelWithProfile) {
  const std::string dir = TempDir();
  for (const Model& m : DemoModels(dir)) {
    const std::string profile = dir + "/" + m.name + "-profile.json";
    WriteText(profile, FakeProfile(m.name, Analyze(m.path)).dump(1));
    CheckReport(m, {"--profile", profile, "--board", "mps2-an386"},
                {"instructions per inference (measured)", "class=\"bar i\"", "code 4,321 B"});
  }
}

TEST(Report, BenchResultsProfile) {
  const std::string dir = TempDir();
  const Model m = DemoModels(dir)[1];
  json p = FakeProfile(m.name, Analyze(m.path));
  json results = {{"models", {{m.name, {{"cortex-m4", {{"code_bytes", 999}, {"profile", {{"instructions", p["instructions"]}, {"layers", p["layers"]}}}}}}}}}};
  const std::string path = dir + "/results.json";
  WriteText(path, results.dump());
  const auto r = RunCli({"report", m.path, "--profile", path, "-o", dir + "/r.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadText(dir + "/r.html");
  EXPECT_NE(html.find(Grouped(p["instructions"].get<int64_t>())), std::string::npos);
  EXPECT_NE(html.find("<b>999 B</b>"), std::string::npos);

  // Two targets side by side: each row with the instructions of its core.
  json p55 = p;
  for (json& l : p55["layers"]) l["instructions"] = l["instructions"].get<int64_t>() / 2;
  p55["instructions"] = p["instructions"].get<int64_t>() / 2;
  results["models"][m.name]["cortex-m55"] = {{"code_bytes", 777}, {"profile", {{"instructions", p55["instructions"]}, {"layers", p55["layers"]}}}};
  WriteText(path, results.dump());
  const auto r2 = RunCli({"report", m.path, "--profile", path, "--target", "cortex-m4", "--target", "cortex-m55", "--target",
                          "cortex-m3", "-o", dir + "/r2.html"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const std::string html2 = ReadText(dir + "/r2.html");
  const auto table = html2.substr(html2.find("<table id=\"targets\">"));
  const auto row = [&](const std::string& t) { return table.substr(table.find("<tr><td>" + t + "</td>"), 400); };
  EXPECT_NE(row("cortex-m4").find(Grouped(p["instructions"].get<int64_t>())), std::string::npos) << row("cortex-m4");
  EXPECT_NE(row("cortex-m55").find(Grouped(p55["instructions"].get<int64_t>())), std::string::npos) << row("cortex-m55");
  EXPECT_NE(row("cortex-m55").find("777 B"), std::string::npos) << row("cortex-m55");
  EXPECT_NE(row("cortex-m3").find("<td class=\"n\">-</td>"), std::string::npos) << row("cortex-m3");
}

// An archive from `ember compile` (tar or folder, with or without
// --io-in-arena): the page shows the archive's own arena and RAM figures.
TEST(Report, ModelLibraryFormat) {
  const std::string dir = TempDir();
  const Model m = DemoModels(dir)[1];
  for (const bool io_in_arena : {false, true}) {
    for (const char* out : {"/mlf.tar", "/mlf-folder"}) {
      const std::string mlf = dir + (io_in_arena ? "/io" : "/plain") + out;
      std::vector<std::string> args = {"compile", m.path, "--target", "cortex-m55", "--module-name", "digits", "-o", mlf};
      if (io_in_arena) args.push_back("--io-in-arena");
      auto r = RunCli(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      r = RunCli({"report", mlf, "-o", dir + "/mlf.html"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string html = ReadText(dir + "/mlf.html");
      const json meta = json::parse(ReadText(fs::is_directory(mlf) ? mlf + "/metadata.json" : [&] {
        const std::string x = dir + "/x";
        fs::remove_all(x);
        fs::create_directories(x);
        EXPECT_EQ(std::system(("tar -xf '" + mlf + "' -C '" + x + "' ./metadata.json").c_str()), 0);
        return x + "/metadata.json";
      }()))["modules"]["digits"];
      SCOPED_TRACE(mlf);
      EXPECT_NE(html.find("<h1 id=\"model\">digits</h1>"), std::string::npos);
      EXPECT_NE(html.find("target cortex-m55"), std::string::npos);
      EXPECT_NE(html.find("<b>" + Grouped(meta["arena_bytes"].get<int64_t>()) + " B</b><span>arena</span>"), std::string::npos);
      EXPECT_NE(html.find("<b>" + Grouped(meta["ram_bytes"].get<int64_t>()) + " B</b><span>RAM"), std::string::npos);
    }
  }
}

// Bad input: a clear diagnostic with its id, and no file at the output path
// nor any temporary file beside it.
void ExpectFailsCleanly(const std::vector<std::string>& args, const std::string& id, const std::string& out_dir) {
  std::set<std::string> before;
  for (const auto& e : fs::directory_iterator(out_dir)) before.insert(e.path().filename().string());
  const auto r = RunCli(args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("error[" + id + "]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  std::set<std::string> after;
  for (const auto& e : fs::directory_iterator(out_dir)) after.insert(e.path().filename().string());
  EXPECT_EQ(before, after) << "a file was left in " << out_dir;
}

TEST(Report, NotAModel) {
  const std::string dir = TempDir();
  WriteText(dir + "/notes.txt", "not a model\n");
  WriteText(dir + "/garbage.onnx", "not a protobuf at all \x01\x02\x03");
  WriteText(dir + "/garbage.tflite", "TFL3 but not really");
  WriteText(dir + "/garbage.tar", "not a tar");
  fs::create_directories(dir + "/folder");
  for (const char* f : {"notes.txt", "garbage.onnx", "garbage.tflite", "garbage.tar", "folder", "missing.onnx"})
    ExpectFailsCleanly({"report", dir + "/" + f, "-o", dir + "/out.html"}, "E1401", dir);
}

TEST(Report, ProfileOfAnotherModel) {
  const std::string dir = TempDir();
  const auto models = DemoModels(dir);
  const Model& f = models[0];
  const Model& q = models[1];
  // The int8 model's profile (named after it) given with the float model.
  const std::string p1 = dir + "/p1.json";
  WriteText(p1, FakeProfile(q.name, Analyze(q.path)).dump());
  ExpectFailsCleanly({"report", f.path, "--profile", p1, "-o", dir + "/out.html"}, "E1403", dir);
  // The same layers under the float model's name: the layers do not match.
  json p2 = FakeProfile(q.name, Analyze(q.path));
  p2["model"] = f.name;
  WriteText(dir + "/p2.json", p2.dump());
  ExpectFailsCleanly({"report", f.path, "--profile", dir + "/p2.json", "-o", dir + "/out.html"}, "E1403", dir);
  // A results.json without this model.
  WriteText(dir + "/results.json", json({{"models", {{"kws", json::object()}}}}).dump());
  ExpectFailsCleanly({"report", f.path, "--profile", dir + "/results.json", "-o", dir + "/out.html"}, "E1403", dir);
  // Not a profile at all, or layers of the wrong types.
  for (const char* bad : {"{\"layers\": 3}", "[1, 2]", "not json", "{\"layers\": [{\"index\": \"x\", \"instructions\": 1.5}]}",
                          "{\"models\": {\"digits\": {\"cortex-m4\": {\"profile\": 7}}}}"}) {
    WriteText(dir + "/bad.json", bad);
    ExpectFailsCleanly({"report", f.path, "--profile", dir + "/bad.json", "-o", dir + "/out.html"}, "E1402", dir);
  }
  ExpectFailsCleanly({"report", f.path, "--profile", dir + "/missing.json", "-o", dir + "/out.html"}, "E1402", dir);
  ExpectFailsCleanly({"report", f.path, "--board", "no-such-board", "-o", dir + "/out.html"}, "E1404", dir);
  // --run measures a project's device; a model file has none.
  ExpectFailsCleanly({"report", f.path, "--run", "-o", dir + "/out.html"}, "E1406", dir);
}

TEST(Report, UnwritableOutput) {
  const std::string dir = TempDir();
  const Model m = DemoModels(dir)[0];
  fs::create_directories(dir + "/out");
  WriteText(dir + "/out/plain-file", "x");
  // The output is a folder; its parent is a file; its folder does not exist.
  ExpectFailsCleanly({"report", m.path, "-o", dir + "/out"}, "E1405", dir + "/out");
  ExpectFailsCleanly({"report", m.path, "-o", dir + "/out/plain-file/r.html"}, "E1405", dir + "/out");
  ExpectFailsCleanly({"report", m.path, "-o", dir + "/out/missing/r.html"}, "E1405", dir + "/out");
  // An existing report is replaced whole, never truncated: a failed run keeps it.
  WriteText(dir + "/out/r.html", "old");
  ExpectFailsCleanly({"report", dir + "/notes.txt", "-o", dir + "/out/r.html"}, "E1401", dir + "/out");
  EXPECT_EQ(ReadText(dir + "/out/r.html"), "old");
}

}  // namespace
}  // namespace ember::test
