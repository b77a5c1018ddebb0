// Locating the packages of scripts/fetch-models.sh from the real-model tests.
#pragma once

#include <gtest/gtest.h>

#include "dysta/inference/models.h"

namespace dysta::test {

inline void skip_without_assets(const inference::AssetPaths& a) {
  if (!a.complete()) {
    GTEST_SKIP() << "real models not fetched: no complete cache at " << a.cache
                 << " (run `bash scripts/fetch-models.sh`, or set DYSTA_CACHE)";
  }
}

// The cache paths; marks the test skipped (check IsSkipped()) when the cache is incomplete.
inline inference::AssetPaths require_assets() {
  inference::AssetPaths a;
  skip_without_assets(a);
  return a;
}

}  // namespace dysta::test
