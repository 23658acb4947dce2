// numerics/routing.h, the routing arithmetic the golden model, the GPU
// reference kernels and the vector unit share, called directly on the golden
// model's hand-checked cases (test_routing.cpp) and against golden::topk and
// golden::align on every shrunk family's routing.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "cadre/golden/routing.h"
#include "cadre/numerics/routing.h"
#include "shrunk_models.h"

namespace cadre::golden {
namespace {

using num::GroupScore;
using num::RoutingSpec;
using num::Scoring;

// One token through score_row and topk_row: the chosen experts and weights.
struct Row {
  std::vector<int32_t> ids;
  std::vector<float> weights;
};

Row route(const RoutingSpec& r, std::vector<float> logits, const float* bias = nullptr) {
  std::vector<float> scores(r.experts), keys(r.experts), group_scores(r.n_group);
  std::vector<uint8_t> flags(r.experts);
  Row out{std::vector<int32_t>(r.top_k), std::vector<float>(r.top_k)};
  num::score_row(r.scoring, logits.data(), r.experts, scores.data());
  num::topk_row(r, scores.data(), bias, {keys.data(), group_scores.data(), flags.data()}, out.ids.data(),
                out.weights.data());
  return out;
}

RoutingSpec topk_of(uint32_t experts, uint32_t k) { return {.experts = experts, .top_k = k}; }

// Sigmoid scores, two groups of four, one kept, top-2.
RoutingSpec grouped_of_four(GroupScore score) {
  return {.scoring = Scoring::Sigmoid, .experts = 8, .top_k = 2, .n_group = 2, .topk_group = 1, .group_score = score};
}
const std::vector<float> kGroupLogitRow = {3, -2, -2, -2, 1, 1, -5, -5};

TEST(RoutingArithmetic, TopKTiesGoToTheLowerExpertInSlotOrder) {
  const Row tie = route(topk_of(5, 2), {1, 3, 3, 0, 3});
  EXPECT_EQ(tie.ids, (std::vector<int32_t>{1, 2}));
  float scores[5];
  const float logits[] = {1, 3, 3, 0, 3};
  num::softmax_row(logits, 5, scores);
  EXPECT_EQ(tie.weights, (std::vector<float>{scores[1], scores[2]}));
  EXPECT_EQ(route(topk_of(6, 3), {0.5f, -1, 4, 2, 3, 2}).ids, (std::vector<int32_t>{2, 4, 3}));
}

TEST(RoutingArithmetic, WeightsAreScoresNormalisedPlusEpsilonThenScaled) {
  RoutingSpec r = topk_of(4, 2);
  r.normalise = true;
  r.norm_epsilon = 1e-20f;
  r.scaling = 2.5f;
  float s[4];
  const float logits[] = {0.25f, 2, -1, 1};
  num::softmax_row(logits, 4, s);
  const float denominator = num::add_rn(num::add_rn(s[1], s[3]), 1e-20f);
  const Row row = route(r, {0.25f, 2, -1, 1});
  EXPECT_EQ(row.ids, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(row.weights[0], num::mul_rn(num::div_rn(s[1], denominator), 2.5f));
  EXPECT_EQ(row.weights[1], num::mul_rn(num::div_rn(s[3], denominator), 2.5f));
}

TEST(RoutingArithmetic, BiasSelectsButDoesNotWeigh) {
  RoutingSpec r = topk_of(4, 2);
  r.scoring = Scoring::Sigmoid;
  const float bias[] = {0.0f, 0.1f, 0.2f, -0.1f};
  const Row row = route(r, {0, 0, 0, 0}, bias);
  EXPECT_EQ(row.ids, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(row.weights, (std::vector<float>{0.5f, 0.5f}));
}

TEST(RoutingArithmetic, GroupsBySumOfTopTwoOrByMax) {
  EXPECT_EQ(route(grouped_of_four(GroupScore::SumOfTop2), kGroupLogitRow).ids, (std::vector<int32_t>{4, 5}));
  EXPECT_EQ(route(grouped_of_four(GroupScore::MaxOfGroup), kGroupLogitRow).ids, (std::vector<int32_t>{0, 1}));
  const float bias[] = {0, 0.9f, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(route(grouped_of_four(GroupScore::SumOfTop2), kGroupLogitRow, bias).ids, (std::vector<int32_t>{1, 0}));
  const float keys[] = {1, 5, 2, 5};
  EXPECT_EQ(num::group_score(GroupScore::MaxOfGroup, keys, 4), 5.0f);
  EXPECT_EQ(num::group_score(GroupScore::SumOfTop2, keys, 4), 10.0f);
}

TEST(RoutingArithmetic, TiedGroupsGoToTheLowerGroup) {
  RoutingSpec r = grouped_of_four(GroupScore::SumOfTop2);
  r.n_group = 4;
  r.topk_group = 2;
  r.top_k = 4;
  EXPECT_EQ(route(r, {1, 1, 1, 1, 1, 1, 1, 1}).ids, (std::vector<int32_t>{0, 1, 2, 3}));
  r.topk_group = 1;
  r.top_k = 2;
  EXPECT_EQ(route(r, {4, -4, 3, 3, -9, -9, -9, -9}).ids, (std::vector<int32_t>{2, 3}));
}

TEST(RoutingArithmetic, NanRanksBelowEveryNumber) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  RoutingSpec r = topk_of(3, 2);
  r.scoring = Scoring::Sigmoid;
  EXPECT_EQ(route(r, {nan, -3, 1}).ids, (std::vector<int32_t>{2, 1}));
  const float values[] = {nan, 2, nan, 2};
  EXPECT_EQ(num::best_index(4, [&](int64_t i) { return values[i]; }, [](int64_t) { return true; }), 1);
  EXPECT_EQ(num::best_index(4, [&](int64_t i) { return values[i]; }, [](int64_t i) { return i % 2 == 0; }), 0);
  EXPECT_EQ(num::best_index(4, [&](int64_t i) { return values[i]; }, [](int64_t) { return false; }), -1);
}

TEST(RoutingArithmetic, TopkPossibleRefusesEveryImpossibleChoice) {
  const auto possible = [](GroupScore score, uint32_t n_group, uint32_t topk_group, uint32_t k) {
    RoutingSpec r = topk_of(8, k);
    r.group_score = score;
    r.n_group = n_group;
    r.topk_group = topk_group;
    return num::topk_possible(r);
  };
  EXPECT_TRUE(possible(GroupScore::None, 1, 1, 8));
  EXPECT_TRUE(possible(GroupScore::None, 3, 0, 2));  // without a group limit the group fields do not matter
  EXPECT_FALSE(possible(GroupScore::None, 1, 1, 9));
  EXPECT_FALSE(possible(GroupScore::None, 1, 1, 0));
  EXPECT_TRUE(possible(GroupScore::SumOfTop2, 4, 2, 4));
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 4, 2, 5));  // two groups of two hold four experts
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 8, 2, 2));  // a group of one has no second best
  EXPECT_TRUE(possible(GroupScore::MaxOfGroup, 8, 2, 2));
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 3, 1, 2));  // 3 groups do not divide 8 experts
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 0, 0, 2));
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 4, 0, 2));
  EXPECT_FALSE(possible(GroupScore::SumOfTop2, 4, 5, 2));  // more groups kept than there are
  EXPECT_FALSE(possible(GroupScore::MaxOfGroup, 2, 1, 0));
}

TEST(RoutingArithmetic, AlignSortsByExpertThenAssignmentAndPads) {
  // Three tokens, top-2: the golden model's three_tokens case.
  const int32_t ids[] = {2, 0, 0, 1, 2, 1};
  const float weights[] = {0.5f, 0.25f, 0.75f, 0.125f, 1.5f, 2.5f};
  const uint32_t experts = 4, block = 4;
  std::vector<int32_t> counts(experts), offsets(experts + 1);
  EXPECT_EQ(num::first_expert_outside(ids, 6, experts), -1);
  num::align_offsets(ids, 6, experts, block, counts.data(), offsets.data());
  EXPECT_EQ(offsets, (std::vector<int32_t>{0, 4, 8, 12, 12}));
  EXPECT_EQ(counts, (std::vector<int32_t>{2, 2, 2, 0}));
  const uint64_t max_rows = num::align_max_rows(3, 2, experts, block);
  EXPECT_GE(max_rows, 12u);
  std::vector<int32_t> tokens(max_rows, 99), assignment_rows(6);
  std::vector<float> row_weights(max_rows, 99.0f);
  num::align_rows(ids, weights, 6, 2, experts, offsets.data(), counts.data(), tokens.data(), row_weights.data(),
                  assignment_rows.data());
  tokens.resize(12);
  row_weights.resize(12);
  EXPECT_EQ(tokens, (std::vector<int32_t>{0, 1, -1, -1, 1, 2, -1, -1, 0, 2, -1, -1}));
  EXPECT_EQ(row_weights, (std::vector<float>{0.25f, 0.75f, 0, 0, 0.125f, 2.5f, 0, 0, 0.5f, 1.5f, 0, 0}));
  EXPECT_EQ(assignment_rows, (std::vector<int32_t>{8, 0, 1, 4, 9, 5}));
  const int32_t outside[] = {1, 3, 4, -1};
  EXPECT_EQ(num::first_expert_outside(outside, 4, experts), 2);
}

TEST(RoutingArithmetic, AgreesWithGoldenTopkAndAlignOnEveryFamily) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (const test::ShrunkModel& m : test::shrunk_models()) {
    SCOPED_TRACE(m.label);
    const RoutingSpec r = m.spec().routing;
    const Index tokens = 5;
    MatrixF logits(tokens, r.experts);
    for (Index i = 0; i < logits.size(); ++i) logits.data()[i] = normal(rng);
    std::vector<float> bias(r.selection_bias ? r.experts : 0);
    for (float& b : bias) b = normal(rng) * 0.05f;
    const TopK expected = topk(r, logits, bias);
    for (Index t = 0; t < tokens; ++t) {
      const Row row = route(r, {&logits(t, 0), &logits(t, 0) + r.experts}, r.selection_bias ? bias.data() : nullptr);
      for (Index slot = 0; slot < r.top_k; ++slot) {
        EXPECT_EQ(row.ids[slot], expected.ids(t, slot));
        EXPECT_EQ(num::float_bits(row.weights[slot]), num::float_bits(expected.weights(t, slot)));
      }
    }
    const Alignment al = align(expected, r.experts, 16);
    const auto n = static_cast<uint64_t>(expected.ids.size());
    std::vector<int32_t> counts(r.experts), offsets(r.experts + 1);
    num::align_offsets(expected.ids.data(), n, r.experts, 16, counts.data(), offsets.data());
    EXPECT_EQ(offsets, al.offsets);
    std::vector<int32_t> row_tokens(num::align_max_rows(tokens, r.top_k, r.experts, 16));
    std::vector<float> row_weights(row_tokens.size());
    num::align_rows(expected.ids.data(), expected.weights.data(), n, r.top_k, r.experts, offsets.data(),
                    counts.data(), row_tokens.data(), row_weights.data(), nullptr);
    row_tokens.resize(al.tokens.size());
    row_weights.resize(al.tokens.size());
    EXPECT_EQ(row_tokens, al.tokens);
    EXPECT_EQ(row_weights, al.row_weights);
  }
}

}  // namespace
}  // namespace cadre::golden
