// One profile-format target: the input becomes a CSV file named so that the format of the name
// applies (Sanger: load_balance_<model>.csv; Eyeriss-V2: <arch>_<pattern>.csv; native: any), and
// the header of that format is prepended unless the input already starts with one, so mutations
// spend their time on the rows.
#pragma once

#include "dysta/profile.h"
#include "fuzz_util.h"

namespace dysta::fuzz {

inline void fuzz_profile(const char* file_name, const char* header, const std::uint8_t* data,
                         std::size_t size) {
  std::string text(as_text(data, size));
  if (!text.empty() && text[0] == '!') {
    text.erase(0, 1);  // "!": the input is the whole file, header included
  } else {
    text = std::string(header) + "\n" + text;
  }
  const auto path = write_input(file_name, text);
  input_errors_only([&] {
    const ProfileSet set = load_profiles(path, ProfileLoadOptions{});
    // Round trip through the native writer and reader must succeed and agree.
    const auto again = write_input("roundtrip.csv", native_profiles_text(set));
    const ProfileSet back = load_profiles(again, ProfileLoadOptions{});
    if (back.size() != set.size()) std::abort();
  });
}

}  // namespace dysta::fuzz
