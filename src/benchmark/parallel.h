// Runs a benchmark job's worker on a few threads (internal to src/benchmark).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <span>
#include <thread>
#include <vector>

namespace dysta::benchmark {

// Runs `worker` on min(threads, n) threads (inline when threads == 1 or n < 2); each worker takes
// items in input order and records an item's failure in errors[item]. Then rethrows the first
// recorded error in input order, which is the same for any thread count because every item
// before a failed one ran.
template <typename Worker>
void run_workers_in_input_order(std::size_t threads, std::size_t n, Worker&& worker,
                                std::span<const std::exception_ptr> errors) {
  if (threads == 1 || n < 2) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < std::min(threads, n); ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace dysta::benchmark
