/* The device side of ember's RPC: a server for the messages of
 * docs/rpc.md ("RPC messages") inside a session of
 * the host link (session.h, responder role).
 *
 * Push-based and allocation-free, like the layers below it: the firmware's
 * receive loop hands every byte it gets to ember_rpc_server_feed(), which
 * serves each complete request and writes its reply through the write
 * callback before returning. The server never owns the UART. All state,
 * including the receive buffer, lives in the caller's struct
 * ember_rpc_server; the ALLOC pool is a caller-owned byte array.
 *
 * Build-time sizes (define them for the whole build, never per file: they
 * change the layout of struct ember_rpc_server):
 *   EMBER_RPC_MAX_PACKET  session payload bytes of one message (header
 *                         included); requests and replies are at most
 *                         EMBER_RPC_MAX_PACKET - 3 bytes. Default 2048.
 *   EMBER_RPC_MAX_ALLOCS  live ALLOC allocations at a time. Default 64.
 *   EMBER_RPC_MAX_ARGS    arguments of one CALL/TIME. Default 32. */
#ifndef EMBER_RPC_SERVER_H_
#define EMBER_RPC_SERVER_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"
#include "ember/model_io.h"
#include "ember/session.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EMBER_RPC_MAX_PACKET
#define EMBER_RPC_MAX_PACKET 2048u
#endif
#ifndef EMBER_RPC_MAX_ALLOCS
#define EMBER_RPC_MAX_ALLOCS 64u
#endif
#ifndef EMBER_RPC_MAX_ARGS
#define EMBER_RPC_MAX_ARGS 32u
#endif

#if EMBER_RPC_MAX_PACKET < 128
#error "EMBER_RPC_MAX_PACKET must be at least 128"
#endif

/* The RPC specification this server implements (INFO's abi_version). */
#define EMBER_RPC_ABI_VERSION 2u

/* Largest RPC message (request or reply) the server handles. */
#define EMBER_RPC_MAX_MESSAGE (EMBER_RPC_MAX_PACKET - EMBER_SESSION_HEADER_SIZE)
/* Smallest max_reply ember_rpc_server_set_max_reply accepts. */
#define EMBER_RPC_MIN_REPLY 64u

/* Ops (request byte 0; a reply carries op | EMBER_RPC_REPLY_FLAG). */
#define EMBER_RPC_OP_PING 0x01u
#define EMBER_RPC_OP_INFO 0x02u
#define EMBER_RPC_OP_IO_INFO 0x03u
#define EMBER_RPC_OP_ALLOC 0x04u
#define EMBER_RPC_OP_FREE 0x05u
#define EMBER_RPC_OP_WRITE 0x06u
#define EMBER_RPC_OP_READ 0x07u
#define EMBER_RPC_OP_CALL 0x08u
#define EMBER_RPC_OP_TIME 0x09u
#define EMBER_RPC_OP_RUN 0x0Au
#define EMBER_RPC_OP_TIME_RUN 0x0Bu
#define EMBER_RPC_OP_PROFILE 0x0Cu
#define EMBER_RPC_OP_OPERATORS 0x0Du
#define EMBER_RPC_OP_RESET 0x0Eu
#define EMBER_RPC_REPLY_FLAG 0x80u

/* Memory spaces of WRITE and READ. */
#define EMBER_RPC_SPACE_POOL 0u
#define EMBER_RPC_SPACE_INPUT 1u
#define EMBER_RPC_SPACE_OUTPUT 2u

/* ---- The ALLOC pool ---------------------------------------------------------
 * First fit over a caller-owned byte array. A handle is the allocation's
 * byte offset from the start of the array; the live allocations are kept in
 * a table sorted by offset (no headers inside the array). */

struct ember_rpc_block {
  uint32_t offset; /* the handle */
  uint32_t size;   /* bytes (at least 1) */
};

struct ember_rpc_pool {
  uint8_t* base;
  uint32_t size;
  uint32_t count; /* live allocations in blocks[] */
  struct ember_rpc_block blocks[EMBER_RPC_MAX_ALLOCS];
};

/* Uses `bytes` bytes at `base` (caller-owned; at most 4 GiB - 1 are used),
 * all free. `base` may be NULL when `bytes` is 0. */
void ember_rpc_pool_init(struct ember_rpc_pool* p, uint8_t* base, size_t bytes);

/* Frees every allocation. */
void ember_rpc_pool_reset(struct ember_rpc_pool* p);

/* Allocates `nbytes` (0 counts as 1, so that every handle is distinct) at an
 * address that is a multiple of `align` (a power of two), in the lowest
 * place where they fit. kEmberErrorRpcBadArgs if `align` is not a power of
 * two; kEmberErrorPlatformNoMemory if nothing fits or the block table is
 * full. */
ember_error_t ember_rpc_pool_alloc(struct ember_rpc_pool* p, uint32_t nbytes, uint32_t align, uint32_t* handle);

/* Frees the allocation `handle`; kEmberErrorRpcBadHandle if it is not one. */
ember_error_t ember_rpc_pool_free(struct ember_rpc_pool* p, uint32_t handle);

/* The live allocation `handle` (NULL if it is not one). */
const struct ember_rpc_block* ember_rpc_pool_find(const struct ember_rpc_pool* p, uint32_t handle);

/* ---- The server -------------------------------------------------------------- */

/* Writes up to `n` bytes to the host; returns how many were written (0 means
 * the link failed). The same contract as ember_write_fn (framing.h). */
typedef size_t (*ember_rpc_write_fn)(void* ctx, const uint8_t* data, size_t n);

/* All fields are private. The session points into the struct: do not copy or
 * move it after ember_rpc_server_init. */
struct ember_rpc_server {
  ember_session_t session;
  const struct ember_model_io* model;
  const char* platform_name;
  struct ember_rpc_pool pool;
  uint32_t max_reply;
  ember_error_t send_error; /* first failure to send a reply, for feed() */
  void* args[EMBER_RPC_MAX_ARGS];
  uint8_t rx[EMBER_RPC_MAX_MESSAGE]; /* the session's receive buffer */
};

/* Prepares `s` to serve `model` (must outlive the server), calls the model's
 * prepare(), and sends the session layer's boot TerminateSession with our
 * nonce `nonce` (use a different one at each boot when the platform can).
 * `platform_name` (INFO's platform; NULL means "") must stay valid. ALLOC
 * takes from the `pool_bytes` bytes at `pool` (caller-owned; NULL when 0).
 * Replies leave through `write(write_ctx, ...)`. max_reply starts at
 * EMBER_RPC_MAX_MESSAGE. */
void ember_rpc_server_init(struct ember_rpc_server* s, const struct ember_model_io* model,
                           const char* platform_name, uint8_t* pool, size_t pool_bytes,
                           ember_rpc_write_fn write, void* write_ctx, uint8_t nonce);

/* Lowers the largest reply the server sends (INFO's max_reply), e.g. for a
 * host with a small receive buffer; clamped to [EMBER_RPC_MIN_REPLY,
 * EMBER_RPC_MAX_MESSAGE]. */
void ember_rpc_server_set_max_reply(struct ember_rpc_server* s, uint32_t max_reply);

/* Pushes `n` received bytes (all are consumed). Complete requests are
 * served and replied to before it returns; a new session empties the pool.
 * Returns 0, or the first framing/session error met (a corrupted or
 * oversized packet was dropped: no reply is sent for it) or the first
 * failure to send a reply. The server stays usable either way: the next
 * packet start resynchronizes. */
int32_t ember_rpc_server_feed(struct ember_rpc_server* s, const uint8_t* data, size_t n);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_RPC_SERVER_H_ */
