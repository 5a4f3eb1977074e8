// Status, Expected<T> and Diagnostic: how every ember library reports failure.
//
// A Diagnostic carries a stable id (documented in docs/errors.md), a one-line
// lower-case message saying what went wrong and where, an optional hint saying
// what to do, and the process exit code the CLI maps it to. Library code never
// aborts on user input; it returns a Status or an Expected<T>.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ember {

// Exit codes of the CLI, as documented in DESIGN.md.
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,
  kUsage = 2,
  kUnsupported = 3,
  kDoesNotFit = 4,
  kDevice = 5,
  kMismatch = 6,
  kInternal = 70,
};

struct Diagnostic {
  std::string id;       // stable id, e.g. "E0101"
  std::string message;  // what + where, lower-case sentence without final period
  std::string hint;     // what to do next; may be empty
  ExitCode exit = ExitCode::kFailure;

  // "error[E0101]: message\n  hint: ..." (no trailing newline).
  std::string ToString() const;
};

Diagnostic MakeDiag(std::string id, ExitCode exit, std::string message, std::string hint = "");

// Internal invariant failure (a bug in ember, not in the user's input).
Diagnostic InternalError(std::string message);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Diagnostic d) : ok_(false), diag_(std::move(d)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  const Diagnostic& diag() const { return diag_; }
  Diagnostic& diag() { return diag_; }
  std::string ToString() const { return ok_ ? "ok" : diag_.ToString(); }

 private:
  bool ok_ = true;
  Diagnostic diag_;
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}             // NOLINT: implicit by design
  Expected(Diagnostic d) : v_(std::move(d)) {}            // NOLINT: implicit by design
  Expected(Status s) : v_(std::move(s.diag())) { assert(!s.ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Diagnostic& diag() const { return std::get<Diagnostic>(v_); }
  Status status() const { return ok() ? Status::Ok() : Status(diag()); }

 private:
  std::variant<T, Diagnostic> v_;
};

}  // namespace ember

#define EMBER_CONCAT_INNER_(a, b) a##b
#define EMBER_CONCAT_(a, b) EMBER_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
#define EMBER_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::ember::Status ember_st_ = (expr);        \
    if (!ember_st_.ok()) return ember_st_;     \
  } while (0)

// `EMBER_ASSIGN_OR_RETURN(auto x, FnReturningExpected());`
#define EMBER_ASSIGN_OR_RETURN(lhs, expr) \
  EMBER_ASSIGN_OR_RETURN_IMPL_(EMBER_CONCAT_(ember_ex_, __LINE__), lhs, expr)
#define EMBER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return ::ember::Status(tmp.diag()); \
  lhs = std::move(tmp).value()
