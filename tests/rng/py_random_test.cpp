// PyRandom reproduces CPython's `random` module (spec B.2). Expected values were produced by
// CPython 3.11's `random` with the same seeds.
#include "dysta/py_random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace dysta {
namespace {

// Spec B.2 test vectors: the first three 32-bit outputs after seed(1) and seed(2).
TEST(PyRandom, SeedOneAndTwoFirstOutputs) {
  PyRandom rng(1);
  EXPECT_EQ(rng.next_u32(), 577090037u);
  EXPECT_EQ(rng.next_u32(), 2444712010u);
  EXPECT_EQ(rng.next_u32(), 3639700191u);
  rng.seed(2);
  EXPECT_EQ(rng.next_u32(), 4106135923u);
  EXPECT_EQ(rng.next_u32(), 3707026329u);
  EXPECT_EQ(rng.next_u32(), 4070888059u);
}

// Reseeding restarts the stream; seed 0 and a seed >= 2^32 (key of two 32-bit words) match
// CPython's random.seed(0) and random.seed(2**40 + 5).
TEST(PyRandom, ReseedAndWideSeeds) {
  PyRandom rng(7);
  rng.next_u32();
  rng.seed(1);
  EXPECT_EQ(rng.next_u32(), 577090037u);
  rng.seed(0);
  EXPECT_EQ(rng.next_u32(), 3626764237u);
  EXPECT_EQ(rng.next_u32(), 1654615998u);
  rng.seed((std::uint64_t{1} << 40) + 5);
  EXPECT_EQ(rng.next_u32(), 2166296868u);
  EXPECT_EQ(rng.next_u32(), 2220160828u);
  EXPECT_EQ(rng.next_u32(), 1153647273u);
}

// Outputs 625..627 after seed(1) come from the regenerated state (first reload).
TEST(PyRandom, OutputsAfterStateReload) {
  PyRandom rng(1);
  for (int i = 0; i < 624; ++i) rng.next_u32();
  EXPECT_EQ(rng.next_u32(), 1360367077u);
  EXPECT_EQ(rng.next_u32(), 3404757168u);
  EXPECT_EQ(rng.next_u32(), 3638416111u);
}

// random() = ((a >> 5) * 2^26 + (b >> 6)) / 2^53 from two consecutive draws (B.2). With seed 1,
// a = 577090037 and b = 2444712010, giving CPython's 0.13436424411240122; the next draw is the
// third output.
TEST(PyRandom, RandomCombinesTwoDraws) {
  PyRandom rng(1);
  EXPECT_EQ(rng.random(), 0.13436424411240122);
  EXPECT_EQ(rng.next_u32(), 3639700191u);
}

// getrandbits(k) keeps the top k bits of one draw: 577090037 >> 30 = 0, 2444712010 >> 30 = 2,
// 3639700191 >> 30 = 3; k = 32 returns the whole fourth output.
TEST(PyRandom, GetrandbitsTakesTopBitsOfOneDraw) {
  PyRandom rng(1);
  EXPECT_EQ(rng.getrandbits(2), 0u);
  EXPECT_EQ(rng.getrandbits(2), 2u);
  EXPECT_EQ(rng.getrandbits(2), 3u);
  EXPECT_EQ(rng.getrandbits(32), 3445702192u);
  EXPECT_THROW(rng.getrandbits(0), std::invalid_argument);
  EXPECT_THROW(rng.getrandbits(33), std::invalid_argument);
}

// randint(0, 0): n = 1 has bit length 1, so one draw is taken (and retried while it is 1). With
// seed 1 the first draw's top bit is 0, so exactly one draw is consumed (B.2).
TEST(PyRandom, RandintOfSingleValueConsumesOneDraw) {
  PyRandom rng(1);
  EXPECT_EQ(rng.randint(0, 0), 0);
  EXPECT_EQ(rng.next_u32(), 2444712010u);
  rng.seed(1);
  EXPECT_EQ(rng.randint(42, 42), 42);
  EXPECT_EQ(rng.next_u32(), 2444712010u);
}

// randint(0, 2) draws 2 bits and rejects 3: seed 1 gives top bits 0, 2, 3, 3, 3, 0, so the third
// call consumes four draws and returns 0; the seventh output (1095513148) is next. CPython:
// [randint(0, 2) for 3 calls] = [0, 2, 0].
TEST(PyRandom, RandintRejectsOutOfRangeDraws) {
  PyRandom rng(1);
  EXPECT_EQ(rng.randint(0, 2), 0);
  EXPECT_EQ(rng.randint(0, 2), 2);
  EXPECT_EQ(rng.randint(0, 2), 0);
  EXPECT_EQ(rng.next_u32(), 1095513148u);
  // Offset ranges: CPython seed(1), randint(5, 7) x 6 = 5, 7, 5, 6, 5, 6.
  rng.seed(1);
  const std::int64_t expected[] = {5, 7, 5, 6, 5, 6};
  for (std::int64_t e : expected) EXPECT_EQ(rng.randint(5, 7), e);
  EXPECT_THROW(rng.randint(3, 2), std::invalid_argument);
}

// expovariate(lambda) = -log(1 - random()) / lambda; CPython seed(1), expovariate(50) gives
// 0.002885821282190184 (the first arrival of the B.3 vector).
TEST(PyRandom, ExpovariateByInversion) {
  PyRandom rng(1);
  EXPECT_EQ(rng.expovariate(50), 0.002885821282190184);
  rng.seed(1);
  const double u = rng.random();
  rng.seed(1);
  EXPECT_EQ(rng.expovariate(2.5), -std::log(1.0 - u) / 2.5);
}

}  // namespace
}  // namespace dysta
