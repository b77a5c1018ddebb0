// SchedulerModel::decide()'s pruned pass against the full pass (include/dysta/hardware/
// scheduler_model.h): two models receive the same random host commands and npu_done events; one
// decides with decide() (pruned where allowed), the other with decide(&terms) (always the full
// pass). Every decision and, at random moments, every register must agree, including the score
// registers the pruned pass skipped (filled in when read or before a table write). The random
// states cover ties (few distinct table values), extreme encodings (zeros of both signs,
// subnormals, max finite, infinities, NaNs), negative values that force the full pass, passed
// and far deadlines, waits that saturate the Q format, and both score formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "dysta/hardware/scheduler_model.h"
#include "dysta/py_random.h"

namespace dysta::hw {
namespace {

enum class Regime { ties, spread, extreme };

struct Driver {
  SchedulerModel pruned, full;
  PyRandom rng;
  Regime regime;
  FloatFormat f;
  std::uint64_t cycle = 0;
  std::vector<std::uint32_t> free_ids;
  std::uint64_t last_start = 0;
  std::vector<ScoreTerms> terms;

  Driver(const HwConfig& c, std::uint64_t seed, Regime r)
      : pruned(c), full(c), rng(seed), regime(r), f(c.fp()) {
    for (std::uint32_t id = 0; id < c.depth(); ++id) free_ids.push_back(id);
  }

  std::uint32_t below(std::uint32_t n) {  // uniform enough for test inputs: n <= 2^16
    return static_cast<std::uint32_t>(rng.random() * n);
  }

  // A table value: positive, by regime.
  std::uint32_t value() {
    switch (regime) {
      case Regime::ties: {
        const double v[] = {0.25, 0.5, 1.0, 1.0, 2.0, 4.0};
        return fp_from_double(f, v[below(6)]);
      }
      case Regime::spread:
        return fp_from_double(f, std::ldexp(1.0 + rng.random(), static_cast<int>(below(16)) - 8));
      case Regime::extreme: {
        const std::uint32_t inf = f.exp_max() << f.man_bits;
        const std::uint32_t v[] = {0,
                                   1,                 // subnormal: zero
                                   1u << f.man_bits,  // smallest normal
                                   inf - 1,           // max finite
                                   inf,               // +inf
                                   fp_nan(f),         // NaN
                                   fp_one(f),         // 1
                                   fp_one(f) + 1,     // 1 + ulp
                                   fp_from_double(f, 1e-3),
                                   fp_from_double(f, 100.0)};
        return v[below(10)];
      }
    }
    return 0;
  }
  // A value that may also be negative (sign bit set: -0, negatives, a NaN with sign 1).
  std::uint32_t signed_value() {
    const std::uint32_t v = value();
    return below(8) == 0 ? v | (1u << (f.width() - 1)) : v;
  }

  void command(HostCommand code, std::uint64_t data) {
    cycle = pruned.next_ready(cycle);
    ASSERT_NE(cycle, std::numeric_limits<std::uint64_t>::max());
    pruned.command(cycle, code, data);
    full.command(cycle, code, data);
    ++cycle;
  }

  void table_write(bool allow_negative) {
    const auto& c = pruned.config();
    const auto slot = below(1u << c.slot_bits), layer = below(1u << c.layer_bits);
    const std::uint32_t v = allow_negative ? signed_value() : value();
    switch (below(7)) {
      case 6:  // moves the point where waits saturate
        command(HostCommand::set_time_shift, below(12));
        break;
      case 0:
      case 1:
        command(HostCommand::lut_rest, cmd::lut_entry(v, slot, layer));
        break;
      case 2:
        command(HostCommand::lut_inv_isolated, cmd::slot_entry(v, slot));
        break;
      case 3:
        command(HostCommand::lut_inv_outputs, cmd::lut_entry(v, slot, layer));
        break;
      case 4:
        command(HostCommand::lut_inv_density, cmd::lut_entry(below(4) == 0 ? 0 : v, slot, layer));
        break;
      case 5:
        command(HostCommand::lut_recip, cmd::recip_entry(v, below(1u << c.queue_bits)));
        break;
    }
  }

  // A time around `cycle`: up to 2^36 cycles either side, sometimes far in the future.
  std::uint64_t time_near() {
    const std::uint64_t limit = (std::uint64_t{1} << 48) - 1;
    const std::uint64_t mag = std::uint64_t{1} << below(37);
    const std::uint64_t off = static_cast<std::uint64_t>(rng.random() * static_cast<double>(mag));
    if (below(16) == 0) return limit;
    if (below(2) == 0) return std::min(limit, cycle + off);
    return cycle > off ? cycle - off : 0;
  }

  void push() {
    if (free_ids.empty() || pruned.queue().size() == pruned.config().depth()) return;
    const std::uint32_t k = below(static_cast<std::uint32_t>(free_ids.size()));
    const std::uint32_t id = free_ids[k];
    free_ids.erase(free_ids.begin() + k);
    command(HostCommand::stage_deadline, time_near());
    command(HostCommand::stage_arrival, time_near());
    command(HostCommand::push, cmd::push(id, below(1u << pruned.config().slot_bits)));
  }

  void expect_same_registers() {
    const auto& a = pruned.requests();
    const auto& b = full.requests();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t id = 0; id < a.size(); ++id) {
      ASSERT_EQ(a[id].queued, b[id].queued) << id;
      ASSERT_EQ(a[id].slot, b[id].slot) << id;
      ASSERT_EQ(a[id].layer, b[id].layer) << id;
      ASSERT_EQ(a[id].deadline, b[id].deadline) << id;
      ASSERT_EQ(a[id].last_exec, b[id].last_exec) << id;
      ASSERT_EQ(a[id].gamma, b[id].gamma) << id;
      ASSERT_EQ(a[id].score, b[id].score) << std::hex << "score of " << id;
    }
    ASSERT_EQ(pruned.queue(), full.queue());
  }

  // One decision and the layer it starts; table writes with probability 1/p_write.
  void step(std::uint32_t p_write, bool allow_negative) {
    const std::uint32_t pushes = below(4);
    for (std::uint32_t i = 0; i < pushes; ++i) push();
    if (below(p_write) == 0) table_write(allow_negative);
    if (below(4) == 0) expect_same_registers();
    if (!pruned.can_decide()) return;
    const ModelDecision a = pruned.decide();
    const ModelDecision b = full.decide(&terms);
    ASSERT_EQ(a.id, b.id);
    ASSERT_EQ(a.pos, b.pos);
    ASSERT_EQ(a.queue_length, b.queue_length);
    ASSERT_EQ(a.now_cycle, b.now_cycle);
    ASSERT_EQ(a.start_cycle, b.start_cycle);
    ASSERT_EQ(a.slot, b.slot);
    ASSERT_EQ(a.layer, b.layer);
    // The winner's score register is written by both passes.
    ASSERT_EQ(terms[b.pos].id, b.id);
    if (below(4) == 0) expect_same_registers();
    // While the layer runs: pushes and table writes (pending scores must survive them).
    cycle = std::max(cycle, a.start_cycle + 1);
    if (below(3) == 0) push();
    if (below(p_write) == 0) table_write(allow_negative);
    std::uint64_t done = cycle + below(1u << 20);
    if (below(8) == 0) done += std::uint64_t{1} << below(34);  // long layers: waits saturate
    cycle = done;
    const bool last = below(3) == 0;
    const std::uint64_t nnz = rng.getrandbits(25);
    pruned.layer_done(done, nnz, last);
    full.layer_done(done, nnz, last);
    if (last) free_ids.push_back(a.id);
    cycle = std::max(cycle, pruned.idle_since());
  }
};

void run_trials(ScoreFormat format, Regime regime, bool allow_negative, std::uint64_t seed0,
                std::uint64_t* pruned_scores, std::uint64_t* full_scores) {
  for (std::uint64_t seed = seed0; seed < seed0 + 40; ++seed) {
    HwConfig c;
    c.format = format;
    c.queue_bits = 2 + static_cast<unsigned>(seed % 5);  // 4 .. 64 entries
    c.slot_bits = 2;
    c.layer_bits = 3;
    Driver d(c, seed, regime);
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed << " format " << (format == ScoreFormat::fp32 ? 32 : 16)
                 << " regime " << static_cast<int>(regime));
    // Tables, beta and time shift.
    const std::uint32_t entries = 1u << (c.slot_bits + c.layer_bits);
    for (std::uint32_t e = 0; e < entries; ++e) {
      d.command(HostCommand::lut_rest,
                cmd::lut_entry(d.value(), e >> c.layer_bits, e & ((1u << c.layer_bits) - 1)));
      d.command(HostCommand::lut_inv_outputs,
                cmd::lut_entry(fp_from_double(d.f, 1.0 / 4096), e >> c.layer_bits,
                               e & ((1u << c.layer_bits) - 1)));
      d.command(HostCommand::lut_inv_density,
                cmd::lut_entry(d.value(), e >> c.layer_bits, e & ((1u << c.layer_bits) - 1)));
    }
    for (std::uint32_t s = 0; s < (1u << c.slot_bits); ++s) {
      d.command(HostCommand::lut_inv_isolated, cmd::slot_entry(d.value(), s));
    }
    const bool signed_recip = allow_negative && seed % 4 == 1;
    for (std::uint32_t n = 0; n < c.depth(); ++n) {
      const std::uint32_t r = signed_recip ? d.signed_value() : fp_recip(d.f, n + 1);
      d.command(HostCommand::lut_recip, cmd::recip_entry(r, n));
    }
    const double betas[] = {0.01, 0.01, 0.125, 0.0, 1e4, 1.0};
    std::uint32_t beta = fp_from_double(d.f, betas[seed % 6]);
    if (regime == Regime::extreme && seed % 3 == 0) beta = d.value();
    if (allow_negative && seed % 2 == 0) beta = d.signed_value();
    d.command(HostCommand::set_beta, beta);
    // Waits saturate the Q format after 2^(31 + shift) cycles (FP32) or 2^(15 + shift) (FP16).
    d.command(HostCommand::set_time_shift, d.below(12));
    for (int i = 0; i < 150; ++i) {
      d.step(12, allow_negative);
      if (::testing::Test::HasFatalFailure()) return;
    }
    d.expect_same_registers();
    *pruned_scores += d.pruned.scores_evaluated();
    *full_scores += d.full.scores_evaluated();
  }
}

TEST(SchedulerModelPruning, EqualsFullPassOnRandomStates) {
  std::uint64_t pruned = 0, full = 0;
  std::uint64_t seed = 1;
  for (const ScoreFormat format : {ScoreFormat::fp32, ScoreFormat::fp16}) {
    for (const Regime regime : {Regime::ties, Regime::spread, Regime::extreme}) {
      for (const bool negative : {false, true}) {
        std::uint64_t p = 0, f = 0;
        run_trials(format, regime, negative, seed, &p, &f);
        if (!negative) {  // negative tables and beta use the full pass more often
          pruned += p;
          full += f;
        }
        if (HasFatalFailure()) return;
        seed += 40;
      }
    }
  }
  // The pruning is exercised: far fewer scores than the full pass computes (about 40%).
  EXPECT_LT(pruned, full / 2);
}

// All remaining times equal and deadlines passed: every score ties and the first queue position
// wins, also after removals. The pruned pass scores only the first pushed: the others' bound
// equals its score and they were pushed later, so at best they would tie and lose.
TEST(SchedulerModelPruning, AllTiesPickFirstQueuePosition) {
  HwConfig c;
  c.queue_bits = 3;
  c.slot_bits = 1;
  c.layer_bits = 2;
  SchedulerModel m(c);
  std::uint64_t t = 0;
  for (std::uint32_t layer = 0; layer < 4; ++layer) {
    m.command(t++, HostCommand::lut_rest, cmd::lut_entry(fp_one(c.fp()), 0, layer));
  }
  const std::uint32_t ids[] = {5, 2, 7, 0, 3};
  for (const std::uint32_t id : ids) {
    m.command(t++, HostCommand::stage_deadline, 1);
    m.command(t++, HostCommand::push, cmd::push(id, 0));
  }
  const std::uint64_t before = m.scores_evaluated();
  ModelDecision d = m.decide();
  EXPECT_EQ(d.id, 5u);
  EXPECT_EQ(d.pos, 0u);
  EXPECT_EQ(m.scores_evaluated() - before, 1u);
  m.layer_done(d.start_cycle + 1, 0, true);
  d = m.decide();
  EXPECT_EQ(d.id, 2u);
  EXPECT_EQ(d.pos, 0u);
}

// Distinct remaining times with beta x (U + P) small: the pruned pass stops after the entries
// whose R is within the best score, and the skipped score registers read as the full pass's.
TEST(SchedulerModelPruning, StopsEarlyAndFillsSkippedScores) {
  HwConfig c;
  c.queue_bits = 3;
  c.slot_bits = 3;
  c.layer_bits = 1;
  const FloatFormat f = c.fp();
  SchedulerModel m(c), full(c);
  std::uint64_t t = 0;
  auto both = [&](HostCommand code, std::uint64_t data) {
    m.command(t, code, data);
    full.command(t, code, data);
    ++t;
  };
  // rest[s][0] = 8 - s: slot 7 has the smallest R (1), then slot 6 (2), ...
  for (std::uint32_t s = 0; s < 8; ++s) {
    both(HostCommand::lut_rest, cmd::lut_entry(fp_from_double(f, 8.0 - s), s, 0));
  }
  for (std::uint32_t s = 0; s < 8; ++s) {
    both(HostCommand::stage_deadline, 1);  // passed: U = 0, P = 0 (inv_iso 0): score = R
    both(HostCommand::push, cmd::push(s, s));
  }
  const std::uint64_t before = m.scores_evaluated();
  const ModelDecision d = m.decide();
  std::vector<ScoreTerms> terms;
  const ModelDecision e = full.decide(&terms);
  EXPECT_EQ(d.id, 7u);
  EXPECT_EQ(d.pos, 7u);
  EXPECT_EQ(e.id, 7u);
  // R = 1 is the best score; the next entry's R = 2 > 1 stops the scan before scoring it.
  EXPECT_EQ(m.scores_evaluated() - before, 1u);
  for (std::uint32_t id = 0; id < 8; ++id) {
    EXPECT_EQ(m.requests()[id].score, fp_from_double(f, 8.0 - id)) << id;
    EXPECT_EQ(m.requests()[id].score, full.requests()[id].score) << id;
  }
}

}  // namespace
}  // namespace dysta::hw
