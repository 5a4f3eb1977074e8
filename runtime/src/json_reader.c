/* A small pull reader for JSON text (json_reader.h). Every read checks
 * j->pos < j->len before touching a byte. */
#include "ember/json_reader.h"

void ember_json_init(struct ember_json* j, const char* text, size_t len) {
  j->text = text;
  j->len = text != 0 ? len : 0u;
  j->pos = 0;
  j->err = 0;
  j->err_at = 0;
}

int ember_json_fail(struct ember_json* j, ember_error_t err) {
  if (j->err == 0) {
    j->err = err;
    j->err_at = j->pos;
  }
  return -1;
}

static void skip_ws(struct ember_json* j) {
  while (j->pos < j->len) {
    const char c = j->text[j->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++j->pos;
  }
}

/* The next byte after white space, or -1 at the end of the text. */
static int next_byte(struct ember_json* j) {
  skip_ws(j);
  return j->pos < j->len ? (unsigned char)j->text[j->pos] : -1;
}

enum ember_json_kind ember_json_peek(struct ember_json* j) {
  int c;
  if (j->err != 0) return EMBER_JSON_END;
  c = next_byte(j);
  if (c == '{') return EMBER_JSON_OBJECT;
  if (c == '[') return EMBER_JSON_ARRAY;
  if (c == '"') return EMBER_JSON_STRING;
  if (c == '-' || (c >= '0' && c <= '9')) return EMBER_JSON_NUMBER;
  if (c == 't' || c == 'f' || c == 'n') return EMBER_JSON_LITERAL;
  return EMBER_JSON_END;
}

/* A type error when a value of another kind follows, else a syntax error. */
static int fail_expected(struct ember_json* j) {
  return ember_json_fail(j, ember_json_peek(j) == EMBER_JSON_END ? kEmberErrorJsonSyntax : kEmberErrorJsonType);
}

int ember_json_open(struct ember_json* j, char open) {
  if (j->err != 0) return -1;
  if (next_byte(j) != (unsigned char)open) return fail_expected(j);
  ++j->pos;
  return 0;
}

int ember_json_more(struct ember_json* j, char close, uint32_t* count) {
  int c;
  if (j->err != 0) return -1;
  c = next_byte(j);
  if (c == (unsigned char)close) {
    ++j->pos;
    return 0;
  }
  if (*count > 0u) {
    if (c != ',') return ember_json_fail(j, kEmberErrorJsonSyntax);
    ++j->pos;
    c = next_byte(j);
    if (c == -1 || c == (unsigned char)close) return ember_json_fail(j, kEmberErrorJsonSyntax);
  } else if (c == -1) {
    return ember_json_fail(j, kEmberErrorJsonSyntax);
  }
  if (*count == UINT32_MAX) return ember_json_fail(j, kEmberErrorJsonLimit);
  ++*count;
  return 1;
}

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int ember_json_string(struct ember_json* j, const char** s, size_t* len) {
  size_t start;
  if (j->err != 0) return -1;
  if (next_byte(j) != '"') return fail_expected(j);
  start = ++j->pos;
  while (j->pos < j->len) {
    const unsigned char c = (unsigned char)j->text[j->pos];
    if (c == '"') {
      *s = j->text + start;
      *len = j->pos - start;
      ++j->pos;
      return 0;
    }
    if (c < 0x20u) return ember_json_fail(j, kEmberErrorJsonSyntax);
    if (c == '\\') {
      char e;
      if (++j->pos >= j->len) break;
      e = j->text[j->pos];
      if (e == 'u') {
        int k;
        for (k = 0; k < 4; ++k) {
          if (++j->pos >= j->len) return ember_json_fail(j, kEmberErrorJsonSyntax);
          if (!is_hex(j->text[j->pos])) return ember_json_fail(j, kEmberErrorJsonSyntax);
        }
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
        return ember_json_fail(j, kEmberErrorJsonSyntax);
      }
    }
    ++j->pos;
  }
  return ember_json_fail(j, kEmberErrorJsonSyntax);
}

int ember_json_key(struct ember_json* j, const char** key, size_t* key_len) {
  if (ember_json_string(j, key, key_len) != 0) return -1;
  if (next_byte(j) != ':') return ember_json_fail(j, kEmberErrorJsonSyntax);
  ++j->pos;
  return 0;
}

static int is_digit_at(const struct ember_json* j, size_t pos) {
  return pos < j->len && j->text[pos] >= '0' && j->text[pos] <= '9';
}

/* Scans a JSON number; *is_int tells whether it had no fraction/exponent. */
static int scan_number(struct ember_json* j, int* is_int) {
  *is_int = 1;
  if (j->pos < j->len && j->text[j->pos] == '-') ++j->pos;
  if (!is_digit_at(j, j->pos)) return ember_json_fail(j, kEmberErrorJsonSyntax);
  while (is_digit_at(j, j->pos)) ++j->pos;
  if (j->pos < j->len && j->text[j->pos] == '.') {
    *is_int = 0;
    if (!is_digit_at(j, ++j->pos)) return ember_json_fail(j, kEmberErrorJsonSyntax);
    while (is_digit_at(j, j->pos)) ++j->pos;
  }
  if (j->pos < j->len && (j->text[j->pos] == 'e' || j->text[j->pos] == 'E')) {
    *is_int = 0;
    ++j->pos;
    if (j->pos < j->len && (j->text[j->pos] == '+' || j->text[j->pos] == '-')) ++j->pos;
    if (!is_digit_at(j, j->pos)) return ember_json_fail(j, kEmberErrorJsonSyntax);
    while (is_digit_at(j, j->pos)) ++j->pos;
  }
  return 0;
}

int ember_json_int(struct ember_json* j, int64_t* v) {
  size_t start, p;
  int is_int, neg;
  uint64_t mag = 0;
  if (j->err != 0) return -1;
  if (ember_json_peek(j) != EMBER_JSON_NUMBER) return fail_expected(j);
  start = j->pos;
  if (scan_number(j, &is_int) != 0) return -1;
  if (!is_int) {
    j->pos = start;
    return ember_json_fail(j, kEmberErrorJsonType);
  }
  neg = j->text[start] == '-';
  for (p = start + (neg ? 1u : 0u); p < j->pos; ++p) {
    const uint64_t d = (uint64_t)(j->text[p] - '0');
    if (mag > (UINT64_C(9223372036854775808) - d) / 10u) {
      j->pos = start;
      return ember_json_fail(j, kEmberErrorJsonLimit);
    }
    mag = mag * 10u + d;
  }
  if (!neg && mag > (uint64_t)INT64_MAX) {
    j->pos = start;
    return ember_json_fail(j, kEmberErrorJsonLimit);
  }
  *v = neg ? (mag == UINT64_C(9223372036854775808) ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
  return 0;
}

static int match_literal(struct ember_json* j, const char* lit) {
  while (*lit != '\0') {
    if (j->pos >= j->len || j->text[j->pos] != *lit) return ember_json_fail(j, kEmberErrorJsonSyntax);
    ++j->pos;
    ++lit;
  }
  return 0;
}

static int skip_value(struct ember_json* j, int depth) {
  const char* s;
  size_t n;
  uint32_t count = 0;
  int r, is_int;
  switch (ember_json_peek(j)) {
    case EMBER_JSON_STRING: return ember_json_string(j, &s, &n);
    case EMBER_JSON_NUMBER: return scan_number(j, &is_int);
    case EMBER_JSON_LITERAL:
      return match_literal(j, j->text[j->pos] == 't' ? "true" : j->text[j->pos] == 'f' ? "false" : "null");
    case EMBER_JSON_ARRAY:
    case EMBER_JSON_OBJECT: {
      const char close = j->text[j->pos] == '[' ? ']' : '}';
      if (depth >= EMBER_JSON_MAX_DEPTH) return ember_json_fail(j, kEmberErrorJsonLimit);
      ++j->pos;
      while ((r = ember_json_more(j, close, &count)) > 0) {
        if (close == '}' && ember_json_key(j, &s, &n) != 0) return -1;
        if (skip_value(j, depth + 1) != 0) return -1;
      }
      return r;
    }
    case EMBER_JSON_END: break;
  }
  return ember_json_fail(j, kEmberErrorJsonSyntax);
}

int ember_json_skip(struct ember_json* j) {
  if (j->err != 0) return -1;
  return skip_value(j, 0);
}

int ember_json_equals(const char* s, size_t len, const char* lit) {
  size_t i;
  for (i = 0; i < len; ++i)
    if (lit[i] == '\0' || lit[i] != s[i]) return 0;
  return lit[len] == '\0';
}
