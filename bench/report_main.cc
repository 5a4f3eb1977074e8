// ember-bench-report: collates the job folders of bench.sh into
// results.json and results.md and prints the report.
//
//   ember-bench-report OUT_DIR PEERS_DIR "kws vww ic ad" "cortex-m4 cortex-m3 ..."
//
// PEERS_DIR holds the peer figures per core, tflm-<core>.json (../shared/
// peers); a core without such a file is reported as having no peer.
// Exit status: 0 when every model ran bit-exactly on every core (a core the
// model does not fit is reported, not failed, except on cortex-m4); 1 when a
// run failed or an output differed; 2 on bad arguments or a peer file that
// exists but cannot be read.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "results.h"

namespace {

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || !std::filesystem::is_directory(argv[2])) {
    std::cerr << "usage: ember-bench-report OUT_DIR PEERS_DIR \"MODELS\" \"CORES\"\n";
    return 2;
  }
  const std::string out_dir = argv[1];
  ember::bench::Peers peers;
  std::string error;
  if (!ember::bench::ReadPeers(argv[2], Words(argv[4]), &peers, &error)) {
    std::cerr << "ember-bench-report: " << error << "\n";
    return 2;
  }
  std::string environment;
  {
    std::ifstream ein(out_dir + "/environment.txt");
    std::ostringstream s;
    s << ein.rdbuf();
    environment = s.str();
  }
  std::vector<ember::bench::ModelResult> models;
  for (const std::string& m : Words(argv[3])) models.push_back(ember::bench::CollectModel(out_dir, m, Words(argv[4])));

  const std::string md = ember::bench::ResultsMarkdown(models, peers, environment);
  const std::string js = ember::bench::ResultsJson(models, peers, environment).dump(2) + "\n";
  if (!WriteText(out_dir + "/results.json", js) || !WriteText(out_dir + "/results.md", md)) {
    std::cerr << "ember-bench-report: cannot write results.json / results.md in " << out_dir << "\n";
    return 2;
  }
  std::cout << md << "\nwrote " << out_dir << "/results.json and " << out_dir << "/results.md\n";

  int failed = 0;
  for (const auto& m : models)
    for (const auto& r : m.cores) {
      if (r.ok()) {
        // The map may hold fewer weight bytes than metadata.json (GCC folds a
        // tiny constant array into instructions), never more: more would
        // mean code was counted as weights.
        if (r.footprint.weights_bytes > r.metadata_weights_bytes)
          std::cerr << "ember-bench-report: warning: " << m.name << " on " << r.core << ": weights in the map "
                    << r.footprint.weights_bytes << " B exceed metadata.json's " << r.metadata_weights_bytes << " B\n";
        continue;
      }
      const bool skipped = r.status.rfind("does-not-fit", 0) == 0 && r.core != "cortex-m4";
      std::cerr << "ember-bench-report: " << m.name << " on " << r.core << ": " << r.status
                << (skipped ? " (not counted as a failure)" : "") << "\n";
      if (!skipped) ++failed;
    }
  if (failed > 0) std::cerr << "ember-bench-report: FAILED: " << failed << " run(s) failed or differed\n";
  return failed > 0 ? 1 : 0;
}
