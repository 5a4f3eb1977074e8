// The nearest-neighbor source indices of resize_nearest_neighbor, shared by
// the reference evaluator and the C emitter (which emits them as tables).
#pragma once

#include <cstdint>
#include <vector>

namespace ember::ops {

// For each output index 0..out_size-1 along one axis, the input index it
// copies (TFLite's GetNearestNeighbor, float32 arithmetic). in_size >= 1.
std::vector<int64_t> NearestNeighborIndices(int64_t in_size, int64_t out_size, bool align_corners,
                                            bool half_pixel_centers);

}  // namespace ember::ops
