/* The device side of ember's RPC (rpc_server.h): requests arrive as kNormal
 * messages of the session, each is served at once from inside the session's
 * message callback, and its reply is streamed out through the session
 * (start, chunks, finish), so no transmit buffer is needed: every reply's
 * size is known before its first byte leaves. The one reply built before it
 * is sent (TIME's list of tick counts) is kept in the receive buffer, whose
 * request has been fully parsed by then. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember/platform.h"
#include "ember/rpc_server.h"
#include "ember/runtime.h"

#define RPC_ENVELOPE 4u     /* op, reserved, seq */
#define RPC_REPLY_HEADER 8u /* op, reserved, seq, status */
#define RPC_MAX_STR 0xFFFFu

/* ---- Reading a request -------------------------------------------------------
 * A reader over the request body. Reading past the end yields zeros and
 * marks the body short; a handler checks body_ok() once after reading every
 * field, so a short body and trailing bytes both become kEmberErrorRpcBadRequest. */

struct rpc_reader {
  const uint8_t* p;
  size_t n;
  int short_body;
};

static const uint8_t* get_bytes(struct rpc_reader* r, size_t n) {
  const uint8_t* at = r->p;
  if (n > r->n) {
    r->short_body = 1;
    r->n = 0;
    return NULL;
  }
  r->p += n;
  r->n -= n;
  return at;
}

static uint32_t get_u8(struct rpc_reader* r) {
  const uint8_t* b = get_bytes(r, 1);
  return b == NULL ? 0u : b[0];
}

static uint32_t get_u32(struct rpc_reader* r) {
  const uint8_t* b = get_bytes(r, 4);
  if (b == NULL) return 0u;
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static int body_ok(const struct rpc_reader* r) { return !r->short_body && r->n == 0; }

static void le32(uint8_t* b, uint32_t v) {
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}

/* Length of the NUL-terminated `text` (NULL counts as ""), at most `cap`. */
static size_t text_len(const char* text, size_t cap) {
  size_t n = 0;
  if (text == NULL) return 0;
  if (cap > RPC_MAX_STR) cap = RPC_MAX_STR;
  while (n < cap && text[n] != '\0') ++n;
  return n;
}

/* One request being served. A handler returns 0 after sending its success
 * reply, or an error code (with `msg` set) and the dispatcher sends the
 * error reply; a handler that already replied sets `replied`. */
struct rpc_request {
  uint8_t op;
  uint16_t seq;
  int replied;
  const char* msg;
  struct rpc_reader body;
};

#define RPC_FAIL(rq, code, text) ((rq)->msg = EMBER_MSG(text), (ember_error_t)(code))

/* ---- Writing a reply -------------------------------------------------------- */

static void tx(struct ember_rpc_server* s, ember_error_t err) {
  if (err != kEmberErrorNoError && s->send_error == kEmberErrorNoError) s->send_error = err;
}

static void put_bytes(struct ember_rpc_server* s, const void* data, size_t n) {
  if (n > 0) tx(s, ember_session_send_body_chunk(&s->session, (const uint8_t*)data, n));
}

static void put_u32(struct ember_rpc_server* s, uint32_t v) {
  uint8_t b[4];
  le32(b, v);
  put_bytes(s, b, sizeof(b));
}

static void put_u8(struct ember_rpc_server* s, uint32_t v) {
  uint8_t b = (uint8_t)v;
  put_bytes(s, &b, 1);
}

/* A str of `len` bytes (already bounded by text_len). */
static void put_str(struct ember_rpc_server* s, const char* text, size_t len) {
  uint8_t b[2];
  b[0] = (uint8_t)len;
  b[1] = (uint8_t)(len >> 8);
  put_bytes(s, b, sizeof(b));
  put_bytes(s, text, len);
}

/* Opens the reply to `rq` with `status` and a body of `body_size` bytes. */
static void reply_begin(struct ember_rpc_server* s, struct rpc_request* rq, ember_error_t status, size_t body_size) {
  uint8_t h[RPC_REPLY_HEADER];
  h[0] = (uint8_t)(rq->op | EMBER_RPC_REPLY_FLAG);
  h[1] = 0;
  h[2] = (uint8_t)rq->seq;
  h[3] = (uint8_t)(rq->seq >> 8);
  le32(h + 4, (uint32_t)status);
  rq->replied = 1;
  tx(s, ember_session_start_message(&s->session, EMBER_SESSION_NORMAL, RPC_REPLY_HEADER + body_size));
  put_bytes(s, h, sizeof(h));
}

static void reply_end(struct ember_rpc_server* s) { tx(s, ember_session_finish_message(&s->session)); }

static ember_error_t reply_empty(struct ember_rpc_server* s, struct rpc_request* rq) {
  reply_begin(s, rq, kEmberErrorNoError, 0);
  reply_end(s);
  return kEmberErrorNoError;
}

static ember_error_t reply_bytes(struct ember_rpc_server* s, struct rpc_request* rq, const uint8_t* data, size_t n) {
  reply_begin(s, rq, kEmberErrorNoError, n);
  put_bytes(s, data, n);
  reply_end(s);
  return kEmberErrorNoError;
}

static ember_error_t reply_u32(struct ember_rpc_server* s, struct rpc_request* rq, uint32_t v) {
  uint8_t b[4];
  le32(b, v);
  return reply_bytes(s, rq, b, sizeof(b));
}

/* Bytes of a reply body that fit in max_reply. */
static size_t body_room(const struct ember_rpc_server* s) { return s->max_reply - RPC_REPLY_HEADER; }

/* ---- PING, INFO, IO_INFO ------------------------------------------------------ */

static ember_error_t op_ping(struct ember_rpc_server* s, struct rpc_request* rq) {
  if (rq->body.n > body_room(s)) return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "ping body longer than max_reply - 8");
  return reply_bytes(s, rq, rq->body.p, rq->body.n);
}

/* Nine u32 then four str; the strings share what is left of max_reply, in
 * order (a name too long for it is cut). */
static ember_error_t op_info(struct ember_rpc_server* s, struct rpc_request* rq) {
  const struct ember_model_io* m = s->model;
  const char* texts[4];
  size_t lens[4];
  size_t budget = body_room(s) - 9u * 4u - 4u * 2u;
  size_t body = 9u * 4u + 4u * 2u;
  size_t i;
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "INFO takes no body");
  texts[0] = EMBER_RUNTIME_VERSION;
  texts[1] = m->name;
  texts[2] = m->hash;
  texts[3] = s->platform_name;
  for (i = 0; i < 4u; ++i) {
    lens[i] = text_len(texts[i], budget);
    budget -= lens[i];
    body += lens[i];
  }
  reply_begin(s, rq, kEmberErrorNoError, body);
  put_u32(s, EMBER_RPC_ABI_VERSION);
  put_u32(s, (uint32_t)sizeof(s->rx));
  put_u32(s, s->max_reply);
  put_u32(s, s->pool.size);
  put_u32(s, ember_platform_ticks_per_second());
  put_u32(s, (uint32_t)m->num_inputs);
  put_u32(s, (uint32_t)m->num_outputs);
  put_u32(s, (uint32_t)m->num_operators);
  put_u32(s, (uint32_t)m->num_profile);
  for (i = 0; i < 4u; ++i) put_str(s, texts[i], lens[i]);
  reply_end(s);
  return kEmberErrorNoError;
}

/* The model's input (kind 0) or output (kind 1) number `index`. */
static const struct ember_io_tensor* io_tensor(const struct ember_model_io* m, uint32_t kind, uint32_t index) {
  if (kind == 0u && index < m->num_inputs && m->inputs != NULL) return &m->inputs[index];
  if (kind == 1u && index < m->num_outputs && m->outputs != NULL) return &m->outputs[index];
  return NULL;
}

static ember_error_t op_io_info(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint32_t kind = get_u8(&rq->body);
  uint32_t index = get_u32(&rq->body);
  const struct ember_io_tensor* t;
  size_t len;
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "IO_INFO takes u8 kind, u32 index");
  if (kind > 1u) return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "kind must be 0 (input) or 1 (output)");
  t = io_tensor(s->model, kind, index);
  if (t == NULL) return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "the model has no input/output of that index");
  len = text_len(t->name, body_room(s) - 6u);
  reply_begin(s, rq, kEmberErrorNoError, 6u + len);
  put_u32(s, (uint32_t)t->size);
  put_str(s, t->name, len);
  reply_end(s);
  return kEmberErrorNoError;
}

/* ---- ALLOC, FREE, WRITE, READ ----------------------------------------------- */

static ember_error_t op_alloc(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint32_t nbytes = get_u32(&rq->body);
  uint32_t align = get_u32(&rq->body);
  uint32_t handle = 0;
  ember_error_t err;
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "ALLOC takes u32 nbytes, u32 align");
  if (align == 0u) align = 16u;
  if (align > 64u || (align & (align - 1u)) != 0u) {
    return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "align must be a power of two up to 64");
  }
  err = ember_rpc_pool_alloc(&s->pool, nbytes, align, &handle);
  if (err != kEmberErrorNoError) return RPC_FAIL(rq, err, "no room in the pool (FREE, or give the firmware a larger one)");
  return reply_u32(s, rq, handle);
}

static ember_error_t op_free(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint32_t handle = get_u32(&rq->body);
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "FREE takes u32 handle");
  if (ember_rpc_pool_free(&s->pool, handle) != kEmberErrorNoError) {
    return RPC_FAIL(rq, kEmberErrorRpcBadHandle, "not a live allocation");
  }
  return reply_empty(s, rq);
}

/* The bytes (`*data`, `*size`) of (space, id); a tensor without a buffer
 * has none. */
static ember_error_t resolve(struct ember_rpc_server* s, struct rpc_request* rq, uint32_t space, uint32_t id,
                             uint8_t** data, uint64_t* size) {
  if (space == EMBER_RPC_SPACE_POOL) {
    const struct ember_rpc_block* b = ember_rpc_pool_find(&s->pool, id);
    if (b == NULL) return RPC_FAIL(rq, kEmberErrorRpcBadHandle, "not a live allocation");
    *data = s->pool.base + b->offset;
    *size = b->size;
  } else if (space == EMBER_RPC_SPACE_INPUT || space == EMBER_RPC_SPACE_OUTPUT) {
    const struct ember_io_tensor* t = io_tensor(s->model, space - EMBER_RPC_SPACE_INPUT, id);
    if (t == NULL) return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "the model has no input/output of that index");
    *data = t->data;
    *size = t->data == NULL ? 0u : (uint64_t)t->size;
  } else {
    return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "space must be 0 (pool), 1 (input) or 2 (output)");
  }
  return kEmberErrorNoError;
}

/* Reads `u8 space, u32 id, u32 offset`, then READ's `u32 nbytes` (for WRITE
 * the bytes are the rest of the body), checks the body and the bounds, and
 * gives the bytes to transfer (`*at`, `*n`). */
static ember_error_t locate(struct ember_rpc_server* s, struct rpc_request* rq, int is_read, uint8_t** at,
                            size_t* n) {
  uint32_t space = get_u8(&rq->body);
  uint32_t id = get_u32(&rq->body);
  uint32_t offset = get_u32(&rq->body);
  uint8_t* data = NULL;
  uint64_t size = 0;
  ember_error_t err;
  *n = is_read ? get_u32(&rq->body) : rq->body.n;
  if (is_read ? !body_ok(&rq->body) : rq->body.short_body) {
    return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "expected u8 space, u32 id, u32 offset, then u32 nbytes or the bytes");
  }
  err = resolve(s, rq, space, id, &data, &size);
  if (err != kEmberErrorNoError) return err;
  if ((uint64_t)offset + *n > size) return RPC_FAIL(rq, kEmberErrorRpcOutOfBounds, "access past the end");
  *at = *n > 0 ? data + offset : NULL;
  return kEmberErrorNoError;
}

static ember_error_t op_write(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint8_t* at = NULL;
  size_t n = 0;
  ember_error_t err = locate(s, rq, 0, &at, &n);
  if (err != kEmberErrorNoError) return err;
  if (n > 0) memcpy(at, rq->body.p, n);
  return reply_empty(s, rq);
}

static ember_error_t op_read(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint8_t* at = NULL;
  size_t n = 0;
  ember_error_t err = locate(s, rq, 1, &at, &n);
  if (err != kEmberErrorNoError) return err;
  if (n > body_room(s)) return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "read at most max_reply - 8 bytes at a time");
  return reply_bytes(s, rq, at, n);
}

/* ---- CALL, TIME, RUN, TIME_RUN ------------------------------------------------ */

/* Whether the NUL-terminated `text` is exactly the `len` bytes at `name`
 * (which may contain NUL bytes). */
static int name_equals(const char* text, const uint8_t* name, size_t len) {
  size_t k;
  if (text == NULL) return 0;
  for (k = 0; k < len; ++k) {
    if (text[k] == '\0' || (uint8_t)text[k] != name[k]) return 0;
  }
  return text[len] == '\0';
}

/* Bytes of one CALL/TIME argument: u32 handle, then the DLDataType the host
 * reads the tensor as (u8 code, u8 bits, u16 lanes). */
#define RPC_CALL_ARG_BYTES 8u

/* Checks argument `i` of `op` (its `RPC_CALL_ARG_BYTES` bytes at `at`)
 * against the operator's argument table and points s->args[i] at it. An
 * allocation larger than the table says is fine (the host's graph executor
 * shares one buffer between tensors of different sizes); a smaller one, a
 * dtype other than the table's, or an address not aligned for the elements
 * is refused: the operator would read or write outside the allocation. */
static ember_error_t bind_arg(struct ember_rpc_server* s, struct rpc_request* rq, const struct ember_operator* op,
                              uint32_t i, const uint8_t* at) {
  const struct ember_operator_arg* want = &op->args[i];
  struct rpc_reader r;
  const struct ember_rpc_block* b;
  uint32_t handle, code, bits, lanes, elem_align;
  r.p = at;
  r.n = RPC_CALL_ARG_BYTES;
  r.short_body = 0;
  handle = get_u32(&r);
  code = get_u8(&r);
  bits = get_u8(&r);
  lanes = get_u8(&r);
  lanes |= get_u8(&r) << 8;
  b = ember_rpc_pool_find(&s->pool, handle);
  if (b == NULL) return RPC_FAIL(rq, kEmberErrorRpcBadHandle, "an argument is not a live allocation");
  if (code != want->code || bits != want->bits || lanes != want->lanes) {
    return RPC_FAIL(rq, kEmberErrorRpcArgMismatch, "an argument's dtype differs from the operator's argument table");
  }
  if (b->size < want->nbytes) {
    return RPC_FAIL(rq, kEmberErrorRpcArgMismatch, "an argument's allocation is smaller than the operator's tensor");
  }
  elem_align = want->bits >= 8u ? want->bits / 8u : 1u;
  if (((uintptr_t)(s->pool.base + b->offset) & (elem_align - 1u)) != 0u) {
    return RPC_FAIL(rq, kEmberErrorRpcArgMismatch, "an argument is not aligned for its elements (ALLOC with align)");
  }
  s->args[i] = s->pool.base + b->offset;
  return kEmberErrorNoError;
}

/* Reads `str name, u8 nargs, nargs x (u32 handle, u8 code, u8 bits, u16
 * lanes)` (the rest of the body), finds the operator, checks every argument
 * against its argument table and points s->args at the allocations. Nothing
 * is called unless every check passes. */
static ember_error_t parse_call(struct ember_rpc_server* s, struct rpc_request* rq, const struct ember_operator** op) {
  const struct ember_model_io* m = s->model;
  size_t name_len = get_u8(&rq->body);
  const uint8_t* name;
  uint32_t nargs;
  const uint8_t* args;
  size_t i;
  ember_error_t err;
  name_len |= (size_t)get_u8(&rq->body) << 8;
  name = get_bytes(&rq->body, name_len);
  nargs = get_u8(&rq->body);
  args = get_bytes(&rq->body, (size_t)nargs * RPC_CALL_ARG_BYTES);
  if (!body_ok(&rq->body)) {
    return RPC_FAIL(rq, kEmberErrorRpcBadRequest,
                    "expected str name, u8 nargs, nargs x (u32 handle, u8 code, u8 bits, u16 lanes)");
  }
  *op = NULL;
  for (i = 0; i < m->num_operators && m->operators != NULL; ++i) {
    if (name_equals(m->operators[i].name, name, name_len)) {
      *op = &m->operators[i];
      break;
    }
  }
  if (*op == NULL) return RPC_FAIL(rq, kEmberErrorFunctionNameNotFound, "no operator of that name (OPERATORS lists them)");
  if (nargs != (uint32_t)(*op)->num_inputs + (*op)->num_outputs) {
    return RPC_FAIL(rq, kEmberErrorRpcArgMismatch, "nargs must be the operator's num_inputs + num_outputs");
  }
  if (nargs > EMBER_RPC_MAX_ARGS || (*op)->fn == NULL) {
    return RPC_FAIL(rq, kEmberErrorRpcUnsupported, "the firmware cannot call this operator (raise EMBER_RPC_MAX_ARGS)");
  }
  if ((*op)->args == NULL && nargs > 0u) {
    return RPC_FAIL(rq, kEmberErrorRpcUnsupported, "the operator has no argument table to check a call against");
  }
  for (i = 0; i < nargs; ++i) {
    err = bind_arg(s, rq, *op, (uint32_t)i, args + RPC_CALL_ARG_BYTES * i);
    if (err != kEmberErrorNoError) return err;
  }
  return kEmberErrorNoError;
}

/* Runs `op` (the model when NULL) `number` times per measurement, `repeat`
 * measurements, and replies with the tick difference of each. */
static ember_error_t measure(struct ember_rpc_server* s, struct rpc_request* rq, const struct ember_operator* op,
                             uint32_t number, uint32_t repeat) {
  uint8_t* out = s->rx; /* the request is parsed: its buffer holds the results */
  uint32_t r;
  if (repeat == 0u || repeat > body_room(s) / 4u) {
    return RPC_FAIL(rq, kEmberErrorRpcBadArgs, "repeat must be 1 to (max_reply - 8) / 4");
  }
  if (op == NULL && s->model->run == NULL) return RPC_FAIL(rq, kEmberErrorRpcUnsupported, "no model to run");
  for (r = 0; r < repeat; ++r) {
    uint32_t k;
    uint32_t start = ember_platform_ticks_begin(); /* same tick phase each time (platform.h) */
    for (k = 0; k < number; ++k) {
      int32_t status = op != NULL ? op->fn(s->args, (uint32_t)op->num_inputs + op->num_outputs) : s->model->run();
      if (status != 0) return RPC_FAIL(rq, status, "the function failed");
    }
    le32(out + 4u * r, ember_platform_ticks() - start);
  }
  return reply_bytes(s, rq, out, 4u * repeat);
}

static ember_error_t op_call(struct ember_rpc_server* s, struct rpc_request* rq) {
  const struct ember_operator* op = NULL;
  ember_error_t err = parse_call(s, rq, &op);
  if (err != kEmberErrorNoError) return err;
  err = op->fn(s->args, (uint32_t)op->num_inputs + op->num_outputs);
  if (err != kEmberErrorNoError) return RPC_FAIL(rq, err, "the operator failed");
  return reply_empty(s, rq);
}

static ember_error_t op_time(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint32_t number = get_u32(&rq->body);
  uint32_t repeat = get_u32(&rq->body);
  const struct ember_operator* op = NULL;
  ember_error_t err = parse_call(s, rq, &op);
  if (err != kEmberErrorNoError) return err;
  return measure(s, rq, op, number, repeat);
}

/* RUN's reply is TIME_RUN's with number = repeat = 1. */
static ember_error_t op_run(struct ember_rpc_server* s, struct rpc_request* rq) {
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "RUN takes no body");
  return measure(s, rq, NULL, 1u, 1u);
}

static ember_error_t op_time_run(struct ember_rpc_server* s, struct rpc_request* rq) {
  uint32_t number = get_u32(&rq->body);
  uint32_t repeat = get_u32(&rq->body);
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "TIME_RUN takes u32 number, u32 repeat");
  return measure(s, rq, NULL, number, repeat);
}

/* ---- PROFILE, OPERATORS, RESET ------------------------------------------------ */

static const char* entry_name(const struct ember_model_io* m, int operators, uint32_t i) {
  if (operators) return m->operators[i].name;
  return m->profile_names != NULL ? m->profile_names[i] : NULL;
}

/* Entries from `start` on, as many as fit in max_reply; the first one's
 * name is cut if even it alone would not fit. */
static ember_error_t op_paged(struct ember_rpc_server* s, struct rpc_request* rq, int operators) {
  const struct ember_model_io* m = s->model;
  uint32_t start = get_u32(&rq->body);
  uint32_t total = (uint32_t)(operators ? (m->operators != NULL ? m->num_operators : 0u) : m->num_profile);
  size_t fixed = operators ? 2u + 2u : 4u + 2u; /* per entry: str length + counts, or ticks + str length */
  size_t budget = body_room(s) - 8u;
  size_t body = 8u;
  size_t first_len = 0;
  uint32_t count = 0;
  uint32_t i;
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "expected u32 start");
  if (start > total) return RPC_FAIL(rq, kEmberErrorRpcOutOfBounds, "start is past the last entry");
  for (i = start; i < total; ++i) {
    size_t len = text_len(entry_name(m, operators, i), RPC_MAX_STR);
    if (fixed + len > budget) {
      if (count > 0) break;
      len = budget - fixed;
    }
    if (count == 0) first_len = len;
    budget -= fixed + len;
    body += fixed + len;
    ++count;
  }
  reply_begin(s, rq, kEmberErrorNoError, body);
  put_u32(s, total);
  put_u32(s, count);
  for (i = start; i < start + count; ++i) {
    const char* name = entry_name(m, operators, i);
    size_t len = i == start ? first_len : text_len(name, RPC_MAX_STR);
    if (!operators) put_u32(s, m->profile_ticks != NULL ? m->profile_ticks[i] : 0u);
    put_str(s, name, len);
    if (operators) {
      put_u8(s, m->operators[i].num_inputs);
      put_u8(s, m->operators[i].num_outputs);
    }
  }
  reply_end(s);
  return kEmberErrorNoError;
}

static ember_error_t op_profile(struct ember_rpc_server* s, struct rpc_request* rq) { return op_paged(s, rq, 0); }

static ember_error_t op_operators(struct ember_rpc_server* s, struct rpc_request* rq) { return op_paged(s, rq, 1); }

/* The platform hook decides; on success it resets after this reply left. */
static ember_error_t op_reset(struct ember_rpc_server* s, struct rpc_request* rq) {
  ember_error_t err;
  if (!body_ok(&rq->body)) return RPC_FAIL(rq, kEmberErrorRpcBadRequest, "RESET takes no body");
  err = ember_platform_reset();
  if (err != kEmberErrorNoError) return RPC_FAIL(rq, err, "this device cannot reset (ember_platform_reset)");
  return reply_empty(s, rq);
}

/* ---- Dispatch and the session ------------------------------------------------- */

typedef ember_error_t (*rpc_handler_fn)(struct ember_rpc_server* s, struct rpc_request* rq);

static const rpc_handler_fn kHandlers[] = {
    NULL,         op_ping,  op_info, op_io_info,  op_alloc,   op_free,      op_write, op_read,
    op_call,      op_time,  op_run,  op_time_run, op_profile, op_operators, op_reset,
};

/* Serves one RPC message. One shorter than the envelope has no seq to
 * answer to and is dropped. */
static void serve(struct ember_rpc_server* s, const uint8_t* msg, size_t n) {
  struct rpc_request rq;
  ember_error_t status;
  if (n < RPC_ENVELOPE) return;
  rq.op = msg[0];
  rq.seq = (uint16_t)(msg[2] | ((unsigned)msg[3] << 8));
  rq.replied = 0;
  rq.msg = "";
  rq.body.p = msg + RPC_ENVELOPE;
  rq.body.n = n - RPC_ENVELOPE;
  rq.body.short_body = 0;
  if (msg[1] != 0) {
    status = RPC_FAIL(&rq, kEmberErrorRpcBadRequest, "the reserved byte must be 0");
  } else if (rq.op >= sizeof(kHandlers) / sizeof(kHandlers[0]) || kHandlers[rq.op] == NULL) {
    status = RPC_FAIL(&rq, kEmberErrorRpcUnknownOp, "unknown op");
  } else {
    status = kHandlers[rq.op](s, &rq);
  }
  if (status != kEmberErrorNoError && !rq.replied) {
    size_t len = text_len(rq.msg, body_room(s) - 2u);
    reply_begin(s, &rq, status, 2u + len);
    put_str(s, rq.msg, len);
    reply_end(s);
  }
}

static void on_session_message(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
  struct ember_rpc_server* s = (struct ember_rpc_server*)ctx;
  if (type == EMBER_SESSION_START_REPLY) {
    ember_rpc_pool_reset(&s->pool);
    if (s->model->prepare != NULL) s->model->prepare();
  } else if (type == EMBER_SESSION_NORMAL) {
    serve(s, body, n);
    ember_session_clear_receive_buffer(&s->session);
  }
}

void ember_rpc_server_init(struct ember_rpc_server* s, const struct ember_model_io* model,
                           const char* platform_name, uint8_t* pool, size_t pool_bytes,
                           ember_rpc_write_fn write, void* write_ctx, uint8_t nonce) {
  static const struct ember_model_io kNoModel; /* all zero: no inputs, nothing to run */
  s->model = model != NULL ? model : &kNoModel;
  s->platform_name = platform_name;
  ember_rpc_pool_init(&s->pool, pool, pool_bytes);
  s->max_reply = EMBER_RPC_MAX_MESSAGE;
  s->send_error = kEmberErrorNoError;
  ember_session_init(&s->session, s->rx, sizeof(s->rx), write, write_ctx, on_session_message, s);
  if (s->model->prepare != NULL) s->model->prepare();
  (void)ember_session_initialize(&s->session, nonce);
}

void ember_rpc_server_set_max_reply(struct ember_rpc_server* s, uint32_t max_reply) {
  if (max_reply < EMBER_RPC_MIN_REPLY) max_reply = EMBER_RPC_MIN_REPLY;
  if (max_reply > EMBER_RPC_MAX_MESSAGE) max_reply = EMBER_RPC_MAX_MESSAGE;
  s->max_reply = max_reply;
}

int32_t ember_rpc_server_feed(struct ember_rpc_server* s, const uint8_t* data, size_t n) {
  ember_error_t first = kEmberErrorNoError;
  s->send_error = kEmberErrorNoError;
  while (n > 0) {
    size_t used = 0;
    ember_error_t err = ember_session_receive(&s->session, data, n, &used);
    if (err != kEmberErrorNoError && first == kEmberErrorNoError) first = err;
    if (used == 0 || used > n) break; /* the unframer always makes progress; never spin */
    data += used;
    n -= used;
  }
  return first != kEmberErrorNoError ? first : s->send_error;
}
