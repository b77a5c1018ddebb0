// Types shared by the binding's translation units.
#pragma once

#include <memory>
#include <string>

#include "dysta/profile.h"

namespace dysta::python {

// dysta.ProfileSet: a loaded profile set and the path it was loaded from. The set is shared by
// every stream and result made from it. The object a Python policy's or predictor's bind()
// receives does not own its set: it is valid only during that run.
struct Profiles {
  std::shared_ptr<const ProfileSet> set;
  std::string path;
};

}  // namespace dysta::python
