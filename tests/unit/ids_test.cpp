#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace jobq {
namespace {

TEST(Ids, JobIdsAreUuidV7AndStrictlyIncreasingWithinAMillisecond) {
  std::string previous;
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    std::string id = new_job_id(1'700'000'000'000);
    ASSERT_TRUE(looks_like_job_id(id)) << id;
    EXPECT_EQ(id[14], '7');                                              // version
    EXPECT_TRUE(std::string("89ab").find(id[19]) != std::string::npos);  // variant
    EXPECT_GT(id, previous);
    previous = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(Ids, IdsCarryTheirMillisecond) {
  // Far enough ahead of every id this process made before, which it would otherwise stay above.
  std::string id = new_job_id(0x0f0123456789);
  EXPECT_EQ(id.substr(0, 13), "0f012345-6789");
}

TEST(Ids, LeaseTokensAreRandomHex) {
  std::string a = new_lease_token(), b = new_lease_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Ids, RejectsThingsThatAreNotIds) {
  EXPECT_FALSE(looks_like_job_id(""));
  EXPECT_FALSE(looks_like_job_id("01890000-0000-7000-8000-00000000000G"));
  EXPECT_FALSE(looks_like_job_id("018900000000-7000-8000-0000000000000"));
}

}  // namespace
}  // namespace jobq
