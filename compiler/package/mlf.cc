#include "package/mlf.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "package/mlf_layout.h"
#include "support/file.h"
#include "support/json_text.h"
#include "support/safe_fs.h"

namespace ember::package {
namespace {

namespace fs = std::filesystem;
using detail::MlfEntry;

// Largest accepted SOURCE_DATE_EPOCH: 9999-12-31 23:59:59 UTC.
constexpr int64_t kMaxEpoch = 253402300799;

Expected<int64_t> ResolveEpoch(const MlfOptions& opts) {
  if (opts.epoch >= 0) return opts.epoch;
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (env == nullptr || env[0] == '\0') return kDefaultMlfEpoch;
  int64_t v = 0;
  for (const char* p = env; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || v > kMaxEpoch) {
      v = -1;
      break;
    }
    v = v * 10 + (*p - '0');
  }
  if (v < 0 || v > kMaxEpoch) {
    return MakeDiag("E0706", ExitCode::kUsage,
                    std::string("SOURCE_DATE_EPOCH='") + env + "' is not a number of seconds since 1970",
                    "set SOURCE_DATE_EPOCH to a decimal integer (e.g. $(git log -1 --format=%ct)) or unset it");
  }
  return v;
}

Diagnostic CannotWrite(const std::string& out, const std::string& why) {
  return MakeDiag("E0703", ExitCode::kFailure, "cannot write the model library format output '" + out + "': " + why,
                  "choose an output path in a writable folder (a name ending in .tar gives an archive)");
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryCloser {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// The folder export's marker (support/safe_fs.h): a name microTVM's layout
// does not use, so that a later export knows the folder is ember's.
constexpr const char* kMarkerFile = ".ember-mlf";
constexpr const char* kMarkerFormat = "ember-mlf-folder";

// libarchive's write callback: appends to the std::string at `client`.
la_ssize_t AppendToString(archive*, void* client, const void* data, size_t n) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(data), n);
  return static_cast<la_ssize_t>(n);
}

// Writes `entries` as an uncompressed pax (ustar unless a name needs more)
// archive to `out`: members "./"-prefixed, owned by root:root (0:0),
// 0755 folders and 0644 files, every mtime = `epoch`. `path` is for messages.
Status WriteTar(const std::vector<MlfEntry>& entries, std::string& out, const std::string& path, int64_t epoch) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_write_new());
  // Records of 20 blocks, the last one padded too (as tar and Python's tarfile).
  if (!a || archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 10240) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 10240) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return CannotWrite(path, a ? archive_error_string(a.get()) ? archive_error_string(a.get()) : "unknown error"
                               : "out of memory");
  }
  std::vector<const MlfEntry*> all;
  const MlfEntry root{".", true, ""};
  all.push_back(&root);
  for (const MlfEntry& e : entries) all.push_back(&e);
  for (const MlfEntry* e : all) {
    std::unique_ptr<archive_entry, EntryCloser> ae(archive_entry_new());
    archive_entry_set_pathname(ae.get(), e->path == "." ? "." : ("./" + e->path).c_str());
    archive_entry_set_filetype(ae.get(), e->is_dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(ae.get(), e->is_dir ? 0755 : 0644);
    archive_entry_set_size(ae.get(), static_cast<la_int64_t>(e->data.size()));
    archive_entry_set_mtime(ae.get(), static_cast<time_t>(epoch), 0);
    archive_entry_set_uid(ae.get(), 0);
    archive_entry_set_gid(ae.get(), 0);
    archive_entry_set_uname(ae.get(), "root");
    archive_entry_set_gname(ae.get(), "root");
    bool ok = archive_write_header(a.get(), ae.get()) == ARCHIVE_OK;
    if (ok && !e->data.empty()) {
      ok = archive_write_data(a.get(), e->data.data(), e->data.size()) == static_cast<la_ssize_t>(e->data.size());
    }
    if (!ok) {
      const char* why = archive_error_string(a.get());
      return MakeDiag("E0707", ExitCode::kFailure,
                      "cannot write member './" + e->path + "' of '" + path + "': " + (why ? why : "unknown error"),
                      "check free disk space");
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    return MakeDiag("E0707", ExitCode::kFailure, "cannot finish '" + path + "': " + (why ? why : "unknown error"),
                    "check free disk space");
  }
  return Status::Ok();
}

// Writes the entries and the marker into `dir`, a new empty folder.
Status WriteFolder(const std::vector<MlfEntry>& entries, const fs::path& dir) {
  std::error_code ec;
  for (const MlfEntry& e : entries) {
    const fs::path p = dir / e.path;
    if (e.is_dir) {
      if (!fs::create_directory(p, ec) && ec) return CannotWrite(p.string(), ec.message());
    } else {
      EMBER_RETURN_IF_ERROR(WriteFileBytes(p.string(), e.data.data(), e.data.size()));
    }
  }
  return WriteMarker(dir, kMarkerFile, kMarkerFormat);
}

// Checks that `out` may be (re)written and creates its parent folders. A
// folder output may replace an empty folder or an earlier export of ember's
// (its marker), never one that holds an input or the current folder; a tar
// may replace a regular file only.
Status PrepareOutput(const fs::path& out, bool as_folder, const std::vector<std::string>& inputs) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(out, ec);
  if (fs::exists(st)) {
    if (as_folder) {
      const std::vector<fs::path> in(inputs.begin(), inputs.end());
      EMBER_RETURN_IF_ERROR(CheckNotProtected(out, in, "the output folder"));
      if (!fs::is_directory(st)) return CannotWrite(out.string(), "it exists and is not a folder");
      EMBER_RETURN_IF_ERROR(CheckReplaceable(out, in, kMarkerFile, kMarkerFormat, "the output folder"));
    } else if (!fs::is_regular_file(st)) {
      return CannotWrite(out.string(), fs::is_directory(st) ? "it exists and is a folder"
                                                            : "it exists and is not a regular file");
    }
  }
  const fs::path parent = out.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec || !fs::is_directory(parent, ec)) return CannotWrite(out.string(), "cannot create its folder");
  }
  return Status::Ok();
}

// The tar: built in memory, then written atomically (support/safe_fs.h).
Status ExportTar(const std::vector<MlfEntry>& entries, const fs::path& out, int64_t epoch) {
  std::string bytes;
  EMBER_RETURN_IF_ERROR(WriteTar(entries, bytes, out.string(), epoch));
  const Status st = WriteFileAtomic(out.string(), bytes);
  return st.ok() ? st : CannotWrite(out.string(), st.diag().message);  // E0703, as docs/mlf.md lists it
}

// The folder: written into a new unique sibling, then swapped into place.
Status ExportFolder(const std::vector<MlfEntry>& entries, const fs::path& out) {
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  EMBER_ASSIGN_OR_RETURN(const fs::path staging, MakeUniqueDir(parent, "." + out.filename().string() + ".ember-"));
  Status st = WriteFolder(entries, staging);
  if (st.ok()) st = ReplaceFolder(staging, out, kMarkerFile, kMarkerFormat);
  std::error_code ec;
  if (!st.ok()) fs::remove_all(staging, ec);
  return st;
}

// Bytes of one graph entry: elements x ceil(bits / 8) of its dltype.
int64_t EntryBytes(const nlohmann::json& shape, const std::string& dltype) {
  int64_t n = 1;
  for (const auto& d : shape) n *= d.get<int64_t>();
  size_t digits = dltype.find_first_of("0123456789");
  const int bits = digits == std::string::npos ? 8 : std::stoi(dltype.substr(digits));
  return n * ((bits + 7) / 8);
}

// metadata "memory.sids" of a graph build, as microTVM wrote it: one entry per
// distinct storage id in node order, with input_binding for argument nodes.
// The size is the largest entry placed in the storage (microTVM looked the
// shape up by storage id, which is only right when ids equal entry ids).
nlohmann::json GraphSids(const nlohmann::json& graph) {
  const auto& attrs = graph.at("attrs");
  const auto& sids = attrs.at("storage_id").at(1);
  const auto& shapes = attrs.at("shape").at(1);
  const auto& types = attrs.at("dltype").at(1);
  const auto& rows = graph.at("node_row_ptr");
  std::map<int64_t, int64_t> size;
  for (size_t e = 0; e < sids.size(); ++e) {
    int64_t& s = size[sids[e].get<int64_t>()];
    s = std::max(s, EntryBytes(shapes[e], types[e].get<std::string>()));
  }
  std::map<size_t, bool> is_arg;
  for (const auto& a : graph.at("arg_nodes")) is_arg[a.get<size_t>()] = true;
  nlohmann::json out = nlohmann::json::array();
  std::map<int64_t, bool> seen;
  const auto& nodes = graph.at("nodes");
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (size_t e = rows[n].get<size_t>(); e < rows[n + 1].get<size_t>(); ++e) {
      const int64_t sid = sids[e].get<int64_t>();
      if (seen[sid]) continue;
      seen[sid] = true;
      nlohmann::json j = {{"storage_id", sid}, {"size_bytes", size[sid]}};
      if (is_arg[n]) j["input_binding"] = nodes[n].at("name");
      out.push_back(std::move(j));
    }
  }
  return out;
}

// A graph build: adds executor-config/graph/<name>.graph, sets metadata
// "executors" to ["graph"] and adds "memory.sids". The params file stays the
// empty list BuildMlfEntries writes: the weights are linked into the kernels.
Status AddGraphExecutorFiles(const codegen::c::GeneratedModel& m, std::vector<MlfEntry>& entries) {
  if (m.graph_json.empty()) return Status::Ok();
  try {
    const nlohmann::json graph = nlohmann::json::parse(m.graph_json);
    for (MlfEntry& e : entries) {
      if (e.path != "metadata.json") continue;
      nlohmann::json meta = nlohmann::json::parse(e.data);
      nlohmann::json& module = meta.at("modules").at(m.module_name);
      module["executors"] = nlohmann::json::array({"graph"});
      module.at("memory")["sids"] = GraphSids(graph);
      e.data = DumpJson(meta, 2);
    }
  } catch (const nlohmann::json::exception& ex) {
    return InternalError(std::string("the generated graph json or metadata is malformed: ") + ex.what());
  }
  entries.push_back({"executor-config", true, ""});
  entries.push_back({"executor-config/graph", true, ""});
  entries.push_back({"executor-config/graph/" + m.module_name + ".graph", false, m.graph_json});
  std::sort(entries.begin(), entries.end(),
            [](const MlfEntry& a, const MlfEntry& b) { return detail::ArchiveOrderLess(a.path, b.path); });
  return Status::Ok();
}

}  // namespace

Status ExportModelLibraryFormat(const codegen::c::GeneratedModel& m, const std::string& out,
                                const MlfOptions& opts) {
  EMBER_ASSIGN_OR_RETURN(const int64_t epoch, ResolveEpoch(opts));
  EMBER_ASSIGN_OR_RETURN(std::vector<MlfEntry> entries, detail::BuildMlfEntries(m, opts, epoch));
  EMBER_RETURN_IF_ERROR(AddGraphExecutorFiles(m, entries));
  std::string target = out;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  if (target.empty()) return CannotWrite(out, "the path is empty");
  const bool as_tar = target.size() > 4 && target.compare(target.size() - 4, 4, ".tar") == 0;
  const fs::path out_path(target);
  EMBER_RETURN_IF_ERROR(PrepareOutput(out_path, !as_tar, opts.inputs));
  return as_tar ? ExportTar(entries, out_path, epoch) : ExportFolder(entries, out_path);
}

void ExportModelLibraryFormatOrThrow(const codegen::c::GeneratedModel& m, const std::string& out,
                                     const MlfOptions& opts) {
  Status st = ExportModelLibraryFormat(m, out, opts);
  if (!st.ok()) throw UnsupportedInModelLibraryFormatError(st.diag());
}

}  // namespace ember::package
