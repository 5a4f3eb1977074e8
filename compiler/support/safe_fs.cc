#include "support/safe_fs.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ember {
namespace fs = std::filesystem;

namespace {

// Longest file name a temporary name is derived from; longer names get a
// fixed prefix (NAME_MAX is 255 on Linux).
constexpr size_t kMaxDerivedName = 200;
constexpr size_t kMaxMarkerBytes = 4096;

mode_t CurrentUmask() {
  const mode_t m = umask(0);
  umask(m);
  return m;
}

std::string Errno() { return std::strerror(errno); }

fs::path StripTrailingSeparators(const fs::path& p) {
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

// `p` made absolute and lexically normal, without trailing separators
// ("out/" -> "/cwd/out", "." -> "/cwd").
fs::path Absolute(const fs::path& p) {
  std::error_code ec;
  const fs::path in = p.empty() ? fs::path(".") : p;
  const fs::path abs = fs::absolute(in, ec);
  return StripTrailingSeparators((ec ? in : abs).lexically_normal());
}

// The path with every symlink resolved (the part that exists), or "".
fs::path Resolved(const fs::path& p) {
  std::error_code ec;
  const fs::path r = fs::weakly_canonical(Absolute(p), ec);
  return ec ? fs::path() : StripTrailingSeparators(r);
}

// True if `inner` is `outer` or lies below it (both absolute and normal).
bool Within(const fs::path& inner, const fs::path& outer) {
  if (inner.empty() || outer.empty()) return false;
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

std::string MarkerBody(const std::string& format) {
  return "{\"tool\": \"ember\", \"format\": \"" + format + "\", \"version\": 1}\n";
}

std::string TempName(const fs::path& target, const std::string& tag) {
  const std::string name = target.filename().string();
  return "." + (name.size() > kMaxDerivedName ? std::string("ember") : name) + tag;
}

}  // namespace

unsigned DefaultFileMode() { return 0666 & ~CurrentUmask(); }

fs::path TempRoot() {
  std::error_code ec;
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0' && fs::is_directory(t, ec)) return t;
  return "/tmp";
}

Expected<fs::path> MakeUniqueDir(const fs::path& parent, const std::string& prefix, bool private_mode) {
  std::string tmpl = (parent / (prefix + "XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return MakeDiag("E0003", ExitCode::kFailure,
                    "cannot create a temporary folder in '" + parent.string() + "': " + Errno(),
                    "check that the folder exists and is writable (for temporary files: set TMPDIR)");
  }
  if (!private_mode) chmod(tmpl.c_str(), 0777 & ~CurrentUmask());
  return fs::path(tmpl);
}

Expected<std::vector<fs::path>> MakeParentFolders(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir.parent_path(); !p.empty() && !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.root_path()) break;
  }
  std::vector<fs::path> made;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (mkdir(it->c_str(), 0777) == 0) {
      made.push_back(*it);
    } else if (errno != EEXIST) {
      const std::string why = Errno();
      RemoveMadeFolders(made);
      return MakeDiag("E0003", ExitCode::kFailure, "cannot create the folder '" + it->string() + "': " + why,
                      "check that the path is right and its parent folder is writable");
    }
  }
  return made;
}

void RemoveMadeFolders(const std::vector<fs::path>& made) {
  for (auto it = made.rbegin(); it != made.rend(); ++it) rmdir(it->c_str());
}

Expected<TempFolder> TempFolder::Create(const std::string& prefix) {
  EMBER_ASSIGN_OR_RETURN(fs::path p, MakeUniqueDir(TempRoot(), prefix, true));
  return TempFolder(std::move(p));
}

TempFolder::~TempFolder() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

Status WriteFileAtomic(const std::string& path, std::string_view bytes) {
  const fs::path target(path);
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    const char* kind = fs::is_directory(st) ? "a folder" : fs::is_symlink(st) ? "a symbolic link" : "not a regular file";
    return MakeDiag("E0004", ExitCode::kUsage, "refusing to write '" + path + "': it exists and is " + kind,
                    "choose another output path, or remove it yourself if it is no longer needed");
  }
  const mode_t mode = fs::exists(st) ? static_cast<mode_t>(st.permissions()) & 07777 : DefaultFileMode();
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (parent / (TempName(target, ".ember-") + "XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return MakeDiag("E0002", ExitCode::kFailure, "cannot create a file next to '" + path + "': " + Errno(),
                    "check that the folder exists and is writable");
  }
  bool ok = true;
  for (size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  std::string why = ok ? "" : Errno();
  if (ok && fchmod(fd, mode) != 0) ok = false, why = Errno();
  if (close(fd) != 0 && ok) ok = false, why = Errno();
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) ok = false, why = Errno();
  if (!ok) {
    unlink(tmp.c_str());
    return MakeDiag("E0002", ExitCode::kFailure, "cannot write '" + path + "': " + why,
                    "check free disk space and permissions; the previous file, if any, is unchanged");
  }
  return Status::Ok();
}

Status WriteMarker(const fs::path& dir, const std::string& file, const std::string& format) {
  return WriteFileAtomic((dir / file).string(), MarkerBody(format));
}

bool HasMarker(const fs::path& dir, const std::string& file, const std::string& format) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec)) || !fs::is_regular_file(fs::symlink_status(dir / file, ec)))
    return false;
  std::ifstream f(dir / file, std::ios::binary);
  std::string body;
  char buf[512];
  while (f && body.size() <= kMaxMarkerBytes) {
    f.read(buf, sizeof buf);
    body.append(buf, static_cast<size_t>(f.gcount()));
  }
  return body == MarkerBody(format);
}

Status CheckNotProtected(const fs::path& dir, const std::vector<fs::path>& inputs, const std::string& what) {
  const std::string shown = "'" + dir.string() + "'";
  auto refuse = [&](const std::string& why) {
    return MakeDiag("E0005", ExitCode::kUsage, "refusing to replace " + what + " " + shown + ": " + why,
                    "give a new folder's name: ember never replaces /, the home folder, the current folder, a "
                    "folder above it or a symbolic link");
  };
  std::error_code ec;
  const fs::path abs = Absolute(dir);
  if (fs::is_symlink(fs::symlink_status(abs, ec)))
    return refuse("it is a symbolic link (to " + fs::read_symlink(abs, ec).string() + ")");
  const fs::path real = Resolved(abs);
  if (real.empty()) return refuse("its location cannot be resolved");
  if (real == real.root_path() || abs == abs.root_path()) return refuse("it is the root folder");
  const fs::path cwd = Resolved(fs::current_path(ec));
  if (Within(cwd, real)) return refuse(real == cwd ? "it is the current folder" : "it holds the current folder");
  std::vector<fs::path> homes;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') homes.push_back(h);
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) homes.push_back(pw->pw_dir);
  for (const fs::path& h : homes) {
    const fs::path home = Resolved(h);
    if (Within(home, real)) return refuse(real == home ? "it is the home folder" : "it holds the home folder");
  }
  for (const fs::path& in : inputs) {
    if (in.empty()) continue;
    if (Within(Resolved(in), real) || Within(Absolute(in), abs)) {
      return MakeDiag("E0006", ExitCode::kUsage,
                      "refusing to replace " + what + " " + shown + ": it holds '" + in.string() +
                          "', which this command reads",
                      "write the output to a folder that does not contain the command's inputs");
    }
  }
  return Status::Ok();
}

Status CheckReplaceable(const fs::path& dir, const std::vector<fs::path>& inputs, const std::string& marker_file,
                        const std::string& format, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(Absolute(dir), ec))) return Status::Ok();
  EMBER_RETURN_IF_ERROR(CheckNotProtected(dir, inputs, what));
  const fs::path abs = Absolute(dir);
  const bool is_dir = fs::is_directory(fs::symlink_status(abs, ec));
  if (is_dir && fs::is_empty(abs, ec) && !ec) return Status::Ok();  // nothing in it to lose
  if (!is_dir || !HasMarker(abs, marker_file, format)) {
    return MakeDiag("E0007", ExitCode::kUsage,
                    "refusing to replace " + what + " '" + dir.string() + "': ember did not create it (" +
                        (fs::is_directory(fs::symlink_status(abs, ec)) ? "it has no " + marker_file + " marker"
                                                                       : std::string("it is not a folder")) +
                        "), so it may hold files of yours",
                    "give a new folder name, or move or delete that folder yourself first");
  }
  return Status::Ok();
}

Status ReplaceFolder(const fs::path& fresh, const fs::path& target_in, const std::string& marker_file,
                     const std::string& format) {
  const fs::path target = Absolute(target_in);
  auto fail = [&](const std::string& why) {
    return MakeDiag("E0008", ExitCode::kFailure, "cannot move the new output into '" + target.string() + "': " + why,
                    "the previous contents are unchanged; check the permissions of the folder above it");
  };
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(target, ec);
  // rename(2) replaces a missing target or an empty folder, atomically.
  if (!fs::exists(st) || fs::is_directory(st)) {
    if (rename(fresh.c_str(), target.c_str()) == 0) return Status::Ok();
    if (errno != ENOTEMPTY && errno != EEXIST) return fail(Errno());
  }
  if (!HasMarker(target, marker_file, format)) {
    return MakeDiag("E0007", ExitCode::kUsage,
                    "refusing to replace '" + target.string() + "': it holds files and no " + marker_file + " marker",
                    "give a new folder name, or move or delete that folder yourself first");
  }
  auto aside = MakeUniqueDir(target.parent_path(), TempName(target, ".old-"), true);
  if (!aside.ok()) return fail(aside.diag().message);
  const fs::path old = *aside / "old";
  if (rename(target.c_str(), old.c_str()) != 0) {
    const std::string why = Errno();
    fs::remove(*aside, ec);
    return fail(why);
  }
  if (rename(fresh.c_str(), target.c_str()) != 0) {
    const std::string why = Errno();
    if (rename(old.c_str(), target.c_str()) == 0) fs::remove(*aside, ec);
    return fail(why);
  }
  fs::remove_all(*aside, ec);  // the old folder, now that the new one is in place
  return Status::Ok();
}

}  // namespace ember
