/* Error codes of the ember C runtime.
 *
 * A code is `(category << 8) | code`: the category byte says which part of
 * the runtime failed, the low byte what went wrong. 0 means success. The
 * categories and the values inside them follow microTVM's tvm_crt_error_t,
 * so a number printed by a device means the same thing to both tools; ember
 * adds codes only at the end of a category. Negative values are system
 * errors (errno-like values of a platform port, with the top bit set). */
#ifndef EMBER_ERROR_CODES_H_
#define EMBER_ERROR_CODES_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What every runtime entry point and generated tvmgen_<name>_run returns. */
typedef int32_t ember_error_t;

/* Category bytes. */
#define EMBER_ERROR_CATEGORY_FUNCTION_REGISTRY 0x01
#define EMBER_ERROR_CATEGORY_FRAMING 0x02
#define EMBER_ERROR_CATEGORY_WRITE_STREAM 0x03
#define EMBER_ERROR_CATEGORY_SESSION 0x04
#define EMBER_ERROR_CATEGORY_PLATFORM 0x05
#define EMBER_ERROR_CATEGORY_GENERATED 0x06
#define EMBER_ERROR_CATEGORY_EXECUTOR 0x07
#define EMBER_ERROR_CATEGORY_FUNCTION_CALL 0x08
#define EMBER_ERROR_CATEGORY_TIME_EVALUATOR 0x09
#define EMBER_ERROR_CATEGORY_RPC 0x0A /* ember: the RPC server (rpc_server.h) */

#define EMBER_ERROR_MAKE(category, code) ((ember_error_t)((((int32_t)(category)) << 8) | ((int32_t)(code))))
/* The category byte of a non-negative code. */
#define EMBER_ERROR_CATEGORY(err) ((int32_t)(((err) >> 8) & 0xff))
/* True for platform (system) errors: the top bit is set. */
#define EMBER_ERROR_IS_SYSTEM(err) ((err) < 0)

enum {
  kEmberErrorNoError = 0,

  /* Function registry (0x1xx). */
  kEmberErrorFunctionNameNotFound = 0x100,
  kEmberErrorFunctionIndexInvalid = 0x101,
  kEmberErrorFunctionRegistryFull = 0x102,
  kEmberErrorFunctionAlreadyDefined = 0x103,
  kEmberErrorBufferTooSmall = 0x104,

  /* Framing of the host link (0x2xx). */
  kEmberErrorFramingInvalidState = 0x200,
  kEmberErrorFramingShortPacket = 0x201,
  kEmberErrorFramingInvalidEscape = 0x202,
  kEmberErrorFramingPayloadOverflow = 0x203,
  kEmberErrorFramingPayloadIncomplete = 0x204,
  /* ember: a received packet's CRC did not match; the packet was dropped. */
  kEmberErrorFramingBadCrc = 0x205,

  /* Write streams (0x3xx). */
  kEmberErrorWriteStreamShortWrite = 0x300,
  kEmberErrorWriteStreamLongWrite = 0x301,

  /* Session layer (0x4xx). */
  kEmberErrorSessionInvalidState = 0x400,
  kEmberErrorSessionReceiveBufferBusy = 0x401,
  kEmberErrorSessionReceiveBufferShortWrite = 0x402,
  /* ember: only kNormal and kLog messages may be sent by the layer above. */
  kEmberErrorSessionInvalidMessageType = 0x403,
  /* ember: a received packet too short for the 3-byte session header. */
  kEmberErrorSessionShortMessage = 0x404,

  /* Platform port (0x5xx). */
  kEmberErrorPlatformCheckFailure = 0x500,
  kEmberErrorPlatformMemoryManagerInitialized = 0x501,
  kEmberErrorPlatformShutdown = 0x502,
  kEmberErrorPlatformNoMemory = 0x503,
  kEmberErrorPlatformTimerBadState = 0x504,
  kEmberErrorPlatformStackAllocBadFree = 0x505,

  /* Generated code (0x6xx). */
  kEmberErrorGeneratedInvalidStorageId = 0x600,
  /* ember: a caller-provided arena is too small or misaligned. */
  kEmberErrorGeneratedBadArena = 0x601,

  /* Executors (0x7xx). */
  kEmberErrorExecutorModuleAlreadyCreated = 0x700,
  kEmberErrorExecutorModuleBadContext = 0x701,
  kEmberErrorExecutorModuleNoSuchInput = 0x702,
  /* ember: a null inputs/outputs struct or a null tensor pointer in it. */
  kEmberErrorExecutorNullArgument = 0x703,
  /* ember: the graph JSON reader (json_reader.h). Not JSON: truncated
   * text, a stray character, a bad escape or number. */
  kEmberErrorJsonSyntax = 0x710,
  /* JSON, but a value of another type than expected (a string for an array,
   * a fraction for an integer, a missing or unknown required key). */
  kEmberErrorJsonType = 0x711,
  /* Nesting deeper than EMBER_JSON_MAX_DEPTH or an integer beyond int64. */
  kEmberErrorJsonLimit = 0x712,
  /* ember: the graph executor (graph_executor.h). The graph is JSON of the
   * right types but inconsistent: a node input or head naming a later or
   * missing node, list lengths that differ from the number of entries, an
   * unknown dltype, a negative dimension... */
  kEmberErrorGraphInvalid = 0x713,
  /* A func_name not in the operator table, or whose table entry has other
   * numbers of inputs or outputs than the node, or other argument sizes or
   * element bits than the node's entries (ember_operator.args). */
  kEmberErrorGraphUnknownFunction = 0x714,
  /* The work buffer is too small; `needed` says how much is enough. */
  kEmberErrorGraphBufferTooSmall = 0x715,
  /* An input or output index out of range, or a data size that differs. */
  kEmberErrorGraphBadIndex = 0x716,

  /* Function calls (0x8xx). */
  kEmberErrorFunctionCallNumArguments = 0x800,
  kEmberErrorFunctionCallWrongArgType = 0x801,
  kEmberErrorFunctionCallNotImplemented = 0x802,
  kEmberErrorFunctionCallInvalidArg = 0x803,

  /* Time evaluator (0x9xx). */
  kEmberErrorTimeEvaluatorBadHandle = 0x900,

  /* ember: RPC server (0xAxx), docs/rpc.md "RPC messages". */
  kEmberErrorRpcUnknownOp = 0xA00,    /* no such op */
  kEmberErrorRpcBadRequest = 0xA01,   /* body too short, trailing bytes, reserved byte set */
  kEmberErrorRpcOutOfBounds = 0xA02,  /* an access past the end of the addressed bytes */
  kEmberErrorRpcBadArgs = 0xA03,      /* a well-formed request with values the device refuses */
  kEmberErrorRpcBadHandle = 0xA04,    /* not a live ALLOC handle */
  kEmberErrorRpcUnsupported = 0xA05,  /* the firmware cannot do this (e.g. RESET) */
  /* CALL/TIME arguments that differ from the operator's argument table: their
   * number, an element type, or a buffer smaller than the operator touches
   * (or misaligned for its elements). Nothing was called. */
  kEmberErrorRpcArgMismatch = 0xA06
};

/* The name of a code ("kEmberErrorExecutorNullArgument"), "unknown error"
 * for a value not listed above, or "" when the runtime is built with
 * EMBER_RUNTIME_STRIP_MESSAGES (the strings are then not in the binary). */
const char* ember_error_name(ember_error_t err);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_ERROR_CODES_H_ */
