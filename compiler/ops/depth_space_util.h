// The index arithmetic shared by depth_to_space and space_to_depth (and
// their emitters): both move the elements of a block_size x block_size
// spatial block into (or out of) the channels of one pixel, NHWC.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::ops {

// The channel of the deep tensor (depth_to_space's input, space_to_depth's
// output) that holds channel c of the shallow tensor at block position
// (i, j) (row i, column j inside the block), for `channels` shallow channels:
//   DCR (TFLite, ONNX's default): (i * block + j) * channels + c
//   CRD (ONNX DepthToSpace mode=CRD): c * block * block + i * block + j
inline int64_t DeepChannel(bool crd, int64_t block, int64_t channels, int64_t i, int64_t j,
                           int64_t c) {
  return crd ? (c * block + i) * block + j : (i * block + j) * channels + c;
}

// The strides of the deep tensor [N, H, W, block * block * C] along the six
// axes (n, h, i, w, j, c) of the shallow tensor [N, H * block, W * block, C]
// viewed as [N, H, block, W, block, C] (row-major over that view is the
// shallow tensor's own order).
inline std::vector<int64_t> DeepStrides(bool crd, int64_t block, int64_t h, int64_t w, int64_t c) {
  const int64_t depth = block * block * c;
  return {h * w * depth, w * depth, crd ? block : block * c, depth, crd ? 1 : c, crd ? block * block : 1};
}

// TFLite Micro's reference loop of both operators: over the shallow tensor
// `shallow` = [N, H*b, W*b, C] in row-major order, each element is paired
// with the deep tensor's element at [n][h/b][w/b][DeepChannel(...)]; the copy
// goes deep -> shallow (depth_to_space) or shallow -> deep (space_to_depth).
inline void DepthSpaceCopy(const ir::Shape& shallow, int64_t b, bool crd, size_t esz, bool to_shallow,
                           const uint8_t* src, uint8_t* dst) {
  const int64_t dh = shallow[1] / b, dw = shallow[2] / b, depth = shallow[3] * b * b;
  int64_t s = 0;
  for (int64_t n = 0; n < shallow[0]; ++n)
    for (int64_t h = 0; h < shallow[1]; ++h)
      for (int64_t w = 0; w < shallow[2]; ++w)
        for (int64_t c = 0; c < shallow[3]; ++c, ++s) {
          const int64_t d = ((n * dh + h / b) * dw + w / b) * depth + DeepChannel(crd, b, shallow[3], h % b, w % b, c);
          const int64_t from = to_shallow ? d : s, to = to_shallow ? s : d;
          std::memcpy(dst + static_cast<size_t>(to) * esz, src + static_cast<size_t>(from) * esz, esz);
        }
}

}  // namespace ember::ops
