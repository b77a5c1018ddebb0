// Prints the registered policies, predictors, and (with dysta::accel) accelerator models.
#include <cstdio>

#include "dysta/policy.h"
#include "dysta/predictor.h"

int main() {
  std::printf("%zu policies, %zu predictors\n", dysta::policy_registry().all().size(),
              dysta::predictor_registry().all().size());
  return dysta::policy_registry().all().empty() ? 1 : 0;
}
