// LLF-sparse: least laxity first with the sparsity-aware estimate of sjf_sparse, laxity =
// deadline - now - gamma x Rest (pattern-aware Rest, gamma from the sparsity monitor, spec A.2,
// D); ties go to the earlier arrival. src/policies/laxity.h.
#include "dysta/policy.h"
#include "policies/laxity.h"

namespace dysta {
namespace {

DYSTA_REGISTER_POLICY({"llf_sparse",
                       "LLF with pattern-aware estimates scaled by the sparsity monitor",
                       {true, true},
                       {},
                       [](const ParamValues&, Semantics) {
                         return std::make_unique<detail::LeastLaxity>(true);
                       }});

}  // namespace
}  // namespace dysta
