// router_gemm, topk and align on inputs small enough to check by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cadre/golden/routing.h"
#include "cadre/numerics/convert.h"
#include "cadre/numerics/softmax.h"
#include "cadre/numerics/transcendental.h"

namespace cadre::golden {
namespace {

using model::GroupScore;
using model::RoutingSpec;
using model::Scoring;

MatrixU16 bf16_matrix(Index rows, Index cols, std::initializer_list<float> values) {
  MatrixU16 m(rows, cols);
  Index i = 0;
  for (float v : values) m(i / cols, i % cols) = num::float_to_bf16(v), ++i;
  return m;
}

MatrixF logits_row(std::initializer_list<float> values) {
  MatrixF m(1, static_cast<Index>(values.size()));
  Index i = 0;
  for (float v : values) m(0, i++) = v;
  return m;
}

RoutingSpec softmax_topk(uint32_t experts, uint32_t k) {
  RoutingSpec r;
  r.experts = experts;
  r.top_k = k;
  return r;
}

std::vector<int32_t> ids_of(const TopK& t, Index token = 0) {
  return {t.ids.row(token).data(), t.ids.row(token).data() + t.ids.cols()};
}

TEST(GoldenRouterGemm, SumsInIncreasingHFromPlusZero) {
  // 2^24 + 1 rounds back to 2^24 (ties to even), so increasing h gives 0 and any
  // other order would give 1.
  const MatrixU16 x = bf16_matrix(2, 3, {1, 1, 1, 1, 2, 3});
  const MatrixU16 router = bf16_matrix(2, 3, {0x1p24f, 1, -0x1p24f, 3, 4, 0.5f});
  const MatrixF logits = router_gemm(x, router);
  ASSERT_EQ(logits.rows(), 2);
  ASSERT_EQ(logits.cols(), 2);
  EXPECT_EQ(logits(0, 0), 0.0f);
  EXPECT_EQ(logits(0, 1), 7.5f);
  EXPECT_EQ(logits(1, 1), 3 + 8 + 1.5f);
  EXPECT_FALSE(std::signbit(logits(0, 0)));
}

TEST(GoldenTopK, SoftmaxTopKTiesGoToTheLowerExpert) {
  const MatrixF logits = logits_row({1, 3, 3, 0, 3});
  const TopK t = topk(softmax_topk(5, 2), logits, {});
  EXPECT_EQ(ids_of(t), (std::vector<int32_t>{1, 2}));
  float scores[5];
  num::softmax_row(logits.data(), 5, scores);
  EXPECT_EQ(t.weights(0, 0), scores[1]);  // not normalised, not scaled
  EXPECT_EQ(t.weights(0, 1), scores[2]);
}

TEST(GoldenTopK, SlotsAreInDecreasingKeyOrder) {
  const TopK t = topk(softmax_topk(6, 3), logits_row({0.5f, -1, 4, 2, 3, 2}), {});
  EXPECT_EQ(ids_of(t), (std::vector<int32_t>{2, 4, 3}));
}

TEST(GoldenTopK, NormalisesBySlotOrderSumPlusEpsilonThenScales) {
  RoutingSpec r = softmax_topk(4, 2);
  r.normalise = true;
  r.norm_epsilon = 1e-20f;
  r.scaling = 2.5f;
  const MatrixF logits = logits_row({0.25f, 2, -1, 1});
  const TopK t = topk(r, logits, {});
  float s[4];
  num::softmax_row(logits.data(), 4, s);
  const float denominator = num::add_rn(num::add_rn(s[1], s[3]), 1e-20f);
  EXPECT_EQ(ids_of(t), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(t.weights(0, 0), num::mul_rn(num::div_rn(s[1], denominator), 2.5f));
  EXPECT_EQ(t.weights(0, 1), num::mul_rn(num::div_rn(s[3], denominator), 2.5f));
}

TEST(GoldenTopK, SigmoidBiasSelectsButDoesNotWeigh) {
  RoutingSpec r = softmax_topk(4, 2);
  r.scoring = Scoring::Sigmoid;
  r.selection_bias = true;
  const float bias[] = {0.0f, 0.1f, 0.2f, -0.1f};
  // Equal logits: the bias alone decides, and the weights stay sigmoid(0) = 0.5.
  const TopK t = topk(r, logits_row({0, 0, 0, 0}), bias);
  EXPECT_EQ(ids_of(t), (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(t.weights(0, 0), 0.5f);
  EXPECT_EQ(t.weights(0, 1), 0.5f);
  // With normalisation and DeepSeek-V3's scaling: 0.5 / (1 + 1e-20) * 2.5.
  r.normalise = true;
  r.norm_epsilon = 1e-20f;
  r.scaling = 2.5f;
  const TopK n = topk(r, logits_row({0, 0, 0, 0}), bias);
  EXPECT_EQ(n.weights(0, 0), 1.25f);
  EXPECT_EQ(n.weights(0, 1), 1.25f);
}

// Group 0 has the best single expert, group 1 the best pair: sum-of-top-2 keeps
// group 1, max-of-group keeps group 0.
RoutingSpec grouped(GroupScore score) {
  RoutingSpec r = softmax_topk(8, 2);
  r.scoring = Scoring::Sigmoid;
  r.n_group = 2;
  r.topk_group = 1;
  r.group_score = score;
  return r;
}
const MatrixF kGroupLogits = logits_row({3, -2, -2, -2, 1, 1, -5, -5});

TEST(GoldenTopK, GroupsBySumOfTopTwo) {
  EXPECT_EQ(ids_of(topk(grouped(GroupScore::SumOfTop2), kGroupLogits, {})), (std::vector<int32_t>{4, 5}));
}

TEST(GoldenTopK, GroupsByMax) {
  // Inside group 0 experts 1, 2 and 3 tie: the lower number wins the second slot.
  EXPECT_EQ(ids_of(topk(grouped(GroupScore::MaxOfGroup), kGroupLogits, {})), (std::vector<int32_t>{0, 1}));
}

TEST(GoldenTopK, GroupScoreUsesBiasedKeys) {
  RoutingSpec r = grouped(GroupScore::SumOfTop2);
  r.selection_bias = true;
  // A large bias on expert 1 lifts group 0's pair above group 1's.
  const float bias[] = {0, 0.9f, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(ids_of(topk(r, kGroupLogits, bias)), (std::vector<int32_t>{1, 0}));
}

TEST(GoldenTopK, TiedGroupsGoToTheLowerGroup) {
  RoutingSpec r = grouped(GroupScore::SumOfTop2);
  r.n_group = 4;
  r.topk_group = 2;
  r.top_k = 4;
  // Every group scores the same: groups 0 and 1 are kept, and their experts tie too.
  EXPECT_EQ(ids_of(topk(r, logits_row({1, 1, 1, 1, 1, 1, 1, 1}), {})), (std::vector<int32_t>{0, 1, 2, 3}));
  // Only experts of kept groups are chosen: expert 0 scores best but its group's
  // pair (4, -4) loses to group 1's (3, 3).
  r.topk_group = 1;
  r.top_k = 2;
  EXPECT_EQ(ids_of(topk(r, logits_row({4, -4, 3, 3, -9, -9, -9, -9}), {})), (std::vector<int32_t>{2, 3}));
}

TEST(GoldenTopK, NanKeysRankBelowNumbers) {
  RoutingSpec r = softmax_topk(3, 2);
  r.scoring = Scoring::Sigmoid;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(ids_of(topk(r, logits_row({nan, -3, 1}), {})), (std::vector<int32_t>{2, 1}));
}

TEST(GoldenTopK, EveryTokenIndependently) {
  MatrixF logits(2, 3);
  logits << 0, 1, 2, 2, 1, 0;
  const TopK t = topk(softmax_topk(3, 1), logits, {});
  EXPECT_EQ(t.ids(0, 0), 2);
  EXPECT_EQ(t.ids(1, 0), 0);
}

TEST(GoldenTopK, RefusesMismatchedSizes) {
  EXPECT_THROW(topk(softmax_topk(4, 2), logits_row({1, 2, 3}), {}), std::invalid_argument);
  RoutingSpec r = softmax_topk(3, 2);
  r.selection_bias = true;
  EXPECT_THROW(topk(r, logits_row({1, 2, 3}), {}), std::invalid_argument);
  EXPECT_THROW(topk(softmax_topk(3, 4), logits_row({1, 2, 3}), {}), std::invalid_argument);
  RoutingSpec g = grouped(GroupScore::SumOfTop2);
  g.n_group = 8;  // groups of one expert have no second best
  EXPECT_THROW(topk(g, kGroupLogits, {}), std::invalid_argument);
  g.n_group = 4;  // one group of two kept cannot hold three experts
  g.top_k = 3;
  EXPECT_THROW(topk(g, kGroupLogits, {}), std::invalid_argument);
}

TopK three_tokens() {
  TopK t{MatrixI32(3, 2), MatrixF(3, 2)};
  t.ids << 2, 0, 0, 1, 2, 1;
  t.weights << 0.5f, 0.25f, 0.75f, 0.125f, 1.5f, 2.5f;
  return t;
}

TEST(GoldenAlign, SortsByExpertThenAssignmentAndPads) {
  const Alignment a = align(three_tokens(), 4, 4);
  EXPECT_EQ(a.offsets, (std::vector<int32_t>{0, 4, 8, 12, 12}));  // expert 3 has no rows at all
  // Expert 0: j = 1 (token 0), j = 2 (token 1); expert 1: j = 3, j = 5; expert 2: j = 0, j = 4.
  EXPECT_EQ(a.tokens, (std::vector<int32_t>{0, 1, -1, -1, 1, 2, -1, -1, 0, 2, -1, -1}));
  EXPECT_EQ(a.row_weights, (std::vector<float>{0.25f, 0.75f, 0, 0, 0.125f, 2.5f, 0, 0, 0.5f, 1.5f, 0, 0}));
}

TEST(GoldenAlign, BlockOfOneHasNoPadding) {
  const Alignment a = align(three_tokens(), 4, 1);
  EXPECT_EQ(a.offsets, (std::vector<int32_t>{0, 2, 4, 6, 6}));
  EXPECT_EQ(a.tokens, (std::vector<int32_t>{0, 1, 1, 2, 0, 2}));
}

TEST(GoldenAlign, FullBlocksGetNoExtraPadding) {
  TopK t{MatrixI32(2, 1), MatrixF(2, 1)};
  t.ids << 1, 1;
  t.weights << 1, 1;
  EXPECT_EQ(align(t, 2, 2).offsets, (std::vector<int32_t>{0, 0, 2}));
}

TEST(GoldenAlign, RefusesExpertsOutOfRange) {
  TopK t = three_tokens();
  t.ids(1, 1) = 4;
  EXPECT_THROW(align(t, 4, 128), std::invalid_argument);
  EXPECT_THROW(align(three_tokens(), 4, 0), std::invalid_argument);
}

}  // namespace
}  // namespace cadre::golden
