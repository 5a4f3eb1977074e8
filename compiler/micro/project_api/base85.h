// Base85 as microTVM's Project API uses it for transport payloads: exactly
// Python's base64.b85encode / b85decode (RFC 1924 alphabet
// "0-9A-Za-z!#$%&()*+-;<=>?@^_`{|}~").
//
// Encoding: the input is taken in 4-byte big-endian groups; each group becomes
// five digits in base 85, most significant first. A final partial group of k
// bytes is zero-padded to four and only its first k+1 digits are emitted (no
// padding marker), so the output has ceil(len * 5 / 4) characters.
// Decoding is the inverse: a final partial group of k characters is padded with
// '~' (digit 84) and only its first k-1 bytes are kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ember::micro {

// Bytes (any values) → ASCII base85 text.
std::string B85Encode(std::string_view bytes);

// ASCII base85 text → bytes. On a character outside the alphabet or a group
// whose value exceeds 2^32 - 1, returns nullopt and (if `error` is given)
// a message naming the position, as Python's ValueError does.
std::optional<std::string> B85Decode(std::string_view text, std::string* error = nullptr);

}  // namespace ember::micro
