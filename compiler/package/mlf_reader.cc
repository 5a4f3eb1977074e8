#include "package/mlf_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "codegen/c/module_name.h"
#include "package/mlf_layout.h"
#include "support/file.h"
#include "support/json_text.h"

namespace ember::package {
namespace {

namespace fs = std::filesystem;

Diagnostic Unreadable(const std::string& path, const std::string& why) {
  return MakeDiag("E0708", ExitCode::kFailure, "cannot read model library format '" + path + "': " + why,
                  "pass the .tar or the folder written by 'ember compile'");
}

Diagnostic Malformed(const std::string& path, const std::string& why) {
  return MakeDiag("E0709", ExitCode::kFailure, "model library format '" + path + "' is malformed: " + why,
                  "compile the model again with 'ember compile'");
}

// Normalizes a member name: drops "./" prefixes and a trailing '/'; "" for
// the root. Returns false for an absolute path or one with a ".." part.
bool NormalizeMember(std::string name, std::string& out) {
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name == ".") name.clear();
  if (!name.empty() && name[0] == '/') return false;
  for (size_t start = 0; !name.empty();) {
    const size_t slash = name.find('/', start);
    if (name.compare(start, slash == std::string::npos ? std::string::npos : slash - start, "..") == 0) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  out = std::move(name);
  return true;
}

struct Collected {
  std::set<std::string> dirs;
  std::map<std::string, std::string> files;
  uint64_t total = 0;    // bytes of all members, also those skipped
  uint64_t members = 0;
};

// Counts a member of `size` bytes against the limits before it is read.
Status CountMember(const std::string& src, const std::string& name, int64_t size, Collected& c) {
  if (++c.members > kMlfMaxMembers) {
    return Malformed(src, "it has more than " + std::to_string(kMlfMaxMembers) + " members");
  }
  if (size < 0 || static_cast<uint64_t>(size) > kMlfMaxMemberBytes) {
    return Malformed(src, "member '" + name + "' is too large (" + std::to_string(size) + " bytes, the limit is " +
                              std::to_string(kMlfMaxMemberBytes) + ")");
  }
  c.total += static_cast<uint64_t>(size);
  if (c.total > kMlfMaxTotalBytes) {
    return Malformed(src, "its members hold more than " + std::to_string(kMlfMaxTotalBytes) + " bytes");
  }
  return Status::Ok();
}

struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Registers the decompression filters that libarchive runs in process.
// For any other (lzop, lrzip, grzip, ..., and gzip/bzip2/xz/zstd/lz4 when it
// was built without the library) it would run an external program found in
// PATH: reading an archive must never execute anything. A filter that
// reports ARCHIVE_WARN ("external program") on a scratch reader is left out.
void SupportInProcessFilters(archive* a) {
  using Support = int (*)(archive*);
  for (Support support : {archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
                          archive_read_support_filter_xz, archive_read_support_filter_lzma,
                          archive_read_support_filter_zstd, archive_read_support_filter_lz4}) {
    std::unique_ptr<archive, ReaderCloser> probe(archive_read_new());
    if (probe && support(probe.get()) == ARCHIVE_OK) support(a);
  }
}

// Reads the tar members into `c`; `open` opens the archive (a file or
// memory). `path` names the archive in diagnostics.
template <typename Open>
Status ReadTar(const std::string& path, Open open, Collected& c) {
  std::unique_ptr<archive, ReaderCloser> a(archive_read_new());
  if (!a) return Unreadable(path, "out of memory");
  archive_read_support_format_tar(a.get());
  SupportInProcessFilters(a.get());
  if (open(a.get()) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    return Unreadable(path, why ? why : "not a tar archive");
  }
  archive_entry* e = nullptr;
  int r = ARCHIVE_OK;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(e);
    std::string name;
    if (raw == nullptr || !NormalizeMember(raw, name)) {
      return Malformed(path, std::string("unsafe member path '") + (raw ? raw : "") + "'");
    }
    const mode_t type = archive_entry_filetype(e);
    // Every member counts, also those skipped (libarchive reads past their data).
    const la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    EMBER_RETURN_IF_ERROR(CountMember(path, name, size, c));
    if (type == AE_IFDIR) {
      if (!name.empty()) c.dirs.insert(name);
      continue;
    }
    if (type != AE_IFREG || name.empty()) continue;  // links and devices carry no model data
    std::string data(static_cast<size_t>(size), '\0');
    for (size_t got = 0; got < data.size();) {  // a read may return fewer bytes than asked
      const la_ssize_t n = archive_read_data(a.get(), data.data() + got, data.size() - got);
      if (n <= 0) return Unreadable(path, "member '" + name + "' is truncated");
      got += static_cast<size_t>(n);
    }
    c.files[name] = std::move(data);
  }
  if (r != ARCHIVE_EOF) {
    const char* why = archive_error_string(a.get());
    return Unreadable(path, why ? why : "not a tar archive");
  }
  return Status::Ok();
}

Status ReadFolder(const std::string& path, Collected& c) {
  std::error_code ec;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = fs::relative(it->path(), path, ec).generic_string();
    if (ec) break;
    if (name == ".ember-mlf") continue;  // the folder export's marker, not a member of the format
    if (it->is_directory(ec)) {
      EMBER_RETURN_IF_ERROR(CountMember(path, name, 0, c));
      c.dirs.insert(name);
    } else if (it->is_regular_file(ec)) {
      auto text = ReadFileText(it->path().string(), kMlfMaxMemberBytes, "a model library format member");
      if (!text.ok() && text.diag().id == kFileTooLargeId) return Malformed(path, text.diag().message);
      if (!text.ok()) return Unreadable(path, text.diag().message);
      EMBER_RETURN_IF_ERROR(CountMember(path, name, static_cast<int64_t>(text->size()), c));
      c.files[name] = std::move(*text);
    }
  }
  if (ec) return Unreadable(path, ec.message());
  return Status::Ok();
}

Diagnostic WrongType(const std::string& path, const std::string& field, const nlohmann::json& v,
                     const std::string& expected) {
  return MakeDiag("E0710", ExitCode::kFailure,
                  "model library format '" + path + "': metadata.json field \"" + field + "\" is " + DescribeJson(v) +
                      "; expected " + expected,
                  "compile the model again with 'ember compile', or correct metadata.json");
}

// The fields ember reads, type-checked: version, modules, and each module's
// target (microTVM's list of target strings).
Status CheckMetadataFields(const std::string& path, MlfContents& out) {
  const nlohmann::json& meta = out.metadata;
  const auto version = meta.find("version");
  if (version == meta.end()) return Malformed(path, "metadata.json has no \"version\" (only version 7 is read)");
  if (!version->is_number_integer()) return WrongType(path, "version", *version, "the number 7");
  if (version->get<int64_t>() != 7) {
    return Malformed(path, "metadata.json has \"version\": " + DumpJson(*version) + " (only version 7 is read)");
  }
  const auto modules = meta.find("modules");
  if (modules == meta.end()) return Malformed(path, "metadata.json has no \"modules\" entry");
  if (!modules->is_object()) return WrongType(path, "modules", *modules, "an object of module name: module");
  if (modules->empty()) return Malformed(path, "metadata.json has no module in \"modules\"");
  for (auto it = modules->begin(); it != modules->end(); ++it) {
    const std::string field = "modules." + EscapeInvalidUtf8(it.key());
    if (!it.value().is_object()) return WrongType(path, field, it.value(), "an object");
    const auto target = it.value().find("target");
    if (target == it.value().end()) continue;
    if (!target->is_array()) return WrongType(path, field + ".target", *target, "a list of target strings");
    for (size_t i = 0; i < target->size(); ++i) {
      const nlohmann::json& t = (*target)[i];
      if (!t.is_string()) {
        return WrongType(path, field + ".target[" + std::to_string(i) + "]", t,
                         "a target string such as \"c -keys=cpu -model=host\"");
      }
      if (it == modules->begin()) out.target.push_back(t.get<std::string>());
    }
  }
  out.module_name = modules->begin().key();
  // The name becomes C identifiers, file names and a CMake target wherever
  // the archive is built (ember run, every template).
  if (Status st = codegen::c::CheckModuleName(out.module_name); !st.ok()) {
    return MakeDiag("E0506", ExitCode::kUsage,
                    "model library format '" + path + "' holds model '" + EscapeInvalidUtf8(out.module_name) +
                        "', which cannot be built: " + st.diag().message,
                    "compile the model again with another --module-name (" + st.diag().hint + ")");
  }
  return Status::Ok();
}

Status ParseMetadata(const std::string& path, MlfContents& out) {
  const std::string* text = out.Find("metadata.json");
  if (text == nullptr) return Malformed(path, "there is no metadata.json");
  if (text->size() > kMaxJsonFileBytes) {
    return Malformed(path, "metadata.json is too large (" + std::to_string(text->size()) + " bytes, the limit is " +
                               std::to_string(kMaxJsonFileBytes) + ")");
  }
  out.metadata = ParseJsonText<nlohmann::json>(*text);
  if (out.metadata.is_discarded() || !out.metadata.is_object()) {
    return Malformed(path, "metadata.json is not a json object (or nests deeper than " + std::to_string(kMaxJsonDepth) +
                               " levels)");
  }
  return CheckMetadataFields(path, out);
}

// The contents of the members collected from `path`, with metadata.json parsed.
Expected<MlfContents> Contents(const std::string& path, Collected& c) {
  MlfContents out;
  for (const std::string& d : c.dirs) out.paths.push_back(d);
  for (const auto& f : c.files) out.paths.push_back(f.first);
  std::sort(out.paths.begin(), out.paths.end(), detail::ArchiveOrderLess);
  for (std::string& p : out.paths) {
    if (c.dirs.count(p) != 0) p += "/";
  }
  out.files = std::move(c.files);
  EMBER_RETURN_IF_ERROR(ParseMetadata(path, out));
  return out;
}

}  // namespace

const std::string* MlfContents::Find(const std::string& path) const {
  const auto it = files.find(path);
  return it == files.end() ? nullptr : &it->second;
}

Expected<MlfContents> ReadModelLibraryFormat(const std::string& path) {
  std::error_code ec;
  Collected c;
  if (fs::is_directory(path, ec)) {
    EMBER_RETURN_IF_ERROR(ReadFolder(path, c));
  } else if (fs::is_regular_file(path, ec)) {
    EMBER_RETURN_IF_ERROR(
        ReadTar(path, [&](archive* a) { return archive_read_open_filename(a, path.c_str(), 65536); }, c));
  } else if (fs::exists(path, ec)) {
    return Unreadable(path, "it is neither a regular file nor a folder");
  } else {
    return Unreadable(path, "no such file or folder");
  }
  return Contents(path, c);
}

Expected<MlfContents> ReadModelLibraryFormatFromMemory(const void* data, size_t size, const std::string& source) {
  Collected c;
  EMBER_RETURN_IF_ERROR(ReadTar(source, [&](archive* a) { return archive_read_open_memory(a, data, size); }, c));
  return Contents(source, c);
}

}  // namespace ember::package
