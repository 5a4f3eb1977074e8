/* The ember C runtime: one header for applications and generated code.
 *
 * The runtime is C99 with no allocation: error codes (error_codes.h), the
 * platform hooks a board port provides (platform.h), and a few helpers the
 * generated AOT code calls at its public entry points. Kernels are not part
 * of it: they are generated per model.
 *
 * Defining EMBER_RUNTIME_STRIP_MESSAGES (for the runtime and the generated
 * code alike) removes every message string from the binary: EMBER_MSG("...")
 * becomes "", EMBER_LOG("...") does nothing and ember_error_name returns "". */
#ifndef EMBER_RUNTIME_H_
#define EMBER_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#include "ember/error_codes.h"
#include "ember/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_RUNTIME_VERSION_MAJOR 0
#define EMBER_RUNTIME_VERSION_MINOR 1
#define EMBER_RUNTIME_VERSION_PATCH 0
/* The runtime's version as text (the RPC server's INFO): MAJOR.MINOR.PATCH
 * above, kept equal to the ember project version. */
#define EMBER_RUNTIME_VERSION "0.1.0"

#if defined(EMBER_RUNTIME_STRIP_MESSAGES)
#define EMBER_MSG(literal) ""
#define EMBER_LOG(literal) ((void)0)
#else
#define EMBER_MSG(literal) literal
/* Logs a string literal (its length is known at compile time). */
#define EMBER_LOG(literal) ember_platform_log((literal), sizeof(literal) - 1u)
#endif

/* Logs `msg` (a NUL-terminated string, typically EMBER_MSG("...")), followed
 * by the name of `err` and a newline, then calls ember_platform_abort(err).
 * With EMBER_RUNTIME_STRIP_MESSAGES nothing is logged. Never returns. */
EMBER_NORETURN void ember_runtime_fatal(ember_error_t err, const char* msg);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* EMBER_RUNTIME_H_ */
