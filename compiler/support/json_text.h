// Reading and writing nlohmann::json values as text without exceptions.
//
// nlohmann's dump() throws on a string that is not UTF-8. Every JSON text
// ember writes (files, --format json, the Project API) goes through DumpJson,
// which writes such strings, and object keys, with EscapeInvalidUtf8, so a
// name of arbitrary bytes from a model file can never end a command with an
// internal error and always reads the same in every JSON file.
//
// nlohmann copies, compares and writes values recursively, so a value nested
// a million levels deep overflows the stack. Every JSON text ember reads from
// a user (metadata.json, graph JSON, saved options, Project API messages)
// goes through ParseJsonText, which refuses nesting deeper than kMaxJsonDepth.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/utf8.h"

namespace ember {

// Deeper than any JSON ember reads (metadata.json nests 6 levels).
inline constexpr size_t kMaxJsonDepth = 64;

// Whether the arrays and objects of `text` nest at most `max_depth` deep
// (strings are skipped; the text need not be valid JSON).
bool JsonNestingWithin(std::string_view text, size_t max_depth);

// Json::parse(text) without exceptions: a discarded value (is_discarded())
// when `text` is not JSON or nests deeper than kMaxJsonDepth.
template <typename Json>
Json ParseJsonText(std::string_view text) {
  if (!JsonNestingWithin(text, kMaxJsonDepth)) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

namespace detail {

template <typename Json>
bool HasInvalidUtf8(const Json& j) {
  if (j.is_string()) return !IsValidUtf8(j.template get_ref<const typename Json::string_t&>());
  if (j.is_array()) {
    for (const Json& e : j)
      if (HasInvalidUtf8(e)) return true;
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!IsValidUtf8(it.key()) || HasInvalidUtf8(it.value())) return true;
  }
  return false;
}

template <typename Json>
Json EscapeStrings(const Json& j) {
  if (j.is_string()) return Json(EscapeInvalidUtf8(j.template get_ref<const typename Json::string_t&>()));
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& e : j) out.push_back(EscapeStrings(e));
    return out;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[EscapeInvalidUtf8(it.key())] = EscapeStrings(it.value());
    return out;
  }
  return j;
}

}  // namespace detail

// j.dump(indent), with strings that are not UTF-8 escaped as above; never throws
// on string contents. `indent` -1 gives the compact one-line form.
template <typename Json>
std::string DumpJson(const Json& j, int indent = -1) {
  if (!detail::HasInvalidUtf8(j)) return j.dump(indent);
  return detail::EscapeStrings(j).dump(indent);
}

// What a JSON value is, for messages about a field of the wrong type:
// "a number (5)", "a string (\"7\")", "a boolean (true)", "null", "a list",
// "an object". Scalars show their value when it is short; lists and objects
// are not written out (they may be large or deeply nested).
template <typename Json>
std::string DescribeJson(const Json& v) {
  const char* type = "a number";
  if (v.is_null()) return "null";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  if (v.is_string()) type = "a string";
  if (v.is_boolean()) type = "a boolean";
  const std::string text = DumpJson(v);
  return text.size() <= 40 ? std::string(type) + " (" + text + ")" : std::string(type);
}

}  // namespace ember
