/* A small pull reader for JSON text, for the graph executor (graph_executor.h).
 *
 * C99, no allocation, no recursion beyond EMBER_JSON_MAX_DEPTH levels, and
 * it never reads outside [text, text + len): the text need not be
 * NUL-terminated. It reads exactly what graph JSON needs: objects, arrays,
 * strings (returned as the raw bytes between the quotes; escapes are checked
 * but not decoded), integers; any other value can be skipped.
 *
 * Errors are sticky: the first one is kept in `err` (one of the codes below)
 * with the byte offset `err_at`, and every later call fails at once, so a
 * caller may check once after a sequence of calls.
 *
 * Iterating an array or object:
 *   uint32_t n = 0;
 *   if (ember_json_open(j, '[') != 0) ...;
 *   while (ember_json_more(j, ']', &n) > 0) { read one item }
 * and for objects `ember_json_key(j, &key, &key_len)` before each value. */
#ifndef EMBER_JSON_READER_H_
#define EMBER_JSON_READER_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Its error codes, kEmberErrorJson* (0x710-0x712), are in error_codes.h. */

#define EMBER_JSON_MAX_DEPTH 16

/* Kinds of values ember_json_peek reports. */
enum ember_json_kind {
  EMBER_JSON_END = 0, /* no value: end of text or an error */
  EMBER_JSON_OBJECT,
  EMBER_JSON_ARRAY,
  EMBER_JSON_STRING,
  EMBER_JSON_NUMBER,
  EMBER_JSON_LITERAL /* true, false, null */
};

struct ember_json {
  const char* text;
  size_t len;
  size_t pos;
  ember_error_t err; /* 0, or the first error */
  size_t err_at;     /* byte offset of the first error */
};

void ember_json_init(struct ember_json* j, const char* text, size_t len);

/* Records an error at the current position (keeps an earlier one). Returns -1. */
int ember_json_fail(struct ember_json* j, ember_error_t err);

/* The kind of the next value, after white space; consumes nothing. */
enum ember_json_kind ember_json_peek(struct ember_json* j);

/* Consumes `open` ('{' or '['). 0 or -1 (type error when another value follows). */
int ember_json_open(struct ember_json* j, char open);

/* Inside an array or object opened with ember_json_open: 1 when another item
 * follows (the ',' before it is consumed when *count > 0, and *count is
 * incremented), 0 when `close` was reached and consumed, -1 on error. */
int ember_json_more(struct ember_json* j, char close, uint32_t* count);

/* Reads an object key and the ':' after it. 0 or -1. */
int ember_json_key(struct ember_json* j, const char** key, size_t* key_len);

/* Reads a string value (raw bytes between the quotes). 0 or -1. */
int ember_json_string(struct ember_json* j, const char** s, size_t* len);

/* Reads an integer value (no fraction or exponent). 0 or -1. */
int ember_json_int(struct ember_json* j, int64_t* v);

/* Skips one value of any kind. 0 or -1. */
int ember_json_skip(struct ember_json* j);

/* 1 when the raw string (s, len) equals the NUL-terminated `lit`. */
int ember_json_equals(const char* s, size_t len, const char* lit);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_JSON_READER_H_ */
