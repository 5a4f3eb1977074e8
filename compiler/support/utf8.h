// UTF-8 checks and the escape ember uses for names that are not UTF-8.
//
// Model files may hold names of arbitrary bytes; JSON (metadata.json, the
// graph JSON, --format json) can only carry UTF-8 text. ember keeps such names
// printable with one deterministic, reversible escape (docs/input-limits.md).
#pragma once

#include <string>
#include <string_view>

namespace ember {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, at
// most U+10FFFF). NUL bytes are allowed.
bool IsValidUtf8(std::string_view s);

// `s` itself when it is valid UTF-8. Otherwise `s` with every '\' doubled
// and every byte that is not part of a well-formed UTF-8 sequence written as
// "\xNN" (two lower-case hex digits): "a\xffb" (3 bytes) becomes the 6
// characters `a\xffb`. The result is valid UTF-8, and undoing the two
// escapes gives `s` back.
std::string EscapeInvalidUtf8(std::string_view s);

}  // namespace ember
