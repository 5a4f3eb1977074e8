// File system operations that cannot lose a user's data (docs/safety.md):
// unique temporary folders and files (mkdtemp/mkstemp, never a predictable
// name), atomic writes (a temporary file in the same folder, then rename),
// the marker file by which ember knows a folder is its own, the checks that
// refuse to delete or replace a folder that is not, and the swap that
// replaces a folder only after its successor is complete.
//
// Every function reports failure as a Diagnostic (E0002-E0009,
// docs/errors.md) and leaves nothing behind that it created.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/status.h"

namespace ember {

// $TMPDIR when it names a folder, else /tmp.
std::filesystem::path TempRoot();

// The mode of a new file: 0666 minus the process's umask.
unsigned DefaultFileMode();

// Creates a new folder `parent`/`prefix`XXXXXX with a unique random suffix
// (mkdtemp: the name never existed before, a symlink planted there is never
// followed). Its mode is 0700 when `private_mode`, else 0777 minus the umask.
// Fails with E0003.
Expected<std::filesystem::path> MakeUniqueDir(const std::filesystem::path& parent, const std::string& prefix,
                                              bool private_mode = false);

// Creates the folders missing above `dir` (not `dir` itself) with mkdir and
// returns those it made, outermost first, so that a command that fails can
// remove exactly them with RemoveMadeFolders. Fails with E0003.
Expected<std::vector<std::filesystem::path>> MakeParentFolders(const std::filesystem::path& dir);
// Removes the folders `made` (as MakeParentFolders returns them), innermost
// first, each only if it is empty.
void RemoveMadeFolders(const std::vector<std::filesystem::path>& made);

// A unique private folder under TempRoot() (mode 0700), removed with
// everything in it when the object is destroyed (and only that folder).
class TempFolder {
 public:
  // Fails with E0003 when the folder cannot be created.
  static Expected<TempFolder> Create(const std::string& prefix);
  TempFolder(TempFolder&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFolder& operator=(TempFolder&&) = delete;
  TempFolder(const TempFolder&) = delete;
  ~TempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempFolder(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

// Writes `bytes` to `path` atomically: into a new temporary file next to it
// (same folder, unique name), then renamed over `path`. Readers see the old
// file or the whole new one; on failure `path` is untouched and the
// temporary file is removed. An existing `path` that is a folder, a symlink
// or another non-regular file is refused (E0004); write errors are E0002.
// The file gets mode 0666 minus the umask.
Status WriteFileAtomic(const std::string& path, std::string_view bytes);

// The marker by which ember recognises a folder it created: a small JSON
// file {"tool": "ember", "format": `format`, "version": 1} named `file`.
// `format` says what ember wrote there ("ember-project", "ember-mlf-folder").
Status WriteMarker(const std::filesystem::path& dir, const std::string& file, const std::string& format);
// True when `dir` (not a symlink) holds `file` (a regular file, not a
// symlink) whose body is exactly such a marker of `format`.
bool HasMarker(const std::filesystem::path& dir, const std::string& file, const std::string& format);

// What a command may delete or replace: the folder `dir` must not be a
// symlink, `/`, the user's home, the current directory or one of its
// ancestors (E0005), nor hold any of `inputs` (the files the command reads:
// the model, the archive, the template; E0006), and unless it is empty it
// must carry the marker `marker_file` of `format` (E0007). `what` names the
// folder in messages ("the project folder"). Paths are compared after
// resolving symlinks. A folder that does not exist passes.
Status CheckReplaceable(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& inputs,
                        const std::string& marker_file, const std::string& format, const std::string& what);
// The E0005/E0006 part of CheckReplaceable alone (no marker needed), for a
// folder that is only written into, e.g. an empty folder replaced by rename.
Status CheckNotProtected(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& inputs,
                         const std::string& what);

// Moves the complete folder `fresh` (created by this process) to `target`,
// which the caller has checked with CheckReplaceable. A missing or empty
// `target` is replaced by one rename (which fails if files appeared in it
// meanwhile). A `target` with contents must still carry the marker: it is
// renamed to a unique sibling, `fresh` is renamed into place, and only then
// is the old folder removed; if that rename fails the old folder is put
// back. Fails with E0007 or E0008; `target` is then as it was and `fresh`
// is left for the caller.
Status ReplaceFolder(const std::filesystem::path& fresh, const std::filesystem::path& target,
                     const std::string& marker_file, const std::string& format);

}  // namespace ember
