/* Names of the runtime error codes, and the fatal-error path. */
#include "ember/runtime.h"

#include <string.h>

#if !defined(EMBER_RUNTIME_STRIP_MESSAGES)
struct ember_error_entry {
  ember_error_t code;
  const char* name;
};

#define EMBER_ERROR_ENTRY(name) {name, #name}
static const struct ember_error_entry kEmberErrorNames[] = {
    EMBER_ERROR_ENTRY(kEmberErrorNoError),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionNameNotFound),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionIndexInvalid),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionRegistryFull),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionAlreadyDefined),
    EMBER_ERROR_ENTRY(kEmberErrorBufferTooSmall),
    EMBER_ERROR_ENTRY(kEmberErrorFramingInvalidState),
    EMBER_ERROR_ENTRY(kEmberErrorFramingShortPacket),
    EMBER_ERROR_ENTRY(kEmberErrorFramingInvalidEscape),
    EMBER_ERROR_ENTRY(kEmberErrorFramingPayloadOverflow),
    EMBER_ERROR_ENTRY(kEmberErrorFramingPayloadIncomplete),
    EMBER_ERROR_ENTRY(kEmberErrorFramingBadCrc),
    EMBER_ERROR_ENTRY(kEmberErrorWriteStreamShortWrite),
    EMBER_ERROR_ENTRY(kEmberErrorWriteStreamLongWrite),
    EMBER_ERROR_ENTRY(kEmberErrorSessionInvalidState),
    EMBER_ERROR_ENTRY(kEmberErrorSessionReceiveBufferBusy),
    EMBER_ERROR_ENTRY(kEmberErrorSessionReceiveBufferShortWrite),
    EMBER_ERROR_ENTRY(kEmberErrorSessionInvalidMessageType),
    EMBER_ERROR_ENTRY(kEmberErrorSessionShortMessage),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformCheckFailure),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformMemoryManagerInitialized),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformShutdown),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformNoMemory),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformTimerBadState),
    EMBER_ERROR_ENTRY(kEmberErrorPlatformStackAllocBadFree),
    EMBER_ERROR_ENTRY(kEmberErrorGeneratedInvalidStorageId),
    EMBER_ERROR_ENTRY(kEmberErrorGeneratedBadArena),
    EMBER_ERROR_ENTRY(kEmberErrorExecutorModuleAlreadyCreated),
    EMBER_ERROR_ENTRY(kEmberErrorExecutorModuleBadContext),
    EMBER_ERROR_ENTRY(kEmberErrorExecutorModuleNoSuchInput),
    EMBER_ERROR_ENTRY(kEmberErrorExecutorNullArgument),
    EMBER_ERROR_ENTRY(kEmberErrorJsonSyntax),
    EMBER_ERROR_ENTRY(kEmberErrorJsonType),
    EMBER_ERROR_ENTRY(kEmberErrorJsonLimit),
    EMBER_ERROR_ENTRY(kEmberErrorGraphInvalid),
    EMBER_ERROR_ENTRY(kEmberErrorGraphUnknownFunction),
    EMBER_ERROR_ENTRY(kEmberErrorGraphBufferTooSmall),
    EMBER_ERROR_ENTRY(kEmberErrorGraphBadIndex),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionCallNumArguments),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionCallWrongArgType),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionCallNotImplemented),
    EMBER_ERROR_ENTRY(kEmberErrorFunctionCallInvalidArg),
    EMBER_ERROR_ENTRY(kEmberErrorTimeEvaluatorBadHandle),
    EMBER_ERROR_ENTRY(kEmberErrorRpcUnknownOp),
    EMBER_ERROR_ENTRY(kEmberErrorRpcBadRequest),
    EMBER_ERROR_ENTRY(kEmberErrorRpcOutOfBounds),
    EMBER_ERROR_ENTRY(kEmberErrorRpcBadArgs),
    EMBER_ERROR_ENTRY(kEmberErrorRpcBadHandle),
    EMBER_ERROR_ENTRY(kEmberErrorRpcUnsupported),
    EMBER_ERROR_ENTRY(kEmberErrorRpcArgMismatch),
};
#undef EMBER_ERROR_ENTRY
#endif

const char* ember_error_name(ember_error_t err) {
#if defined(EMBER_RUNTIME_STRIP_MESSAGES)
  (void)err;
  return "";
#else
  size_t i;
  for (i = 0; i < sizeof(kEmberErrorNames) / sizeof(kEmberErrorNames[0]); ++i) {
    if (kEmberErrorNames[i].code == err) return kEmberErrorNames[i].name;
  }
  return "unknown error";
#endif
}

void ember_runtime_fatal(ember_error_t err, const char* msg) {
#if !defined(EMBER_RUNTIME_STRIP_MESSAGES)
  const char* name = ember_error_name(err);
  if (msg != NULL && msg[0] != '\0') {
    ember_platform_log(msg, strlen(msg));
    EMBER_LOG(": ");
  }
  ember_platform_log(name, strlen(name));
  EMBER_LOG("\n");
#else
  (void)msg;
#endif
  ember_platform_abort(err);
}
