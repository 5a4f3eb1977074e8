#include "support/status.h"

namespace ember {

std::string Diagnostic::ToString() const {
  // Ids starting with 'W' are warnings (docs/errors.md): the command goes on.
  const char* kind = !id.empty() && id[0] == 'W' ? "warning[" : "error[";
  std::string s = kind + id + "]: " + message;
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}

Diagnostic MakeDiag(std::string id, ExitCode exit, std::string message, std::string hint) {
  Diagnostic d;
  d.id = std::move(id);
  d.exit = exit;
  d.message = std::move(message);
  d.hint = std::move(hint);
  return d;
}

Diagnostic InternalError(std::string message) {
  return MakeDiag("E9000", ExitCode::kInternal, "internal compiler error: " + std::move(message),
                  "this is a bug in ember; please report it with the model that triggered it");
}

}  // namespace ember
