/* The RPC server's ALLOC pool (rpc_server.h): first fit over a caller-owned
 * byte array, with the live allocations in a table sorted by offset.
 *
 * Allocation walks the gaps between neighbouring blocks from the lowest
 * address up and takes the first gap where the request fits once its start
 * is rounded up to the alignment (of the real address, so that the array
 * itself need not be aligned). First fit is not optimal against
 * fragmentation, but the host allocates a few tensors per session and the
 * pool is emptied with every session. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember/rpc_server.h"

void ember_rpc_pool_init(struct ember_rpc_pool* p, uint8_t* base, size_t bytes) {
  p->base = base;
  p->size = bytes > (size_t)UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
  if (base == NULL) p->size = 0;
  p->count = 0;
}

void ember_rpc_pool_reset(struct ember_rpc_pool* p) { p->count = 0; }

/* The first offset >= `offset` whose address is a multiple of `align`. */
static uint64_t align_offset(const struct ember_rpc_pool* p, uint32_t offset, uint32_t align) {
  uintptr_t address = (uintptr_t)p->base + (uintptr_t)offset;
  uintptr_t pad = (uintptr_t)(align - (uint32_t)(address & (uintptr_t)(align - 1u))) & (uintptr_t)(align - 1u);
  return (uint64_t)offset + (uint64_t)pad;
}

ember_error_t ember_rpc_pool_alloc(struct ember_rpc_pool* p, uint32_t nbytes, uint32_t align, uint32_t* handle) {
  uint32_t gap_start = 0;
  uint32_t i;
  if (align == 0u || (align & (align - 1u)) != 0u) return kEmberErrorRpcBadArgs;
  if (nbytes == 0u) nbytes = 1u;
  if (p->count >= EMBER_RPC_MAX_ALLOCS || p->size == 0u) return kEmberErrorPlatformNoMemory;
  /* Gap i lies before block i; gap `count` runs to the end of the pool. */
  for (i = 0; i <= p->count; ++i) {
    uint32_t gap_end = i < p->count ? p->blocks[i].offset : p->size;
    uint64_t start = align_offset(p, gap_start, align);
    if (start + nbytes <= (uint64_t)gap_end) {
      memmove(&p->blocks[i + 1u], &p->blocks[i], (size_t)(p->count - i) * sizeof(p->blocks[0]));
      p->blocks[i].offset = (uint32_t)start;
      p->blocks[i].size = nbytes;
      ++p->count;
      *handle = (uint32_t)start;
      return kEmberErrorNoError;
    }
    if (i < p->count) gap_start = p->blocks[i].offset + p->blocks[i].size;
  }
  return kEmberErrorPlatformNoMemory;
}

/* Index of the block at `handle`, or p->count if there is none (binary
 * search: the table is sorted by offset and offsets are distinct). */
static uint32_t find_index(const struct ember_rpc_pool* p, uint32_t handle) {
  uint32_t lo = 0;
  uint32_t hi = p->count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2u;
    if (p->blocks[mid].offset == handle) return mid;
    if (p->blocks[mid].offset < handle) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return p->count;
}

ember_error_t ember_rpc_pool_free(struct ember_rpc_pool* p, uint32_t handle) {
  uint32_t i = find_index(p, handle);
  if (i == p->count) return kEmberErrorRpcBadHandle;
  memmove(&p->blocks[i], &p->blocks[i + 1u], (size_t)(p->count - i - 1u) * sizeof(p->blocks[0]));
  --p->count;
  return kEmberErrorNoError;
}

const struct ember_rpc_block* ember_rpc_pool_find(const struct ember_rpc_pool* p, uint32_t handle) {
  uint32_t i = find_index(p, handle);
  return i == p->count ? NULL : &p->blocks[i];
}
