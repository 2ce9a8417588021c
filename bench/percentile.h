// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/percentile.h: percentiles of latency samples, for the benchmarks'
// p50/p99 counters.

#ifndef BERTH_BENCH_PERCENTILE_H_
#define BERTH_BENCH_PERCENTILE_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace berth::bench {

// Percentile returns the `p`-th percentile (0 < p <= 100) of `samples` by
// the nearest-rank method, so it is always one of the samples; 0 for none.
// Reorders `samples`.
inline double Percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  size_t rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  rank = std::clamp<size_t>(rank, 1, samples.size());
  std::nth_element(samples.begin(), samples.begin() + (rank - 1),
                   samples.end());
  return samples[rank - 1];
}

}  // namespace berth::bench

#endif  // BERTH_BENCH_PERCENTILE_H_
