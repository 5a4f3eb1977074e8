/* gemmlowp-style fixed-point helpers for generated SOFTMAX, LOGISTIC, TANH and
 * HARD_SWISH kernels. C99, header-only, bit-identical to compiler/ops/fixed_point.cc. */
#ifndef EMBER_FIXED_POINT_H_
#define EMBER_FIXED_POINT_H_

#include "ember/kernel_math.h"

#endif /* EMBER_FIXED_POINT_H_ */
