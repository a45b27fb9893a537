#include "server/auth.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

TEST(ApiKeys, ParsesKeysWithRoles) {
  auto keys = ApiKeys::parse(" a1:admin, p1:producer ,w1:worker,v1:viewer,");
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  EXPECT_EQ(keys->find("a1"), Role::admin);
  EXPECT_EQ(keys->find("p1"), Role::producer);
  EXPECT_EQ(keys->find("w1"), Role::worker);
  EXPECT_EQ(keys->find("v1"), Role::viewer);
  EXPECT_EQ(keys->find("nobody"), std::nullopt);
}

TEST(ApiKeys, RefusesUnknownRolesAndMissingColons) {
  EXPECT_EQ(ApiKeys::parse("k:root").error().field(), "api_keys");
  EXPECT_EQ(ApiKeys::parse("justakey").error().field(), "api_keys");
  EXPECT_TRUE(ApiKeys::parse("").value().empty());
}

TEST(Roles, GrantTheirGroupsOfRoutes) {
  for (Role role : {Role::admin, Role::producer, Role::worker, Role::viewer}) {
    EXPECT_TRUE(allows(role, Access::open));
    EXPECT_TRUE(allows(role, Access::read));
  }
  EXPECT_TRUE(allows(Role::admin, Access::operate));
  EXPECT_TRUE(allows(Role::producer, Access::produce));
  EXPECT_FALSE(allows(Role::producer, Access::work));
  EXPECT_FALSE(allows(Role::producer, Access::operate));
  EXPECT_TRUE(allows(Role::worker, Access::work));
  EXPECT_FALSE(allows(Role::worker, Access::produce));
  EXPECT_FALSE(allows(Role::viewer, Access::produce));
  EXPECT_FALSE(allows(Role::viewer, Access::work));
  EXPECT_FALSE(allows(Role::viewer, Access::operate));
}

}  // namespace
}  // namespace jobq::server
