// LLF, least laxity first (Mok 1983): laxity = deadline - now - Rest with the architecture-average
// estimate (like sjf); ties go to the earlier arrival. src/policies/laxity.h.
#include "dysta/policy.h"
#include "policies/laxity.h"

namespace dysta {
namespace {

DYSTA_REGISTER_POLICY({"llf",
                       "least laxity first: deadline - now - estimated remaining (architecture "
                       "average)",
                       {false, false},
                       {},
                       [](const ParamValues&, Semantics) {
                         return std::make_unique<detail::LeastLaxity>(false);
                       }});

}  // namespace
}  // namespace dysta
