#include "package/mlf.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "package/mlf_layout.h"
#include "support/file.h"

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

// Writes `entries` as an uncompressed pax (ustar unless a name needs more)
// archive to `path`: members "./"-prefixed, owned by root:root (0:0),
// 0755 folders and 0644 files, every mtime = `epoch`.
Status WriteTar(const std::vector<MlfEntry>& entries, const std::string& path, int64_t epoch) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_write_new());
  // Records of 20 blocks, the last one padded too (as tar and Python's tarfile).
  if (!a || archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 10240) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 10240) != ARCHIVE_OK ||
      archive_write_open_filename(a.get(), path.c_str()) != ARCHIVE_OK) {
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

Status WriteFolder(const std::vector<MlfEntry>& entries, const fs::path& dir) {
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec) return CannotWrite(dir.string(), "cannot create the folder");
  for (const MlfEntry& e : entries) {
    const fs::path p = dir / e.path;
    if (e.is_dir) {
      if (!fs::create_directory(p, ec) && ec) return CannotWrite(p.string(), ec.message());
    } else {
      EMBER_RETURN_IF_ERROR(WriteFileBytes(p.string(), e.data.data(), e.data.size()));
    }
  }
  return Status::Ok();
}

// Checks that `out` may be (re)written and creates its parent folders.
// Sets `replace` when `out` is a previous MLF folder that must be removed.
Status PrepareOutput(const fs::path& out, bool as_folder, bool& replace) {
  std::error_code ec;
  replace = false;
  const fs::file_status st = fs::symlink_status(out, ec);
  if (fs::exists(st)) {
    if (as_folder != fs::is_directory(st)) {
      return CannotWrite(out.string(), as_folder ? "it exists and is not a folder" : "it exists and is a folder");
    }
    if (as_folder && !fs::is_empty(out, ec)) {
      if (!fs::is_regular_file(out / "metadata.json", ec)) {
        return CannotWrite(out.string(), "the folder is not empty and holds no previous model library format export");
      }
      replace = true;
    } else if (as_folder) {
      replace = true;  // empty folder
    }
  }
  const fs::path parent = out.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec || !fs::is_directory(parent, ec)) return CannotWrite(out.string(), "cannot create its folder");
  }
  return Status::Ok();
}

}  // namespace

Status ExportModelLibraryFormat(const codegen::c::GeneratedModel& m, const std::string& out,
                                const MlfOptions& opts) {
  EMBER_ASSIGN_OR_RETURN(const int64_t epoch, ResolveEpoch(opts));
  EMBER_ASSIGN_OR_RETURN(const std::vector<MlfEntry> entries, detail::BuildMlfEntries(m, opts, epoch));
  std::string target = out;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  if (target.empty()) return CannotWrite(out, "the path is empty");
  const bool as_tar = target.size() > 4 && target.compare(target.size() - 4, 4, ".tar") == 0;
  const fs::path out_path(target);
  bool replace = false;
  EMBER_RETURN_IF_ERROR(PrepareOutput(out_path, !as_tar, replace));

  // Stage next to the output, then move into place.
  const fs::path staging(target + ".partial");
  std::error_code ec;
  fs::remove_all(staging, ec);
  Status st = as_tar ? WriteTar(entries, staging.string(), epoch) : WriteFolder(entries, staging);
  if (st.ok() && replace) {
    fs::remove_all(out_path, ec);
    if (ec) st = CannotWrite(out, "cannot replace the previous export: " + ec.message());
  }
  if (st.ok()) {
    fs::rename(staging, out_path, ec);
    if (ec) st = CannotWrite(out, ec.message());
  }
  if (!st.ok()) fs::remove_all(staging, ec);
  return st;
}

void ExportModelLibraryFormatOrThrow(const codegen::c::GeneratedModel& m, const std::string& out,
                                     const MlfOptions& opts) {
  Status st = ExportModelLibraryFormat(m, out, opts);
  if (!st.ok()) throw UnsupportedInModelLibraryFormatError(st.diag());
}

}  // namespace ember::package
