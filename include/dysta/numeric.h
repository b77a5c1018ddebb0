// Summation orders that match the reference artifact (spec L.2), so results are bit-identical.
#pragma once

#include <span>

namespace dysta {

// Python's built-in sum(): left to right.
double sequential_sum(std::span<const double> values);

// numpy.add.reduce on a contiguous float64 array: pairwise summation with 8 interleaved partial
// sums for blocks of at most 128 values (spec L.2).
double numpy_sum(std::span<const double> values);

// numpy.mean = numpy_sum / n. Returns NaN for an empty span.
double numpy_mean(std::span<const double> values);

}  // namespace dysta
