// SHA-256 (FIPS 180-4), used to key sweep points by their resolved configuration and to
// fingerprint profile files.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dysta {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The digest as 64 lowercase hex digits. The object must not be updated afterwards.
  std::string hex();
  // Whether blocks are compressed with the CPU's SHA instructions (x86 SHA extensions, detected
  // at start-up) instead of the portable code; both give the same digests.
  static bool hardware();
  // Allows (true, the default) or forbids the SHA instructions, for testing the portable code;
  // returns the previous setting.
  static bool use_hardware(bool on);

 private:
  void block(const unsigned char* p);
  std::array<std::uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes
};

std::string sha256_hex(std::string_view bytes);

}  // namespace dysta
