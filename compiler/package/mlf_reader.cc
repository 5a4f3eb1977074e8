#include "package/mlf_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "package/mlf_layout.h"
#include "support/file.h"

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
  uint64_t total = 0;
};

Status AddFile(const std::string& src, const std::string& name, std::string data, Collected& c) {
  c.total += data.size();
  if (data.size() > kMlfMaxMemberBytes || c.total > kMlfMaxTotalBytes) {
    return Malformed(src, "member '" + name + "' exceeds the size limit");
  }
  c.files[name] = std::move(data);
  return Status::Ok();
}

struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

Status ReadTar(const std::string& path, Collected& c) {
  std::unique_ptr<archive, ReaderCloser> a(archive_read_new());
  if (!a) return Unreadable(path, "out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 65536) != ARCHIVE_OK) {
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
    if (type == AE_IFDIR) {
      if (!name.empty()) c.dirs.insert(name);
      continue;
    }
    if (type != AE_IFREG || name.empty()) continue;  // links and devices carry no model data
    const la_int64_t size = archive_entry_size(e);
    if (size < 0 || static_cast<uint64_t>(size) > kMlfMaxMemberBytes) {
      return Malformed(path, "member '" + name + "' exceeds the size limit");
    }
    std::string data(static_cast<size_t>(size), '\0');
    for (size_t got = 0; got < data.size();) {  // a read may return fewer bytes than asked
      const la_ssize_t n = archive_read_data(a.get(), data.data() + got, data.size() - got);
      if (n <= 0) return Unreadable(path, "member '" + name + "' is truncated");
      got += static_cast<size_t>(n);
    }
    EMBER_RETURN_IF_ERROR(AddFile(path, name, std::move(data), c));
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
      c.dirs.insert(name);
    } else if (it->is_regular_file(ec)) {
      if (it->file_size(ec) > kMlfMaxMemberBytes) return Malformed(path, "file '" + name + "' exceeds the size limit");
      auto bytes = ReadFileBytes(it->path().string());
      if (!bytes.ok()) return Unreadable(path, bytes.diag().message);
      EMBER_RETURN_IF_ERROR(AddFile(path, name, std::string(bytes->begin(), bytes->end()), c));
    }
  }
  if (ec) return Unreadable(path, ec.message());
  return Status::Ok();
}

Status ParseMetadata(const std::string& path, MlfContents& out) {
  const std::string* text = out.Find("metadata.json");
  if (text == nullptr) return Malformed(path, "there is no metadata.json");
  out.metadata = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (out.metadata.is_discarded() || !out.metadata.is_object()) {
    return Malformed(path, "metadata.json is not a json object");
  }
  const auto version = out.metadata.find("version");
  if (version == out.metadata.end() || !version->is_number_integer() || version->get<int64_t>() != 7) {
    return Malformed(path, "metadata.json has no \"version\": 7 (only version 7 is read)");
  }
  const auto modules = out.metadata.find("modules");
  if (modules == out.metadata.end() || !modules->is_object() || modules->empty()) {
    return Malformed(path, "metadata.json has no \"modules\" entry");
  }
  out.module_name = modules->begin().key();
  return Status::Ok();
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
    EMBER_RETURN_IF_ERROR(ReadTar(path, c));
  } else {
    return Unreadable(path, "no such file or folder");
  }
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

}  // namespace ember::package
