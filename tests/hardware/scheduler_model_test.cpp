// The hardware scheduler model (include/dysta/hardware/scheduler_model.h): hand-computed scores,
// rate updates and FSM cycle counts, and the corner cases (empty and full queue, passed deadline,
// equal scores, removal keeping arrival order, rejected commands).
#include <gtest/gtest.h>

#include <stdexcept>

#include "dysta/hardware/scheduler_model.h"

namespace dysta::hw {
namespace {

constexpr std::uint64_t kUnit = std::uint64_t{1} << 18;  // one Q13.18 unit at time_shift 0
constexpr std::uint64_t kT0 = std::uint64_t{1} << 24;    // first host command

HwConfig small(ScoreFormat format) {
  HwConfig c;
  c.queue_bits = 2;
  c.slot_bits = 1;
  c.layer_bits = 2;
  c.format = format;
  return c;
}

// Issues commands back to back from `cycle`; returns the cycle after the last one.
struct Host {
  SchedulerModel& m;
  std::uint64_t cycle;
  void operator()(HostCommand code, std::uint64_t data) { m.command(cycle++, code, data); }
  void push(std::uint32_t id, std::uint32_t slot, std::uint64_t deadline, std::uint64_t arrival) {
    (*this)(HostCommand::stage_deadline, deadline);
    (*this)(HostCommand::stage_arrival, arrival);
    (*this)(HostCommand::push, cmd::push(id, slot));
  }
};

std::uint32_t fp(const SchedulerModel& m, double x) {
  return fp_from_double(m.config().fp(), x);
}

// Tables: rest[0][0] = 2, rest[1][0] = 1.5, rest[1][1] = 1; inv_iso[0] = 0.25 (IsoE = 4 units);
// inv_out[1][0] = 1/1024, inv_density[1][0] = 2; beta = 0.125; recip[1] = 0.5.
void load_tables(Host& h) {
  const SchedulerModel& m = h.m;
  h(HostCommand::set_beta, fp(m, 0.125));
  h(HostCommand::lut_recip, cmd::recip_entry(fp(m, 1.0), 0));
  h(HostCommand::lut_recip, cmd::recip_entry(fp(m, 0.5), 1));
  h(HostCommand::lut_rest, cmd::lut_entry(fp(m, 2.0), 0, 0));
  h(HostCommand::lut_rest, cmd::lut_entry(fp(m, 1.5), 1, 0));
  h(HostCommand::lut_rest, cmd::lut_entry(fp(m, 1.0), 1, 1));
  h(HostCommand::lut_inv_isolated, cmd::slot_entry(fp(m, 0.25), 0));
  h(HostCommand::lut_inv_outputs, cmd::lut_entry(fp(m, 1.0 / 1024), 1, 0));
  h(HostCommand::lut_inv_density, cmd::lut_entry(fp(m, 2.0), 1, 0));
}

// Decision 1 at now = t (FP32, time_shift 0, one unit = 2^18 cycles):
//   A (id 2, slot 0): gamma 1, R = 2; slack 3 units -> U = 1; waited 0.5 units -> P = 0.5 x 0.25
//     x recip[1] 0.5 = 0.0625; score = 2 + 0.125 x 1.0625 = 2.1328125.
//   B (id 0, slot 1): R = 1.5; deadline 1 unit ago -> U = max(0, -1 - 1.5) = 0; P = 0 -> 1.5.
//   -> B (queue position 1); npu_start at t + 2 + 9 + 1.
// npu_done 100 cycles later with 300 non-zeros: gamma_B = 300 / 1024 x 2 = 0.5859375.
// Decision 2 at now = d + 5: B's R = 0.5859375 x rest[1][1] = 0.5859375.
TEST(SchedulerModel, HandComputedScoresAndCycles) {
  for (ScoreFormat format : {ScoreFormat::fp32, ScoreFormat::fp16}) {
    SCOPED_TRACE(format == ScoreFormat::fp32 ? "fp32" : "fp16");
    SchedulerModel m(small(format));
    // Q7.8 needs time_shift 10 for the same 2^18-cycle unit.
    const unsigned shift = format == ScoreFormat::fp32 ? 0 : 10;
    Host h{m, kT0};
    h(HostCommand::set_time_shift, shift);
    load_tables(h);
    const std::uint64_t t = h.cycle + 6;  // after the two pushes
    h.push(2, 0, t + 3 * kUnit, t - kUnit / 2);
    h.push(0, 1, t - kUnit, t);
    ASSERT_EQ(h.cycle, t);
    ASSERT_TRUE(m.can_decide());
    std::vector<ScoreTerms> terms;
    const ModelDecision d1 = m.decide(&terms);
    EXPECT_EQ(d1.now_cycle, t);
    EXPECT_EQ(d1.id, 0u);
    EXPECT_EQ(d1.pos, 1u);
    EXPECT_EQ(d1.start_cycle, t + 2 + kScoreLatency + 1);
    ASSERT_EQ(terms.size(), 2u);
    EXPECT_EQ(terms[0].remaining, fp(m, 2.0));
    EXPECT_EQ(terms[0].urgency, fp(m, 1.0));
    EXPECT_EQ(terms[0].penalty, fp(m, 0.0625));
    EXPECT_EQ(terms[0].score, fp(m, 2.1328125));
    EXPECT_EQ(terms[1].urgency, 0u);
    EXPECT_EQ(terms[1].score, fp(m, 1.5));
    EXPECT_EQ(m.requests()[2].score, fp(m, 2.1328125));
    EXPECT_FALSE(m.ready(d1.start_cycle));     // START
    EXPECT_TRUE(m.ready(d1.start_cycle + 1));  // EXE
    const std::uint64_t done = d1.start_cycle + 100;
    m.layer_done(done, 300, false);
    EXPECT_EQ(m.requests()[0].gamma, fp(m, 0.5859375));
    EXPECT_EQ(m.requests()[0].layer, 1u);
    EXPECT_EQ(m.requests()[0].last_exec, done);
    EXPECT_EQ(m.idle_since(), done + kRateCycles + 1);
    EXPECT_FALSE(m.ready(done + kRateCycles));
    const ModelDecision d2 = m.decide(&terms);
    EXPECT_EQ(d2.now_cycle, done + kRateCycles + 1);
    EXPECT_EQ(terms[1].remaining, fp(m, 0.5859375));
    EXPECT_EQ(d2.id, 0u);
  }
}

TEST(SchedulerModel, InvDensityZeroGivesGammaOne) {
  SchedulerModel m(small(ScoreFormat::fp16));
  Host h{m, 0};
  h(HostCommand::lut_inv_outputs, cmd::lut_entry(fp(m, 1.0 / 64), 0, 0));
  h.push(1, 0, 1000, 0);
  const ModelDecision d = m.decide();
  m.layer_done(d.start_cycle + 1, 7, false);
  EXPECT_EQ(m.requests()[1].gamma, fp_one(kFp16));
}

TEST(SchedulerModel, EmptyQueueWaitsForHost) {
  SchedulerModel m(small(ScoreFormat::fp32));
  EXPECT_FALSE(m.can_decide());
  EXPECT_THROW(m.decide(), std::logic_error);
  // With an empty queue the host may issue commands at any later cycle.
  EXPECT_TRUE(m.ready(0));
  m.command(5, HostCommand::set_beta, fp(m, 1.0));
  EXPECT_TRUE(m.ready(1000));
  Host h{m, 1000};
  h.push(3, 0, 2000, 1000);
  // The FSM leaves IDLE at the first cycle without a command: now = 1003.
  EXPECT_TRUE(m.ready(1003));
  EXPECT_FALSE(m.ready(1004));
  EXPECT_EQ(m.next_ready(1004), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(m.decide().now_cycle, 1003u);
}

TEST(SchedulerModel, FullQueueAndDuplicateIdAreRejected) {
  SchedulerModel m(small(ScoreFormat::fp32));  // 4 entries
  Host h{m, 0};
  for (std::uint32_t id = 0; id < 4; ++id) h.push(id, 0, 100, 0);
  EXPECT_EQ(m.errors(), 0u);
  h.push(1, 0, 100, 0);  // full
  EXPECT_EQ(m.errors(), kErrQueueFull);
  EXPECT_EQ(m.queue().size(), 4u);
  h(HostCommand::clear_errors, 0);
  EXPECT_EQ(m.errors(), 0u);
  h(static_cast<HostCommand>(0xF), 0);
  EXPECT_EQ(m.errors(), kErrBadCommand);

  SchedulerModel d(small(ScoreFormat::fp32));
  Host g{d, 0};
  g.push(2, 0, 100, 0);
  g.push(2, 1, 100, 0);
  EXPECT_EQ(d.errors(), kErrIdQueued);
  EXPECT_EQ(d.queue().size(), 1u);
  EXPECT_EQ(d.requests()[2].slot, 0u);
}

// Equal scores: the earliest queue position wins. Removal of a finished task keeps the others in
// push order and takes N - pos + 1 cycles; queue_len drops when the removal ends.
TEST(SchedulerModel, TiesAndRemovalOrder) {
  SchedulerModel m(small(ScoreFormat::fp16));
  Host h{m, 0};
  h(HostCommand::lut_rest, cmd::lut_entry(fp(m, 1.0), 0, 0));
  h(HostCommand::lut_rest, cmd::lut_entry(fp(m, 1.0), 0, 1));
  h(HostCommand::lut_inv_density, cmd::lut_entry(0, 0, 0));   // gamma stays 1
  for (std::uint32_t id : {3u, 1u, 2u}) h.push(id, 0, 1, 0);  // deadlines passed: U = 0
  ModelDecision d = m.decide();
  EXPECT_EQ(d.id, 3u);  // all scores 1.0: first pushed
  m.layer_done(d.start_cycle + 50, 0, true);
  EXPECT_EQ(m.idle_since(), d.start_cycle + 50 + kRateCycles + 1 + 4);  // N 3 - pos 0 + 1
  EXPECT_EQ(m.queue_len(m.idle_since() - 1), 3u);
  EXPECT_EQ(m.queue_len(m.idle_since()), 2u);
  EXPECT_EQ(d.slot, 0u);
  EXPECT_EQ(d.layer, 0u);
  ASSERT_EQ(m.queue().size(), 2u);
  EXPECT_EQ(m.queue()[0], 1u);
  EXPECT_EQ(m.queue()[1], 2u);
  EXPECT_FALSE(m.requests()[3].queued);
  d = m.decide();
  EXPECT_EQ(d.id, 1u);
  EXPECT_EQ(d.start_cycle, d.now_cycle + 2 + kScoreLatency + 1);
}

TEST(SchedulerModel, CommandsOnlyWhenReady) {
  SchedulerModel m(small(ScoreFormat::fp32));
  Host h{m, 10};
  h.push(0, 0, 100, 0);
  EXPECT_THROW(m.command(12, HostCommand::nop, 0), std::logic_error);  // same cycle as push
  const ModelDecision d = m.decide();
  EXPECT_THROW(m.command(d.start_cycle, HostCommand::nop, 0), std::logic_error);
  m.command(d.start_cycle + 1, HostCommand::nop, 0);
  m.command(d.start_cycle + 7, HostCommand::nop, 0);
  EXPECT_THROW(m.layer_done(d.start_cycle + 6, 0, false), std::logic_error);
  m.layer_done(d.start_cycle + 7, 0, false);
  EXPECT_THROW(m.layer_done(d.start_cycle + 9, 0, false), std::logic_error);
}

}  // namespace
}  // namespace dysta::hw
